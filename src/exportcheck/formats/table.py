"""A rich table for terminals: one row per line, coloured statuses, then a summary line."""

from __future__ import annotations

from rich.text import Text

from exportcheck.formats._common import deciding, eccn_text, part_of, party_reasons, scalar_text
from exportcheck.formats._console import report_table, text_console, without_trailing_blanks
from exportcheck.model.report import LineResult, Report
from exportcheck.model.status import Status

STATUS_STYLES: dict[Status, str] = {
    Status.ALLOWED: "green",
    Status.LICENSED: "cyan",
    Status.REVIEW: "yellow",
    Status.LICENSE_REQUIRED: "red",
    Status.PROHIBITED: "bold white on red",
}


def status_flip(before: Status, after: Status) -> Text:
    """``before → after``, each status in its colour."""
    text = _status(before)
    text.append(" → ")
    text.append(after.value, style=STATUS_STYLES[after])
    return text


def _status(status: Status) -> Text:
    return Text(status.value, style=STATUS_STYLES[status])


def _rule(line: LineResult) -> Text:
    text = Text()
    for i, f in enumerate(deciding(line)):
        if i:
            text.append("\n")
        text.append(f.rule_id)
        if f.rule_version:
            text.append(f" @ {f.rule_version}", style="dim")
        if f.citation:
            text.append(f"\n{f.citation}", style="italic")
        for why in party_reasons(f):
            text.append(f"\n{why}", style="dim")
    return text


def render(report: Report, *, color: bool = False, width: int = 120) -> str:
    """The report as a table; plain text unless ``color`` (ANSI, 16 colours)."""
    console, buffer = text_console(color=color, width=width)
    table = report_table()
    table.add_column("Line", overflow="fold")
    table.add_column("Part", overflow="fold")
    table.add_column("ECCN", overflow="fold", no_wrap=True)
    table.add_column("Destination", no_wrap=True)
    table.add_column("Date", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Deciding rule", overflow="fold", min_width=24)
    for line in report.lines:
        destination = line.destination or scalar_text(line.fields.get("destination"))
        table.add_row(
            Text(line.line_id),
            Text(part_of(line)),
            Text(eccn_text(line) or "—"),
            Text(destination or "—"),
            Text(line.date),
            _status(line.status),
            _rule(line),
        )
    console.print(table)
    summary = report.summary
    counts = Text(f"{summary.lines} line{'s' if summary.lines != 1 else ''}: ")
    parts = [(s, summary.by_status.get(s.value, 0)) for s in reversed(Status)]
    shown = [(s, n) for s, n in parts if n]
    for i, (status, n) in enumerate(shown):
        if i:
            counts.append(", ")
        counts.append(f"{n} {status.value}", style=STATUS_STYLES[status])
    if not shown:
        counts.append("none")
    counts.append(" · worst: ")
    counts.append(summary.worst.value, style=STATUS_STYLES[summary.worst])
    counts.append(f" · as of {report.as_of}")
    console.print()
    console.print(counts, soft_wrap=True)
    for notice in report.notices:
        console.print(Text(notice, style="dim"))
    return without_trailing_blanks(buffer)
