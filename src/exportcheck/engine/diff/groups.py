"""Classifications, country groups and destination treatments on either side of a diff."""

from __future__ import annotations

from datetime import date
from typing import Any

from exportcheck.engine.diff.rules import in_window
from exportcheck.engine.diff.words import condition_text, country_label
from exportcheck.engine.inforce import version_in_force
from exportcheck.model.diff import Change, Kind, Mode, Snapshot
from exportcheck.model.rules import CountryGroup, CountryTreatment, RuleSet

# --------------------------------------------------------------------------------------------
# Classifications (duck-typed: versioned like rules, with outcomes instead of a status)
# --------------------------------------------------------------------------------------------


def classification_changes(
    before_rs: RuleSet, after_rs: RuleSet, d_from: date, d_to: date
) -> list[Change]:
    before: dict[str, Any] = getattr(before_rs, "classifications", None) or {}
    after: dict[str, Any] = getattr(after_rs, "classifications", None) or {}
    out: list[Change] = []
    for cid in sorted(set(before) | set(after)):
        cb, ca = before.get(cid), after.get(cid)
        vb: Any = version_in_force(cb, d_from) if cb is not None else None
        va: Any = version_in_force(ca, d_to) if ca is not None else None
        if vb == va:
            continue
        obj: Any = ca if ca is not None else cb

        def snap(v: Any) -> Snapshot:
            outcomes = [f"{o.eccn}: {condition_text(o.when)}" for o in v.outcomes]
            return {
                "version": v.effective.isoformat(),
                "citation": v.citation,
                "summary": v.summary,
                "outcomes": outcomes,
            }

        kind: Kind = (
            "changed"
            if vb is not None and va is not None
            else ("added" if va is not None else "removed")
        )
        details: list[str] = []
        if vb is not None and va is not None:
            old = {o.eccn: condition_text(o.when) for o in vb.outcomes}
            new = {o.eccn: condition_text(o.when) for o in va.outcomes}
            for eccn in sorted(set(old) | set(new)):
                if old.get(eccn) != new.get(eccn):
                    was = old.get(eccn) or "not derived"
                    now = new.get(eccn) or "not derived"
                    details.append(f"{eccn}: {was} → {now}")
        newer: Any = va if va is not None else vb
        out.append(
            Change(
                kind=kind,
                what="classification",
                id=cid,
                title=obj.title,
                before=snap(vb) if vb is not None else None,
                after=snap(va) if va is not None else None,
                fields=["outcomes"] if details else [],
                details=details,
                summary=(
                    f"criteria {vb.effective} → {va.effective}"
                    if kind == "changed"
                    else f"criteria {'in force' if va else 'not in force'} on {d_to}"
                ),
                reason="new-version",
                citation=newer.citation,
                source_url=getattr(newer, "source_url", None),
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# Country groups and treatments
# --------------------------------------------------------------------------------------------


def _member_dates(group: CountryGroup | None, country: str) -> str:
    if group is None:
        return ""
    spans = []
    for m in group.members:
        if m.country != country:
            continue
        if m.from_ and m.until:
            span = f"member {m.from_} to {m.until}"
        elif m.from_:
            span = f"member from {m.from_}"
        elif m.until:
            span = f"member until {m.until}"
        else:
            span = "member"
        if m.citation:
            span += f"; {m.citation}"
        spans.append(span)
    return "; ".join(spans)


def _record(r: tuple[str, date | None, date | None]) -> str:
    span = ", ".join(
        x for x in (f"from {r[1]}" if r[1] else "", f"until {r[2]}" if r[2] else "") if x
    )
    return country_label(r[0]) + (f" ({span})" if span else "")


def _record_edits(
    gb: CountryGroup, ga: CountryGroup, fields: list[str], details: list[str]
) -> None:
    """Rule-set mode: membership records and group fields edited (appended in place)."""
    rb = {(m.country, m.from_, m.until) for m in gb.members}
    ra = {(m.country, m.from_, m.until) for m in ga.members}
    for r in sorted(ra - rb, key=str):
        details.append(f"membership record added: {_record(r)}")
    for r in sorted(rb - ra, key=str):
        details.append(f"membership record removed: {_record(r)}")
    if ra != rb and "members" not in fields:
        fields.append("members")
    for name in ("title", "citation", "source_url", "confidence", "note"):
        if getattr(gb, name) != getattr(ga, name):
            fields.append(name)
            details.append(f"{name}: {getattr(gb, name)} → {getattr(ga, name)}")


def group_changes(
    before_rs: RuleSet, after_rs: RuleSet, d_from: date, d_to: date, mode: Mode
) -> list[Change]:
    out: list[Change] = []
    lo, hi = min(d_from, d_to), max(d_from, d_to)
    for gid in sorted(set(before_rs.groups) | set(after_rs.groups)):
        gb, ga = before_rs.groups.get(gid), after_rs.groups.get(gid)
        mb = gb.members_on(d_from) if gb else frozenset()
        ma = ga.members_on(d_to) if ga else frozenset()
        group = ga or gb
        assert group is not None
        details: list[str] = []
        events: list[str] = []
        for code in sorted(ma - mb):
            note = _member_dates(ga, code)
            details.append(f"joins: {country_label(code)}" + (f" ({note})" if note else ""))
        for code in sorted(mb - ma):
            note = _member_dates(gb if mode == "rule-sets" else ga or gb, code)
            details.append(f"leaves: {country_label(code)}" + (f" ({note})" if note else ""))
        if mode == "dates":
            for m in group.members:
                if in_window(m.from_, lo, hi):
                    events.append(f"{m.from_}: {country_label(m.country)} joined {gid}")
                if in_window(m.until, lo, hi):
                    events.append(f"{m.until}: {country_label(m.country)} left {gid}")
            events.sort()
        fields = ["members"] if details else []
        if mode == "rule-sets" and gb is not None and ga is not None:
            _record_edits(gb, ga, fields, details)
        if gb is None or ga is None:
            kind: Kind = "added" if gb is None else "removed"
            summary = f"country group {'added to' if gb is None else 'removed from'} the rule set"
        elif not details:
            continue
        else:
            kind = "changed"
            joined = len(ma - mb)
            left = len(mb - ma)
            bits = []
            if joined:
                bits.append(f"{joined} joined")
            if left:
                bits.append(f"{left} left")
            summary = "membership: " + ", ".join(bits) if bits else "definition edited"
        out.append(
            Change(
                kind=kind,
                what="country-group",
                id=gid,
                title=group.title,
                before={"members": sorted(mb)} if gb is not None else None,
                after={"members": sorted(ma)} if ga is not None else None,
                fields=fields,
                details=details,
                summary=summary,
                reason="membership" if mode == "dates" else "edited",
                events=events,
                citation=group.citation,
                source_url=group.source_url,
            )
        )
    return out


def _treatment_key(t: CountryTreatment) -> str:
    return f"{t.country}→{t.treated_as}"


def _treatment_snapshot(t: CountryTreatment) -> Snapshot:
    return {
        "country": t.country,
        "treated_as": t.treated_as,
        "from": t.from_.isoformat() if t.from_ else None,
        "until": t.until.isoformat() if t.until else None,
        "citation": t.citation,
    }


def treatment_changes(
    before_rs: RuleSet, after_rs: RuleSet, d_from: date, d_to: date, mode: Mode
) -> list[Change]:
    before = {_treatment_key(t): t for t in before_rs.treatments if t.on(d_from)}
    after = {_treatment_key(t): t for t in after_rs.treatments if t.on(d_to)}
    out: list[Change] = []
    for key in sorted(set(before) | set(after)):
        tb, ta = before.get(key), after.get(key)
        t = ta or tb
        assert t is not None
        title = f"{country_label(t.country)} treated as {country_label(t.treated_as)}"
        if tb is not None and ta is not None:
            if tb == ta:
                continue
            fields = [
                n
                for n in ("from_", "until", "citation", "source_url", "confidence", "note")
                if getattr(tb, n) != getattr(ta, n)
            ]
            details = [f"{n.rstrip('_')}: {getattr(tb, n)} → {getattr(ta, n)}" for n in fields]
            out.append(
                Change(
                    kind="changed",
                    what="treatment",
                    id=key,
                    title=title,
                    before=_treatment_snapshot(tb),
                    after=_treatment_snapshot(ta),
                    fields=[f.rstrip("_") for f in fields],
                    details=details,
                    summary="treatment record edited",
                    reason="edited",
                    citation=ta.citation,
                    source_url=ta.source_url,
                )
            )
            continue
        kind: Kind = "added" if ta is not None else "removed"
        on_side = d_to if ta is not None else d_from
        if mode == "dates":
            bounds = [x for x in (t.from_, t.until) if x is not None]
            dates = ", ".join(d.isoformat() for d in bounds)
            summary = f"in force on {on_side} only" + (f" (dates: {dates})" if dates else "")
            reason = "entered-force" if (ta is not None) == (d_from <= d_to) else "ended"
        else:
            summary = f"treatment {'added to' if ta else 'removed from'} the rule set"
            reason = "added-to-rule-set" if ta else "removed-from-rule-set"
        out.append(
            Change(
                kind=kind,
                what="treatment",
                id=key,
                title=title,
                before=_treatment_snapshot(tb) if tb else None,
                after=_treatment_snapshot(ta) if ta else None,
                summary=summary,
                reason=reason,
                citation=t.citation,
                source_url=t.source_url,
            )
        )
    return out
