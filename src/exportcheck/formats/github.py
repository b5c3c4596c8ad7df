"""GitHub Actions workflow commands: annotations on the manifest, then a summary line.

One annotation per finding of a flagged line (``review`` or worse), plus waived findings of any
line (a waiver never hides a finding): ``::error`` for ``prohibited``/``license_required``,
``::warning`` for ``review``, ``::notice`` for the rest and for waived or licensed findings.
Values are escaped as the Actions runner expects: in the message ``%``, CR and LF; in
properties also ``:`` and ``,``. Input values cannot inject a workflow command of their own,
because every line break in them is escaped.
"""

from __future__ import annotations

from exportcheck.formats.sarif import manifest_source, reported
from exportcheck.model.report import Finding, LineResult, Report
from exportcheck.model.status import Status

COMMANDS: dict[Status, str] = {
    Status.PROHIBITED: "error",
    Status.LICENSE_REQUIRED: "error",
    Status.REVIEW: "warning",
    Status.LICENSED: "notice",
    Status.ALLOWED: "notice",
}


def escape_data(text: str) -> str:
    """A command's message: ``%``, CR and LF percent-encoded."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command property value: as data, plus ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command_of(f: Finding) -> str:
    if f.waiver is not None or f.licence is not None:
        return "notice"
    return COMMANDS[f.status]


def annotation(line: LineResult, f: Finding, file: str | None) -> str:
    props: list[tuple[str, str]] = []
    if file is not None:
        props.append(("file", file))
        if line.source_line is not None and line.source_line >= 1:
            props.append(("line", str(line.source_line)))
    marks = " (waived)" if f.waiver is not None else ""
    props.append(("title", f"{line.line_id} {f.status.value}{marks}: {f.title or f.rule_id}"))
    rule = f.rule_id + (f" @ {f.rule_version}" if f.rule_version else "")
    cite = f"; {f.citation}" if f.citation else ""
    message = f"{line.line_id}: {f.message} [{rule}{cite}]"
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{command_of(f)} {head}::{escape_data(message)}"


def summary_text(report: Report) -> str:
    s = report.summary
    counts = ", ".join(
        f"{s.by_status[st.value]} {st.value}" for st in reversed(Status) if st.value in s.by_status
    )
    waived = sum(1 for line in report.lines for f in line.findings if f.waiver is not None)
    extra = f"; {waived} waived finding{'s' if waived != 1 else ''}" if waived else ""
    return (
        f"exportcheck {report.exportcheck}: {s.lines} lines ({counts or 'none'}){extra}; "
        f"worst {s.worst.value}; as of {report.as_of}"
    )


def render(report: Report) -> str:
    source = manifest_source(report)
    file = source.path if source is not None else None
    out = [annotation(line, f, file) for line in report.lines for f in reported(line)]
    out += [f"::notice title=exportcheck::{escape_data(n)}" for n in report.notices]
    # The summary is plain log text; a value from the input cannot start a command here.
    out.append(escape_data(summary_text(report)))
    return "\n".join(out) + "\n"
