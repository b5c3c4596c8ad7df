"""CI formats (sarif, junit, github) and the markdown job summary: golden files from a fixed
report, the SARIF validated against the official 2.1.0 schema, and targeted checks.

The fixed report: examples/manifest-china-2025.csv on 2025-06-15 with the shipped rules and
lists, examples/licenses.yaml and examples/waivers.yaml (licensed lines, a drawdown that runs
out mid-manifest, a waived finding). Regenerate after an intended change with
``UPDATE_GOLDEN=1 pytest tests/ci`` and review the diff.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import exportcheck
from exportcheck.formats import FORMATS, GATED, render
from exportcheck.formats import github as github_format
from exportcheck.formats import junit as junit_format
from exportcheck.formats import sarif as sarif_format
from exportcheck.model.report import Finding, LineResult, Report, Source, summarize
from exportcheck.model.status import Status

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
SCHEMA = json.loads((HERE / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def fixed_report(
    manifest: str = "examples/manifest-china-2025.csv",
    licenses: str | None = "examples/licenses.yaml",
    waivers: str | None = "examples/waivers.yaml",
) -> Report:
    cwd = Path.cwd()
    os.chdir(ROOT)  # relative paths in the report, whatever the test runner's directory
    try:
        return exportcheck.check(manifest, date="2025-06-15", licenses=licenses, waivers=waivers)
    finally:
        os.chdir(cwd)


@pytest.fixture(scope="module")
def report() -> Report:
    return fixed_report()


def sarif_errors(doc: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft4Validator(
        SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]


CASES: dict[str, Callable[[Report], str]] = {
    "report.sarif": lambda r: render(r, "sarif"),
    "report.junit.xml": lambda r: render(r, "junit", fail_on=Status.REVIEW),
    "report.github.txt": lambda r: render(r, "github"),
    "report.md": lambda r: render(r, "markdown"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(report: Report, name: str) -> None:
    produced = CASES[name](report).encode("utf-8")
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(produced)
    assert path.exists(), f"missing golden {path}; run with UPDATE_GOLDEN=1"
    assert produced == path.read_bytes(), f"{name} differs from its golden file"


def test_fixed_report_exercises_licences_drawdown_and_waivers(report: Report) -> None:
    status = {line.line_id: line.status for line in report.lines}
    assert status["CN-3"] is Status.LICENSED
    assert status["CN-4"] is Status.LICENSE_REQUIRED  # the licence ran out
    assert status["CN-5"] is Status.LICENSED  # a smaller line still fits
    cn2 = next(line for line in report.lines if line.line_id == "CN-2")
    assert any(f.waiver is not None for f in cn2.findings)
    assert {s.kind for s in report.sources} >= {"rules", "lists", "licenses", "waivers", "manifest"}


# --- SARIF ---------------------------------------------------------------------------------


def test_vendored_schema_is_the_official_one() -> None:
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    assert SCHEMA["id"] == sarif_format.SARIF_SCHEMA
    assert SCHEMA["properties"]["version"]["enum"] == ["2.1.0"]


def test_validator_rejects_a_broken_log() -> None:
    assert sarif_errors({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]})
    assert sarif_errors({"version": "2.0.0", "runs": []})


@pytest.mark.parametrize(
    "make",
    [
        fixed_report,
        lambda: fixed_report("examples/manifest.csv"),
        lambda: fixed_report(
            "tests/ci/data/manifest-held.csv",
            "tests/ci/data/licenses.yaml",
            "tests/ci/data/waivers.yaml",
        ),
        lambda: fixed_report("examples/manifest.csv", None, None),
    ],
)
def test_sarif_validates_against_the_official_schema(make: Callable[[], Report]) -> None:
    doc = json.loads(render(make(), "sarif"))
    assert sarif_errors(doc) == []


def test_sarif_of_a_bare_report_validates() -> None:
    empty = Report(
        exportcheck="0.0.0", as_of="2025-01-01", rules_sha256="0" * 64, summary=summarize([])
    )
    doc = sarif_format.to_sarif(empty)
    assert sarif_errors(doc) == []
    assert doc["runs"][0]["results"] == [] and "artifacts" not in doc["runs"][0]


def test_sarif_results_levels_locations_and_rules(report: Report) -> None:
    doc = sarif_format.to_sarif(report)
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "exportcheck" and driver["version"] == report.exportcheck
    assert driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    ids = [r["id"] for r in rules]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    expected = [
        (line, f)
        for line in report.lines
        for f in line.findings
        if line.status.severity >= Status.REVIEW.severity or f.waiver is not None
    ]
    results = run["results"]
    assert len(results) == len(expected)
    for result, (line, f) in zip(results, expected, strict=True):
        assert result["ruleId"] == f.rule_id
        assert rules[result["ruleIndex"]]["id"] == f.rule_id
        loc = result["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == "examples/manifest-china-2025.csv"
        assert loc["region"]["startLine"] == line.source_line
        assert result["properties"]["lineId"] == line.line_id
        assert result["message"]["text"].startswith(line.line_id)
        want = {"prohibited": "error", "license_required": "error", "review": "warning"}.get(
            f.status.value, "note"
        )
        assert result["level"] == ("note" if f.licence else want)
        assert ("suppressions" in result) == (f.waiver is not None)
    eda = next(r for r in rules if r["id"] == "bis.letters.2025.eda-china")
    assert eda["properties"]["citation"] and "Citation:" in eda["help"]["text"]
    assert eda["shortDescription"]["text"] == eda["name"]
    waived = next(r for r in results if "suppressions" in r)
    assert waived["suppressions"][0]["kind"] == "external"
    assert "WV-2025-009" in waived["suppressions"][0]["justification"]
    assert run["artifacts"][0]["hashes"]["sha-256"] == next(
        s.sha256 for s in report.sources if s.kind == "manifest"
    )
    assert {s["kind"] for s in run["properties"]["sources"]} >= {"licenses", "waivers"}


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("examples/manifest.csv", "examples/manifest.csv"),
        ("data/my manifest #1.csv", "data/my%20manifest%20%231.csv"),
        ("dir\\m.csv", "dir/m.csv"),
        ("/abs/m.csv", "file:///abs/m.csv"),
        ("C:\\work\\m.csv", "file:///C:/work/m.csv"),
    ],
)
def test_artifact_uri(path: str, uri: str) -> None:
    assert sarif_format.artifact_uri(path) == uri


# --- JUnit ---------------------------------------------------------------------------------


def parse_junit(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.split("\n", 1)[1])


@pytest.mark.parametrize(
    "fail_on", [None, Status.ALLOWED, Status.REVIEW, Status.LICENSE_REQUIRED, Status.PROHIBITED]
)
def test_junit_fails_exactly_the_lines_at_or_above_fail_on(
    report: Report, fail_on: Status | None
) -> None:
    root = parse_junit(junit_format.render(report, fail_on=fail_on))
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(report.lines)
    failed = [c.get("name", "").split(" ")[0] for c in cases if c.find("failure") is not None]
    want = [
        line.line_id
        for line in report.lines
        if fail_on is not None and line.status.severity >= fail_on.severity
    ]
    assert failed == want
    assert root.get("failures") == str(len(want))
    for c in cases:
        assert c.get("classname") == "examples/manifest-china-2025.csv"


def test_junit_failure_carries_the_reasons(report: Report) -> None:
    root = parse_junit(junit_format.render(report))
    case = next(c for c in root.iter("testcase") if c.get("name", "").startswith("CN-4 "))
    assert case.get("name") == "CN-4 VIRTUOSO to CN"
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "license_required"
    assert "bis.letters.2025.eda-china" in (failure.get("message") or "")
    assert "quantity 6 exceeds remaining 2 of 12" in (failure.text or "")
    licensed = next(c for c in root.iter("testcase") if c.get("name", "").startswith("CN-3 "))
    out = licensed.find("system-out")
    assert out is not None and "licence D1180342" in (out.text or "")


def test_junit_cleans_characters_xml_cannot_hold() -> None:
    line = LineResult(
        line_id="L\x01<&>",
        status=Status.REVIEW,
        date="2025-01-01",
        findings=(Finding(rule_id="x", status=Status.REVIEW, message="bad \x0b byte"),),
    )
    rep = Report(
        exportcheck="0",
        as_of="2025-01-01",
        rules_sha256="0",
        lines=(line,),
        summary=summarize([line]),
    )
    root = parse_junit(junit_format.render(rep))
    case = root.find("./testsuite/testcase")
    assert case is not None and case.get("name") == "L\ufffd<&>"


# --- GitHub --------------------------------------------------------------------------------


def test_github_escaping() -> None:
    assert github_format.escape_data("100% a\r\nb:c,d") == "100%25 a%0D%0Ab:c,d"
    assert github_format.escape_property("100% a\nb:c,d") == "100%25 a%0Ab%3Ac%2Cd"


def test_github_annotations_and_summary(report: Report) -> None:
    lines = github_format.render(report).splitlines()
    expected = sum(
        1
        for line in report.lines
        for f in line.findings
        if line.status.severity >= Status.REVIEW.severity or f.waiver is not None
    )
    notices = len(report.notices)
    assert notices == 2  # the shipped rules' and lists' scope
    assert len(lines) == expected + notices + 1
    assert all(x.startswith(("::error ", "::warning ", "::notice ")) for x in lines[:-1])
    assert all(x.startswith("::notice title=exportcheck::Scope: ") for x in lines[-3:-1])
    assert lines[-1].startswith(f"exportcheck {report.exportcheck}: 9 lines")
    cn4 = [x for x in lines if "title=CN-4 " in x]
    assert cn4[0].startswith("::error file=examples/manifest-china-2025.csv,line=5,title=CN-4 ")
    waived = next(x for x in lines if "(waived)" in x)
    assert waived.startswith("::notice ")


def test_github_input_cannot_inject_commands() -> None:
    line = LineResult(
        line_id="X\n::error::owned",
        status=Status.REVIEW,
        date="2025-01-01",
        source_line=3,
        findings=(
            Finding(rule_id="r", status=Status.REVIEW, title="t,a:b", message="m\r\n::warning::x"),
        ),
    )
    rep = Report(
        exportcheck="0",
        as_of="2025-01-01",
        rules_sha256="0",
        lines=(line,),
        sources=(Source(kind="manifest", path="a,b:c.csv", sha256="0"),),
        summary=summarize([line]),
    )
    out = github_format.render(rep).splitlines()
    assert len(out) == 2
    assert out[0].startswith("::warning file=a%2Cb%3Ac.csv,line=3,title=X%0A%3A%3Aerror%3A%3A")
    assert "m%0D%0A::warning::x" in out[0]


# --- registry and determinism ----------------------------------------------------------------


def test_registry_and_gated_formats() -> None:
    assert {"sarif", "junit", "github", "markdown"} <= set(FORMATS)
    assert set(GATED) == {"junit"}


@pytest.mark.parametrize("fmt", ["sarif", "junit", "github", "markdown"])
def test_rendering_is_deterministic(report: Report, fmt: str) -> None:
    assert render(report, fmt) == render(fixed_report(), fmt)
