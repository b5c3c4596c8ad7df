"""What was in force on a date: rule versions, country-group membership, treatments."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Protocol, TypeVar

from exportcheck.model.rules import (
    Classification,
    ClassificationVersion,
    CountryTreatment,
    DatedVersion,
    Rule,
    RuleSet,
    RuleVersion,
)

V = TypeVar("V", bound=DatedVersion, covariant=True)
T = TypeVar("T")


class Versioned(Protocol[V]):
    @property
    def versions(self) -> Sequence[V]: ...  # pragma: no cover - protocol


def version_in_force(rule: Versioned[V], on: date) -> V | None:
    """The version of ``rule`` (a rule or a classification) in force on ``on``, or None.

    That is the latest version with ``effective <= on``, unless it ended (``until <= on``) or
    is a rescinding version. Versions are validated to be in date order without overlap.
    """
    current: V | None = None
    for version in rule.versions:
        if version.effective > on:
            break
        current = version
    if current is None or current.rescinded:
        return None
    if current.until is not None and current.until <= on:
        return None
    return current


def rules_in_force(ruleset: RuleSet, on: date) -> list[tuple[Rule, RuleVersion]]:
    """Every rule with a version in force on ``on``, sorted by rule id."""
    out = []
    for rule in ruleset.rules.values():
        version = version_in_force(rule, on)
        if version is not None:
            out.append((rule, version))
    out.sort(key=lambda rv: rv[0].id)
    return out


def _memo(ruleset: RuleSet, key: tuple[object, ...], make: Callable[[], T]) -> T:
    memo = ruleset.memo()
    if key in memo:
        return memo[key]  # type: ignore[return-value]
    value = memo[key] = make()
    return value


def classifications_in_force(
    ruleset: RuleSet, on: date
) -> list[tuple[Classification, ClassificationVersion]]:
    """Every classification with a version in force on ``on``, sorted by id."""
    out = []
    for c in ruleset.classifications.values():
        version = version_in_force(c, on)
        if version is not None:
            out.append((c, version))
    return out


def group_members(ruleset: RuleSet, group_id: str, on: date) -> frozenset[str]:
    """Members of a group on ``on`` (memoised per epoch: membership only changes on dates
    the rule set names)."""

    def make() -> frozenset[str]:
        group = ruleset.groups.get(group_id)
        return group.members_on(on) if group else frozenset()

    return _memo(ruleset, ("members", group_id, ruleset.epoch(on)), make)


def groups_of(ruleset: RuleSet, country: str, on: date) -> list[str]:
    """Ids of the country groups ``country`` belongs to on ``on``."""
    return [gid for gid, g in ruleset.groups.items() if country in g.members_on(on)]


def treatments_on(ruleset: RuleSet, country: str, on: date) -> list[CountryTreatment]:
    """Destinations ``country`` is treated as on ``on`` (Hong Kong → China)."""

    def make() -> list[CountryTreatment]:
        return [t for t in ruleset.treatments if t.country == country and t.on(on)]

    return _memo(ruleset, ("treatments", country, ruleset.epoch(on)), make)
