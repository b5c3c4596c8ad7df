"""The rules that test a line's parties (headquarters, ultimate parent, ownership), judged per
line beside the item judgement. Pure.

Such a rule's findings depend on the item only through the outcomes of its tests that read
neither the destination nor the parties, so they are found once per *party signature* (the
party rules that may apply to the item's fact class in the epoch, with those outcomes), the
destination and the line's :class:`~exportcheck.engine.partyfacts.PartySet` (numbered by
content): lines of different items, names and dates share them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from exportcheck.engine.conditions import Facts
from exportcheck.engine.findings import rule_result
from exportcheck.engine.inforce import rules_in_force
from exportcheck.engine.partyfacts import PartyResolver, PartySet
from exportcheck.model.ownership import Ownership
from exportcheck.model.report import Finding, ResolvedItem
from exportcheck.model.rules import Condition, Rule, RuleSet, RuleVersion

if TYPE_CHECKING:  # pragma: no cover - typing only (evaluate imports this module)
    from exportcheck.engine.evaluate import JudgeMemo
    from exportcheck.engine.parties import PartyScreening

_CACHE_LIMIT = 1 << 15
_NONE: tuple[Finding, ...] = ()


def _conditions(cond: Condition) -> Iterator[Condition]:
    yield cond
    for sub in [*(cond.all or ()), *(cond.any or ()), *([cond.not_] if cond.not_ else [])]:
        yield from _conditions(sub)


def owned_tests(ruleset: RuleSet) -> list[tuple[tuple[str, ...], float]]:
    """Every (lists, threshold) an ownership test of the rule set asks, in rule order."""
    found: list[tuple[tuple[str, ...], float]] = []
    for rule in ruleset.rules.values():
        for version in rule.versions:
            if version.when is None:
                continue
            for cond in _conditions(version.when):
                if cond.party is not None and cond.party.owned_by is not None:
                    o = cond.party.owned_by
                    found.append((tuple(o.lists), o.at_least))
    return list(dict.fromkeys(found))


def split_in_force(
    ruleset: RuleSet, in_force: list[tuple[Rule, RuleVersion]]
) -> tuple[list[tuple[Rule, RuleVersion]], list[tuple[Rule, RuleVersion]]]:
    """The rules in force that read only the item and destination, and those that test the
    line's parties."""
    ids = ruleset.party_rule_ids()
    if not ids:
        return in_force, []
    return (
        [(r, v) for r, v in in_force if r.id not in ids],
        [(r, v) for r, v in in_force if r.id in ids],
    )


def resolver_for(
    ruleset: RuleSet, parties: PartyScreening | None, ownership: Ownership | None = None
) -> PartyResolver:
    """A :class:`PartyResolver` for the party columns, lists and ownership of ``parties``."""
    from exportcheck.engine.parties import DEFAULT_PARTY_COLUMNS

    if parties is None:
        if ownership is not None:
            return PartyResolver(DEFAULT_PARTY_COLUMNS, None, ownership, owned_tests(ruleset))
        memo = ruleset.memo()  # one bare resolver per rule set (no lists, no ownership)
        found = memo.get(("bare_party_resolver",))
        if found is None:
            found = memo[("bare_party_resolver",)] = PartyResolver(
                DEFAULT_PARTY_COLUMNS, None, None, owned_tests(ruleset)
            )
        assert isinstance(found, PartyResolver)
        return found
    return PartyResolver(
        parties.columns,
        parties.index,
        parties.ownership if ownership is None else ownership,
        owned_tests(ruleset),
    )


def party_rule_findings(
    facts: Facts, ruleset: RuleSet, in_force: list[tuple[Rule, RuleVersion]]
) -> list[Finding]:
    """The findings of the party rules in force (``in_force``) on ``facts`` (with parties),
    uncached."""
    out: list[Finding] = []
    for rule, version in in_force:
        finding, _ = rule_result(rule, version, facts, ruleset, False)
        if finding is not None:
            out.append(finding)
    return out


class PartyRuleStage:
    """Judges the party rules for lines, with caches (see the module doc)."""

    def __init__(self, ruleset: RuleSet, memo: JudgeMemo, parties: PartyScreening | None) -> None:
        self.ruleset = ruleset
        self.memo = memo
        self.active = bool(ruleset.party_rule_ids())
        self.resolver = (
            parties.resolver(ruleset) if parties is not None else resolver_for(ruleset, None)
        )
        self._in_force: dict[int, list[tuple[Rule, RuleVersion]]] = {}
        self._sigs: dict[tuple[int, int], tuple[int, list[tuple[Rule, RuleVersion]]]] = {}
        self._sig_numbers: dict[tuple[object, ...], int] = {}
        self._sets: dict[PartySet, int] = {}
        self._found: dict[tuple[int, str | None, int], tuple[Finding, ...]] = {}
        # Numbers come from an ever-growing counter: emptying a table never lets a number
        # stand for another set or signature (callers keep them).
        self._numbers = itertools.count()

    def in_force(self, epoch: int, on: date) -> list[tuple[Rule, RuleVersion]]:
        found = self._in_force.get(epoch)
        if found is None:
            found = self._in_force[epoch] = split_in_force(
                self.ruleset, rules_in_force(self.ruleset, on)
            )[1]
        return found

    def party_epoch(self, on: date) -> int:
        return self.resolver.epoch(on)

    def party_set(
        self, fields: Mapping[str, Any], on: date, epoch: int = -1
    ) -> tuple[int, PartySet]:
        """The line's parties (``epoch``: :meth:`party_epoch` of ``on``, when known), with the
        number of their content (equal sets, equal numbers)."""
        found = self.resolver.party_set(fields, on, epoch)
        number = self._sets.get(found)
        if number is None:
            if len(self._sets) >= _CACHE_LIMIT:
                self._sets.clear()
            number = self._sets[found] = next(self._numbers)
        return number, found

    def _signature(
        self, item: ResolvedItem, end_use: str | None, on: date, epoch: int, fact_class: int
    ) -> tuple[int, list[tuple[Rule, RuleVersion]]]:
        """The number of the item's party signature in ``epoch``, and the party rules that may
        apply to it (none: number -1)."""
        key = (fact_class, epoch)
        hit = self._sigs.get(key)
        if hit is None:
            from exportcheck.engine.evaluate import item_facts

            in_force = self.in_force(epoch, on)
            facts = item_facts(item, on, None, end_use)
            survivors = self.memo.survivors(facts, in_force, epoch, fact_class, group="party")
            rules = [(rule, version) for rule, version, _ in survivors]
            number = -1
            if rules:
                sig: list[object] = [epoch]
                for _, version in rules:
                    assert version.when is not None  # validated
                    sig.append(id(version))
                    self.memo.outcomes(version.when, facts, epoch, sig, destination=False)
                found = self._sig_numbers.get(tuple(sig))
                if found is None:
                    if len(self._sig_numbers) >= _CACHE_LIMIT:
                        self._sig_numbers.clear()
                    found = self._sig_numbers[tuple(sig)] = next(self._numbers)
                number = found
            if len(self._sigs) >= _CACHE_LIMIT:
                self._sigs.clear()
            hit = self._sigs[key] = (number, rules)
        return hit

    def findings(
        self,
        item: ResolvedItem,
        destination: str | None,
        end_use: str | None,
        on: date,
        epoch: int,
        fact_class: int,
        party_set: tuple[int, PartySet],
    ) -> tuple[Finding, ...]:
        """The party rules' findings for a line of ``item`` (of ``fact_class``) going to
        ``destination`` on ``on`` (of rule-set ``epoch``), with ``party_set`` (from
        :meth:`party_set`)."""
        number, rules = self._signature(item, end_use, on, epoch, fact_class)
        if number < 0:
            return _NONE
        key = (number, destination, party_set[0])
        found = self._found.get(key)
        if found is None:
            from exportcheck.engine.evaluate import item_facts

            facts = item_facts(item, on, destination, end_use, party_set[1])
            made = party_rule_findings(facts, self.ruleset, rules)
            found = tuple(self.memo.intern(f) for f in made) if made else _NONE
            if len(self._found) >= _CACHE_LIMIT:
                self._found.clear()
            self._found[key] = found
        return found
