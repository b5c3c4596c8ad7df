"""Comparing two versions of a rule: the fields that differ, in plain words; snapshots."""

from __future__ import annotations

from collections.abc import Iterable

from exportcheck.engine.diff.words import condition_text, country_label, param_text
from exportcheck.model.diff import Snapshot
from exportcheck.model.fields import BY_NAME, PATTERN_FIELDS
from exportcheck.model.rules import Condition, ParamTest, RuleVersion

# The tests by value, in a condition's order (the ECCN, then the text patterns).
_TEXT_KEYS: tuple[tuple[str, str], ...] = tuple(
    (name, BY_NAME[name].plural) for name in ("eccn", *PATTERN_FIELDS)
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
        return ", ".join(country_label(v) for v in ordered)
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


def shown_value(value: object) -> str:
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
