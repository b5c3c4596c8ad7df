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
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from exportcheck.engine.conditions import Facts, LeafTest, Outcome, Tri, evaluate, reads
from exportcheck.engine.findings import rule_result
from exportcheck.engine.inforce import rules_in_force
from exportcheck.engine.judge.items import item_facts
from exportcheck.engine.partyfacts import NO_PARTIES, OwnedTest, PartyFact, PartyResolver, PartySet
from exportcheck.model.ownership import Ownership
from exportcheck.model.report import Finding, ResolvedItem
from exportcheck.model.rules import Condition, Rule, RuleSet, RuleVersion

if TYPE_CHECKING:  # pragma: no cover - typing only (the judge imports this module)
    from exportcheck.engine.judge.memo import JudgeMemo
    from exportcheck.engine.parties import PartyScreening

_CACHE_LIMIT = 1 << 14
# Outcomes of conditions' parts: small keys, shared outcome objects; a new (item class,
# destination, party set) needs its rules' top parts once, so these hold more.
_OUTCOME_LIMIT = 1 << 16
_NONE: tuple[Finding, ...] = ()


def _conditions(cond: Condition) -> Iterator[Condition]:
    yield cond
    for sub in [*(cond.all or ()), *(cond.any or ()), *([cond.not_] if cond.not_ else [])]:
        yield from _conditions(sub)


def owned_tests(ruleset: RuleSet) -> list[OwnedTest]:
    """Every (lists, threshold) an ownership test of the rule set asks, with the span of dates
    on which a version asking it is in force (from, until; None: open), in rule order."""
    found: list[OwnedTest] = []
    for rule in ruleset.rules.values():
        versions = rule.versions
        for at, version in enumerate(versions):
            if version.when is None or version.rescinded:
                continue
            end = version.until
            if at + 1 < len(versions):
                nxt = versions[at + 1].effective
                end = nxt if end is None or nxt < end else end
            for cond in _conditions(version.when):
                if cond.party is not None and cond.party.owned_by is not None:
                    o = cond.party.owned_by
                    found.append(OwnedTest(tuple(o.lists), o.at_least, version.effective, end))
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


_UNKNOWN = Outcome(Tri.UNKNOWN)


def _binding(version: RuleVersion, on: date) -> bool:
    """Whether a version in force on ``on`` requires compliance by then (see
    :func:`~exportcheck.engine.findings.rule_result`)."""
    return version.compliance_from is None or on >= version.compliance_from


def _item_only(cond: Condition, facts: Facts, ruleset: RuleSet) -> Outcome:
    """:func:`evaluate` of ``cond`` with its destination and party tests unknown."""

    def leaf(c: Condition, i: int, kind: str, test: LeafTest) -> Outcome:
        return test(facts, ruleset) if kind == "item" else _UNKNOWN

    def sub(c: Condition) -> Outcome:
        return evaluate(c, facts, ruleset, sub, leaf)

    return evaluate(cond, facts, ruleset, sub, leaf)


class _Outcomes:
    """:func:`evaluate` of the party rules' conditions and their parts, each cached by what
    it reads: the item's fact class, the destination (and epoch), the party set (and epoch).
    An item of a fact class gives its tests the outcomes a finding can show, so a part that
    reads only the item has the same outcome for every item of the class (as far as a
    finding can show it), and so on up the tree."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self._reads: dict[int, tuple[Condition, tuple[str, ...]]] = {}
        self._cache: dict[tuple[object, ...], Outcome] = {}
        self._leaves: dict[tuple[object, ...], Outcome] = {}
        self._same: dict[tuple[object, ...], Outcome] = {}

    def outcome(self, cond: Condition, facts: Facts, keys: Mapping[str, object]) -> Outcome:
        found = self._reads.get(id(cond))
        if found is None or found[0] is not cond:
            found = self._reads[id(cond)] = (cond, tuple(sorted(reads(cond))))
        key = (id(cond), *(keys[r] for r in found[1]))
        hit = self._cache.get(key)
        if hit is None:

            def leaf(c: Condition, i: int, kind: str, test: LeafTest) -> Outcome:
                leaf_key = (id(c), i, keys[kind])
                found = self._leaves.get(leaf_key)
                if found is None:
                    found = test(facts, self.ruleset)
                    if len(self._leaves) >= _OUTCOME_LIMIT:
                        self._leaves.clear()
                    self._leaves[leaf_key] = found
                return found

            hit = evaluate(cond, facts, self.ruleset, lambda c: self.outcome(c, facts, keys), leaf)
            # One object for outcomes of the same reasons (their findings are made once per
            # object): the single tests' outcomes are cached, so their reasons are the same
            # objects, compared by identity (hashing reasons themselves costs more).
            same_key = (hit.value, hit.missing, *map(id, hit.because))
            same = self._same.get(same_key)
            if same is None or same.because != hit.because:
                if len(self._same) >= _CACHE_LIMIT:
                    self._same.clear()
                same = self._same[same_key] = hit
            hit = same
            if len(self._cache) >= _OUTCOME_LIMIT:
                self._cache.clear()
            self._cache[key] = hit
        return hit


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
        self._fact_numbers: dict[PartyFact, int] = {}
        self._outcomes = _Outcomes(ruleset)
        self._geo: dict[int, int] = {}  # rule-set epoch → geo epoch (RuleSet.geo_epoch)
        # (version, epoch, outcome) → (the outcome, kept alive; its finding)
        self._results: dict[tuple[int, int, int], tuple[Outcome, Finding | None]] = {}

    def in_force(self, epoch: int, on: date) -> list[tuple[Rule, RuleVersion]]:
        found = self._in_force.get(epoch)
        if found is None:
            found = self._in_force[epoch] = split_in_force(
                self.ruleset, rules_in_force(self.ruleset, on)
            )[1]
        return found

    def geo_epoch(self, epoch: int, on: date) -> int:
        """:meth:`RuleSet.geo_epoch` of ``on`` (whose rule-set epoch is ``epoch``)."""
        geo = self._geo.get(epoch)
        if geo is None:
            geo = self._geo[epoch] = self.ruleset.geo_epoch(on)
        return geo

    def party_epoch(self, on: date) -> int:
        return self.resolver.epoch(on)

    def party_set(
        self, fields: Mapping[str, Any], on: date, epoch: int = -1
    ) -> tuple[int, PartySet]:
        """The line's parties (``epoch``: :meth:`party_epoch` of ``on``, when known), with the
        number of their content (equal sets, equal numbers)."""
        return self.party_set_of(self.resolver.party_set(fields, on, epoch).parties)

    def role_fact(
        self, role: str, cells: tuple[Any, ...], on: date, epoch: int
    ) -> tuple[int, PartyFact | None]:
        """One party column's fact (see :meth:`PartyResolver.fact`; ``epoch`` is
        :meth:`party_epoch` of ``on``) and the number of its content (-1 for none): lines whose
        party columns have no attribute columns can build their party set from these
        (:meth:`party_set_of`)."""
        fact = self.resolver.fact(role, cells, on, epoch)
        if fact is None:
            return -1, None
        number = self._fact_numbers.get(fact)
        if number is None:
            if len(self._fact_numbers) >= _CACHE_LIMIT:
                self._fact_numbers.clear()
            number = self._fact_numbers[fact] = next(self._numbers)
        return number, fact

    def party_set_of(self, facts: Iterable[PartyFact | None]) -> tuple[int, PartySet]:
        """The party set of party columns' facts (from :meth:`role_fact`), numbered as
        :meth:`party_set` numbers it."""
        found = PartySet(tuple(f for f in facts if f is not None))
        if not found.parties:
            found = NO_PARTIES
        number = self._sets.get(found)
        if number is None:
            if len(self._sets) >= _CACHE_LIMIT:
                self._sets.clear()
            number = self._sets[found] = next(self._numbers)
        return number, found

    def signature(
        self, item: ResolvedItem, end_use: str | None, on: date, epoch: int, fact_class: int
    ) -> tuple[int, list[tuple[Rule, RuleVersion]]]:
        """The number of the party signature of an item of ``fact_class`` in ``epoch`` (-1:
        no party rule can apply to it) and the party rules that may apply: items of equal
        signatures get the same findings for equal destinations and party sets."""
        key = (fact_class, epoch)
        hit = self._sigs.get(key)
        if hit is None:
            in_force = self.in_force(epoch, on)
            facts = item_facts(item, on, None, end_use)
            survivors = self.memo.survivors(facts, in_force, epoch, fact_class, group="party")
            # A rule FALSE for the item whatever its destination and parties (their tests
            # unknown) never applies to it: three-valued logic never turns FALSE into
            # anything else when an unknown becomes known.
            rules = [
                (rule, version)
                for rule, version, _ in survivors
                if version.when is not None
                and _item_only(version.when, facts, self.ruleset).value is not Tri.FALSE
            ]
            number = -1
            if rules:
                # What the findings depend on besides the destination and the parties: the
                # versions, whether their compliance dates have come, the span between
                # country-group changes, and the outcomes of the item tests. Epochs that
                # differ in nothing else share the signature.
                sig: list[object] = [self.geo_epoch(epoch, on)]
                for _, version in rules:
                    assert version.when is not None  # validated
                    sig.append((id(version), _binding(version, on)))
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
        return self.signed_findings(
            self.signature(item, end_use, on, epoch, fact_class),
            item,
            destination,
            end_use,
            on,
            epoch,
            fact_class,
            party_set,
        )

    def signed_findings(
        self,
        signature: tuple[int, list[tuple[Rule, RuleVersion]]],
        item: ResolvedItem,
        destination: str | None,
        end_use: str | None,
        on: date,
        epoch: int,
        fact_class: int,
        party_set: tuple[int, PartySet],
    ) -> tuple[Finding, ...]:
        """:meth:`findings`, for an item whose :meth:`signature` is known."""
        number, rules = signature
        if number < 0:
            return _NONE
        key = (number, destination, party_set[0])
        found = self._found.get(key)
        if found is None:
            facts = item_facts(item, on, destination, end_use, party_set[1])
            # Destination and party tests depend on the date only through country groups
            # and treatments: their outcomes are shared by every epoch of a geo epoch.
            geo = self.geo_epoch(epoch, on)
            keys = {
                "item": fact_class,
                "destination": (geo, destination),
                "party": (geo, party_set[0]),
            }
            made: list[Finding] = []
            for rule, version in rules:
                assert version.when is not None  # validated
                outcome = self._outcomes.outcome(version.when, facts, keys)
                if outcome.value is Tri.FALSE:
                    continue
                # Equal outcomes (one cached object) give one finding, for a version whose
                # compliance date has come or not.
                result_key = (id(version), _binding(version, on), id(outcome))
                result = self._results.get(result_key)
                if result is None or result[0] is not outcome:
                    finding, _ = rule_result(rule, version, facts, self.ruleset, False, outcome)
                    if finding is not None:
                        finding = self.memo.intern(finding)
                    if len(self._results) >= _CACHE_LIMIT:
                        self._results.clear()
                    result = self._results[result_key] = (outcome, finding)
                if result[1] is not None:
                    made.append(result[1])
            found = tuple(made) if made else _NONE
            if len(self._found) >= _CACHE_LIMIT:
                self._found.clear()
            self._found[key] = found
        return found
