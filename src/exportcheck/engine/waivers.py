"""Apply waivers to judged lines. Pure: no I/O.

A waiver in effect on the line's date (``approved`` ≤ date ≤ ``expires``) marks each matching
finding of ``review`` or worse as waived: the finding stays, carries the waiver and no longer
counts toward the line's status. A matching waiver that is not in effect (expired, or approved
only later) is ignored, and the line gets a ``review`` note saying so — a person must look.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from exportcheck.model.licensing import name_key, part_matches
from exportcheck.model.manifest import ManifestLine
from exportcheck.model.report import Finding, LineResult, WaiverNote, line_status
from exportcheck.model.status import Status
from exportcheck.model.waivers import Waiver, WaiverSet


def finding_order(f: Finding) -> tuple[int, str, str, str]:
    """The report's order of findings: most severe first, then rule id, version, message."""
    return (-f.status.severity, f.rule_id, f.rule_version or "", f.message)


def with_findings(result: LineResult, findings: Iterable[Finding]) -> LineResult:
    """``result`` with new findings (sorted) and the status they give."""
    ordered = sorted(findings, key=finding_order)
    return result.model_copy(update={"findings": tuple(ordered), "status": line_status(ordered)})


def _party_names(line: ManifestLine, finding: Finding) -> list[str]:
    names = [n for n in (line.consignee, line.end_user) if n]
    if finding.kind == "party":  # the screened column, which may be another party column
        names += [str(b.value) for b in finding.because if b.value is not None]
    return names


def waiver_applies(waiver: Waiver, finding: Finding, line: ManifestLine, part: str | None) -> bool:
    """Does ``waiver`` name this finding (rule, and part, destination, party when given)?"""
    if not waiver.covers_rule(finding.rule_id):
        return False
    if waiver.part is not None and not part_matches(part, waiver.part):
        return False
    if waiver.destination is not None and line.destination != waiver.destination:
        return False
    if waiver.party is not None:
        wanted = name_key(waiver.party)
        if all(name_key(n) != wanted for n in _party_names(line, finding)):
            return False
    return True


def _waived(finding: Finding, w: Waiver) -> Finding:
    note = WaiverNote(
        id=w.id,
        reason=w.reason,
        approver=w.approver,
        approved=w.approved.isoformat(),
        expires=w.expires.isoformat(),
    )
    message = (
        f"{finding.message} Waived by {w.id} (approved by {w.approver} on {w.approved}, "
        f"expires {w.expires}): {w.reason.rstrip('.')}."
    )
    return finding.model_copy(update={"waiver": note, "message": message})


def _not_in_effect(w: Waiver, finding: Finding, on: date) -> Finding:
    if on > w.expires:
        kind, title = "waiver-expired", f"Waiver {w.id} expired"
        when = f"expired on {w.expires}"
    else:
        kind, title = "waiver-not-yet-valid", f"Waiver {w.id} not yet in effect"
        when = f"applies only from {w.approved}"
    return Finding(
        rule_id=f"waiver:{w.id}",
        status=Status.REVIEW,
        kind=kind,
        title=title,
        message=(
            f"Waiver {w.id} for {finding.rule_id} {when} (line date {on}); it is ignored, so "
            f"{finding.rule_id} counts ({finding.status.value}) and a person must review the "
            f"line. The waiver was approved by {w.approver} on {w.approved}: "
            f"{w.reason.rstrip('.')}."
        ),
    )


def apply_waivers(line: ManifestLine, result: LineResult, waivers: WaiverSet) -> LineResult:
    """``result`` with the waivers that match its findings applied (see the module doc)."""
    if not waivers.waivers:
        return result
    on = date.fromisoformat(result.date)
    part = result.item.part_number
    findings: list[Finding] = []
    notes: dict[str, Finding] = {}
    changed = False
    for f in result.findings:
        if f.status.severity < Status.REVIEW.severity or not f.counts:
            findings.append(f)
            continue
        matching = [w for w in waivers.waivers if waiver_applies(w, f, line, part)]
        valid = next((w for w in matching if w.in_effect(on)), None)
        if valid is not None:
            findings.append(_waived(f, valid))
            changed = True
            continue
        findings.append(f)
        for w in matching:
            notes.setdefault(f"{w.id}\x00{f.rule_id}", _not_in_effect(w, f, on))
            changed = True
    if not changed:
        return result
    return with_findings(result, [*findings, *notes.values()])
