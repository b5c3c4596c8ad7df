"""The terminal table: one row per line, a short "why" for each flagged line, then a summary.

The columns have fixed widths, set by the width of the terminal (never by the cells), so the
table can be written a line at a time as the lines are judged (:func:`stream`), in constant
memory, and reads the same at 80, 100 or 200 columns. A cell too long for its column wraps,
at spaces or, for a long identifier, inside it: nothing is ever cut off. Under
:data:`WIDE_FROM` columns the "why" goes on its own lines under the line's row; from there
on it has a column of its own.

Over :data:`FULL_LIMIT` lines, only the flagged lines (``review`` and worse) are shown, and
the table says so before the first line left out and in the summary; the summary always
counts every line. Every cell is plain text: control and formatting characters of the input
(escape sequences, bidirectional overrides) are shown as ``\\x1b``-style escapes, never sent
to the terminal.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence

from rich.cells import cell_len, chop_cells
from rich.text import Text

from exportcheck.formats._common import deciding, eccn_text, part_of, party_reasons, scalar_text
from exportcheck.model.fastline import ResultLike
from exportcheck.model.report import Finding, Report, Summary
from exportcheck.model.status import Status

STATUS_STYLES: dict[Status, str] = {
    Status.ALLOWED: "green",
    Status.LICENSED: "cyan",
    Status.REVIEW: "yellow",
    Status.LICENSE_REQUIRED: "red",
    Status.PROHIBITED: "bold white on red",
}
#: The same colours as ANSI codes (the table is drawn without rich, a line at a time).
_ANSI: dict[Status, str] = {
    Status.ALLOWED: "32",
    Status.LICENSED: "36",
    Status.REVIEW: "33",
    Status.LICENSE_REQUIRED: "31",
    Status.PROHIBITED: "1;37;41",
}

#: Up to this many lines the table shows every line; past it, the flagged lines only.
FULL_LIMIT = 2000
#: From this width on, the "why" is a column of its own; below it, lines under the row.
WIDE_FROM = 150
_GAP = "  "
_WHY_INDENT = 4
_STATUS_WIDTH = max(len(s.value) for s in Status)
_HEADERS = ("Line", "Part", "ECCN", "To", "Date", "Status", "Why")


def status_flip(before: Status, after: Status) -> Text:
    """``before → after``, each status in its colour."""
    text = Text(before.value, style=STATUS_STYLES[before])
    text.append(" → ")
    text.append(after.value, style=STATUS_STYLES[after])
    return text


def flagged(status: Status) -> bool:
    """Whether a line is shown however long the table: ``review`` and worse."""
    return status.severity >= Status.REVIEW.severity


# --- cell text ----------------------------------------------------------------------------------


def _visible(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: str) -> str:
    """``text`` with every control or formatting character (escape sequences, CR, bidi
    overrides, ...) written out as an escape, so that a manifest cell cannot move the cursor,
    colour the terminal or reorder what is shown; other spaces become plain spaces."""
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() else " " if unicodedata.category(ch) == "Zs" else _visible(ch)
        for ch in text
    )


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` cells: broken at spaces, and a word longer than
    a line broken inside (never cut off). ``\\n`` in ``text`` starts a new line."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            if not word:
                continue
            candidate = f"{line} {word}" if line else word
            if cell_len(candidate) <= width:
                line = candidate
                continue
            if line:
                out.append(line)
                line = ""
            if cell_len(word) <= width:
                line = word
                continue
            pieces = _break_word(word, width)
            out.extend(pieces[:-1])
            line = pieces[-1]
        out.append(line)
    return out


_BREAK_AFTER = frozenset("-./_:|,")


def _break_word(word: str, width: int) -> list[str]:
    """A word too long for a line, in pieces of at most ``width`` cells: after a hyphen, dot,
    slash ... when one falls in the second half of a piece, else wherever the width ends."""
    pieces: list[str] = []
    while cell_len(word) > width:
        head = chop_cells(word, width)[0]
        cut = max((i for i, ch in enumerate(head) if ch in _BREAK_AFTER), default=-1) + 1
        if cell_len(head[:cut]) * 2 <= width:
            cut = len(head)
        pieces.append(word[:cut])
        word = word[cut:]
    pieces.append(word)
    return pieces


def _first_sentence(message: str) -> str:
    cut = message.find(". ")
    return message[: cut + 1] if cut >= 0 else message


def _missing(f: Finding) -> list[str]:
    """The fields a rule could not be decided without, in order, each once."""
    out: list[str] = []
    for b in f.because:
        if b.value is None and b.field not in out:
            out.append(b.field)
    return out


def why(line: ResultLike) -> list[str]:
    """Why a line has its status, one short reason a line, each shown once: a rule's id,
    version and title (and its reasons about the line's parties); a party matched, with the
    list entry and the score; "may apply: missing ..." for a rule that cannot be decided;
    the problem of a bad field. Nothing for an allowed line."""
    items: list[str | tuple[object, str]] = []  # reasons, and (party name, match) keys
    seen: set[str] = set()
    columns: dict[tuple[object, str], list[str]] = {}  # a party match -> its columns

    def add(text: str) -> None:
        if text not in seen:
            seen.add(text)
            items.append(text)

    for f in deciding(line):  # type: ignore[arg-type]
        if f.kind == "party" and f.because:
            b = f.because[0]
            key = (b.value, b.test)
            if key not in columns:
                columns[key] = []
                items.append(key)
            if b.field not in columns[key]:
                columns[key].append(b.field)
        elif f.kind == "rule-undetermined":
            missing = _missing(f)
            add(f"{f.rule_id}: may apply" + (f": missing {', '.join(missing)}" if missing else ""))
            for reason in party_reasons(f, known_only=True):  # e.g. ownership not known
                add(reason)
        elif f.kind.startswith("rule"):
            version = f" @ {f.rule_version}" if f.rule_version else ""
            title = f": {f.title}" if f.title else ""
            add(f"{f.rule_id}{version}{title}")
            for reason in party_reasons(f):
                add(reason)
        else:
            add(_first_sentence(f.message))
    return [
        safe(
            item
            if isinstance(item, str)
            else f"{', '.join(columns[item])} '{scalar_text(item[0])}' {item[1]}"  # type: ignore[arg-type]
        )
        for item in items
    ]


# --- layout -------------------------------------------------------------------------------------


class Layout:
    """The column widths for a terminal ``width`` (see the module doc)."""

    def __init__(self, width: int) -> None:
        self.width = width = max(width, 60)
        self.wide = width >= WIDE_FROM
        fixed = 4 + 10 + _STATUS_WIDTH  # To, Date, Status
        columns = 7 if self.wide else 6
        room = width - fixed - len(_GAP) * (columns - 1)
        share = min(room // 2, 80) if self.wide else room
        line_w = max(6, share * 25 // 100)
        eccn_w = max(7, share * 26 // 100)
        part_w = share - line_w - eccn_w
        self.widths = [line_w, part_w, eccn_w, 4, 10, _STATUS_WIDTH]
        if self.wide:
            self.widths.append(room - share)
        self.why_width = self.widths[6] if self.wide else width - _WHY_INDENT

    def row(self, cells: Sequence[str], status: Status | None, color: bool) -> str:
        """One row of cells (wrapped to their columns), with the status coloured."""
        columns = [wrap(cell, w) for cell, w in zip(cells, self.widths, strict=False)]
        height = max(len(c) for c in columns)
        out: list[str] = []
        for i in range(height):
            parts: list[str] = []
            for n, (column, w) in enumerate(zip(columns, self.widths, strict=False)):
                text = column[i] if i < len(column) else ""
                padded = text + " " * (w - cell_len(text))
                if color and text and n == 5 and status is not None:
                    padded = f"\x1b[{_ANSI[status]}m{text}\x1b[0m" + " " * (w - cell_len(text))
                elif color and text and status is None:
                    padded = f"\x1b[1m{text}\x1b[0m" + " " * (w - cell_len(text))
                parts.append(padded)
            out.append(_GAP.join(parts).rstrip(" ") + "\n")
        return "".join(out)

    def header(self, color: bool) -> str:
        names = _HEADERS if self.wide else _HEADERS[:6]
        rule = "━" * (sum(self.widths) + len(_GAP) * (len(self.widths) - 1))
        return self.row(names, None, color) + rule + "\n"

    def line(self, line: ResultLike, color: bool) -> str:
        destination = line.destination or scalar_text(line.fields.get("destination"))
        cells = [
            safe(line.line_id),
            safe(part_of(line)) or "—",  # type: ignore[arg-type]
            safe(eccn_text(line)) or "—",  # type: ignore[arg-type]
            safe(destination) or "—",
            safe(line.date),
            line.status.value,
        ]
        reasons = why(line)
        if self.wide:
            return self.row([*cells, "\n".join(reasons)], line.status, color)
        text = self.row(cells, line.status, color)
        pad = " " * _WHY_INDENT
        for reason in reasons:
            text += "".join(f"{pad}{part}\n" for part in wrap(reason, self.why_width))
        return text


# --- the table ----------------------------------------------------------------------------------


def _counts(summary: Summary, color: bool) -> str:
    def paint(status: Status, text: str) -> str:
        return f"\x1b[{_ANSI[status]}m{text}\x1b[0m" if color else text

    shown = [(s, summary.by_status.get(s.value, 0)) for s in reversed(Status)]
    parts = [paint(s, f"{n:,} {s.value}") for s, n in shown if n]
    lines = summary.lines
    return (
        f"{lines:,} line{'s' if lines != 1 else ''}: {', '.join(parts) or 'none'}"
        f" · worst: {paint(summary.worst, summary.worst.value)}"
    )


def stream(
    lines: Iterable[ResultLike],
    *,
    as_of: str,
    summary: Summary | Callable[[], Summary],
    notices: Iterable[str] | Callable[[], Iterable[str]] = (),
    width: int = 120,
    color: bool = False,
    full_limit: int = FULL_LIMIT,
) -> Iterator[str]:
    """The table's text, a line of the manifest at a time (then the summary and the
    notices): what :func:`render` gives for the same lines. Only the first ``full_limit``
    lines are held (to know whether the table shows every line); ``summary`` and ``notices``
    may be callables, asked once the lines are exhausted."""
    layout = Layout(width)
    yield layout.header(color)
    held: list[ResultLike] = []
    shown = 0
    over = False
    for line in lines:
        if not over:
            held.append(line)
            if len(held) <= full_limit:
                continue
            over = True
            yield (
                f"More than {full_limit:,} lines: only the flagged ones (review and worse) are "
                "shown; the summary counts every line.\n"
            )
            for early in held:
                if flagged(early.status):
                    shown += 1
                    yield layout.line(early, color)
            held = []
            continue
        if flagged(line.status):
            shown += 1
            yield layout.line(line, color)
    for line in held:
        yield layout.line(line, color)
    total = summary() if callable(summary) else summary
    yield "\n"
    foot = f"{_counts(total, color)} · as of {as_of}"
    if over:
        left = total.lines - shown
        foot += (
            f" · {shown:,} flagged lines shown, {left:,} others left out (json, jsonl, csv or "
            "html list every line)"
        )
    # In colour, the counts line is left to the terminal to wrap (its colour codes have no width).
    yield foot + "\n" if color else "".join(part + "\n" for part in wrap(foot, layout.width))
    for notice in notices() if callable(notices) else notices:
        yield "".join(part + "\n" for part in wrap(safe(notice), layout.width))


def render(report: Report, *, color: bool = False, width: int = 120) -> str:
    """The report as a table; plain text unless ``color`` (ANSI, 16 colours)."""
    return "".join(
        stream(
            report.lines,
            as_of=report.as_of,
            summary=report.summary,
            notices=report.notices,
            width=width,
            color=color,
        )
    )
