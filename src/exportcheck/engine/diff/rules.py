"""Rules in force on either side of a diff, their dated events, and (rule-set mode) every
edited version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from exportcheck.engine.diff.versions import compare_versions, shown_value, version_snapshot
from exportcheck.engine.inforce import version_in_force
from exportcheck.model.diff import Change, Kind, Mode
from exportcheck.model.rules import Rule, RuleVersion


def in_window(d: date | None, lo: date, hi: date) -> bool:
    return d is not None and lo < d <= hi


def rule_events(rule: Rule, lo: date, hi: date) -> list[tuple[date, str, RuleVersion]]:
    """Dated events of ``rule`` inside (lo, hi], in calendar order."""
    out: list[tuple[date, str, RuleVersion]] = []
    previous: RuleVersion | None = None
    for v in rule.versions:
        if in_window(v.effective, lo, hi):
            if v.rescinded:
                what = "rescinded"
            elif (
                previous is None
                or previous.rescinded
                or (previous.until is not None and previous.until <= v.effective)
            ):
                what = "entered force"
            else:
                what = f"new version (was {previous.label})"
            out.append((v.effective, what, v))
        if v.until is not None and in_window(v.until, lo, hi):
            out.append((v.until, f"version {v.label} ended", v))
        cf = v.compliance_from
        if cf is not None and in_window(cf, lo, hi) and version_in_force(rule, cf) is v:
            out.append((cf, f"compliance required (version {v.label})", v))
        previous = v
    out.sort(key=lambda e: e[0])
    return out


def _event_text(event: tuple[date, str, RuleVersion]) -> str:
    d, what, v = event
    return f"{d.isoformat()}: {what} — {v.citation}"


def _pending(version: RuleVersion, on: date) -> bool:
    return version.compliance_from is not None and on < version.compliance_from


@dataclass(frozen=True)
class _Sides:
    """One rule on both sides of a diff: the versions in force, its events, its edited text."""

    rule_before: Rule | None
    rule_after: Rule | None
    d_from: date
    d_to: date
    mode: Mode
    vb: RuleVersion | None
    va: RuleVersion | None
    events: list[tuple[date, str, RuleVersion]]
    meta_fields: list[str]
    meta_details: list[str]

    @property
    def rule(self) -> Rule:
        rule = self.rule_after or self.rule_before
        assert rule is not None
        return rule

    @property
    def lo(self) -> date:
        return min(self.d_from, self.d_to)

    @property
    def hi(self) -> date:
        return max(self.d_from, self.d_to)

    @property
    def forward(self) -> bool:
        return self.d_from <= self.d_to

    def make(
        self,
        kind: Kind,
        summary: str,
        reason: str | None,
        cite: RuleVersion | None,
        fields: list[str] | None = None,
        details: list[str] | None = None,
    ) -> Change:
        fields = fields or []
        return Change(
            kind=kind,
            what="rule",
            id=self.rule.id,
            title=self.rule.title,
            before=version_snapshot(self.vb) if self.vb is not None else None,
            after=version_snapshot(self.va) if self.va is not None else None,
            fields=[*fields, *(f for f in self.meta_fields if f not in fields)],
            details=[*(details or []), *self.meta_details],
            summary=summary,
            reason=reason,
            events=[_event_text(e) for e in self.events],
            citation=cite.citation if cite is not None else None,
            source_url=cite.source_url if cite is not None else None,
        )


def _sides(
    rule_before: Rule | None, rule_after: Rule | None, d_from: date, d_to: date, mode: Mode
) -> _Sides:
    rule = rule_after or rule_before
    assert rule is not None
    meta_fields: list[str] = []
    meta_details: list[str] = []
    if rule_before is not None and rule_after is not None:
        for name in ("title", "description", "tags"):
            old, new = getattr(rule_before, name), getattr(rule_after, name)
            if old != new:
                meta_fields.append(name)
                meta_details.append(f"rule {name}: {shown_value(old)} → {shown_value(new)}")
    lo, hi = min(d_from, d_to), max(d_from, d_to)
    return _Sides(
        rule_before=rule_before,
        rule_after=rule_after,
        d_from=d_from,
        d_to=d_to,
        mode=mode,
        vb=version_in_force(rule_before, d_from) if rule_before is not None else None,
        va=version_in_force(rule_after, d_to) if rule_after is not None else None,
        events=rule_events(rule, lo, hi) if mode == "dates" else [],
        meta_fields=meta_fields,
        meta_details=meta_details,
    )


def rule_change(
    rule_before: Rule | None,
    rule_after: Rule | None,
    d_from: date,
    d_to: date,
    mode: Mode,
) -> Change | None:
    s = _sides(rule_before, rule_after, d_from, d_to, mode)
    if s.vb is None and s.va is None:
        if mode == "rule-sets" and s.meta_details and rule_before and rule_after:
            return s.make("changed", "rule text edited (not in force on the date)", "edited", None)
        return None
    if s.vb is not None and s.va is not None:
        return _in_force_on_both(s, s.vb, s.va)
    if s.va is not None:
        return _in_force_on_to_only(s, s.va)
    assert s.vb is not None
    return _in_force_on_from_only(s, s.vb)


def _in_force_on_both(s: _Sides, vb: RuleVersion, va: RuleVersion) -> Change | None:
    if vb == va:
        cf = vb.compliance_from
        if s.mode == "dates" and _pending(vb, s.lo) and not _pending(vb, s.hi):
            assert cf is not None
            pending_side = "from" if s.forward else "to"
            details = [
                f"compliance required from {cf.isoformat()} (on `{pending_side}` the rule "
                "was in force but findings were informational)"
            ]
            return s.make(
                "changed",
                f"compliance required from {cf.isoformat()}",
                "compliance-required",
                vb,
                ["compliance"],
                details,
            )
        if s.meta_details:
            return s.make("changed", "rule text edited", "edited", va)
        return None
    fields, details = compare_versions(vb, va)
    details = [d for d in details if not d.startswith("version ")]
    newer = va if (s.mode == "rule-sets" or va.effective >= vb.effective) else vb
    what = ", ".join(
        f.replace("_", " ") for f in fields if f not in ("version", "citation", "source_url")
    )
    if s.mode == "rule-sets" and vb.label == va.label:
        summary = f"version {va.label} in force on the date was edited"
        reason = "edited"
    else:
        summary = f"version {vb.label} → {va.label}"
        reason = "new-version" if s.mode == "dates" else "edited"
    if what:
        summary += f": {what} changed"
    return s.make("changed", summary, reason, newer, fields, details)


def _in_force_on_to_only(s: _Sides, va: RuleVersion) -> Change:
    if s.rule_before is None:
        return s.make(
            "added",
            f"rule added to the rule set; in force from {va.label}",
            "added-to-rule-set",
            va,
        )
    if s.mode == "rule-sets":
        return s.make(
            "added",
            f"in force on {s.d_to} under the edited rules (version {va.label})",
            "edited",
            va,
        )
    if s.forward:
        entered = next((e for e in s.events if e[1] == "entered force"), None)
        when = entered[0].isoformat() if entered else va.label
        summary = f"entered force on {when}"
        if entered is not None and entered[2] is not va:
            summary += f" (version {va.label} in force on {s.d_to})"
        return s.make("added", summary, "entered-force", va)
    text, reason, cite = _ending(s.rule, va, s.lo, s.hi)
    return s.make("added", f"in force on {s.d_to}; {text}", reason, cite)


def _in_force_on_from_only(s: _Sides, vb: RuleVersion) -> Change:
    if s.rule_after is None:
        return s.make("removed", "rule removed from the rule set", "removed-from-rule-set", None)
    if s.mode == "rule-sets":
        return s.make("removed", f"not in force on {s.d_to} under the edited rules", "edited", None)
    if s.forward:
        text, reason, cite = _ending(s.rule, vb, s.lo, s.hi)
        return s.make("removed", text, reason, cite)
    first = next((e for e in s.events if e[1] == "entered force"), None)
    when = first[0].isoformat() if first else vb.label
    return s.make(
        "removed", f"not yet in force on {s.d_to}: entered force on {when}", "entered-force", vb
    )


def _ending(rule: Rule, version: RuleVersion, lo: date, hi: date) -> tuple[str, str, RuleVersion]:
    """Why ``version`` (in force on ``lo``) is not in force on ``hi``: (words, reason, cite)."""
    for v in rule.versions:
        if v.rescinded and in_window(v.effective, lo, hi):
            words = f"rescinded on {v.label}"
            if v.summary:
                words += f": {v.summary.strip()}"
            return words, "rescinded", v
    if version.until is not None and in_window(version.until, lo, hi):
        return f"ended on {version.until.isoformat()} (version {version.label})", "ended", version
    return "no longer in force", "ended", version


def version_edits(rule_before: Rule | None, rule_after: Rule | None) -> list[Change]:
    """Rule-set mode: every version added, removed or edited, in force or not."""
    before = {v.label: v for v in rule_before.versions} if rule_before else {}
    after = {v.label: v for v in rule_after.versions} if rule_after else {}
    rule = rule_after or rule_before
    assert rule is not None
    out: list[Change] = []
    for label in sorted(set(before) | set(after)):
        vb, va = before.get(label), after.get(label)
        base = {"what": "rule-version", "id": f"{rule.id}@{label}", "title": rule.title}
        if vb is None and va is not None:
            out.append(
                Change(
                    kind="added",
                    before=None,
                    after=version_snapshot(va),
                    summary=f"version effective {label} added"
                    + (" (rescinds the rule)" if va.rescinded else ""),
                    reason="added-to-rule-set",
                    citation=va.citation,
                    source_url=va.source_url,
                    **base,
                )
            )
        elif va is None and vb is not None:
            out.append(
                Change(
                    kind="removed",
                    before=version_snapshot(vb),
                    after=None,
                    summary=f"version effective {label} removed",
                    reason="removed-from-rule-set",
                    citation=vb.citation,
                    source_url=vb.source_url,
                    **base,
                )
            )
        elif vb is not None and va is not None and vb != va:
            fields, details = compare_versions(vb, va)
            out.append(
                Change(
                    kind="changed",
                    before=version_snapshot(vb),
                    after=version_snapshot(va),
                    fields=fields,
                    details=details,
                    summary=f"version effective {label} edited",
                    reason="edited",
                    citation=va.citation,
                    source_url=va.source_url,
                    **base,
                )
            )
    return out
