"""Waivers: a waived finding is kept and marked, not counted; an expired one puts the line to
review with a note saying when it expired."""

from __future__ import annotations

import pytest
from ci_helpers import (
    RULE,
    judged,
    manifest_line,
    party_finding,
    rule_finding,
    unclassified_finding,
)

from exportcheck.engine.waivers import apply_waivers
from exportcheck.model.status import Status
from exportcheck.model.waivers import Waiver, WaiverSet


def waiver(**over: object) -> Waiver:
    data: dict[str, object] = {
        "id": "W-1",
        "rule": "exportcheck.unclassified",
        "reason": "Vendor letter: EAR99.",
        "approver": "A. Approver",
        "approved": "2025-05-01",
        "expires": "2025-12-31",
    }
    data.update(over)
    return Waiver.model_validate(data)


def waivers(*items: Waiver) -> WaiverSet:
    return WaiverSet(waivers=items)


def test_valid_waiver_marks_the_finding_and_it_stops_counting() -> None:
    line = manifest_line("L-1", eccn=None, part="XR-7700")
    out = apply_waivers(line, judged(line, [unclassified_finding()]), waivers(waiver()))
    assert out.status is Status.ALLOWED
    [f] = out.findings
    assert f.status is Status.REVIEW and f.waiver is not None and not f.counts
    assert f.waiver.id == "W-1" and f.waiver.expires == "2025-12-31"
    assert "Waived by W-1 (approved by A. Approver on 2025-05-01, expires 2025-12-31)" in f.message
    dumped = f.model_dump(mode="json")
    assert dumped["waiver"] == {
        "id": "W-1",
        "reason": "Vendor letter: EAR99.",
        "approver": "A. Approver",
        "approved": "2025-05-01",
        "expires": "2025-12-31",
    }
    assert "licence" not in dumped


def test_expired_waiver_is_ignored_and_the_line_is_reviewed_with_a_note() -> None:
    line = manifest_line("L-1", eccn=None)
    w = waiver(approved="2025-01-01", expires="2025-03-31")
    out = apply_waivers(line, judged(line, [unclassified_finding()]), waivers(w))
    assert out.status is Status.REVIEW
    original = next(f for f in out.findings if f.rule_id == "exportcheck.unclassified")
    assert original.waiver is None and original.counts
    note = next(f for f in out.findings if f.rule_id == "waiver:W-1")
    assert note.kind == "waiver-expired" and note.status is Status.REVIEW
    assert "expired on 2025-03-31" in note.message


def test_expired_waiver_on_a_licence_requirement_keeps_it_and_adds_review() -> None:
    line = manifest_line("L-1")
    w = waiver(rule=RULE, approved="2025-01-01", expires="2025-03-31")
    out = apply_waivers(line, judged(line, [rule_finding()]), waivers(w))
    assert out.status is Status.LICENSE_REQUIRED  # at least review
    assert [f.kind for f in out.findings] == ["rule", "waiver-expired"]


def test_waiver_not_yet_approved_on_the_line_date_is_ignored_with_a_note() -> None:
    line = manifest_line("L-1", eccn=None)
    out = apply_waivers(
        line, judged(line, [unclassified_finding()], date="2025-04-01"), waivers(waiver())
    )
    assert out.status is Status.REVIEW
    note = next(f for f in out.findings if f.rule_id == "waiver:W-1")
    assert note.kind == "waiver-not-yet-valid" and "applies only from 2025-05-01" in note.message


def test_a_valid_waiver_wins_over_an_expired_one_without_a_note() -> None:
    line = manifest_line("L-1", eccn=None)
    old = waiver(id="W-OLD", approved="2024-01-01", expires="2024-12-31")
    new = waiver(id="W-NEW")
    out = apply_waivers(line, judged(line, [unclassified_finding()]), waivers(old, new))
    assert out.status is Status.ALLOWED
    assert [f.rule_id for f in out.findings] == ["exportcheck.unclassified"]
    assert out.findings[0].waiver is not None and out.findings[0].waiver.id == "W-NEW"


@pytest.mark.parametrize(
    "narrowing",
    [{"part": "OTHER-PART"}, {"destination": "CN"}, {"party": "Someone Else Ltd"}],
)
def test_narrowed_waiver_does_not_apply_elsewhere(narrowing: dict[str, str]) -> None:
    line = manifest_line("L-1", eccn=None, part="XR-7700", destination="AE")
    before = judged(line, [unclassified_finding()])
    assert apply_waivers(line, before, waivers(waiver(**narrowing))) == before


@pytest.mark.parametrize(
    "narrowing",
    [{"part": "xr-77*"}, {"destination": "ARE"}, {"party": "gulf sovereign ai, llc"}],
)
def test_narrowed_waiver_applies_where_it_matches(narrowing: dict[str, str]) -> None:
    line = manifest_line("L-1", eccn=None, part="XR-7700", destination="AE")
    out = apply_waivers(line, judged(line, [unclassified_finding()]), waivers(waiver(**narrowing)))
    assert out.status is Status.ALLOWED


def test_glob_rule_waives_a_cleared_party_match_only_for_that_party() -> None:
    line = manifest_line("L-1", consignee="Listed Co")
    w = waiver(rule="party:*", party="Listed Co", reason="False positive, cleared by legal")
    out = apply_waivers(line, judged(line, [party_finding()]), waivers(w))
    assert out.status is Status.ALLOWED and out.findings[0].waiver is not None
    other = manifest_line("L-2", consignee="Another Co")
    before = judged(other, [party_finding("Another Co")])
    assert apply_waivers(other, before, waivers(w)).status is Status.LICENSE_REQUIRED


def test_only_the_matching_finding_is_waived() -> None:
    line = manifest_line("L-1", eccn=None)
    out = apply_waivers(
        line, judged(line, [rule_finding(), unclassified_finding()]), waivers(waiver())
    )
    assert out.status is Status.LICENSE_REQUIRED
    marked = {f.rule_id: f.waiver is not None for f in out.findings}
    assert marked == {RULE: False, "exportcheck.unclassified": True}


def test_informational_findings_are_not_waived_and_get_no_expiry_note() -> None:
    line = manifest_line("L-1")
    info = rule_finding(status=Status.ALLOWED, kind="rule-pending")
    w = waiver(rule=RULE, approved="2024-01-01", expires="2024-02-01")
    before = judged(line, [info])
    assert apply_waivers(line, before, waivers(w)) == before


def test_waiver_dates_are_validated() -> None:
    with pytest.raises(ValueError, match="expires 2025-01-01 is before approved 2025-02-01"):
        waiver(approved="2025-02-01", expires="2025-01-01")


def test_party_waiver_matches_the_screened_name_of_another_party_column() -> None:
    line = manifest_line("L-1", consignee="Neutral Co")  # the hit came from, e.g., 'forwarder'
    w = waiver(rule="party:EL:123", party="Listed Co")
    out = apply_waivers(line, judged(line, [party_finding("Listed Co")]), waivers(w))
    assert out.status is Status.ALLOWED
