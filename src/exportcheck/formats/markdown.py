"""Markdown for a pull-request comment or a CI job summary (GitHub-flavoured tables)."""

from __future__ import annotations

import re

from exportcheck.formats._common import deciding, eccn_text, joined, part_of, scalar_text
from exportcheck.model.report import Finding, LineResult, Report
from exportcheck.model.status import Status

_MARKS = {
    Status.ALLOWED: "allowed",
    Status.LICENSED: "licensed",
    Status.REVIEW: "**review**",
    Status.LICENSE_REQUIRED: "**license_required**",
    Status.PROHIBITED: "**prohibited**",
}


def escape(text: str) -> str:
    """Inline text safe inside a table cell: one line, ``|`` and ``\\`` escaped, no raw HTML."""
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()


def code(text: str) -> str:
    """An inline code span (``|`` still escaped: GitHub splits table cells before code spans)."""
    text = re.sub(r"\s*[\r\n]+\s*", " ", text).strip().replace("|", "\\|")
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _url(url: str) -> str:
    """A link target that cannot end the Markdown link early."""
    for ch, enc in ((" ", "%20"), ("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E")):
        url = url.replace(ch, enc)
    return url


def _rule_cell(line: LineResult) -> tuple[str, str]:
    decided = deciding(line)
    rules = []
    for f in decided:
        rules.append(code(f.rule_id) + (f" ({escape(f.rule_version)})" if f.rule_version else ""))
    citation = joined([f.citation for f in decided])
    return ", ".join(rules), escape(citation)


def _finding(f: Finding) -> list[str]:
    head = f"- {_MARKS[f.status]} {code(f.rule_id)}"
    if f.rule_version:
        head += f" (version {escape(f.rule_version)})"
    head += f": {escape(f.message)}"
    if f.citation:
        cite = escape(f.citation)
        if f.source_url and f.source_url.startswith(("https://", "http://")):
            cite = f"[{cite}]({_url(f.source_url)})"
        head += f" — {cite}"
    out = [head]
    for b in f.because:
        value = "(none)" if b.value is None else scalar_text(b.value)
        out.append(f"  - {code(b.field)} = {code(value)}: {escape(b.test)}")
    return out


def render(report: Report) -> str:
    summary = report.summary
    out: list[str] = [
        "## exportcheck report",
        "",
        f"As of **{escape(report.as_of)}** · exportcheck {escape(report.exportcheck)} · "
        f"rules sha256 {code(report.rules_sha256)}",
        "",
        "| Status | Lines |",
        "|---|---:|",
    ]
    for status in reversed(Status):
        count = summary.by_status.get(status.value, 0)
        if count:
            out.append(f"| {_MARKS[status]} | {count} |")
    out.append(f"| total | {summary.lines} |")
    out += ["", f"Worst status: {_MARKS[summary.worst]}", ""]
    if report.notices:
        out += ["**Notices**", ""]
        out += [f"- {escape(notice)}" for notice in report.notices]
        out.append("")
    if report.lines:
        out += [
            "### Lines",
            "",
            "| Line | Status | Part | ECCN | Destination | Deciding rule | Citation |",
            "|---|---|---|---|---|---|---|",
        ]
        for line in report.lines:
            rule, citation = _rule_cell(line)
            out.append(
                f"| {escape(line.line_id)} | {_MARKS[line.status]} | {escape(part_of(line))} | "
                f"{escape(eccn_text(line))} | "
                f"{escape(line.destination or scalar_text(line.fields.get('destination')))} | "
                f"{rule} | {citation} |"
            )
        out.append("")
    # Lines that need a look, and allowed lines whose findings were waived: waived findings
    # are reported, never hidden.
    flagged = [
        line
        for line in report.lines
        if line.status is not Status.ALLOWED or any(f.waiver is not None for f in line.findings)
    ]
    if flagged:
        out += ["### Findings", ""]
        for line in flagged:
            where = f"line {line.source_line}, " if line.source_line is not None else ""
            out.append(
                f"#### {escape(line.line_id)} — {_MARKS[line.status]} ({where}{escape(line.date)})"
            )
            out.append("")
            for f in line.findings:
                out += _finding(f)
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
