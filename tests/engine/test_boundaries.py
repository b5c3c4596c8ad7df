"""The edges where a wrong comparison flips a status, judged end to end through
:func:`exportcheck.api.check` on small rule files: the day a version takes effect
(inclusive), its ``until`` day (exclusive), its ``compliance_from`` day, ``.a``/``.b``
paragraphs, the order of severities, exclusions of destinations treated as another, and a
line's own values over its catalog entry. Each case states both sides of its edge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from exportcheck import api
from exportcheck.model.report import LineResult
from exportcheck.model.status import Status


def _version(effective: str, status: str = "license_required", **kw: Any) -> dict[str, Any]:
    when = kw.pop("when", {"eccn": ["3A090"], "destination": {"countries": ["CN"]}})
    return {"effective": effective, "citation": "T FR 1", "status": status, "when": when, **kw}


def _rules(folder: Path, *rules: dict[str, Any], **extra: Any) -> Path:
    doc = {"id": "t", "title": "test rules", "authority": "test", "version": "1"}
    doc.update(extra, rules=list(rules))
    path = folder / "rules.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def _rule(rule_id: str, *versions: dict[str, Any]) -> dict[str, Any]:
    return {"id": rule_id, "title": f"rule {rule_id}", "versions": list(versions)}


def _judge(
    tmp_path: Path, rules: Path, rows: list[dict[str, str]], catalog: Path | None = None
) -> list[LineResult]:
    columns = sorted({k for r in rows for k in r})
    text = ",".join(columns) + "\n"
    text += "".join(",".join(r.get(c, "") for c in columns) + "\n" for r in rows)
    manifest = tmp_path / "m.csv"
    manifest.write_text(text, encoding="utf-8")
    report = api.check(manifest, date="2025-01-01", rules=[rules], catalog=catalog, lists=[])
    return list(report.lines)


def _statuses(tmp_path: Path, rules: Path, rows: list[dict[str, str]]) -> list[str]:
    return [line.status.value for line in _judge(tmp_path, rules, rows)]


def _line(
    eccn: str = "3A090.a", destination: str = "CN", day: str = "2025-04-09"
) -> dict[str, str]:
    return {"part_number": "P", "eccn": eccn, "destination": destination, "ship_date": day}


def test_a_version_binds_from_its_effective_day(tmp_path: Path) -> None:
    rules = _rules(tmp_path, _rule("r", _version("2025-04-09")))
    got = _statuses(tmp_path, rules, [_line(day="2025-04-08"), _line(day="2025-04-09")])
    assert got == ["allowed", "license_required"]


def test_until_is_the_first_day_out_of_force(tmp_path: Path) -> None:
    rules = _rules(tmp_path, _rule("r", _version("2025-04-09", until="2025-07-02")))
    got = _statuses(tmp_path, rules, [_line(day="2025-07-01"), _line(day="2025-07-02")])
    assert got == ["license_required", "allowed"]


def test_a_later_version_replaces_on_its_day(tmp_path: Path) -> None:
    rules = _rules(
        tmp_path, _rule("r", _version("2025-04-09"), _version("2025-06-01", status="prohibited"))
    )
    got = _statuses(tmp_path, rules, [_line(day="2025-05-31"), _line(day="2025-06-01")])
    assert got == ["license_required", "prohibited"]


def test_compliance_from_is_the_first_day_it_binds(tmp_path: Path) -> None:
    rules = _rules(tmp_path, _rule("r", _version("2025-01-13", compliance_from="2025-05-15")))
    lines = _judge(tmp_path, rules, [_line(day="2025-05-14"), _line(day="2025-05-15")])
    assert [line.status for line in lines] == [Status.ALLOWED, Status.LICENSE_REQUIRED]
    pending = lines[0].findings[0]
    assert pending.kind == "rule-pending" and pending.rule_version == "2025-01-13"
    assert "required only from 2025-05-15" in pending.message
    assert lines[1].findings[0].kind == "rule"


@pytest.mark.parametrize(
    "eccn, expected",
    [
        ("3A090.a", "license_required"),
        ("3A090.b", "allowed"),  # the other paragraph
        ("3A090", "review"),  # no paragraph: might be .a; never silently allowed
        ("3A991", "allowed"),
    ],
)
def test_a_rule_on_paragraph_a_only(tmp_path: Path, eccn: str, expected: str) -> None:
    when = {"eccn": ["3A090.a"], "destination": {"countries": ["CN"]}}
    rules = _rules(tmp_path, _rule("r", _version("2025-01-01", when=when)))
    assert _statuses(tmp_path, rules, [_line(eccn=eccn)]) == [expected]


def test_a_rule_on_the_whole_entry_takes_both_paragraphs(tmp_path: Path) -> None:
    rules = _rules(tmp_path, _rule("r", _version("2025-01-01")))
    got = _statuses(tmp_path, rules, [_line(eccn="3A090.a"), _line(eccn="3A090.b")])
    assert got == ["license_required", "license_required"]


def test_severities_order_and_the_worst_decides(tmp_path: Path) -> None:
    assert [s.value for s in sorted(Status, key=lambda s: s.severity)] == [
        "allowed",
        "licensed",
        "review",
        "license_required",
        "prohibited",
    ]
    rules = _rules(
        tmp_path,
        _rule("a-review", _version("2025-01-01", status="review")),
        _rule("b-prohibited", _version("2025-01-01", status="prohibited")),
        _rule("c-licence", _version("2025-01-01")),
    )
    (line,) = _judge(tmp_path, rules, [_line()])
    assert line.status is Status.PROHIBITED
    assert [f.rule_id for f in line.findings] == ["b-prohibited", "c-licence", "a-review"]


HK_AS_CN = {
    "country_treatments": [
        {"country": "HK", "treated_as": "CN", "from": "2020-12-23", "citation": "85 FR 83765"}
    ]
}


def test_a_rule_for_china_takes_hong_kong_from_the_treatment_day(tmp_path: Path) -> None:
    rules = _rules(tmp_path, _rule("r", _version("2020-01-01")), **HK_AS_CN)
    rows = [_line(destination="HK", day="2020-12-22"), _line(destination="HK", day="2020-12-23")]
    lines = _judge(tmp_path, rules, rows)
    assert [line.status.value for line in lines] == ["allowed", "license_required"]
    assert "treated as CN" in lines[1].findings[0].because[-1].test


def test_excluding_a_country_excludes_what_is_treated_as_it(tmp_path: Path) -> None:
    when = {"eccn": ["3A090"], "destination": {"anywhere": True, "except_countries": ["CN"]}}
    rules = _rules(tmp_path, _rule("r", _version("2025-01-01", when=when)), **HK_AS_CN)
    got = _statuses(tmp_path, rules, [_line(destination=c) for c in ("HK", "CN", "DE")])
    assert got == ["allowed", "allowed", "license_required"]


def test_excluding_the_destination_wins_over_what_it_is_treated_as(tmp_path: Path) -> None:
    when = {"eccn": ["3A090"], "destination": {"countries": ["CN"], "except_countries": ["HK"]}}
    rules = _rules(tmp_path, _rule("r", _version("2025-01-01", when=when)), **HK_AS_CN)
    got = _statuses(tmp_path, rules, [_line(destination=c) for c in ("HK", "CN")])
    assert got == ["allowed", "license_required"]


def test_the_line_s_values_win_over_its_catalog_entry(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.csv"
    catalog.write_text("part_number,eccn,category\nP,3A090.a,gpu\n", encoding="utf-8")
    rules = _rules(tmp_path, _rule("r", _version("2025-01-01")))
    rows = [
        {"line_id": "own", "part_number": "P", "eccn": "EAR99", "destination": "CN"},
        {"line_id": "from-catalog", "part_number": "P", "eccn": "", "destination": "CN"},
    ]
    lines = _judge(tmp_path, rules, rows, catalog=catalog)
    got = {
        line.line_id: (line.status.value, line.item.eccn, line.item.eccn_source) for line in lines
    }
    assert got == {
        "own": ("allowed", "EAR99", "line"),
        "from-catalog": ("license_required", "3A090.a", "catalog"),
    }
