"""Output of ``exportcheck diff``: a rich table, JSON (the contract) and Markdown for a
pull-request comment. Each function turns a :class:`DiffReport` into text."""

from __future__ import annotations

import json

from rich.text import Text

from exportcheck.formats._console import report_table, text_console, without_trailing_blanks
from exportcheck.formats.markdown import code, escape
from exportcheck.formats.table import status_flip
from exportcheck.model.diff import Change, DiffReport

KIND_STYLES: dict[str, str] = {"added": "green", "removed": "red", "changed": "yellow"}
_KIND_MARKS: dict[str, str] = {"added": "+", "removed": "−", "changed": "~"}


def render_json(report: DiffReport) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"


def _counts(report: DiffReport) -> str:
    counts = {k: sum(1 for c in report.changes if c.kind == k) for k in KIND_STYLES}
    n = len(report.changes)
    shown = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
    text = f"{n} change{'s' if n != 1 else ''}" + (f" ({shown})" if shown else "")
    if report.impact is not None:
        m = len(report.impact)
        text += f" · {m} manifest line{'s' if m != 1 else ''} change status"
    return text


def _heading(report: DiffReport) -> str:
    mode = " (rule-set versions)" if report.mode == "rule-sets" else ""
    return f"exportcheck diff {report.from_} → {report.to}{mode}"


def shown_events(c: Change) -> list[str]:
    """Events worth showing besides the summary (a lone event only repeats it)."""
    return c.events if len(c.events) > 1 else []


def _what_happened(c: Change) -> Text:
    text = Text(c.title, style="bold")
    text.append(f"\n{c.summary}")
    for d in c.details:
        text.append(f"\n• {d}")
    for e in shown_events(c):
        text.append(f"\n{e}", style="dim")
    return text


def render_table(report: DiffReport, *, color: bool = False, width: int = 120) -> str:
    """The diff as rich tables (plain text unless ``color``)."""
    console, buffer = text_console(color=color, width=width)
    console.print(Text(_heading(report), style="bold"))
    console.print()
    if report.changes:
        table = report_table()
        table.add_column("Change", no_wrap=True)
        table.add_column("Id", overflow="fold", max_width=36)
        table.add_column("What happened", overflow="fold", min_width=30)
        table.add_column("Citation", overflow="fold", max_width=28)
        for c in report.changes:
            table.add_row(
                Text(f"{c.kind} {c.what}", style=KIND_STYLES[c.kind]),
                Text(c.id),
                _what_happened(c),
                Text(c.citation or "", style="italic"),
            )
        console.print(table)
    else:
        console.print("No differences.")
    if report.impact is not None:
        console.print()
        if report.impact:
            table = report_table()
            table.add_column("Line", overflow="fold")
            table.add_column("Part", overflow="fold")
            table.add_column("Dest.", no_wrap=True)
            table.add_column("Before → after", no_wrap=True)
            table.add_column("Because", overflow="fold", min_width=30)
            for i in report.impact:
                table.add_row(
                    Text(i.line_id),
                    Text(i.part_number or "—"),
                    Text(i.destination or "—"),
                    status_flip(i.before, i.after),
                    Text("\n".join(i.details)),
                )
            console.print(table)
        else:
            console.print("No manifest line changes status.")
    for note in report.notes:
        console.print(Text(f"Note: {note}", style="dim"), soft_wrap=False)
    console.print()
    console.print(_counts(report), soft_wrap=True)
    return without_trailing_blanks(buffer)


def _cite_md(c: Change) -> str:
    if not c.citation:
        return ""
    cite = escape(c.citation)
    if c.source_url and c.source_url.startswith(("https://", "http://")):
        url = c.source_url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
        cite = f"[{cite}]({url})"
    return cite


def render_markdown(report: DiffReport) -> str:
    """GitHub-flavoured Markdown for a pull-request comment: a summary table, the details of
    every change as a list, and the impact on the manifest."""
    out: list[str] = [f"## {escape(_heading(report))}", "", f"**{escape(_counts(report))}**", ""]
    if report.changes:
        out += ["| | Change | Id | What happened | Citation |", "|---|---|---|---|---|"]
        for c in report.changes:
            out.append(
                f"| {_KIND_MARKS[c.kind]} | {c.kind} {c.what} | {code(c.id)} | "
                f"{escape(c.summary)} | {_cite_md(c)} |"
            )
        out.append("")
        detailed = [c for c in report.changes if c.details or shown_events(c)]
        if detailed:
            out += ["### Details", ""]
            for c in detailed:
                out.append(f"- **{c.kind}** {c.what} {code(c.id)} — {escape(c.title)}")
                out.extend(f"  - {escape(d)}" for d in c.details)
                out.extend(f"  - _{escape(e)}_" for e in shown_events(c))
            out.append("")
    else:
        out += ["No differences.", ""]
    if report.impact is not None:
        out += ["### Impact on the manifest", ""]
        if report.impact:
            out += [
                "| Line | Part | Destination | Before | After | Because |",
                "|---|---|---|---|---|---|",
            ]
            for i in report.impact:
                because = "<br>".join(escape(d) for d in i.details)
                out.append(
                    f"| {escape(i.line_id)} | {escape(i.part_number or '')} | "
                    f"{escape(i.destination or '')} | {i.before.value} | **{i.after.value}** | "
                    f"{because} |"
                )
        else:
            out.append("No manifest line changes status.")
        out.append("")
    for note in report.notes:
        out.append(f"> {escape(note)}")
    if report.notes:
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


FORMATS = {"json": render_json, "markdown": render_markdown}
