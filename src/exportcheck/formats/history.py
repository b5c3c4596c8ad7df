"""Output of ``exportcheck history``: JSON, and a terminal timeline drawn with rich.

The timeline is a horizontal bar over the date axis, one glyph (and, with colour, one colour)
per status, so a person sees at a glance when the item was allowed and when not; ticks mark
each change point, then tables list the segments and the change points with their causes.
Each segment gets at least one column, so a short one (the 40 days of the 2025 EDA letters)
never disappears.
"""

from __future__ import annotations

import json

from rich.text import Text

from exportcheck.formats._console import report_table, text_console, without_trailing_blanks
from exportcheck.formats.table import STATUS_STYLES, status_flip
from exportcheck.model.history import HistoryReport, Segment
from exportcheck.model.status import Status

GLYPHS: dict[Status, str] = {
    Status.ALLOWED: "░",
    Status.LICENSED: "▒",
    Status.REVIEW: "▓",
    Status.LICENSE_REQUIRED: "█",
    Status.PROHIBITED: "X",
}
TICK = "╵"
INDENT = 2


def render_json(report: HistoryReport) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"


def allocate(days: list[int], width: int) -> list[int]:
    """Columns per segment: proportional to its days, at least 1 each, summing to ``width``
    (or to the number of segments when that is larger)."""
    n = len(days)
    if n == 0:
        return []
    width = max(width, n)
    total = sum(days) or n
    exact = [d * width / total for d in days]
    cols = [max(1, int(x)) for x in exact]
    # hand out what is left by largest remainder; take back from the widest when over
    order = sorted(range(n), key=lambda i: (-(exact[i] - int(exact[i])), i))
    k = 0
    while sum(cols) < width:
        cols[order[k % n]] += 1
        k += 1
    while sum(cols) > width:
        widest = max(range(n), key=lambda i: (cols[i], -i))
        cols[widest] -= 1
    return cols


def timeline(report: HistoryReport, width: int) -> list[Text]:
    """The bar, its ticks and the date labels (three lines of styled text)."""
    bar_width = max(width - 2 * INDENT, len(report.segments))
    segs = report.segments
    cols = allocate([s.days for s in segs], bar_width)
    bar = Text(" " * INDENT)
    starts: list[int] = []
    pos = 0
    for seg, n in zip(segs, cols, strict=True):
        starts.append(pos)
        bar.append(GLYPHS[seg.status] * n, style=STATUS_STYLES[seg.status])
        pos += n
    ticks = [" "] * bar_width
    labels = [" "] * bar_width
    placed_until = -1
    end_label = report.to
    end_at = bar_width - len(end_label)
    for seg, at in zip(segs, starts, strict=True):
        ticks[at] = TICK
        label = seg.start
        if at > placed_until and at + len(label) <= end_at - 1:
            labels[at : at + len(label)] = list(label)
            placed_until = at + len(label)
    ticks[bar_width - 1] = TICK
    if end_at > placed_until:
        labels[end_at:] = list(end_label)
    pad = " " * INDENT
    return [
        bar,
        Text(pad + "".join(ticks).rstrip()),
        Text(pad + "".join(labels).rstrip()),
    ]


def _legend(report: HistoryReport) -> Text:
    text = Text(" " * INDENT)
    used = {s.status for s in report.segments}
    first = True
    for status in Status:
        if status not in used:
            continue
        if not first:
            text.append("   ")
        first = False
        text.append(GLYPHS[status], style=STATUS_STYLES[status])
        text.append(f" {status.value}")
    return text


def _deciding(seg: Segment) -> Text:
    text = Text()
    for i, r in enumerate(seg.deciding):
        if i:
            text.append("\n")
        text.append(r.ref)
        if r.citation:
            text.append(f"\n{r.citation}", style="italic")
    return text


def render(report: HistoryReport, *, color: bool = False, width: int = 100) -> str:
    """The timeline and tables; plain text unless ``color`` (ANSI, 16 colours)."""
    console, buffer = text_console(color=color, width=width)
    head = Text(f"History of {report.query.label()}", style="bold")
    head.append(f" · {report.from_} … {report.to} · on {report.to}: ")
    head.append(report.status.value, style=STATUS_STYLES[report.status])
    console.print(head)
    console.print()
    for line in timeline(report, width):
        console.print(line, no_wrap=True, overflow="crop")
    console.print(_legend(report))
    console.print()
    segments = report_table()
    segments.add_column("From", no_wrap=True)
    segments.add_column("To", no_wrap=True)
    segments.add_column("Days", justify="right", no_wrap=True)
    segments.add_column("Status", no_wrap=True)
    segments.add_column("Deciding", overflow="fold", min_width=24)
    for seg in report.segments:
        segments.add_row(
            Text(seg.start),
            Text(seg.end),
            Text(str(seg.days)),
            Text(seg.status.value, style=STATUS_STYLES[seg.status]),
            _deciding(seg),
        )
    console.print(segments)
    console.print()
    if report.changes:
        changes = report_table()
        changes.add_column("Change point", no_wrap=True)
        changes.add_column("Status", no_wrap=True)
        changes.add_column("Cause", overflow="fold", min_width=30)
        for c in report.changes:
            changes.add_row(Text(c.date), status_flip(c.before, c.after), Text("\n".join(c.causes)))
        console.print(changes)
    else:
        console.print(f"No change between {report.from_} and {report.to}.")
    return without_trailing_blanks(buffer)
