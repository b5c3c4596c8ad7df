"""What changed between two dates (or two rule-set versions), and which manifest lines flip.

Pure: no I/O, no printing, no exit. ``from`` and ``to`` are read in that order: ``before`` is
the state on ``from`` and ``after`` the state on ``to``, so ``--from 2025-08-01 --to
2025-06-15`` (a reversed window) lists the EDA rule as *added*. The ``reason`` of a change is
always what happened in calendar order inside the window (``entered-force``, ``ended``,
``rescinded``, ``listed``, ``delisted``, ...), whichever way the window is read.

Two modes:

* **dates** — one rule set, judged on ``from`` and on ``to``;
* **rule-sets** — ``before`` rule set on ``from`` against the ``after`` rule set on ``to``
  (usually the same date), for reviewing an edit of the rule files. This mode also lists every
  version whose content was edited (``what: rule-version``) and every edited country group or
  treatment record, whether or not it is in force on the date.

With a manifest, :func:`manifest_impact` judges every line on both sides with the same engine
as ``check`` (:func:`exportcheck.engine.evaluate.judge_lines`) and keeps the lines whose status
differs, with the ids of the rules and list entries whose findings differ as ``because``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from exportcheck.engine.evaluate import judge_lines
from exportcheck.engine.inforce import version_in_force
from exportcheck.engine.parties import PartyScreening
from exportcheck.model.countries import country_name
from exportcheck.model.manifest import Catalog, ManifestLine
from exportcheck.model.parties import ListEntry
from exportcheck.model.report import LineResult
from exportcheck.model.rules import (
    Condition,
    CountryGroup,
    CountryTreatment,
    DestinationCondition,
    ParamTest,
    PartyCondition,
    Rule,
    RuleSet,
    RuleVersion,
)
from exportcheck.model.status import Status

Kind = Literal["added", "removed", "changed"]
What = Literal["rule", "rule-version", "classification", "country-group", "treatment", "list-entry"]
Mode = Literal["dates", "rule-sets"]
SnapValue = str | bool | list[str] | None
Snapshot = dict[str, SnapValue]

_WHAT_ORDER: dict[str, int] = {
    "rule": 0,
    "rule-version": 1,
    "classification": 2,
    "country-group": 3,
    "treatment": 4,
    "list-entry": 5,
}
_KIND_ORDER: dict[str, int] = {"removed": 0, "changed": 1, "added": 2}


class Change(BaseModel):
    """One thing that differs between ``from`` and ``to`` (contract: JSON output of ``diff``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Kind
    what: What = Field(
        description="rule | rule-version | classification | country-group | treatment | list-entry"
    )
    id: str
    title: str
    before: Snapshot | None = Field(description="the state on `from` (null: absent)")
    after: Snapshot | None = Field(description="the state on `to` (null: absent)")
    fields: list[str] = Field(default_factory=list, description="names of the fields that differ")
    details: list[str] = Field(
        default_factory=list, description="what changed, in plain words, before → after"
    )
    summary: str = Field(description="one line: what happened")
    reason: str | None = Field(
        default=None,
        description="what happened in the window, in calendar order: entered-force | ended | "
        "rescinded | new-version | compliance-required | listed | delisted | membership | "
        "added-to-rule-set | removed-from-rule-set | edited",
    )
    events: list[str] = Field(default_factory=list, description="dated events inside the window")
    citation: str | None = Field(default=None, description="citation of the newer version")
    source_url: str | None = None


class Impact(BaseModel):
    """A manifest line whose status differs between ``from`` and ``to``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    line_id: str
    before: Status
    after: Status
    because: list[str] = Field(description="ids of the rules / list entries whose findings differ")
    details: list[str] = Field(default_factory=list, description="each cause, before → after")
    part_number: str | None = None
    destination: str | None = None
    before_date: str
    after_date: str


class DiffReport(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    mode: Mode = "dates"
    changes: list[Change] = Field(default_factory=list)
    impact: list[Impact] | None = Field(default=None, description="only with a manifest")
    notes: list[str] = Field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON object (``impact`` only when a manifest was given)."""
        data = self.model_dump(mode="json", by_alias=True)
        if data["impact"] is None:
            del data["impact"]
        return data


# --------------------------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------------------------


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def param_text(test: ParamTest) -> str:
    if test.value is None:  # a presence test: missing / given
        return f"{test.param} {test.op}"
    return f"{test.param} {test.op} {_num(test.value)}"


def _country(code: str) -> str:
    name = country_name(code)
    return code if name == code else f"{code} ({name})"


def _destination_text(d: DestinationCondition) -> str:
    scope: list[str] = []
    if d.anywhere:
        scope.append("any destination")
    scope.extend(d.countries)
    scope.extend(f"Country Group {g}" for g in d.groups)
    text = "destination " + ", ".join(scope)
    excluded = [*d.except_countries, *(f"Country Group {g}" for g in d.except_groups)]
    if excluded:
        text += " except " + ", ".join(excluded)
    return text


def party_text(p: PartyCondition) -> str:
    """A party test in words: ``a party headquartered in MO or Country Group D:5 (or with an
    ultimate parent there)``."""
    tests: list[str] = []
    if p.headquarters is not None:
        hq = p.headquarters
        scope = [*hq.countries, *(f"Country Group {g}" for g in hq.groups)]
        text = "headquartered in " + " or ".join(scope)
        if hq.ultimate_parent:
            text += " (or with an ultimate parent there)"
        tests.append(text)
    if p.owned_by is not None:
        o = p.owned_by
        tests.append(f"owned {_num(o.at_least)} % or more by parties on {', '.join(o.lists)}")
    who = " or ".join(p.roles) if p.roles else "a party"
    return f"{who} " + " and ".join(tests)


def condition_text(cond: Condition | None) -> str:
    """A condition in words: ``ECCN 3A090 or 4A090 and destination CN, MO``."""
    if cond is None:
        return ""
    parts: list[str] = []
    if cond.eccn is not None:
        parts.append("ECCN " + " or ".join(cond.eccn))
    for name, label in (
        ("part_number", "part"),
        ("vendor", "vendor"),
        ("category", "category"),
        ("end_use", "end use"),
    ):
        values = getattr(cond, name)
        if values is not None:
            parts.append(f"{label} " + " or ".join(values))
    if cond.params is not None:
        parts.extend(param_text(t) for t in cond.params)
    if cond.destination is not None:
        parts.append(_destination_text(cond.destination))
    if cond.party is not None:
        parts.append(party_text(cond.party))
    if cond.all is not None:
        parts.append("all of (" + "; ".join(condition_text(c) for c in cond.all) + ")")
    if cond.any is not None:
        parts.append("any of (" + "; ".join(condition_text(c) for c in cond.any) + ")")
    if cond.not_ is not None:
        parts.append("not (" + condition_text(cond.not_) + ")")
    return " and ".join(parts)


# --------------------------------------------------------------------------------------------
# Comparing two rule versions
# --------------------------------------------------------------------------------------------

_TEXT_KEYS: tuple[tuple[str, str], ...] = (
    ("eccn", "ECCN patterns"),
    ("part_number", "part numbers"),
    ("vendor", "vendors"),
    ("category", "categories"),
    ("end_use", "end uses"),
)
_DEST_KEYS: tuple[tuple[str, str], ...] = (
    ("countries", "destinations"),
    ("groups", "country groups"),
    ("except_countries", "excluded destinations"),
    ("except_groups", "excluded country groups"),
)


class _Atoms:
    """The tests of a condition tree, flattened with their polarity (inside a ``not`` or not).

    Comparing atoms rather than trees gives plain words ("destinations added: HK") even when
    the tree was restructured around them."""

    def __init__(self, cond: Condition | None) -> None:
        self.values: dict[tuple[str, bool], set[str]] = {}
        self.params: dict[tuple[str, bool], list[ParamTest]] = {}
        self.anywhere: set[bool] = set()
        if cond is not None:
            self._walk(cond, False)

    def _add(self, key: str, negated: bool, values: Iterable[str]) -> None:
        self.values.setdefault((key, negated), set()).update(values)

    def _walk(self, cond: Condition, negated: bool) -> None:
        for key, _ in _TEXT_KEYS:
            values = getattr(cond, key)
            if values is not None:
                self._add(key, negated, values)
        for test in cond.params or []:
            self.params.setdefault((test.param, negated), []).append(test)
        dest = cond.destination
        if dest is not None:
            for key, _ in _DEST_KEYS:
                self._add(f"destination.{key}", negated, getattr(dest, key))
            if dest.anywhere:
                self.anywhere.add(negated)
        for sub in [*(cond.all or []), *(cond.any or [])]:
            self._walk(sub, negated)
        if cond.not_ is not None:
            self._walk(cond.not_, not negated)


def _label_codes(key: str, values: Iterable[str]) -> str:
    ordered = sorted(values)
    if key in ("destination.countries", "destination.except_countries"):
        return ", ".join(_country(v) for v in ordered)
    return ", ".join(ordered)


def _condition_details(old: Condition | None, new: Condition | None) -> list[tuple[str, str]]:
    """(field, plain words) for every test that differs between two conditions."""
    a, b = _Atoms(old), _Atoms(new)
    out: list[tuple[str, str]] = []
    labels = {**dict(_TEXT_KEYS), **{f"destination.{k}": v for k, v in _DEST_KEYS}}
    order = [
        "destination.countries",
        "destination.groups",
        "destination.except_countries",
        "destination.except_groups",
        *(k for k, _ in _TEXT_KEYS),
    ]
    for key in order:
        for negated in (False, True):
            before = a.values.get((key, negated), set())
            after = b.values.get((key, negated), set())
            label = labels[key] if not negated else f"{labels[key]} under 'not'"
            if after - before:
                out.append((key, f"{label} added: {_label_codes(key, after - before)}"))
            if before - after:
                out.append((key, f"{label} removed: {_label_codes(key, before - after)}"))
    for negated in (False, True):
        was, now = negated in a.anywhere, negated in b.anywhere
        if was != now:
            where = "any destination" if not negated else "'not any destination'"
            out.append(
                (
                    "destination.anywhere",
                    f"now applies to {where}" if now else f"no longer applies to {where}",
                )
            )
    for param, negated in sorted(set(a.params) | set(b.params)):
        olds = a.params.get((param, negated), [])
        news = b.params.get((param, negated), [])
        field = f"params.{param}"
        prefix = "" if not negated else "under 'not': "
        if [param_text(t) for t in olds] == [param_text(t) for t in news]:
            continue
        if len(olds) == 1 and len(news) == 1:
            out.append((field, f"{prefix}{param_text(olds[0])} → {param_text(news[0])}"))
            continue
        old_texts = [param_text(t) for t in olds]
        new_texts = [param_text(t) for t in news]
        for t in old_texts:
            if t not in new_texts:
                out.append((field, f"{prefix}parameter test removed: {t}"))
        for t in new_texts:
            if t not in old_texts:
                out.append((field, f"{prefix}parameter test added: {t}"))
    if not out and condition_text(old) != condition_text(new):
        out.append(("when", f"condition: {condition_text(old)} → {condition_text(new)}"))
    return out


def _opt(value: object, none: str) -> str:
    return none if value is None else str(value)


def _shown(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    return _opt(value, "none")


def compare_versions(old: RuleVersion, new: RuleVersion) -> tuple[list[str], list[str]]:
    """The fields that differ between two versions of a rule, and each change in plain words
    (``old`` → ``new``)."""
    found: list[tuple[str, str]] = []
    if old.label != new.label:
        found.append(("version", f"version {old.label} → {new.label}"))
    if old.rescinded != new.rescinded:
        found.append(("rescinded", f"rescinded: {old.rescinded} → {new.rescinded}"))
    if old.status != new.status:
        found.append(
            (
                "status",
                f"outcome: {_opt(old.status and old.status.value, 'none')} → "
                f"{_opt(new.status and new.status.value, 'none')}",
            )
        )
    found.extend(_condition_details(old.when, new.when))
    if old.review_policy != new.review_policy:
        found.append(
            (
                "review_policy",
                f"review policy: {_opt(old.review_policy, 'not stated')} → "
                f"{_opt(new.review_policy, 'not stated')}",
            )
        )
    if old.compliance_from != new.compliance_from:
        found.append(
            (
                "compliance_from",
                f"compliance required from: "
                f"{_opt(old.compliance_from, 'entry into force')} → "
                f"{_opt(new.compliance_from, 'entry into force')}",
            )
        )
    if old.until != new.until:
        found.append(("until", f"end date: {_opt(old.until, 'none')} → {_opt(new.until, 'none')}"))
    if old.citation != new.citation:
        found.append(("citation", f"citation: {old.citation} → {new.citation}"))
    if old.source_url != new.source_url:
        found.append(
            (
                "source_url",
                f"source: {_opt(old.source_url, 'none')} → {_opt(new.source_url, 'none')}",
            )
        )
    if old.confidence != new.confidence:
        found.append(("confidence", f"confidence: {old.confidence.value} → {new.confidence.value}"))
    if old.summary != new.summary and old.label == new.label:
        found.append(("summary", "summary text edited"))
    fields: list[str] = []
    for name, _ in found:
        if name not in fields:
            fields.append(name)
    return fields, [words for _, words in found]


def version_snapshot(version: RuleVersion) -> Snapshot:
    return {
        "version": version.label,
        "effective": version.effective.isoformat(),
        "until": version.until.isoformat() if version.until else None,
        "compliance_from": (
            version.compliance_from.isoformat() if version.compliance_from else None
        ),
        "rescinded": version.rescinded,
        "status": version.status.value if version.status else None,
        "review_policy": version.review_policy,
        "when": condition_text(version.when) or None,
        "summary": version.summary,
        "citation": version.citation,
        "source_url": version.source_url,
        "confidence": version.confidence.value,
    }


# --------------------------------------------------------------------------------------------
# Rules in force
# --------------------------------------------------------------------------------------------


def _in_window(d: date | None, lo: date, hi: date) -> bool:
    return d is not None and lo < d <= hi


def rule_events(rule: Rule, lo: date, hi: date) -> list[tuple[date, str, RuleVersion]]:
    """Dated events of ``rule`` inside (lo, hi], in calendar order."""
    out: list[tuple[date, str, RuleVersion]] = []
    previous: RuleVersion | None = None
    for v in rule.versions:
        if _in_window(v.effective, lo, hi):
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
        if v.until is not None and _in_window(v.until, lo, hi):
            out.append((v.until, f"version {v.label} ended", v))
        cf = v.compliance_from
        if cf is not None and _in_window(cf, lo, hi) and version_in_force(rule, cf) is v:
            out.append((cf, f"compliance required (version {v.label})", v))
        previous = v
    out.sort(key=lambda e: e[0])
    return out


def _event_text(event: tuple[date, str, RuleVersion]) -> str:
    d, what, v = event
    return f"{d.isoformat()}: {what} — {v.citation}"


def _pending(version: RuleVersion, on: date) -> bool:
    return version.compliance_from is not None and on < version.compliance_from


def _rule_change(
    rule_before: Rule | None,
    rule_after: Rule | None,
    d_from: date,
    d_to: date,
    mode: Mode,
) -> Change | None:
    lo, hi = min(d_from, d_to), max(d_from, d_to)
    forward = d_from <= d_to
    vb = version_in_force(rule_before, d_from) if rule_before is not None else None
    va = version_in_force(rule_after, d_to) if rule_after is not None else None
    rule = rule_after or rule_before
    assert rule is not None
    events = rule_events(rule, lo, hi) if mode == "dates" else []
    event_texts = [_event_text(e) for e in events]
    meta_fields: list[str] = []
    meta_details: list[str] = []
    if rule_before is not None and rule_after is not None:
        for name in ("title", "description", "tags"):
            old, new = getattr(rule_before, name), getattr(rule_after, name)
            if old != new:
                meta_fields.append(name)
                meta_details.append(f"rule {name}: {_shown(old)} → {_shown(new)}")

    def make(
        kind: Kind,
        summary: str,
        reason: str | None,
        fields: list[str],
        details: list[str],
        cite: RuleVersion | None,
    ) -> Change:
        return Change(
            kind=kind,
            what="rule",
            id=rule.id,
            title=rule.title,
            before=version_snapshot(vb) if vb is not None else None,
            after=version_snapshot(va) if va is not None else None,
            fields=[*fields, *(f for f in meta_fields if f not in fields)],
            details=[*details, *meta_details],
            summary=summary,
            reason=reason,
            events=event_texts,
            citation=cite.citation if cite is not None else None,
            source_url=cite.source_url if cite is not None else None,
        )

    if vb is None and va is None:
        if mode == "rule-sets" and meta_details and rule_before and rule_after:
            return make(
                "changed", "rule text edited (not in force on the date)", "edited", [], [], None
            )
        return None
    if vb is not None and va is not None:
        if vb == va:
            cf = vb.compliance_from
            if mode == "dates" and _pending(vb, lo) and not _pending(vb, hi):
                assert cf is not None
                pending_side = "from" if forward else "to"
                details = [
                    f"compliance required from {cf.isoformat()} (on `{pending_side}` the rule "
                    "was in force but findings were informational)"
                ]
                return make(
                    "changed",
                    f"compliance required from {cf.isoformat()}",
                    "compliance-required",
                    ["compliance"],
                    details,
                    vb,
                )
            if meta_details:
                return make("changed", "rule text edited", "edited", [], [], va)
            return None
        fields, details = compare_versions(vb, va)
        details = [d for d in details if not d.startswith("version ")]
        newer = va if (mode == "rule-sets" or va.effective >= vb.effective) else vb
        what = ", ".join(
            f.replace("_", " ") for f in fields if f not in ("version", "citation", "source_url")
        )
        if mode == "rule-sets" and vb.label == va.label:
            summary = f"version {va.label} in force on the date was edited"
            reason = "edited"
        else:
            summary = f"version {vb.label} → {va.label}"
            reason = "new-version" if mode == "dates" else "edited"
        if what:
            summary += f": {what} changed"
        return make("changed", summary, reason, fields, details, newer)
    if va is not None:  # in force on `to` only
        if rule_before is None:
            return make(
                "added",
                f"rule added to the rule set; in force from {va.label}",
                "added-to-rule-set",
                [],
                [],
                va,
            )
        if mode == "rule-sets":
            return make(
                "added",
                f"in force on {d_to} under the edited rules (version {va.label})",
                "edited",
                [],
                [],
                va,
            )
        if forward:
            entered = next((e for e in events if e[1] == "entered force"), None)
            when = entered[0].isoformat() if entered else va.label
            summary = f"entered force on {when}"
            if entered is not None and entered[2] is not va:
                summary += f" (version {va.label} in force on {d_to})"
            return make("added", summary, "entered-force", [], [], va)
        ended = _ending(rule, va, lo, hi)
        return make("added", f"in force on {d_to}; {ended[0]}", ended[1], [], [], ended[2])
    assert vb is not None  # in force on `from` only
    if rule_after is None:
        return make(
            "removed", "rule removed from the rule set", "removed-from-rule-set", [], [], None
        )
    if mode == "rule-sets":
        return make(
            "removed", f"not in force on {d_to} under the edited rules", "edited", [], [], None
        )
    if forward:
        text, reason, cite = _ending(rule, vb, lo, hi)
        return make("removed", text, reason, [], [], cite)
    first = next((e for e in events if e[1] == "entered force"), None)
    when = first[0].isoformat() if first else vb.label
    return make(
        "removed",
        f"not yet in force on {d_to}: entered force on {when}",
        "entered-force",
        [],
        [],
        vb,
    )


def _ending(rule: Rule, version: RuleVersion, lo: date, hi: date) -> tuple[str, str, RuleVersion]:
    """Why ``version`` (in force on ``lo``) is not in force on ``hi``: (words, reason, cite)."""
    for v in rule.versions:
        if v.rescinded and _in_window(v.effective, lo, hi):
            words = f"rescinded on {v.label}"
            if v.summary:
                words += f": {v.summary.strip()}"
            return words, "rescinded", v
    if version.until is not None and _in_window(version.until, lo, hi):
        return f"ended on {version.until.isoformat()} (version {version.label})", "ended", version
    return "no longer in force", "ended", version


def _version_edits(rule_before: Rule | None, rule_after: Rule | None) -> list[Change]:
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


# --------------------------------------------------------------------------------------------
# Classifications (duck-typed: versioned like rules, with outcomes instead of a status)
# --------------------------------------------------------------------------------------------


def _classification_changes(
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


def _group_changes(
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
            details.append(f"joins: {_country(code)}" + (f" ({note})" if note else ""))
        for code in sorted(mb - ma):
            note = _member_dates(gb if mode == "rule-sets" else ga or gb, code)
            details.append(f"leaves: {_country(code)}" + (f" ({note})" if note else ""))
        if mode == "dates":
            for m in group.members:
                if _in_window(m.from_, lo, hi):
                    events.append(f"{m.from_}: {_country(m.country)} joined {gid}")
                if _in_window(m.until, lo, hi):
                    events.append(f"{m.until}: {_country(m.country)} left {gid}")
            events.sort()
        fields = ["members"] if details else []
        if mode == "rule-sets" and gb is not None and ga is not None:
            rb = {(m.country, m.from_, m.until) for m in gb.members}
            ra = {(m.country, m.from_, m.until) for m in ga.members}

            def rec(r: tuple[str, date | None, date | None]) -> str:
                span = ", ".join(
                    x
                    for x in (f"from {r[1]}" if r[1] else "", f"until {r[2]}" if r[2] else "")
                    if x
                )
                return _country(r[0]) + (f" ({span})" if span else "")

            for r in sorted(ra - rb, key=str):
                details.append(f"membership record added: {rec(r)}")
            for r in sorted(rb - ra, key=str):
                details.append(f"membership record removed: {rec(r)}")
            if ra != rb and "members" not in fields:
                fields.append("members")
            for name in ("title", "citation", "source_url", "confidence", "note"):
                if getattr(gb, name) != getattr(ga, name):
                    fields.append(name)
                    details.append(f"{name}: {getattr(gb, name)} → {getattr(ga, name)}")
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


def _treatment_changes(
    before_rs: RuleSet, after_rs: RuleSet, d_from: date, d_to: date, mode: Mode
) -> list[Change]:
    before = {_treatment_key(t): t for t in before_rs.treatments if t.on(d_from)}
    after = {_treatment_key(t): t for t in after_rs.treatments if t.on(d_to)}
    out: list[Change] = []
    for key in sorted(set(before) | set(after)):
        tb, ta = before.get(key), after.get(key)
        t = ta or tb
        assert t is not None
        title = f"{_country(t.country)} treated as {_country(t.treated_as)}"
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


# --------------------------------------------------------------------------------------------
# List entries
# --------------------------------------------------------------------------------------------


def entry_id(entry: ListEntry) -> str:
    """The id a list entry has in findings and diffs: ``party:EL:EL-smic``."""
    return f"party:{entry.list_code}:{entry.entry_id}"


def entry_snapshot(entry: ListEntry) -> Snapshot:
    return {
        "name": entry.name,
        "list": entry.source,
        "list_code": entry.list_code,
        "entry_id": entry.entry_id,
        "country": entry.country,
        "start_date": entry.start_date.isoformat() if entry.start_date else None,
        "end_date": entry.end_date.isoformat() if entry.end_date else None,
        "status": entry.hit_status.value,
        "license_policy": entry.license_policy,
        "citation": entry.citation,
    }


def list_changes(entries: Iterable[ListEntry], d_from: date, d_to: date) -> list[Change]:
    """Entries listed on one date and not the other (by their start and end dates)."""
    lo, hi = min(d_from, d_to), max(d_from, d_to)
    out: list[Change] = []
    seen: set[str] = set()
    for e in entries:
        on_from, on_to = e.in_force(d_from), e.in_force(d_to)
        if on_from == on_to:
            continue
        key = entry_id(e)
        if key in seen:
            continue
        seen.add(key)
        events: list[str] = []
        if _in_window(e.start_date, lo, hi):
            events.append(f"{e.start_date}: listed")
        if _in_window(e.end_date, lo, hi):
            events.append(f"{e.end_date}: delisted")
        listed_later = e.in_force(hi)
        reason = "listed" if listed_later else "delisted"
        when = e.start_date if listed_later else e.end_date
        snap = entry_snapshot(e)
        out.append(
            Change(
                kind="added" if on_to else "removed",
                what="list-entry",
                id=key,
                title=f"{e.name} ({e.list_code})",
                before=snap if on_from else None,
                after=snap if on_to else None,
                summary=f"{reason} on {when}: {e.hit_status.value}"
                + (f" ({e.license_policy.rstrip('.')})" if e.license_policy else ""),
                reason=reason,
                events=events,
                citation=e.citation,
                source_url=e.source_url,
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# The whole diff
# --------------------------------------------------------------------------------------------


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
        c = _rule_change(rb, ra, d_from, d_to, mode)
        if c is not None:
            changes.append(c)
        if mode == "rule-sets":
            changes.extend(_version_edits(rb, ra))
    changes.extend(_classification_changes(before, after, d_from, d_to))
    changes.extend(_group_changes(before, after, d_from, d_to, mode))
    changes.extend(_treatment_changes(before, after, d_from, d_to, mode))
    changes.extend(list_changes(entries, d_from, d_to))
    changes.sort(key=change_sort_key)
    return changes


# --------------------------------------------------------------------------------------------
# Impact on a manifest
# --------------------------------------------------------------------------------------------


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
