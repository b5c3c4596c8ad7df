from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from exportcheck.engine.inforce import version_in_force
from exportcheck.model.rules import Rule

WHEN = {"eccn": ["3A090"], "destination": {"countries": ["CN"]}}


def rule(*versions: dict[str, object]) -> Rule:
    return Rule.model_validate({"id": "r", "title": "t", "versions": list(versions)})


def v(effective: str, **kw: object) -> dict[str, object]:
    base: dict[str, object] = {"effective": effective, "citation": "X FR 1"}
    if not kw.get("rescinded"):
        base.update({"status": "license_required", "when": WHEN})
    base.update(kw)
    return base


def label(r: Rule, d: str) -> str | None:
    found = version_in_force(r, date.fromisoformat(d))
    return found.label if found else None


def test_before_first_version_nothing() -> None:
    r = rule(v("2022-10-21"))
    assert label(r, "2022-10-20") is None
    assert label(r, "2022-10-21") == "2022-10-21"


def test_latest_version_wins() -> None:
    r = rule(v("2022-10-21"), v("2023-11-17"), v("2024-04-04"))
    assert label(r, "2023-11-16") == "2022-10-21"
    assert label(r, "2023-11-17") == "2023-11-17"
    assert label(r, "2030-01-01") == "2024-04-04"


def test_until_is_exclusive() -> None:
    r = rule(v("2025-01-01", until="2025-02-01"))
    assert label(r, "2025-01-31") == "2025-01-01"
    assert label(r, "2025-02-01") is None


def test_gap_between_until_and_next_version() -> None:
    r = rule(v("2025-01-01", until="2025-02-01"), v("2025-03-01"))
    assert label(r, "2025-02-15") is None
    assert label(r, "2025-03-01") == "2025-03-01"


def test_rescinded_from_its_date() -> None:
    r = rule(v("2025-05-23"), v("2025-07-02", rescinded=True))
    assert label(r, "2025-07-01") == "2025-05-23"
    assert label(r, "2025-07-02") is None
    assert label(r, "2026-01-01") is None


def test_reinstated_after_rescission() -> None:
    r = rule(v("2025-01-01"), v("2025-02-01", rescinded=True), v("2025-03-01"))
    assert label(r, "2025-02-15") is None
    assert label(r, "2025-03-02") == "2025-03-01"


@pytest.mark.parametrize(
    "versions, message",
    [
        ((v("2024-01-01"), v("2023-01-01")), "is not after"),
        ((v("2024-01-01"), v("2024-01-01")), "is not after"),
        ((v("2024-01-01", until="2024-06-01"), v("2024-03-01")), "overlapping"),
        ((v("2024-01-01", until="2023-06-01"),), "is not after 'effective'"),
        ((v("2024-01-01", rescinded=True),), "first version cannot rescind"),
    ],
)
def test_invalid_timelines(versions: tuple[dict[str, object], ...], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        rule(*versions)


def test_rescinding_version_must_not_carry_conditions() -> None:
    with pytest.raises(ValidationError, match="rescinding version"):
        rule(v("2024-01-01"), {**v("2024-02-01"), "rescinded": True})


@given(
    offsets=st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=6),
    probe=st.integers(min_value=-10, max_value=3000),
)
def test_in_force_is_latest_effective_not_after_date(offsets: list[int], probe: int) -> None:
    start = date(2022, 1, 1).toordinal()
    dates = []
    day = start
    for off in offsets:
        day += off
        dates.append(date.fromordinal(day))
    r = rule(*(v(d.isoformat()) for d in dates))
    on = date.fromordinal(start + probe)
    expected = max((d for d in dates if d <= on), default=None)
    found = version_in_force(r, on)
    assert (found.effective if found else None) == expected
