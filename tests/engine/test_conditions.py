from __future__ import annotations

import fnmatch
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exportcheck.engine.conditions import Facts, Tri, evaluate, text_outcome
from exportcheck.model.eccn import eccn_matches, normalize_eccn
from exportcheck.model.rules import Condition, RuleSet

ON = date(2025, 6, 1)


def cond(data: dict[str, object]) -> Condition:
    return Condition.model_validate(data)


@pytest.mark.parametrize(
    "eccn, pattern, expected",
    [
        ("3A090.a", "3A090", True),
        ("3A090", "3A090", True),
        ("3A090.a.1", "3A090.a", True),
        ("3A090.b", "3A090.a", False),
        ("3A0901", "3A090", False),
        ("3A090", "3A090.a", None),
        ("4A090.b", "4A090*", True),
        ("EAR99", "EAR99", True),
        ("3A991", "3A090", False),
    ],
)
def test_eccn_patterns(eccn: str, pattern: str, expected: bool | None) -> None:
    assert eccn_matches(eccn, pattern) is expected


@pytest.mark.parametrize(
    "raw, canon",
    [
        ("3a090.A", "3A090.a"),
        (" ear99 ", "EAR99"),
        ("3A090", "3A090"),
        ("3X090", None),
        ("foo", None),
        # spaces inside are dropped, as ERP exports write them (mutmut: kills the survivors
        # that keep the inner space or replace it with another character)
        ("3A 090.a", "3A090.a"),
        ("EAR 99", "EAR99"),
        ("4a090 .b", "4A090.b"),
    ],
)
def test_normalize_eccn(raw: str, canon: str | None) -> None:
    assert normalize_eccn(raw) == canon


def test_missing_value_is_unknown_not_false(shipped_rules: RuleSet) -> None:
    c = cond({"params": [{"param": "tpp", "op": ">=", "value": 4800}]})
    out = evaluate(c, Facts(on=ON), shipped_rules)
    assert out.value is Tri.UNKNOWN
    assert out.missing == {"tpp"}


def test_kleene_and_or_not(shipped_rules: RuleSet) -> None:
    facts = Facts(on=ON, eccn="3A090.a", destination="CN")
    unknown = {"params": [{"param": "tpp", "op": ">=", "value": 4800}]}
    false = {"eccn": ["EAR99"]}
    true = {"eccn": ["3A090"]}
    assert evaluate(cond({"all": [unknown, false]}), facts, shipped_rules).value is Tri.FALSE
    assert evaluate(cond({"all": [unknown, true]}), facts, shipped_rules).value is Tri.UNKNOWN
    assert evaluate(cond({"any": [unknown, true]}), facts, shipped_rules).value is Tri.TRUE
    assert evaluate(cond({"any": [unknown, false]}), facts, shipped_rules).value is Tri.UNKNOWN
    assert evaluate(cond({"not": true}), facts, shipped_rules).value is Tri.FALSE
    assert evaluate(cond({"not": unknown}), facts, shipped_rules).value is Tri.UNKNOWN


def test_destination_groups_exclusions_and_treatment(shipped_rules: RuleSet) -> None:
    c = cond({"destination": {"groups": ["D:5"], "except_countries": ["RU"]}})
    assert evaluate(c, Facts(on=ON, destination="CN"), shipped_rules).value is Tri.TRUE
    assert evaluate(c, Facts(on=ON, destination="RU"), shipped_rules).value is Tri.FALSE
    assert evaluate(c, Facts(on=ON, destination="DE"), shipped_rules).value is Tri.FALSE
    hk = evaluate(c, Facts(on=ON, destination="HK"), shipped_rules)
    assert hk.value is Tri.TRUE
    assert "treated as CN" in hk.because[0].test
    # Hong Kong is treated as China only from 2020-12-23.
    assert (
        evaluate(c, Facts(on=date(2020, 1, 1), destination="HK"), shipped_rules).value is Tri.FALSE
    )


def test_group_membership_is_dated(shipped_rules: RuleSet) -> None:
    c = cond({"destination": {"groups": ["D:5"]}})
    assert (
        evaluate(c, Facts(on=date(2025, 11, 6), destination="KH"), shipped_rules).value is Tri.TRUE
    )
    assert (
        evaluate(c, Facts(on=date(2025, 11, 7), destination="KH"), shipped_rules).value is Tri.FALSE
    )


def test_text_globs_are_case_insensitive(shipped_rules: RuleSet) -> None:
    c = cond({"part_number": ["H20", "H20 *"], "vendor": ["nvidia*"]})
    facts = Facts(on=ON, part_number="h20 96gb", vendor="NVIDIA Corporation")
    assert evaluate(c, facts, shipped_rules).value is Tri.TRUE
    assert (
        evaluate(c, Facts(on=ON, part_number="H200", vendor="Nvidia"), shipped_rules).value
        is Tri.FALSE
    )


def test_explanations_name_field_value_and_threshold(shipped_rules: RuleSet) -> None:
    c = cond({"params": [{"param": "tpp", "op": ">=", "value": 4800}]})
    out = evaluate(c, Facts(on=ON, params={"tpp": 15832.0}), shipped_rules)
    assert out.value is Tri.TRUE
    (b,) = out.because
    assert (b.field, b.value, b.test) == ("tpp", 15832.0, ">= 4,800")


_GLOB = st.text(alphabet="aAbB1-* ?[]!.", max_size=6)


@given(st.lists(_GLOB, min_size=1, max_size=4), st.text(alphabet="aAbB1-. ", max_size=6))
def test_text_tests_match_as_fnmatch_does(patterns: list[str], value: str) -> None:
    """Patterns are compiled once per list; the first that matches (case-insensitively, as
    fnmatch.fnmatchcase of the casefolded texts) is named, as matching them one by one."""
    got = text_outcome("part_number", value, patterns)
    if not value.strip():
        assert got.value is Tri.UNKNOWN
        return
    v = value.strip().casefold()
    first = next((p for p in patterns if fnmatch.fnmatchcase(v, p.strip().casefold())), None)
    if first is None:
        assert got.value is Tri.FALSE
    else:
        assert got.value is Tri.TRUE and got.because[0].test == f"matches {first}"
