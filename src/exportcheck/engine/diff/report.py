"""The whole diff: every change, sorted, and the report with its impact and notes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from exportcheck.engine.diff.entries import list_changes
from exportcheck.engine.diff.groups import (
    classification_changes,
    group_changes,
    treatment_changes,
)
from exportcheck.engine.diff.impact import manifest_impact
from exportcheck.engine.diff.rules import rule_change, version_edits
from exportcheck.engine.parties import PartyScreening
from exportcheck.model.diff import Change, DiffReport, Impact, Mode
from exportcheck.model.manifest import Catalog, ManifestLine
from exportcheck.model.parties import ListEntry
from exportcheck.model.rules import RuleSet

_WHAT_ORDER: dict[str, int] = {
    "rule": 0,
    "rule-version": 1,
    "classification": 2,
    "country-group": 3,
    "treatment": 4,
    "list-entry": 5,
}
_KIND_ORDER: dict[str, int] = {"removed": 0, "changed": 1, "added": 2}


def change_sort_key(c: Change) -> tuple[int, str, int]:
    return (_WHAT_ORDER[c.what], c.id, _KIND_ORDER[c.kind])


def diff_rulesets(
    before: RuleSet,
    after: RuleSet,
    d_from: date,
    d_to: date,
    *,
    mode: Mode = "dates",
    entries: Iterable[ListEntry] = (),
) -> list[Change]:
    """Everything that differs between ``before`` on ``d_from`` and ``after`` on ``d_to``
    (in ``dates`` mode ``before`` and ``after`` are the same rule set)."""
    changes: list[Change] = []
    for rid in sorted(set(before.rules) | set(after.rules)):
        rb, ra = before.rules.get(rid), after.rules.get(rid)
        c = rule_change(rb, ra, d_from, d_to, mode)
        if c is not None:
            changes.append(c)
        if mode == "rule-sets":
            changes.extend(version_edits(rb, ra))
    changes.extend(classification_changes(before, after, d_from, d_to))
    changes.extend(group_changes(before, after, d_from, d_to, mode))
    changes.extend(treatment_changes(before, after, d_from, d_to, mode))
    changes.extend(list_changes(entries, d_from, d_to))
    changes.sort(key=change_sort_key)
    return changes


def build_diff(
    before: RuleSet,
    after: RuleSet,
    d_from: date,
    d_to: date,
    *,
    mode: Mode = "dates",
    entries: Iterable[ListEntry] = (),
    lines: Sequence[ManifestLine] | None = None,
    catalog: Catalog | None = None,
    parties: PartyScreening | None = None,
) -> DiffReport:
    """The full diff report: changes, and the impact on ``lines`` when given."""
    changes = diff_rulesets(before, after, d_from, d_to, mode=mode, entries=entries)
    impact: list[Impact] | None = None
    notes: list[str] = []
    if d_from > d_to:
        notes.append(
            f"reversed window: 'before' is {d_from}, 'after' is {d_to}; reasons and events "
            "are in calendar order"
        )
    if lines is not None:
        impact, line_notes = manifest_impact(lines, before, after, d_from, d_to, catalog, parties)
        notes.extend(line_notes)
    return DiffReport(
        from_=d_from.isoformat(),
        to=d_to.isoformat(),
        mode=mode,
        changes=changes,
        impact=impact,
        notes=notes,
    )
