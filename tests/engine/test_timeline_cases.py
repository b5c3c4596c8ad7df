"""The shipped rules against a table of (item, destination, date → status) cases drawn from
REFERENCE.md. The table is data: tests/data/timeline_cases.csv."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from exportcheck.engine.evaluate import judge_line
from exportcheck.model.countries import normalize_country
from exportcheck.model.manifest import Item, ManifestLine
from exportcheck.model.rules import RuleSet
from exportcheck.model.status import Status

CASES_FILE = Path(__file__).resolve().parents[1] / "data" / "timeline_cases.csv"


def _cases() -> list[dict[str, str]]:
    with CASES_FILE.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


CASES = _cases()


def test_table_is_big_enough() -> None:
    assert len(CASES) >= 40
    assert len({c["case"] for c in CASES}) == len(CASES), "case names must be unique"


def _rule_refs(cell: str) -> list[tuple[str, str | None]]:
    refs = []
    for ref in filter(None, (x.strip() for x in cell.split(";"))):
        rule_id, _, version = ref.partition("@")
        refs.append((rule_id, version or None))
    return refs


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_case(case: dict[str, str], shipped_rules: RuleSet) -> None:
    params = {
        k: float(case[k])
        for k in ("tpp", "memory_bandwidth_gbps", "interconnect_gbps")
        if case[k].strip()
    }
    destination = normalize_country(case["destination"])
    assert destination is not None, case["destination"]
    line = ManifestLine(
        index=1,
        line_id=case["case"],
        item=Item(
            part_number=case["part_number"] or None, eccn=case["eccn"] or None, params=params
        ),
        destination=destination,
    )
    result = judge_line(line, shipped_rules, date.fromisoformat(case["date"]))
    found = {(f.rule_id, f.rule_version) for f in result.findings}
    found_ids = {rid for rid, _ in found}
    assert result.status is Status(case["expected_status"]), (
        f"{case['case']}: expected {case['expected_status']}, got {result.status.value}: "
        + " | ".join(f.message for f in result.findings)
    )
    for rule_id, version in _rule_refs(case["must_include"]):
        if version is None:
            assert rule_id in found_ids, f"{rule_id} missing from {sorted(found_ids)}"
        else:
            assert (rule_id, version) in found, f"{rule_id}@{version} missing from {sorted(found)}"
    for rule_id, _ in _rule_refs(case["must_exclude"]):
        assert rule_id not in found_ids, f"{rule_id} unexpectedly in {sorted(found_ids)}"
    # Every rule finding is explained and cited.
    for f in result.findings:
        if f.kind.startswith("rule"):
            assert f.citation and f.rule_version and f.because
