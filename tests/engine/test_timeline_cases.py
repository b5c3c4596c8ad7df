"""The shipped rules against a table of (item, destination, parties, date → status) cases
drawn from REFERENCE.md. The table is data: tests/data/timeline_cases.csv; the parties' owners
are in tests/data/ownership.yaml, and parties are screened against the shipped lists. Each case
is judged without caches and with every cache (the same result)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from exportcheck.api import load_screening
from exportcheck.engine.judge.judge import LineJudge, judge_line
from exportcheck.engine.parties import PartyScreening
from exportcheck.model.countries import normalize_country
from exportcheck.model.manifest import Item, ManifestLine
from exportcheck.model.rules import RuleSet
from exportcheck.model.status import Status
from exportcheck.readers.ownership import load_ownership

DATA = Path(__file__).resolve().parents[1] / "data"
CASES_FILE = DATA / "timeline_cases.csv"
PARTY_COLUMNS = ("end_user", "end_user_hq_country", "end_user_parent", "end_user_parent_hq_country")


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


@pytest.fixture(scope="module")
def parties() -> PartyScreening:
    index, _ = load_screening(None)
    ownership, _ = load_ownership(DATA / "ownership.yaml")
    return PartyScreening(index=index, ownership=ownership)


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_case(case: dict[str, str], shipped_rules: RuleSet, parties: PartyScreening) -> None:
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
        fields={c: case[c] for c in PARTY_COLUMNS if case[c]},
        item=Item(
            part_number=case["part_number"] or None,
            eccn=case["eccn"] or None,
            category=case["category"] or None,
            params=params,
        ),
        destination=destination,
        end_user=case["end_user"] or None,
    )
    on = date.fromisoformat(case["date"])
    result = judge_line(line, shipped_rules, on, parties=parties)
    cached = LineJudge(shipped_rules, on, parties=parties).judge(line).to_model()
    assert cached == result
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
