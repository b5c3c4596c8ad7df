"""The caches under :func:`~exportcheck.engine.judge.judge.judge_item`: resolved and
classified items, fact classes, the rules that may apply per fact class, single tests and rule
results (:class:`JudgeMemo`). Pure: no I/O."""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Iterator
from datetime import date
from typing import Any

from exportcheck.engine.conditions import (
    Facts,
    Outcome,
    Tri,
    all_of,
    any_of,
    destination_outcome,
    eccn_outcome,
    evaluate,
    not_of,
    param_outcome,
    text_outcome,
)
from exportcheck.engine.findings import rule_result
from exportcheck.engine.judge.findings import unclassified_finding
from exportcheck.engine.judge.items import classify_item, resolve
from exportcheck.engine.judge.nodes import Node, Plan, Survivors, project, shown
from exportcheck.model.classification import Derivation
from exportcheck.model.manifest import Catalog, Item
from exportcheck.model.report import Finding, ResolvedItem
from exportcheck.model.rules import Condition, Rule, RuleSet, RuleVersion

CACHE_LIMIT = 1 << 14  # entries per memo table; a full table is emptied (memory stays bounded)


class JudgeMemo:
    """Caches under :func:`judge_item`, so that judging a new (item, destination, date) costs a
    few dictionary look-ups rather than a rule evaluation:

    * the resolved and classified item, per item and classification span (:meth:`span`);
    * each rule version's result, per the :meth:`fact_class` of the facts, their
      destination, the epoch and whether the item is unclassified. Conditions depend on
      nothing else: group membership and treatments are fixed within an epoch, and
      compliance dates are change dates;
    * the 'unclassified' finding, per message;
    * the *fact class* of an item's facts (:meth:`fact_class`), and per fact class and epoch
      the rules that may apply to it (:meth:`survivors`).

    Results are identical to judging without the memo. Tables are bounded.
    """

    def __init__(self, ruleset: RuleSet, catalog: Catalog | None) -> None:
        self.ruleset = ruleset
        self.catalog = catalog
        self._plans: dict[int, Plan] = {}
        self._probes: dict[tuple[object, ...], bool] = {}
        self._rules: dict[tuple[object, ...], tuple[Finding | None, str | None]] = {}
        self._items: dict[tuple[object, ...], tuple[ResolvedItem, Derivation | None]] = {}
        self._resolved: dict[tuple[object, ...], ResolvedItem] = {}
        self._survivors: dict[tuple[object, ...], Survivors] = {}
        self._sigs: dict[tuple[int, ...], int] = {}
        self._epochs: dict[date, int] = {}
        self._interned: dict[Finding, Finding] = {}
        self._unclassified: dict[str, Finding] = {}
        self._nodes: dict[int, Node] = {}
        self._cls_dates = sorted(
            {
                d
                for c in ruleset.classifications.values()
                for v in c.versions
                for d in (v.effective, v.until)
                if d is not None
            }
        )
        self._outcomes: dict[tuple[object, ...], Outcome] = {}
        self._leaves: dict[tuple[object, ...], Outcome] = {}
        self._live: dict[tuple[object, ...], bool] = {}
        self._fact_tests = self._undated_tests()
        # (fact, type, value) -> number of the outcomes of the tests reading that fact; the
        # outcomes -> their number; the numbers of every fact -> the fact class. Numbers come
        # from an ever-growing counter, so emptying a table never lets one stand for another.
        self._fact_values: dict[tuple[object, ...], int] = {}
        self._fact_outcomes: dict[tuple[object, ...], int] = {}
        self._fact_classes: dict[tuple[int, ...], int] = {}
        self._numbers = itertools.count()

    def epoch(self, on: date) -> int:
        """``ruleset.epoch(on)``, cached per date."""
        epoch = self._epochs.get(on)
        if epoch is None:
            self._room(self._epochs)
            epoch = self._epochs[on] = self.ruleset.epoch(on)
        return epoch

    def _undated_tests(self) -> list[tuple[str, str, list[tuple[Node, int, str, Any, bool]]]]:
        """Every test of every rule version's condition that reads neither the destination
        nor the parties (the rules that test parties included: their item tests make fact
        classes finer, so that a fact class decides them too), grouped by the fact it reads
        (``eccn``, ``part_number``, ... or a parameter), in a fixed order: (fact, parameter
        name or '', [(node, index, kind, arg, kept)]), where ``kept`` says that a FALSE
        outcome keeps its reasons in :meth:`fact_class` (the test is under a ``not``
        somewhere: there its reasons can reach a finding)."""
        groups: dict[tuple[str, str], list[tuple[Node, int, str, Any]]] = {}
        negated: set[tuple[int, int]] = set()
        for rule in self.ruleset.rules.values():
            for version in rule.versions:
                if version.when is None:
                    continue
                for node, i, kind, arg, under_not in self._tests(version.when):
                    if kind == "destination":
                        continue
                    fact = (kind, arg.param if kind == "param" else "")
                    groups.setdefault(fact, []).append((node, i, kind, arg))
                    if under_not:
                        negated.add((id(node), i))
        return [
            (kind, param, [(n, i, k, a, (id(n), i) in negated) for n, i, k, a in tests])
            for (kind, param), tests in sorted(groups.items())
        ]

    def fact_class(self, facts: Facts) -> int:
        """A number for the outcomes, on ``facts``, of every rule test that does not read the
        destination (:meth:`_undated_tests`), each as :func:`shown`, as in
        :meth:`outcomes`. Facts of equal class have the same rules that may apply
        (:meth:`survivors`) and the same :meth:`outcomes` of those tests, in every epoch: all
        that :meth:`findings` and :meth:`LineJudge.profile` read of them besides the
        destination and their own values. Items that differ only in facts no rule tests, or in
        values every test treats alike (most part numbers), share a class."""
        numbers: list[int] = []
        for kind, param, tests in self._fact_tests:
            value: object = facts.params.get(param) if kind == "param" else getattr(facts, kind)
            key = (kind, param, type(value), value)
            number = self._fact_values.get(key)
            if number is None:
                outcomes = tuple(
                    shown(self._leaf(node, i, k, arg, facts, -1), kept)
                    for node, i, k, arg, kept in tests
                )
                number = self._fact_outcomes.get(outcomes)
                if number is None:
                    self._room(self._fact_outcomes)
                    number = self._fact_outcomes[outcomes] = next(self._numbers)
                self._room(self._fact_values)
                self._fact_values[key] = number
            numbers.append(number)
        vector = tuple(numbers)
        fact_class = self._fact_classes.get(vector)
        if fact_class is None:
            self._room(self._fact_classes)
            fact_class = self._fact_classes[vector] = next(self._numbers)
        return fact_class

    @staticmethod
    def _room(table: dict[Any, Any]) -> None:
        if len(table) >= CACHE_LIMIT:
            table.clear()

    def span(self, on: date) -> int:
        """The number of the classification span of ``on`` (see :meth:`classified`)."""
        return bisect_right(self._cls_dates, on)

    def classified(
        self, item: Item, key: tuple[object, ...], epoch: int, on: date
    ) -> tuple[ResolvedItem, Derivation | None]:
        """:func:`classify_item` of the resolved ``item`` (``key`` identifies the item).
        Cached per span between the dates on which a classification version starts or ends
        (the classification depends on the date only through the versions in force), which
        is coarser than the rule-set ``epoch``."""
        full = (*key, self.span(on))
        hit = self._items.get(full)
        if hit is None:
            resolved = self._resolved.get(key)
            if resolved is None:
                resolved = resolve(item, self.catalog)
                self._room(self._resolved)
                self._resolved[key] = resolved
            hit = classify_item(resolved, self.ruleset, on)
            self._room(self._items)
            self._items[full] = hit
        return hit

    def _plan(self, version: RuleVersion) -> Plan:
        plan = self._plans.get(id(version))
        if plan is None or plan.version is not version:
            assert version.when is not None  # validated
            plan = Plan(version, version.when)
            self._plans[id(version)] = plan
        return plan

    def _node(self, cond: Condition) -> Node:
        node = self._nodes.get(id(cond))
        if node is None or node.cond is not cond:
            node = self._nodes[id(cond)] = Node(cond)
        return node

    def _leaf(
        self, node: Node, index: int, kind: str, arg: Any, facts: Facts, epoch: int
    ) -> Outcome:
        """One single test of ``node``, cached by the value it reads (and the epoch for a
        destination test)."""
        if kind == "param":
            value: object = facts.params.get(arg.param)
            key: tuple[object, ...] = (id(node), index, -1, type(value), value)
        elif kind == "destination":
            value = facts.destination
            key = (id(node), index, epoch, value)
        else:
            value = getattr(facts, kind)
            key = (id(node), index, -1, value)
        hit = self._leaves.get(key)
        if hit is None:
            if kind == "param":
                hit = param_outcome(facts.params, arg)
            elif kind == "destination":
                hit = destination_outcome(self.ruleset, facts, arg)
            elif kind == "eccn":
                hit = eccn_outcome(facts.eccn, arg)
            else:
                hit = text_outcome(kind, value, arg)  # type: ignore[arg-type]
            self._room(self._leaves)
            self._leaves[key] = hit
        return hit

    def _combine(self, node: Node, facts: Facts, epoch: int) -> Outcome:
        """:func:`evaluate` of the node's condition, its tests and sub-conditions cached."""
        cond = node.cond
        parts = [
            self._leaf(node, i, kind, arg, facts, epoch)
            for i, (kind, arg) in enumerate(node.leaves)
        ]
        if cond.all is not None:
            parts.append(all_of([self._outcome(c, facts, epoch) for c in cond.all]))
        if cond.any is not None:
            parts.append(any_of([self._outcome(c, facts, epoch) for c in cond.any]))
        if cond.not_ is not None:
            parts.append(not_of(self._outcome(cond.not_, facts, epoch)))
        return all_of(parts)

    def _outcome(self, cond: Condition, facts: Facts, epoch: int) -> Outcome:
        """:func:`evaluate`, cached by the values of the facts ``cond`` reads."""
        node = self._node(cond)
        key = (id(node), epoch if node.dated else -1, *project(facts, node.fields))
        hit = self._outcomes.get(key)
        if hit is None:
            hit = self._combine(node, facts, epoch)
            self._room(self._outcomes)
            self._outcomes[key] = hit
        return hit

    def _false(self, probe: Condition, fields: tuple[str, ...], dated: bool, facts: Facts,
               epoch: int) -> bool:  # fmt: skip
        key = (id(probe), epoch if dated else -1, *project(facts, fields))
        false = self._probes.get(key)
        if false is None:
            false = evaluate(probe, facts, self.ruleset).value is Tri.FALSE
            self._room(self._probes)
            self._probes[key] = false
        return false

    def _full(
        self,
        rule: Rule,
        version: RuleVersion,
        facts: Facts,
        epoch: int,
        unclassified: bool,
        fact_class: int,
    ) -> tuple[Finding | None, str | None]:
        """:func:`~exportcheck.engine.findings.rule_result`, per the facts' :meth:`fact_class`
        (``fact_class``) and destination: the outcomes of its tests, as far as a finding can
        show them."""
        full = (id(version), epoch, unclassified, fact_class, facts.destination)
        hit = self._rules.get(full)
        if hit is None:
            assert version.when is not None  # validated
            outcome = self._combine(self._node(version.when), facts, epoch)
            finding, depends = rule_result(
                rule, version, facts, self.ruleset, unclassified, outcome
            )
            if finding is not None:  # equal findings of other keys: keep one object
                finding = self.intern(finding)
            hit = (finding, depends)
            self._room(self._rules)
            self._rules[full] = hit
        return hit

    def _tests(
        self, cond: Condition, negated: bool = False
    ) -> Iterator[tuple[Node, int, str, Any, bool]]:
        """Every single test of ``cond`` in a fixed order (the node's own, then those of its
        ``all``, ``any`` and ``not`` parts): (node, index, kind, arg, under a ``not``)."""
        node = self._node(cond)
        for i, (kind, arg) in enumerate(node.leaves):
            yield node, i, kind, arg, negated
        for sub in [*(cond.all or ()), *(cond.any or ())]:
            yield from self._tests(sub, negated)
        if cond.not_ is not None:
            yield from self._tests(cond.not_, True)

    def outcomes(
        self,
        cond: Condition,
        facts: Facts,
        epoch: int,
        out: list[object],
        *,
        destination: bool,
    ) -> list[object]:
        """The outcome of every test of ``cond`` that reads the destination (``destination``)
        or every other test (not ``destination``), in a fixed order, appended to ``out``: the
        two together decide the condition's outcome (:meth:`_combine` combines nothing else).
        Each is given as :func:`shown`."""
        for node, i, kind, arg, negated in self._tests(cond):
            if (kind == "destination") is destination:
                out.append(shown(self._leaf(node, i, kind, arg, facts, epoch), negated))
        return out

    def survivors(
        self,
        facts: Facts,
        in_force: list[tuple[Rule, RuleVersion]],
        epoch: int,
        fact_class: int,
        group: str = "item",
    ) -> Survivors:
        """The rules in force in ``epoch`` (``in_force``) whose undated conjuncts are not FALSE
        for ``facts`` (of :meth:`fact_class` ``fact_class``; any destination): found once per
        fact class, epoch and ``group`` (``item``: the rules that read only the item and the
        destination; ``party``: those that test the parties too, whose party tests are not
        conjuncts here)."""
        key = (fact_class, epoch, group)
        survivors = self._survivors.get(key)
        if survivors is None:
            survivors = Survivors()
            for rule, version in in_force:
                plan = self._plan(version)
                if not any(
                    self._false(probe, fields, False, facts, epoch)
                    for probe, fields, dated in plan.probes
                    if not dated
                ):
                    survivors.append((rule, version, plan))
            ids = tuple(id(version) for _, version, _ in survivors)
            sig = self._sigs.get(ids)
            if sig is None:
                if len(self._sigs) >= CACHE_LIMIT:  # numbers are reused: forget their uses
                    self._sigs.clear()
                    self._live.clear()
                    self._survivors.clear()
                sig = self._sigs[ids] = len(self._sigs)
            survivors.sig = sig
            self._room(self._survivors)
            self._survivors[key] = survivors
        return survivors

    def any_live(
        self,
        survivors: Survivors,
        facts: Facts,
        epoch: int,
    ) -> bool:
        """Whether any of ``survivors`` (from :meth:`survivors`) has no FALSE dated conjunct
        for ``facts.destination``; cached per survivor set, destination and epoch."""
        key = (survivors.sig, facts.destination, epoch)
        live = self._live.get(key)
        if live is None:
            live = any(
                not any(
                    self._false(probe, fields, True, facts, epoch)
                    for probe, fields, dated in plan.probes
                    if dated
                )
                for _, _, plan in survivors
            )
            self._room(self._live)
            self._live[key] = live
        return live

    def known_empty(self, fact_class: int, destination: str | None, epoch: int) -> bool:
        """Whether :meth:`findings` for facts of ``fact_class`` going to ``destination`` in
        ``epoch`` is already known, from the cached survivors and destination tests, to find
        nothing."""
        survivors = self._survivors.get((fact_class, epoch, "item"))
        if survivors is None:
            return False
        return not survivors or self._live.get((survivors.sig, destination, epoch)) is False

    def findings(
        self,
        facts: Facts,
        in_force: list[tuple[Rule, RuleVersion]],
        epoch: int,
        unclassified: bool,
        fact_class: int | None = None,
    ) -> tuple[list[Finding], list[str]]:
        """:func:`findings_for` with the memo: the rules whose undated conjuncts hold are
        found once per :meth:`fact_class` (``fact_class``, if the caller knows it) and epoch;
        per destination only their dated conjuncts are tested."""
        if fact_class is None:
            fact_class = self.fact_class(facts)
        survivors = self.survivors(facts, in_force, epoch, fact_class)
        if not survivors or not self.any_live(survivors, facts, epoch):
            return [], []
        findings: list[Finding] = []
        depends_on_eccn: list[str] = []
        for rule, version, plan in survivors:
            if any(
                self._false(probe, fields, True, facts, epoch)
                for probe, fields, dated in plan.probes
                if dated
            ):
                continue
            finding, depends = self._full(rule, version, facts, epoch, unclassified, fact_class)
            if finding is not None:
                findings.append(finding)
            elif depends is not None:
                depends_on_eccn.append(depends)
        return findings, depends_on_eccn

    def intern(self, finding: Finding) -> Finding:
        """One object for equal findings (writers render each object once)."""
        found = self._interned.get(finding)
        if found is None:
            self._room(self._interned)
            found = self._interned[finding] = finding
        return found

    def unclassified_finding(self, message: str) -> Finding:
        found = self._unclassified.get(message)
        if found is None:
            found = unclassified_finding(message)
            self._room(self._unclassified)
            self._unclassified[message] = found
        return found
