"""The impact of a diff on a manifest: the lines whose status flips, and why."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from exportcheck.engine.judge.judge import judge_lines
from exportcheck.engine.parties import PartyScreening
from exportcheck.model.diff import Impact
from exportcheck.model.manifest import Catalog, ManifestLine
from exportcheck.model.report import LineResult
from exportcheck.model.rules import RuleSet


def _finding_states(result: LineResult) -> dict[str, frozenset[tuple[str, str, str]]]:
    states: dict[str, set[tuple[str, str, str]]] = {}
    for f in result.findings:
        states.setdefault(f.rule_id, set()).add((f.status.value, f.rule_version or "", f.kind))
    return {k: frozenset(v) for k, v in states.items()}


def _state_text(state: frozenset[tuple[str, str, str]] | None) -> str:
    if not state:
        return "no finding"
    return ", ".join(
        f"{status}" + (f" (version {version})" if version else "")
        for status, version, _ in sorted(state)
    )


def line_impact(before: LineResult, after: LineResult) -> Impact | None:
    """The impact entry for one line judged twice, or None when its status is the same."""
    if before.status == after.status:
        return None
    sb, sa = _finding_states(before), _finding_states(after)
    differing = [rid for rid in sorted(set(sb) | set(sa)) if sb.get(rid) != sa.get(rid)]

    def deciding(rid: str) -> bool:
        return any(
            f.rule_id == rid and f.status == r.status for r in (before, after) for f in r.findings
        )

    because = [r for r in differing if deciding(r)] + [r for r in differing if not deciding(r)]
    return Impact(
        line_id=after.line_id,
        before=before.status,
        after=after.status,
        because=because,
        details=[
            f"{rid}: {_state_text(sb.get(rid))} → {_state_text(sa.get(rid))}" for rid in because
        ],
        part_number=after.item.part_number,
        destination=after.destination,
        before_date=before.date,
        after_date=after.date,
    )


def compare_results(before: Sequence[LineResult], after: Sequence[LineResult]) -> list[Impact]:
    """Lines (paired by position, in input order) whose status differs."""
    if len(before) != len(after):
        raise ValueError("both sides must judge the same lines")
    out: list[Impact] = []
    for b, a in zip(before, after, strict=True):
        hit = line_impact(b, a)
        if hit is not None:
            out.append(hit)
    return out


def manifest_impact(
    lines: Sequence[ManifestLine],
    before: RuleSet,
    after: RuleSet,
    d_from: date,
    d_to: date,
    catalog: Catalog | None = None,
    parties: PartyScreening | None = None,
) -> tuple[list[Impact], list[str]]:
    """Judge every line on both sides with the ``check`` engine; the lines that flip, and
    notes (lines carrying their own ``ship_date`` are judged on it on both sides)."""
    judged_before = list(judge_lines(lines, before, d_from, catalog, parties))
    judged_after = list(judge_lines(lines, after, d_to, catalog, parties))
    notes: list[str] = []
    pinned = [line.line_id for line in lines if line.ship_date is not None]
    if pinned:
        shown = ", ".join(pinned[:10]) + (
            f" and {len(pinned) - 10} more" if len(pinned) > 10 else ""
        )
        notes.append(
            f"{len(pinned)} of {len(lines)} manifest lines carry their own ship_date and are "
            f"judged on it on both sides, as check does: {shown}"
        )
    return compare_results(judged_before, judged_after), notes
