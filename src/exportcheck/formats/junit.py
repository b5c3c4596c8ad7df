"""JUnit XML for CI test reports (GitLab ``artifacts:reports:junit``, Jenkins, Azure, ...).

One test case per manifest line: ``classname`` is the manifest, ``name`` the line id, part and
destination. A line at or above ``fail_on`` fails, with its findings as the reasons; other lines
pass, and list their findings (licences used, waivers, notes) in ``system-out``. With
``fail_on=None`` (``--fail-on never``) nothing fails. Deterministic: no timestamps or timings.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from exportcheck.formats._common import part_of, scalar_text
from exportcheck.formats.sarif import manifest_source
from exportcheck.model.report import Finding, LineResult, Report
from exportcheck.model.status import Status

# Characters XML 1.0 cannot carry at all (C0 controls other than tab, LF, CR; surrogates;
# U+FFFE/U+FFFF). Input values are untrusted, so they are replaced rather than emitted.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def case_name(line: LineResult) -> str:
    dest = line.destination or scalar_text(line.fields.get("destination"))
    parts = [line.line_id]
    part = part_of(line)
    if part:
        parts.append(part)
    if dest:
        parts.append(f"to {dest}")
    return " ".join(parts)


def finding_text(f: Finding) -> str:
    """One finding as a line of text: status, rule (version), message, citation, marks."""
    rule = f.rule_id + (f" @ {f.rule_version}" if f.rule_version else "")
    mark = f.status.value
    if f.waiver is not None:
        mark += f"; waived by {f.waiver.id}"
    if f.licence is not None:
        mark += f"; answered by licence {f.licence}"
    text = f"[{mark}] {rule}: {f.message}"
    if f.citation:
        text += f" ({f.citation})"
    if f.source_url:
        text += f" <{f.source_url}>"
    return text


def fails(line: LineResult, fail_on: Status | None) -> bool:
    return fail_on is not None and line.status.severity >= fail_on.severity


def _failure_message(line: LineResult, fail_on: Status) -> str:
    reasons = [
        f.rule_id for f in line.findings if f.counts and f.status.severity >= fail_on.severity
    ]
    return f"{line.line_id}: {line.status.value}" + (
        f" ({', '.join(dict.fromkeys(reasons))})" if reasons else ""
    )


def render(report: Report, *, fail_on: Status | None = Status.REVIEW) -> str:
    source = manifest_source(report)
    manifest = source.path if source is not None else "manifest"
    failures = sum(1 for line in report.lines if fails(line, fail_on))
    counts = {
        "tests": str(len(report.lines)),
        "failures": str(failures),
        "errors": "0",
        "skipped": "0",
    }
    suites = ET.Element("testsuites", {"name": "exportcheck", **counts})
    suite = ET.SubElement(
        suites, "testsuite", {"name": xml_text(f"exportcheck {manifest}"), **counts}
    )
    props = ET.SubElement(suite, "properties")
    prop_values = [
        ("exportcheck", report.exportcheck),
        ("as_of", report.as_of),
        ("fail_on", fail_on.value if fail_on is not None else "never"),
        ("worst", report.summary.worst.value),
        ("rules_sha256", report.rules_sha256),
    ]
    prop_values += [
        (
            f"source.{s.kind}",
            f"{s.path} sha256={s.sha256}" + (f" version={s.version}" if s.version else ""),
        )
        for s in report.sources
    ]
    prop_values += [("notice", notice) for notice in report.notices]
    for name, value in prop_values:
        ET.SubElement(props, "property", {"name": name, "value": xml_text(value)})
    for line in report.lines:
        case = ET.SubElement(
            suite,
            "testcase",
            {"classname": xml_text(manifest), "name": xml_text(case_name(line)), "time": "0"},
        )
        body = "\n".join(finding_text(f) for f in line.findings)
        if fail_on is not None and fails(line, fail_on):
            failure = ET.SubElement(
                case,
                "failure",
                {"type": line.status.value, "message": xml_text(_failure_message(line, fail_on))},
            )
            failure.text = xml_text(body) if body else None
        elif body:
            out = ET.SubElement(case, "system-out")
            out.text = xml_text(f"{line.line_id}: {line.status.value}\n{body}")
    ET.indent(suites, space="  ")
    xml = ET.tostring(suites, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + xml + "\n"
