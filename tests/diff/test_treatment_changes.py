"""Country treatments (Hong Kong treated as China) in a diff: edited, added and removed
between rule-set versions, entering and leaving force between dates — every field of each
change, since the report is the contract."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from exportcheck.engine.diff.groups import treatment_changes
from exportcheck.model.rules import RuleSet
from exportcheck.readers.rules import load_rules

BEFORE = """\
id: t
title: t
authority: test
version: "1"
country_treatments:
  - {country: HK, treated_as: CN, from: 2020-12-23, citation: "85 FR 83765"}
  - {country: MO, treated_as: CN, from: 2025-01-01, until: 2025-07-01, citation: c-mo, note: n}
"""
AFTER = """\
id: t
title: t
authority: test
version: "2"
country_treatments:
  - {country: HK, treated_as: CN, from: 2020-12-23, citation: "85 FR 83765 (corrected)",
     source_url: "https://example.org/hk", confidence: unconfirmed}
  - {country: TW, treated_as: CN, from: 2025-03-01, citation: c-tw}
"""


def _load(tmp_path: Path, name: str, text: str) -> RuleSet:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_rules([path])[0]


@pytest.fixture
def sets(tmp_path: Path) -> tuple[RuleSet, RuleSet]:
    return _load(tmp_path, "before.yaml", BEFORE), _load(tmp_path, "after.yaml", AFTER)


def _snap(cc: str, start: str, until: str | None, citation: str) -> dict[str, Any]:
    return {"country": cc, "treated_as": "CN", "from": start, "until": until, "citation": citation}


def _change(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "what": "treatment", "fields": [], "details": [], "events": [], "source_url": None,
    }  # fmt: skip
    return {**base, **kw}


MO = _snap("MO", "2025-01-01", "2025-07-01", "c-mo")
TW = _snap("TW", "2025-03-01", None, "c-tw")


def _dump(changes: list[Any]) -> list[dict[str, Any]]:
    return [c.model_dump(mode="json") for c in changes]


def test_rule_set_versions_edited_removed_added(sets: tuple[RuleSet, RuleSet]) -> None:
    before, after = sets
    day = date(2025, 6, 1)
    got = _dump(treatment_changes(before, after, day, day, "rule-sets"))
    assert got == [
        _change(
            kind="changed", id="HK→CN", title="HK (Hong Kong) treated as CN (China)",
            before=_snap("HK", "2020-12-23", None, "85 FR 83765"),
            after=_snap("HK", "2020-12-23", None, "85 FR 83765 (corrected)"),
            fields=["citation", "source_url", "confidence"],
            details=[
                "citation: 85 FR 83765 → 85 FR 83765 (corrected)",
                "source_url: None → https://example.org/hk",
                "confidence: checked → unconfirmed",
            ],
            summary="treatment record edited", reason="edited",
            citation="85 FR 83765 (corrected)", source_url="https://example.org/hk",
        ),
        _change(
            kind="removed", id="MO→CN", title="MO (Macao) treated as CN (China)", before=MO,
            after=None, summary="treatment removed from the rule set",
            reason="removed-from-rule-set", citation="c-mo",
        ),
        _change(
            kind="added", id="TW→CN", title="TW (Taiwan) treated as CN (China)", before=None,
            after=TW, summary="treatment added to the rule set", reason="added-to-rule-set",
            citation="c-tw",
        ),
    ]  # fmt: skip


def test_unchanged_treatments_are_not_changes(sets: tuple[RuleSet, RuleSet]) -> None:
    before, _ = sets
    assert treatment_changes(before, before, date(2025, 6, 1), date(2025, 6, 1), "rule-sets") == []
    assert treatment_changes(before, before, date(2025, 2, 1), date(2025, 6, 30), "dates") == []


def test_dates_ended_and_entered_force_in_calendar_order(sets: tuple[RuleSet, RuleSet]) -> None:
    before, after = sets
    mo_ended = _change(
        kind="removed", id="MO→CN", title="MO (Macao) treated as CN (China)", before=MO,
        after=None, summary="in force on 2025-02-01 only (dates: 2025-01-01, 2025-07-01)",
        reason="ended", citation="c-mo",
    )  # fmt: skip
    assert _dump(
        treatment_changes(before, before, date(2025, 2, 1), date(2025, 8, 1), "dates")
    ) == [mo_ended]
    # the window read backwards: present on the 'to' side, still 'ended' in calendar order
    backwards = _dump(
        treatment_changes(before, before, date(2025, 8, 1), date(2025, 2, 1), "dates")
    )
    assert backwards == [{**mo_ended, "kind": "added", "before": None, "after": MO}]
    # the until day is out of force: 2025-07-01 is already after the end
    assert _dump(
        treatment_changes(before, before, date(2025, 6, 30), date(2025, 7, 1), "dates")
    ) == [{**mo_ended, "summary": "in force on 2025-06-30 only (dates: 2025-01-01, 2025-07-01)"}]
    assert _dump(treatment_changes(after, after, date(2025, 2, 1), date(2025, 4, 1), "dates")) == [
        _change(
            kind="added", id="TW→CN", title="TW (Taiwan) treated as CN (China)", before=None,
            after=TW, summary="in force on 2025-04-01 only (dates: 2025-03-01)",
            reason="entered-force", citation="c-tw",
        )
    ]  # fmt: skip
