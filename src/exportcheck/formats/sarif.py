"""SARIF 2.1.0 for code scanning (e.g. GitHub's ``upload-sarif``).

One result per finding of a flagged line (``review`` or worse), plus every waived finding as a
suppressed result (a waiver never hides a finding). ``ruleId`` is the finding's rule id; the
level follows the finding's status: ``prohibited``/``license_required`` → error, ``review`` →
warning, ``licensed``/``allowed`` → note (a requirement answered by a licence held is a note).
Each result points at the manifest file and the line's row; ``tool.driver.rules`` describes
every rule that appears, with its citation, review policy and source. Deterministic: the same
report gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from exportcheck.formats._common import part_of, scalar_text
from exportcheck.model.report import Finding, LineResult, Report, Source
from exportcheck.model.status import Status

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
TOOL_NAME = "exportcheck"
INFORMATION_URI = "https://pypi.org/project/exportcheck/"

LEVELS: dict[Status, str] = {
    Status.PROHIBITED: "error",
    Status.LICENSE_REQUIRED: "error",
    Status.REVIEW: "warning",
    Status.LICENSED: "note",
    Status.ALLOWED: "note",
}

_KIND_HELP: dict[str, str] = {
    "rule": "A rule in force applies to the line.",
    "rule-undetermined": "A rule in force may apply; a field it needs is missing or unknown.",
    "rule-pending": "A rule is in force but compliance is required only from a later date.",
    "unclassified": "The item has no ECCN: classify it (ECCN or EAR99).",
    "input": "A field of the manifest line could not be read.",
    "party": "A consignee, end user or other party matches a restricted-party list entry.",
    "licence": "A licence held (--licenses) answers the line's licence requirement.",
    "licence-not-covered": "A licence held for this item does not cover the line.",
    "waiver-expired": "A waiver for the finding has expired; the finding counts again.",
    "waiver-not-yet-valid": "A waiver for the finding is not yet in effect.",
}


def level_of(finding: Finding) -> str:
    """The SARIF level of a finding: by status; a requirement answered by a licence is a note."""
    if finding.licence is not None:
        return "note"
    return LEVELS[finding.status]


def manifest_source(report: Report) -> Source | None:
    return next((s for s in report.sources if s.kind == "manifest"), None)


def artifact_uri(path: str) -> str:
    """A URI reference for a file path: relative paths stay relative (``/`` separators, percent-
    encoded), absolute ones become ``file:`` URIs."""
    if PureWindowsPath(path).drive or path.startswith("\\\\"):
        return PureWindowsPath(path).as_uri()
    posix = path.replace("\\", "/")
    if PurePosixPath(posix).is_absolute():
        return PurePosixPath(posix).as_uri()
    return quote(posix, safe="/-._~")


def reported(line: LineResult) -> list[Finding]:
    """The findings of ``line`` that become results: all of a flagged line, else the waived."""
    if line.status.severity >= Status.REVIEW.severity:
        return list(line.findings)
    return [f for f in line.findings if f.waiver is not None]


def _help(f: Finding) -> tuple[str, str]:
    """(plain text, Markdown) help for a rule, from the finding that first reported it.
    Both carry the same lines; Markdown bolds the title and links an http(s) source."""
    head = f.title or f.rule_id
    body = [
        line
        for line in (
            _KIND_HELP.get(f.kind),
            f"Citation: {f.citation}" if f.citation else None,
            f"Rule version: {f.rule_version}" if f.rule_version else None,
            f"Review policy: {f.review_policy}" if f.review_policy else None,
            f"Source confidence: {f.confidence}" if f.confidence else None,
        )
        if line
    ]
    text = [head, *body]
    md = [f"**{head}**", *body]
    if f.source_url:
        text.append(f"Source: {f.source_url}")
        if f.source_url.startswith(("https://", "http://")):
            md.append(f"Source: <{f.source_url}>")
        else:
            md.append(f"Source: {f.source_url}")
    return "\n".join(text), "\n\n".join(md)


def _descriptor(f: Finding) -> dict[str, Any]:
    title = f.title or f.rule_id
    full = title + (f" ({f.citation})" if f.citation else "")
    text, markdown = _help(f)
    desc: dict[str, Any] = {
        "id": f.rule_id,
        "name": title,
        "shortDescription": {"text": title},
        "fullDescription": {"text": full},
        "defaultConfiguration": {"level": LEVELS[f.status]},
        "help": {"text": text, "markdown": markdown},
    }
    if f.source_url and f.source_url.startswith(("https://", "http://")):
        desc["helpUri"] = f.source_url
    props: dict[str, Any] = {"tags": ["export-control", f.kind]}
    if f.citation:
        props["citation"] = f.citation
    if f.confidence:
        props["confidence"] = f.confidence
    if f.review_policy:
        props["reviewPolicy"] = f.review_policy
    if f.rule_version:
        props["ruleVersion"] = f.rule_version
    desc["properties"] = props
    return desc


def _fingerprint(line: LineResult, f: Finding) -> str:
    key = "\x00".join((line.line_id, f.rule_id, f.kind))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _result(line: LineResult, f: Finding, rule_index: int, uri: str | None) -> dict[str, Any]:
    dest = line.destination or scalar_text(line.fields.get("destination"))
    part = part_of(line)
    what = " ".join(x for x in (part, f"to {dest}" if dest else "") if x)
    head = f"{line.line_id}" + (f" ({what})" if what else "")
    result: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "level": level_of(f),
        "message": {"text": f"{head}: {f.message}"},
    }
    location: dict[str, Any] = {
        "logicalLocations": [{"name": line.line_id, "kind": "element"}],
    }
    if uri is not None:
        physical: dict[str, Any] = {"artifactLocation": {"uri": uri, "index": 0}}
        if line.source_line is not None and line.source_line >= 1:
            physical["region"] = {"startLine": line.source_line}
        location = {"physicalLocation": physical, **location}
    result["locations"] = [location]
    result["partialFingerprints"] = {"exportcheckFinding/v1": _fingerprint(line, f)}
    if f.waiver is not None:
        w = f.waiver
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": (
                    f"Waiver {w.id} approved by {w.approver} on {w.approved}, expires "
                    f"{w.expires}: {w.reason}"
                ),
                "properties": {"waiver": w.model_dump(mode="json")},
            }
        ]
    props: dict[str, Any] = {
        "lineId": line.line_id,
        "lineStatus": line.status.value,
        "status": f.status.value,
        "kind": f.kind,
        "date": line.date,
    }
    if f.rule_version:
        props["ruleVersion"] = f.rule_version
    if f.citation:
        props["citation"] = f.citation
    if f.licence:
        props["licence"] = f.licence
    result["properties"] = props
    return result


def to_sarif(report: Report) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dict."""
    source = manifest_source(report)
    uri = artifact_uri(source.path) if source is not None else None
    pairs = [(line, f) for line in report.lines for f in reported(line)]
    first: dict[str, Finding] = {}
    for _, f in pairs:
        first.setdefault(f.rule_id, f)
    ids = sorted(first)
    index = {rule_id: i for i, rule_id in enumerate(ids)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": report.exportcheck,
                "semanticVersion": report.exportcheck,
                "informationUri": INFORMATION_URI,
                "rules": [_descriptor(first[rule_id]) for rule_id in ids],
            }
        },
    }
    if source is not None and uri is not None:
        run["artifacts"] = [
            {
                "location": {"uri": uri},
                "roles": ["analysisTarget"],
                "hashes": {"sha-256": source.sha256},
            }
        ]
    if report.notices:  # what the readers noticed, and what the data used leaves out
        run["invocations"] = [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {"level": "note", "message": {"text": notice}} for notice in report.notices
                ],
            }
        ]
    run["results"] = [_result(line, f, index[f.rule_id], uri) for line, f in pairs]
    run["properties"] = {
        "asOf": report.as_of,
        "rulesSha256": report.rules_sha256,
        "summary": report.summary.model_dump(mode="json"),
        "sources": [s.model_dump(mode="json") for s in report.sources],
        "notices": list(report.notices),
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render(report: Report) -> str:
    return json.dumps(to_sarif(report), indent=2, ensure_ascii=False) + "\n"
