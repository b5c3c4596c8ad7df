"""The status of one item / destination / party over time. Pure: no I/O, no printing.

Every date on which anything could change (rule version effective / until / compliance dates,
classification criteria, country-group membership, destination treatments, list-entry start
and end dates) inside ``[start, end]`` is a change point. A synthetic manifest line is judged
at each with the engine ``check`` uses (:func:`exportcheck.engine.judge.judge.judge_line`), and
runs with the same status and the same deciding findings are collapsed into segments. Each
segment boundary names its causes: the deciding rule versions or list entries that entered
or left.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from exportcheck.engine.judge.judge import judge_line
from exportcheck.engine.parties import PartyScreening
from exportcheck.engine.screening import ScreeningIndex
from exportcheck.model.history import (
    ChangePoint,
    FindingRef,
    HistoryQuery,
    HistoryReport,
    Segment,
)
from exportcheck.model.manifest import HQ_SUFFIX, Catalog, Item, ManifestLine, Scalar
from exportcheck.model.parties import ListEntry, entry_change_dates
from exportcheck.model.report import Finding, LineResult
from exportcheck.model.rules import RuleSet
from exportcheck.model.status import Status, worst

PARTY_COLUMN = "consignee"


def default_start(ruleset: RuleSet) -> date:
    """The day before the first rule version of ``ruleset`` (nothing in force yet)."""
    firsts = [v.effective for r in ruleset.rules.values() for v in r.versions]
    return (min(firsts) if firsts else date.today()) - timedelta(days=1)


def candidate_dates(
    ruleset: RuleSet, entries: Iterable[ListEntry], start: date, end: date
) -> list[date]:
    """Every date in (start, end] on which anything in force may change: the rule set's change
    dates (:meth:`~exportcheck.model.rules.RuleSet.change_dates`) and the list entries'."""
    dates = {*ruleset.change_dates(), *entry_change_dates(entries)}
    return sorted(d for d in dates if start < d <= end)


def _line(query: HistoryQuery) -> ManifestLine:
    fields: dict[str, Scalar] = {}
    if query.part_number:
        fields["part_number"] = query.part_number
    if query.eccn:
        fields["eccn"] = query.eccn
    for k, v in sorted(query.params.items()):
        fields[k] = v
    if query.destination:
        fields["destination"] = query.destination
    if query.party:
        fields[PARTY_COLUMN] = query.party
    if query.party_hq:
        fields[PARTY_COLUMN + HQ_SUFFIX] = query.party_hq
    return ManifestLine(
        index=1,
        line_id="history",
        fields=fields,
        item=Item(part_number=query.part_number, eccn=query.eccn, params=dict(query.params)),
        destination=query.destination,
        consignee=query.party,
    )


def _ref(f: Finding) -> FindingRef:
    return FindingRef(
        rule_id=f.rule_id,
        rule_version=f.rule_version,
        status=f.status,
        kind=f.kind,
        title=f.title,
        citation=f.citation,
        review_policy=f.review_policy,
    )


def _judge(
    query: HistoryQuery,
    line: ManifestLine,
    ruleset: RuleSet,
    on: date,
    catalog: Catalog | None,
    parties: PartyScreening | None,
) -> tuple[Status, list[FindingRef], LineResult | None, dict[str, Status]]:
    if query.has_item:
        result = judge_line(line, ruleset, on, catalog, parties=parties)
        status, findings = result.status, list(result.findings)
    else:  # a party alone: only its screening counts
        result = None
        findings = parties.findings(line, on) if parties is not None else []
        status = worst([f.status for f in findings])
    deciding = sorted(
        (_ref(f) for f in findings if f.status == status),
        key=lambda r: (r.rule_id, r.rule_version or ""),
    )
    unique: list[FindingRef] = []
    for r in deciding:
        if not unique or unique[-1].ref != r.ref:
            unique.append(r)
    present: dict[str, Status] = {}
    for f in findings:
        ref = _ref(f).ref
        if ref not in present or f.status.severity > present[ref].severity:
            present[ref] = f.status
    return status, unique, result, present


def _causes(
    entered: list[FindingRef], left: list[FindingRef], present: dict[str, Status]
) -> list[str]:
    """The causes of a change point in words; a new version of the same rule is one cause.
    ``present`` holds every finding of the new point (deciding or not) with its status."""
    out: list[str] = []
    old_by_id = {r.rule_id: r for r in left}
    replaced: set[str] = set()
    for r in entered:
        cite = f" — {r.citation}" if r.citation else ""
        old = old_by_id.get(r.rule_id)
        if old is not None and old.rule_version and r.rule_version:
            replaced.add(r.rule_id)
            text = f"{r.rule_id}: version {old.rule_version} → {r.rule_version}"
            if old.status != r.status:
                text += f" ({old.status.value} → {r.status.value})"
            else:
                text += f" (still {r.status.value})"
            if r.review_policy and r.review_policy != old.review_policy:
                text += f"; review policy: {r.review_policy.strip()}"
            out.append(text + cite)
            continue
        title = f" ({r.title})" if r.title else ""
        out.append(f"{r.ref}{title} applies: {r.status.value}{cite}")
    for r in left:
        if r.rule_id in replaced:
            continue
        title = f" ({r.title})" if r.title else ""
        still = present.get(r.ref)
        if still is not None:
            out.append(f"{r.ref}{title} no longer decides the status (still {still.value})")
        else:
            out.append(f"{r.ref}{title} no longer applies (was {r.status.value})")
    return out


def item_history(
    query: HistoryQuery,
    ruleset: RuleSet,
    start: date,
    end: date,
    *,
    catalog: Catalog | None = None,
    screening: ScreeningIndex | None = None,
) -> HistoryReport:
    """The status of ``query`` from ``start`` to ``end`` (inclusive), as segments."""
    if end < start:
        raise ValueError(f"'to' {end} is before 'from' {start}")
    if not query.has_item and not query.party:
        raise ValueError("nothing to follow: give an item (part, ECCN, specs) or a party")
    parties = (
        PartyScreening(index=screening, columns=(PARTY_COLUMN,))
        if screening is not None and query.party
        else None
    )
    entries = screening.entries if screening is not None and query.party else ()
    line = _line(query)
    points = [start, *candidate_dates(ruleset, entries, start, end)]
    judged = [(d, *_judge(query, line, ruleset, d, catalog, parties)) for d in points]

    runs: list[tuple[date, Status, list[FindingRef], dict[str, Status]]] = []
    for d, status, deciding, _, present in judged:
        if (
            runs
            and runs[-1][1] == status
            and [r.ref for r in runs[-1][2]] == [r.ref for r in deciding]
        ):
            continue
        runs.append((d, status, deciding, present))
    segments: list[Segment] = []
    changes: list[ChangePoint] = []
    for i, (d, status, deciding, present) in enumerate(runs):
        last = runs[i + 1][0] - timedelta(days=1) if i + 1 < len(runs) else end
        segments.append(
            Segment(
                start=d.isoformat(),
                end=last.isoformat(),
                days=(last - d).days + 1,
                status=status,
                deciding=deciding,
            )
        )
        if i == 0:
            continue
        _, prev_status, prev, _ = runs[i - 1]
        prev_refs = {r.ref for r in prev}
        now_refs = {r.ref for r in deciding}
        entered = [r for r in deciding if r.ref not in prev_refs]
        left = [r for r in prev if r.ref not in now_refs]
        changes.append(
            ChangePoint(
                date=d.isoformat(),
                before=prev_status,
                after=status,
                entered=[r.ref for r in entered],
                left=[r.ref for r in left],
                causes=_causes(entered, left, present),
            )
        )
    final = judged[-1][3]
    item = final.item.model_dump(mode="json", exclude_defaults=True) if final is not None else {}
    return HistoryReport(
        query=query,
        from_=start.isoformat(),
        to=end.isoformat(),
        status=judged[-1][1],
        segments=segments,
        changes=changes,
        item=item,
    )
