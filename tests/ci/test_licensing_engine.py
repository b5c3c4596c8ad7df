"""Licences held: coverage, drawdown in order, and the exact reasons a licence does not cover."""

from __future__ import annotations

from datetime import date

import pytest
from ci_helpers import (
    RULE,
    judged,
    manifest_line,
    party_finding,
    rule_finding,
    unclassified_finding,
)

from exportcheck.engine.licensing import LicenceLedger, amount
from exportcheck.model.licensing import Licence, LicenceItem, LicenceSet
from exportcheck.model.report import LineResult
from exportcheck.model.status import Status


def licence(**over: object) -> Licence:
    data: dict[str, object] = {
        "number": "L-123",
        "holder": "Exporter Inc.",
        "items": [{"eccn": "3A090"}],
        "destinations": ["AE"],
        "valid_from": "2025-01-01",
        "valid_to": "2025-12-31",
        "quantity": 200,
    }
    data.update(over)
    return Licence.model_validate(data)


def ledger(*licences: Licence) -> LicenceLedger:
    return LicenceLedger(LicenceSet(licences=licences))


def notes(result: LineResult) -> list[str]:
    return [f.message for f in result.findings if f.kind == "licence-not-covered"]


def test_drawdown_runs_out_mid_manifest_and_later_small_lines_still_fit() -> None:
    book = ledger(licence())
    statuses, messages = [], []
    for i, qty in enumerate([100, 75, 40, 25, 1], start=1):
        line = manifest_line(f"L-{i}", quantity=qty)
        out = book.apply(line, judged(line, [rule_finding()]))
        statuses.append(out.status)
        messages.append(out.findings)
    assert statuses == [
        Status.LICENSED,
        Status.LICENSED,
        Status.LICENSE_REQUIRED,
        Status.LICENSED,
        Status.LICENSE_REQUIRED,
    ]
    held = [f for f in messages[0] if f.kind == "licence"]
    assert len(held) == 1 and held[0].status is Status.LICENSED
    assert held[0].rule_id == "licence:L-123"
    assert "quantity 100 drawn, 100 of 200 remaining" in held[0].message
    third = [f.message for f in messages[2] if f.kind == "licence-not-covered"]
    assert third == ["Not covered: licence L-123: quantity 40 exceeds remaining 25 of 200."]
    fourth = next(f for f in messages[3] if f.kind == "licence")
    assert "quantity 25 drawn, 0 of 200 remaining" in fourth.message
    assert [f.message for f in messages[4] if f.kind == "licence-not-covered"] == [
        "Not covered: licence L-123: quantity 1 exceeds remaining 0 of 200."
    ]
    assert book.remaining("L-123") == (0, None)


def test_covered_rule_finding_is_kept_and_marked_with_the_licence() -> None:
    line = manifest_line("L-1")
    out = ledger(licence()).apply(line, judged(line, [rule_finding()]))
    rule = next(f for f in out.findings if f.rule_id == RULE)
    assert rule.status is Status.LICENSE_REQUIRED  # what the rule says, unchanged
    assert rule.licence == "L-123" and not rule.counts
    assert rule.message.endswith("Answered by licence L-123.")
    dumped = rule.model_dump(mode="json")
    assert dumped["licence"] == "L-123" and "waiver" not in dumped


def test_value_limit_is_drawn_down_in_the_licence_currency() -> None:
    book = ledger(licence(quantity=None, value=1_000_000, currency="usd"))
    first = manifest_line("L-1", quantity=20, unit_value=27_500, currency="USD")
    second = manifest_line("L-2", quantity=30, unit_value=27_500, currency="USD")
    a = book.apply(first, judged(first, [rule_finding()]))
    b = book.apply(second, judged(second, [rule_finding()]))
    assert a.status is Status.LICENSED
    assert "value 550,000 USD drawn, 450,000 of 1,000,000 USD remaining" in a.findings[-1].message
    assert b.status is Status.LICENSE_REQUIRED
    assert notes(b) == [
        "Not covered: licence L-123: value 825,000 USD exceeds remaining 450,000 of 1,000,000 USD."
    ]


def test_value_limit_needs_the_same_currency() -> None:
    book = ledger(licence(quantity=None, value=1_000_000, currency="USD"))
    line = manifest_line("L-1", quantity=1, unit_value=10, currency="EUR")
    out = book.apply(line, judged(line, [rule_finding()]))
    assert out.status is Status.LICENSE_REQUIRED
    assert notes(out) == [
        "Not covered: licence L-123: the line has currency EUR; the licence's value limit is "
        "in USD."
    ]


@pytest.mark.parametrize(
    ("line_kwargs", "lic_kwargs", "date_", "reason"),
    [
        ({"destination": "CN"}, {}, "2025-06-15", "destination CN is not on the licence (AE)"),
        (
            {},
            {},
            "2026-01-01",
            "licence L-123 expired on 2025-12-31; the line's date is 2026-01-01",
        ),
        (
            {},
            {"valid_from": "2025-07-01"},
            "2025-06-15",
            "licence L-123 is valid from 2025-07-01; the line's date 2025-06-15 is before that",
        ),
        (
            {"consignee": "Other Co"},
            {"parties": ["Gulf Sovereign AI LLC"]},
            "2025-06-15",
            "consignee 'Other Co' is not named on it (Gulf Sovereign AI LLC)",
        ),
        (
            {"consignee": None},
            {"parties": ["Gulf Sovereign AI LLC"]},
            "2025-06-15",
            "the line names no consignee or end user",
        ),
        (
            {"quantity": None},
            {},
            "2025-06-15",
            "licence L-123 has a quantity limit (200) and the line gives no quantity",
        ),
        (
            {},
            {"rules": ["some.other.rule"]},
            "2025-06-15",
            f"licence L-123 answers some.other.rule, not {RULE}",
        ),
    ],
)
def test_a_relevant_licence_says_exactly_why_it_does_not_cover(
    line_kwargs: dict[str, object], lic_kwargs: dict[str, object], date_: str, reason: str
) -> None:
    book = ledger(licence(**lic_kwargs))
    line = manifest_line("L-1", **line_kwargs)  # type: ignore[arg-type]
    out = book.apply(line, judged(line, [rule_finding()], date=date_))
    assert out.status is Status.LICENSE_REQUIRED
    [note] = notes(out)
    assert reason in note
    assert book.remaining("L-123") == (200, None)  # nothing drawn


def test_party_names_compare_without_case_or_punctuation() -> None:
    book = ledger(licence(parties=["Gulf Sovereign AI, LLC"]))
    line = manifest_line(
        "L-1", consignee="gulf sovereign ai llc.", end_user="GULF SOVEREIGN AI LLC"
    )
    assert book.apply(line, judged(line, [rule_finding()])).status is Status.LICENSED


def test_a_licence_for_another_item_is_silent() -> None:
    line = manifest_line("L-1", eccn="3D991", part="CALIBRE")
    before = judged(line, [rule_finding()])
    assert ledger(licence()).apply(line, before) == before


def test_party_hits_are_never_answered_by_a_licence_held() -> None:
    line = manifest_line("L-1")
    out = ledger(licence()).apply(line, judged(line, [rule_finding(), party_finding()]))
    assert out.status is Status.LICENSE_REQUIRED
    assert "does not answer a restricted-party match (party:EL:123)" in notes(out)[0]


def test_prohibited_and_allowed_lines_are_untouched() -> None:
    book = ledger(licence())
    line = manifest_line("L-1")
    prohibited = judged(line, [rule_finding(), rule_finding("embargo", Status.PROHIBITED)])
    assert book.apply(line, prohibited) == prohibited
    allowed = judged(line, [])
    assert book.apply(line, allowed) == allowed
    assert book.remaining("L-123") == (200, None)


def test_a_review_finding_keeps_a_licensed_line_at_review_and_still_draws() -> None:
    book = ledger(licence())
    line = manifest_line("L-1", quantity=5)
    out = book.apply(line, judged(line, [rule_finding(), unclassified_finding()]))
    assert out.status is Status.REVIEW
    assert any(f.kind == "licence" for f in out.findings)
    assert book.remaining("L-123") == (195, None)


def test_first_covering_licence_in_file_order_wins() -> None:
    book = ledger(
        licence(number="A", destinations=["SA"]),
        licence(number="B"),
        licence(number="C"),
    )
    line = manifest_line("L-1", quantity=10)
    out = book.apply(line, judged(line, [rule_finding()]))
    assert [f.rule_id for f in out.findings if f.kind == "licence"] == ["licence:B"]
    assert notes(out) == []  # a licence covers it: the others' reasons are not noise
    assert book.remaining("B") == (190, None)
    assert book.remaining("C") == (200, None)


def test_item_patterns() -> None:
    assert LicenceItem(eccn="3a090").matches("3A090.a", None)
    assert LicenceItem(eccn="3A090.a").matches("3A090.a.1", None)
    assert not LicenceItem(eccn="3A090.b").matches("3A090.a", None)
    assert not LicenceItem(eccn="3A090.a").matches("3A090", None)  # less specific: not covered
    assert LicenceItem(eccn="4A09*").matches("4A090.b", None)
    assert LicenceItem(part="mi3*").matches(None, "MI300X")
    assert LicenceItem(part="RTX  4090D").matches(None, "rtx 4090d")
    both = LicenceItem(eccn="3A090", part="H100")
    assert both.matches("3A090.a", "H100") and not both.matches("3A090.a", "H200")
    assert not LicenceItem(eccn="3A090").matches(None, "H100")


def test_dates_are_inclusive() -> None:
    book = ledger(licence(quantity=None))
    line = manifest_line("L-1")
    for day in ("2025-01-01", "2025-12-31"):
        assert book.apply(line, judged(line, [rule_finding()], date=day)).status is Status.LICENSED
    assert date(2025, 12, 31) == licence().valid_to


@pytest.mark.parametrize(
    ("value", "text"),
    [(200, "200"), (1000000, "1,000,000"), (12.5, "12.5"), (0.25, "0.25"), (1234.5, "1,234.5")],
)
def test_amounts_are_shown_without_float_noise(value: float, text: str) -> None:
    assert amount(value) == text
