"""Judge manifest lines against the rules in force on their date. Pure: no I/O."""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from exportcheck.engine.classify import Derivation, Specs, classify, contradicts, derive_specs
from exportcheck.engine.conditions import (
    Facts,
    Outcome,
    Tri,
    _and,
    _destination_test,
    _eccn_test,
    _not,
    _or,
    _param_test,
    _text_test,
    evaluate,
)
from exportcheck.engine.findings import rule_result
from exportcheck.engine.inforce import rules_in_force
from exportcheck.engine.parties import PartyScreening
from exportcheck.engine.partyfacts import PartySet
from exportcheck.engine.partyrules import (
    PartyRuleStage,
    party_rule_findings,
    resolver_for,
    split_in_force,
)
from exportcheck.model.fastline import LightLine, LightResult, LineLike
from exportcheck.model.manifest import Catalog, Item
from exportcheck.model.report import Finding, LineResult, ResolvedItem
from exportcheck.model.rules import Condition, Rule, RuleSet, RuleVersion
from exportcheck.model.status import Status, worst

UNCLASSIFIED_ID = "exportcheck.unclassified"
INPUT_ID = "exportcheck.input"


def resolve_item(line: LineLike, catalog: Catalog | None) -> ResolvedItem:
    """The line's item with empty values filled from the catalog entry for its part number,
    and TPP / performance density computed from the specs when not given."""
    return _resolve(line.item, catalog)


def _resolve(item: Item, catalog: Catalog | None) -> ResolvedItem:
    entry = catalog.get(item.part_number) if catalog is not None else None
    given = {**entry.params, **item.params} if entry is not None else dict(item.params)
    specs = derive_specs(given)
    eccn = item.eccn or (entry.eccn if entry is not None else None)
    source = None
    if eccn:
        source = "line" if item.eccn else "catalog"
    return ResolvedItem(
        part_number=item.part_number,
        eccn=eccn,
        eccn_source=source,
        vendor=item.vendor or (entry.vendor if entry is not None else None),
        category=item.category or (entry.category if entry is not None else None),
        params=specs.params,
        in_catalog=entry is not None,
        derivations=specs.derivations,
    )


def classify_item(
    item: ResolvedItem, ruleset: RuleSet, on: date
) -> tuple[ResolvedItem, Derivation | None]:
    """Apply the classification criteria in force on ``on`` to the item's specs. The derived
    ECCN is used when the item has no ECCN of its own."""
    derivation = classify(Specs(item.params, item.derivations), item.category, ruleset, on)
    if derivation is None:
        return item, None
    update: dict[str, object] = {
        "derived_eccn": derivation.eccn,
        "classification": derivation.describe(),
    }
    if item.eccn is None and derivation.eccn is not None:
        update["eccn"] = derivation.eccn
        update["eccn_source"] = "derived"
    return item.model_copy(update=update), derivation


def _condition_fields(cond: Condition, out: set[str]) -> set[str]:
    """The facts a condition reads: ``eccn``, ``destination``, ... and ``param:<name>``."""
    for name in ("eccn", "part_number", "vendor", "category", "end_use", "destination"):
        if getattr(cond, name) is not None:
            out.add(name)
    for test in cond.params or ():
        out.add("param:" + test.param)
    for sub in [*(cond.all or ()), *(cond.any or ()), *([cond.not_] if cond.not_ else [])]:
        _condition_fields(sub, out)
    return out


def _shown(outcome: Outcome, negated: bool) -> object:
    """A test's outcome as far as a finding can show it: a FALSE outcome that is not under
    a ``not`` is just ``False`` (a FALSE part makes its ``all`` FALSE, is dropped by an
    ``any`` with another outcome, and a FALSE condition gives no finding, so its reasons
    never reach one); any other outcome is itself. Signatures and fact classes hold tests'
    outcomes so."""
    return False if outcome.value is Tri.FALSE and not negated else outcome


_CACHE_LIMIT = 1 << 14  # entries per memo table; a full table is emptied (memory stays bounded)
_LEAF_KEYS = ("destination", "eccn", "part_number", "vendor", "category", "end_use")


def _project(facts: Facts, fields: tuple[str, ...]) -> list[object]:
    """The values of ``fields`` (see :func:`_condition_fields`) in ``facts``."""
    params = facts.params
    return [
        params.get(name[6:]) if name.startswith("param:") else getattr(facts, name)
        for name in fields
    ]


class _Plan:
    """How to judge one rule version quickly: its leaf conjuncts (single tests that must all
    hold), each with the facts it reads and whether it depends on the date (destination
    tests read dated country groups and treatments)."""

    def __init__(self, version: RuleVersion, when: Condition) -> None:
        self.version = version
        self.probes: list[tuple[Condition, tuple[str, ...], bool]] = []
        self._collect(when)

    def _collect(self, cond: Condition) -> None:
        for name in _LEAF_KEYS:
            value = getattr(cond, name)
            if value is not None:
                probe = Condition.model_construct(**{name: value})
                self.probes.append((probe, (name,), name == "destination"))
        for test in cond.params or ():
            probe = Condition.model_construct(params=[test])
            self.probes.append((probe, ("param:" + test.param,), False))
        for sub in cond.all or ():
            self._collect(sub)


class _Node:
    """One condition node prepared for cached evaluation: the facts it reads (and whether a
    destination test, which depends on the date, is among them) and its single tests in the
    order :func:`evaluate` combines them. A ``party`` test is not among them: the rules that
    have one are judged by :mod:`exportcheck.engine.partyrules`, which reads only the item
    tests of their nodes here (for fact classes and party signatures)."""

    __slots__ = ("cond", "dated", "fields", "leaves")

    def __init__(self, cond: Condition) -> None:
        self.cond = cond
        self.fields = tuple(sorted(_condition_fields(cond, set())))
        self.dated = "destination" in self.fields
        leaves: list[tuple[str, Any]] = []
        if cond.eccn is not None:
            leaves.append(("eccn", cond.eccn))
        for name in ("part_number", "vendor", "category", "end_use"):
            value = getattr(cond, name)
            if value is not None:
                leaves.append((name, value))
        for test in cond.params or ():
            leaves.append(("param", test))
        if cond.destination is not None:
            leaves.append(("destination", cond.destination))
        self.leaves = leaves


class _Survivors(list[tuple[Rule, RuleVersion, _Plan]]):
    """The rules that may apply to an item (see :meth:`JudgeMemo.survivors`); ``sig``
    numbers the distinct lists of rule versions."""

    __slots__ = ("sig",)

    sig: int


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
        self._plans: dict[int, _Plan] = {}
        self._probes: dict[tuple[object, ...], bool] = {}
        self._rules: dict[tuple[object, ...], tuple[Finding | None, str | None]] = {}
        self._items: dict[tuple[object, ...], tuple[ResolvedItem, Derivation | None]] = {}
        self._resolved: dict[tuple[object, ...], ResolvedItem] = {}
        self._survivors: dict[tuple[object, ...], _Survivors] = {}
        self._sigs: dict[tuple[int, ...], int] = {}
        self._epochs: dict[date, int] = {}
        self._interned: dict[Finding, Finding] = {}
        self._unclassified: dict[str, Finding] = {}
        self._nodes: dict[int, _Node] = {}
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

    def _undated_tests(self) -> list[tuple[str, str, list[tuple[_Node, int, str, Any, bool]]]]:
        """Every test of every rule version's condition that reads neither the destination
        nor the parties (the rules that test parties included: their item tests make fact
        classes finer, so that a fact class decides them too), grouped by the fact it reads
        (``eccn``, ``part_number``, ... or a parameter), in a fixed order: (fact, parameter
        name or '', [(node, index, kind, arg, kept)]), where ``kept`` says that a FALSE
        outcome keeps its reasons in :meth:`fact_class` (the test is under a ``not``
        somewhere: there its reasons can reach a finding)."""
        groups: dict[tuple[str, str], list[tuple[_Node, int, str, Any]]] = {}
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
        destination (:meth:`_undated_tests`), each as :func:`_shown`, as in
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
                    _shown(self._leaf(node, i, k, arg, facts, -1), kept)
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
        if len(table) >= _CACHE_LIMIT:
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
                resolved = _resolve(item, self.catalog)
                self._room(self._resolved)
                self._resolved[key] = resolved
            hit = classify_item(resolved, self.ruleset, on)
            self._room(self._items)
            self._items[full] = hit
        return hit

    def _plan(self, version: RuleVersion) -> _Plan:
        plan = self._plans.get(id(version))
        if plan is None or plan.version is not version:
            assert version.when is not None  # validated
            plan = _Plan(version, version.when)
            self._plans[id(version)] = plan
        return plan

    def _node(self, cond: Condition) -> _Node:
        node = self._nodes.get(id(cond))
        if node is None or node.cond is not cond:
            node = self._nodes[id(cond)] = _Node(cond)
        return node

    def _leaf(
        self, node: _Node, index: int, kind: str, arg: Any, facts: Facts, epoch: int
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
                hit = _param_test(facts.params, arg)
            elif kind == "destination":
                hit = _destination_test(self.ruleset, facts, arg)
            elif kind == "eccn":
                hit = _eccn_test(facts.eccn, arg)
            else:
                hit = _text_test(kind, value, arg)  # type: ignore[arg-type]
            self._room(self._leaves)
            self._leaves[key] = hit
        return hit

    def _combine(self, node: _Node, facts: Facts, epoch: int) -> Outcome:
        """:func:`evaluate` of the node's condition, its tests and sub-conditions cached."""
        cond = node.cond
        parts = [
            self._leaf(node, i, kind, arg, facts, epoch)
            for i, (kind, arg) in enumerate(node.leaves)
        ]
        if cond.all is not None:
            parts.append(_and([self._outcome(c, facts, epoch) for c in cond.all]))
        if cond.any is not None:
            parts.append(_or([self._outcome(c, facts, epoch) for c in cond.any]))
        if cond.not_ is not None:
            parts.append(_not(self._outcome(cond.not_, facts, epoch)))
        return _and(parts)

    def _outcome(self, cond: Condition, facts: Facts, epoch: int) -> Outcome:
        """:func:`evaluate`, cached by the values of the facts ``cond`` reads."""
        node = self._node(cond)
        key = (id(node), epoch if node.dated else -1, *_project(facts, node.fields))
        hit = self._outcomes.get(key)
        if hit is None:
            hit = self._combine(node, facts, epoch)
            self._room(self._outcomes)
            self._outcomes[key] = hit
        return hit

    def _false(self, probe: Condition, fields: tuple[str, ...], dated: bool, facts: Facts,
               epoch: int) -> bool:  # fmt: skip
        key = (id(probe), epoch if dated else -1, *_project(facts, fields))
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
    ) -> Iterator[tuple[_Node, int, str, Any, bool]]:
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
        Each is given as :func:`_shown`."""
        for node, i, kind, arg, negated in self._tests(cond):
            if (kind == "destination") is destination:
                out.append(_shown(self._leaf(node, i, kind, arg, facts, epoch), negated))
        return out

    def survivors(
        self,
        facts: Facts,
        in_force: list[tuple[Rule, RuleVersion]],
        epoch: int,
        fact_class: int,
        group: str = "item",
    ) -> _Survivors:
        """The rules in force in ``epoch`` (``in_force``) whose undated conjuncts are not FALSE
        for ``facts`` (of :meth:`fact_class` ``fact_class``; any destination): found once per
        fact class, epoch and ``group`` (``item``: the rules that read only the item and the
        destination; ``party``: those that test the parties too, whose party tests are not
        conjuncts here)."""
        key = (fact_class, epoch, group)
        survivors = self._survivors.get(key)
        if survivors is None:
            survivors = _Survivors()
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
                if len(self._sigs) >= _CACHE_LIMIT:  # numbers are reused: forget their uses
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
        survivors: _Survivors,
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
            found = _unclassified_finding(message)
            self._room(self._unclassified)
            self._unclassified[message] = found
        return found


def findings_for(
    facts: Facts,
    ruleset: RuleSet,
    in_force: list[tuple[Rule, RuleVersion]],
    unclassified: bool,
    memo: JudgeMemo | None = None,
    fact_class: int | None = None,
) -> tuple[list[Finding], list[str]]:
    """Findings from every rule version in force that matches (or may match) ``facts``.

    Returns the findings and, for an unclassified item, the ids of rules that would apply
    depending on its ECCN (folded into the single 'unclassified' finding by the caller).
    With ``memo`` the results are cached (:meth:`JudgeMemo.findings`; ``fact_class`` is the
    facts' :meth:`JudgeMemo.fact_class`, if the caller knows it).
    """
    if memo is not None:
        return memo.findings(facts, in_force, memo.epoch(facts.on), unclassified, fact_class)
    findings: list[Finding] = []
    depends_on_eccn: list[str] = []
    for rule, version in in_force:
        finding, depends = rule_result(rule, version, facts, ruleset, unclassified)
        if finding is not None:
            findings.append(finding)
        elif depends is not None:
            depends_on_eccn.append(depends)
    return findings, depends_on_eccn


CLASSIFICATION_ID = "exportcheck.classification"


def _contradicted(item: ResolvedItem, derivation: Derivation) -> bool:
    """Whether the item's declared ECCN is more lenient than the one its specifications give
    (then :func:`_classification_findings` depends on the destination)."""
    declared = item.eccn
    if item.eccn_source == "derived" or declared is None or derivation.eccn is None:
        return False
    return contradicts(declared, derivation.eccn, derivation.version)


def _classification_findings(
    item: ResolvedItem,
    derivation: Derivation,
    facts: Facts,
    ruleset: RuleSet,
    in_force: list[tuple[Rule, RuleVersion]],
    memo: JudgeMemo | None = None,
    made: dict[str, Finding] | None = None,
) -> list[Finding]:
    """What the parametric classification adds: the derived ECCN when it was used, or a
    review finding when the declared ECCN is more lenient than the specifications.
    ``made`` keeps the findings made for this item and derivation, by message."""
    version = derivation.version
    computed = f" ({'; '.join(item.derivations)})" if item.derivations else ""

    def finding(status: Status, message: str) -> Finding:
        if made is not None and message in made:
            return made[message]
        found = Finding(
            rule_id=CLASSIFICATION_ID,
            rule_version=f"{derivation.classification.id}@{version.label}",
            status=status,
            kind="classification",
            title=derivation.classification.title,
            message=message,
            citation=version.citation,
            source_url=version.source_url,
            confidence=version.confidence.value,
            because=derivation.because,
        )
        if memo is not None:
            found = memo.intern(found)
        if made is not None:
            made[message] = found
        return found

    if item.eccn_source == "derived":
        return [
            finding(
                Status.ALLOWED,
                f"ECCN {derivation.describe()}{computed}. The line declares no ECCN; "
                "the derived one is used.",
            )
        ]
    if not _contradicted(item, derivation):
        return []
    assert derivation.eccn is not None  # contradicted
    stricter = replace(facts, eccn=derivation.eccn)
    would, _ = findings_for(stricter, ruleset, in_force, False, memo)
    applies = sorted({f.rule_id for f in would if f.status.severity > Status.REVIEW.severity})
    then = f" Under {derivation.eccn}: {', '.join(applies)}." if applies else ""
    return [
        finding(
            Status.REVIEW,
            f"Declared {item.eccn} ({item.eccn_source}) but the specifications give "
            f"{derivation.describe()}{computed}; check the classification.{then}",
        )
    ]


def _sort_key(f: Finding) -> tuple[int, str, str, str]:
    return (-f.status.severity, f.rule_id, f.rule_version or "", f.message)


def _unclassified_finding(message: str) -> Finding:
    return Finding(
        rule_id=UNCLASSIFIED_ID,
        status=Status.REVIEW,
        kind="unclassified",
        title="Unclassified item",
        message=message,
    )


def judge_item(
    line: LineLike,
    ruleset: RuleSet,
    on: date,
    catalog: Catalog | None,
    in_force: list[tuple[Rule, RuleVersion]],
    memo: JudgeMemo | None = None,
    key: ItemKey | None = None,
) -> tuple[ResolvedItem, tuple[Finding, ...]]:
    """What the rules say about the line's item going to its destination on ``on``: the
    resolved item and the rule, classification and 'unclassified' findings. Depends only on
    :func:`item_key` of the line and the rule-set epoch of ``on``.

    ``memo`` (with ``key``, the item part of :func:`item_key`) caches the parts of the
    judgement; the result is the same. Rules of ``in_force`` that test the line's parties are
    not judged here (see :mod:`exportcheck.engine.partyrules`)."""
    in_force = split_in_force(ruleset, in_force)[0]
    if memo is None:
        epoch = 0
        item, derivation = classify_item(resolve_item(line, catalog), ruleset, on)
    else:
        assert key is not None
        epoch = memo.epoch(on)
        item, derivation = memo.classified(line.item, key, epoch, on)
    facts = item_facts(item, on, line.destination, line.end_use)
    unclassified = item.eccn is None
    findings, depends = findings_for(facts, ruleset, in_force, unclassified, memo)
    if derivation is not None:
        findings.extend(_classification_findings(item, derivation, facts, ruleset, in_force, memo))
    if unclassified:
        message = unclassified_message(item, depends, derivation)
        findings.append(
            _unclassified_finding(message) if memo is None else memo.unclassified_finding(message)
        )
    return item, tuple(findings)


def unclassified_message(
    item: ResolvedItem, depends: Sequence[str], derivation: Derivation | None
) -> str:
    """The message of the 'unclassified' finding of an item without an ECCN: why, and the
    rules that may apply once it is classified (``depends``, from :func:`findings_for`)."""
    if item.part_number is None:
        why = "the line has no ECCN and no part number"
    elif item.in_catalog:
        why = f"neither the line nor the catalog entry for '{item.part_number}' gives an ECCN"
    else:
        why = f"the line has no ECCN and part '{item.part_number}' is not in the catalog"
    could = f" Rules that may apply once classified: {', '.join(depends)}." if depends else ""
    if derivation is not None:
        could = f" Specifications: {derivation.describe()}.{could}"
    return f"Unclassified: {why}; classify the item (ECCN or EAR99).{could}"


ItemKey = tuple[object, ...]


def item_facts(
    item: ResolvedItem,
    on: date,
    destination: str | None,
    end_use: str | None,
    parties: PartySet | None = None,
) -> Facts:
    """The facts the rules read about a classified item going to ``destination`` on ``on``
    (and, for the rules that test them, the line's ``parties``)."""
    return Facts(
        on=on,
        eccn=item.eccn,
        part_number=item.part_number,
        vendor=item.vendor,
        category=item.category,
        destination=destination,
        end_use=end_use,
        params=item.params,
        parties=parties,
    )


def item_part_key(line: LineLike) -> ItemKey:
    """The item part of :func:`item_key`: part number, ECCN, vendor, category, params."""
    if isinstance(line, LightLine):
        return line.item_key
    item = line.item
    return (
        item.part_number,
        item.eccn,
        item.vendor,
        item.category,
        tuple(sorted(item.params.items())),
    )


def item_key(line: LineLike, ruleset: RuleSet, on: date) -> ItemKey:
    """Everything :func:`judge_item` depends on: the item, destination, end use and the
    rule-set epoch of the date (dates in one epoch have the same rules in force)."""
    return (*item_part_key(line), line.destination, line.end_use, ruleset.epoch(on))


def _input_finding(field: str, message: str) -> Finding:
    return Finding(
        rule_id=INPUT_ID,
        status=Status.REVIEW,
        kind="input",
        title="Input problem",
        message=f"{field}: {message}",
    )


def _input_findings(line: LineLike) -> list[Finding]:
    return [_input_finding(p.field, p.message) for p in line.problems]


def _line_result(
    line: LineLike, on: date, item: ResolvedItem, findings: list[Finding]
) -> LineResult:
    findings.sort(key=_sort_key)
    return LineResult(
        line_id=line.line_id,
        status=worst([f.status for f in findings]),
        date=on.isoformat(),
        destination=line.destination,
        findings=tuple(findings),
        fields=line.fields,
        item=item,
        source_line=line.source_line,
    )


def judge_line(
    line: LineLike,
    ruleset: RuleSet,
    as_of: date,
    catalog: Catalog | None = None,
    in_force: list[tuple[Rule, RuleVersion]] | None = None,
    parties: PartyScreening | None = None,
) -> LineResult:
    """Judge one line. Its date is its own ``ship_date`` when given, else ``as_of``."""
    on = line.ship_date or as_of
    if in_force is None:
        in_force = rules_in_force(ruleset, on)
    item_rules, party_rules = split_in_force(ruleset, in_force)
    item, item_findings = judge_item(line, ruleset, on, catalog, item_rules)
    findings = _input_findings(line)
    findings.extend(item_findings)
    if party_rules:
        resolver = parties.resolver(ruleset) if parties is not None else resolver_for(ruleset, None)
        party_set = resolver.party_set(line.fields, on)
        facts = item_facts(item, on, line.destination, line.end_use, party_set)
        findings.extend(party_rule_findings(facts, ruleset, party_rules))
    if parties is not None:
        findings.extend(parties.findings(line, on))
    return _line_result(line, on, item, findings)


class Judged:
    """A cached item judgement: the resolved item, its findings in report order, and the
    status they give (so a line without other findings needs no sorting)."""

    __slots__ = ("findings", "item", "sorted", "status")

    def __init__(self, item: ResolvedItem, findings: tuple[Finding, ...]) -> None:
        self.item = item
        self.findings = findings
        self.sorted = tuple(sorted(findings, key=_sort_key))
        self.status = worst([f.status for f in findings])


class _ItemEntry:
    """Per (item, end use, classification span, see :meth:`JudgeMemo.classified`): the
    classified item and its derivation, its ``kind``, its :meth:`JudgeMemo.fact_class`
    (once known), once needed its judgement without findings, its :meth:`LineJudge.profile`
    signature per epoch, its own 'classification' findings (``own``, when they do not
    depend on the destination; ``made``: those made, by message) and its 'unclassified'
    finding per list of rules that may apply.

    The kinds: 'rules' (an ECCN and no derived classification: its findings come from the
    rules only); 'unclassified' (no ECCN, none derived: the rules' findings and one
    'unclassified' finding, which names the specifications' classification if there is
    one); 'derived' (no ECCN declared, one derived and used: the rules' findings and one
    'classification' finding); 'declared' (an ECCN declared, and one
    derived from its specifications: the rules' findings and, if the two disagree, a
    'classification' finding)."""

    __slots__ = (
        "derivation", "empty", "fact_class", "item", "kind", "made", "own", "sigs", "unclassified",
    )  # fmt: skip

    def __init__(self, item: ResolvedItem, derivation: Derivation | None) -> None:
        self.item = item
        self.derivation = derivation
        if item.eccn is None:
            self.kind = "unclassified"
        elif derivation is None:
            self.kind = "rules"
        else:
            self.kind = "derived" if item.eccn_source == "derived" else "declared"
        self.fact_class: int | None = None
        self.empty: Judged | None = None
        self.sigs: dict[int, tuple[object, ...]] = {}
        self.own: tuple[Finding, ...] | None = None
        self.made: dict[str, Finding] = {}
        self.unclassified: dict[tuple[str, ...], Finding] = {}


class LineJudge:
    """Judges lines one at a time, in order, with every cache (see :func:`judge_lines`).

    :meth:`judge` gives a :class:`LightResult` (no per-line validation); its ``to_model()`` is
    the :class:`LineResult` that :func:`judge_line` gives for the same line.
    """

    def __init__(
        self,
        ruleset: RuleSet,
        as_of: date,
        catalog: Catalog | None = None,
        parties: PartyScreening | None = None,
    ) -> None:
        self.ruleset = ruleset
        self.as_of = as_of
        self.as_of_iso = as_of.isoformat()
        self.catalog = catalog
        self.parties = parties
        self.memo = JudgeMemo(ruleset, catalog)
        self.party_rules = PartyRuleStage(ruleset, self.memo, parties)
        self._in_force: dict[int, list[tuple[Rule, RuleVersion]]] = {}
        self._judged: dict[ItemKey, Judged] = {}
        self._items: dict[ItemKey, _ItemEntry] = {}
        self._sigs: dict[tuple[str, int, int], tuple[object, ...]] = {}
        self._days: dict[date, tuple[int, str]] = {}
        self._inputs: dict[tuple[str, str], Finding] = {}

    def _rules_in_force(self, epoch: int, on: date) -> list[tuple[Rule, RuleVersion]]:
        in_force = self._in_force.get(epoch)
        if in_force is None:
            in_force = self._in_force[epoch] = split_in_force(
                self.ruleset, rules_in_force(self.ruleset, on)
            )[0]
        return in_force

    def _entry(self, line: LineLike, on: date, epoch: int, part: ItemKey) -> _ItemEntry:
        whole = (*part, line.end_use, self.memo.span(on))
        entry = self._items.get(whole)
        if entry is None:
            item, derivation = self.memo.classified(line.item, part, epoch, on)
            entry = _ItemEntry(item, derivation)
            if len(self._items) >= _CACHE_LIMIT:
                self._items.clear()
            self._items[whole] = entry
        return entry

    def _fact_class(self, entry: _ItemEntry, on: date, end_use: str | None) -> int:
        if entry.fact_class is None:
            facts = item_facts(entry.item, on, None, end_use)
            entry.fact_class = self.memo.fact_class(facts)
        return entry.fact_class

    def profile(
        self, line: LineLike, on: date, epoch: int, part: ItemKey
    ) -> tuple[ResolvedItem, tuple[object, ...]]:
        """The line's classified item on ``on`` (``epoch`` is its rule-set epoch, ``part``
        its :func:`item_part_key`) and a *signature*: two lines with equal signatures and
        equal destinations get the same findings from :meth:`shared_judgement`, even when
        their items differ. The rules' findings depend on the item only through the rules
        that may apply to it (:meth:`JudgeMemo.survivors`) and the outcomes of their tests
        that do not read the destination (:meth:`JudgeMemo.outcomes`), so the signature is
        those, marked with the item's kind (see :class:`_ItemEntry`: the shared findings of
        an item of any kind but 'rules' lack its own finding, see :meth:`own_findings`).
        Both are found once per kind, epoch and :meth:`JudgeMemo.fact_class`, and the same
        tuple is given for all its items."""
        entry = self._entry(line, on, epoch, part)
        sig = entry.sigs.get(epoch)
        if sig is None:
            fact_class = self._fact_class(entry, on, line.end_use)
            key = (entry.kind, epoch, fact_class)
            sig = self._sigs.get(key)
            if sig is None:
                facts = item_facts(entry.item, on, None, line.end_use)
                in_force = self._rules_in_force(epoch, on)
                survivors = self.memo.survivors(facts, in_force, epoch, fact_class)
                found: list[object] = [entry.kind, epoch]
                for _, version, _ in survivors:
                    assert version.when is not None  # validated
                    found.append(id(version))
                    self.memo.outcomes(version.when, facts, epoch, found, destination=False)
                sig = tuple(found)
                if len(self._sigs) >= _CACHE_LIMIT:
                    self._sigs.clear()
                self._sigs[key] = sig
            entry.sigs[epoch] = sig
        return entry.item, sig

    def span(self, on: date) -> int:
        """The number of the classification span of ``on``: items are classified alike on
        every date of a span (see :meth:`JudgeMemo.classified`); a span holds whole epochs."""
        return self.memo.span(on)

    def item_class(
        self, line: LineLike, on: date, epoch: int, part: ItemKey
    ) -> tuple[ResolvedItem, tuple[str, int]]:
        """The line's classified item on ``on`` and its *class*: its kind and
        :meth:`JudgeMemo.fact_class`. Both hold on every date of the classification span of
        ``on`` (:meth:`span`). Items of equal class have equal :meth:`profile` signatures in
        every epoch, so they get the same :meth:`shared_judgement` for destinations of equal
        signatures."""
        entry = self._entry(line, on, epoch, part)
        return entry.item, (entry.kind, self._fact_class(entry, on, line.end_use))

    def destination_signature(
        self, destination: str | None, on: date, epoch: int
    ) -> tuple[object, ...]:
        """A signature of ``destination`` on ``on`` (``epoch`` its rule-set epoch): two
        destinations with equal signatures give every item the same item findings (:meth:`
        item_judgement`). The engine reads the destination only through the destination tests
        of the rules in force, so the signature is their outcomes (as in :meth:`JudgeMemo.
        outcomes`: a FALSE not under a ``not`` counts as just FALSE; other outcomes name
        the destination, so only that destination has them)."""
        facts = Facts(on=on, destination=destination)
        sig: list[object] = [epoch]
        for _, version in self._rules_in_force(epoch, on):
            assert version.when is not None  # validated
            sig.append(id(version))
            self.memo.outcomes(version.when, facts, epoch, sig, destination=True)
        return tuple(sig)

    def item_judgement(self, line: LineLike, on: date, epoch: int, part: ItemKey) -> Judged:
        """What the rules say about the line's item going to its destination on ``on``
        (``epoch`` is its rule-set epoch, ``part`` its :func:`item_part_key`), before party
        screening and input problems; not cached here (the caller caches)."""
        return self._new(line, on, epoch, part)

    def shared_judgement(
        self, line: LineLike, on: date, epoch: int, part: ItemKey
    ) -> tuple[Judged, list[str] | None]:
        """:meth:`item_judgement`, but for an item of a kind other than 'rules' (see
        :class:`_ItemEntry`) without the finding of its own, and the rules that may apply
        once it is classified (for a classified one: none): the same for every item with an
        equal :meth:`profile` signature going to a destination with an equal signature. Add
        :meth:`own_findings` last to get :meth:`item_judgement`. For an item of kind 'rules':
        :meth:`item_judgement` and None."""
        entry = self._entry(line, on, epoch, part)
        if entry.kind == "rules":
            return self._new(line, on, epoch, part), None
        item = entry.item
        facts = item_facts(item, on, line.destination, line.end_use)
        in_force = self._rules_in_force(epoch, on)
        fact_class = self._fact_class(entry, on, line.end_use)
        unclassified = entry.kind == "unclassified"
        found, depends = findings_for(
            facts, self.ruleset, in_force, unclassified, self.memo, fact_class
        )
        return Judged(item, tuple(found)), depends

    def own_by_destination(self, line: LineLike, on: date, epoch: int, part: ItemKey) -> bool:
        """Whether :meth:`own_findings` for the line's item depends on the destination (else
        on ``depends`` only): for a declared ECCN its specifications contradict."""
        entry = self._entry(line, on, epoch, part)
        return entry.derivation is not None and _contradicted(entry.item, entry.derivation)

    def own_findings(
        self, line: LineLike, on: date, epoch: int, part: ItemKey, depends: Sequence[str]
    ) -> tuple[Finding, ...]:
        """The findings of its own that an item of a kind other than 'rules' adds to its
        :meth:`shared_judgement` (``depends`` as that gave), as :func:`judge_item` adds them:
        the 'classification' finding of a derived ECCN, or of a declared one the
        specifications contradict (which depends on the destination), and the 'unclassified'
        finding of an item without an ECCN."""
        entry = self._entry(line, on, epoch, part)
        item = entry.item
        found: list[Finding] = []
        derivation = entry.derivation
        if entry.own is not None:
            found = [*entry.own]
        elif derivation is not None:
            facts = item_facts(item, on, line.destination, line.end_use)
            in_force = self._rules_in_force(epoch, on)
            found = _classification_findings(
                item, derivation, facts, self.ruleset, in_force, self.memo, entry.made
            )
            if not _contradicted(item, derivation):  # the same for every destination
                entry.own = tuple(found)
        if entry.kind == "unclassified":
            key = tuple(depends)
            unclassified = entry.unclassified.get(key)
            if unclassified is None:
                message = unclassified_message(item, depends, derivation)
                unclassified = entry.unclassified[key] = self.memo.unclassified_finding(message)
            found.append(unclassified)
        return tuple(found)

    def _new(self, line: LineLike, on: date, epoch: int, part: ItemKey) -> Judged:
        """The judgement of an (item, destination, end use, epoch) not cached. For an item
        of kind 'rules' the findings are the rules' findings only, and when there are none one
        shared judgement per item serves every destination; any other item's findings are its
        :meth:`shared_judgement` and :meth:`own_findings`."""
        in_force = self._rules_in_force(epoch, on)
        entry = self._entry(line, on, epoch, part)
        if entry.kind == "rules":
            fact_class = self._fact_class(entry, on, line.end_use)
            if entry.empty is not None and self.memo.known_empty(
                fact_class, line.destination, epoch
            ):
                return entry.empty
            item = entry.item
            facts = item_facts(item, on, line.destination, line.end_use)
            # What judge_item does for such an item, without the parts that do not apply.
            found, _ = findings_for(facts, self.ruleset, in_force, False, self.memo, fact_class)
            if found:
                return Judged(item, tuple(found))
            if entry.empty is None:
                entry.empty = Judged(item, ())
            return entry.empty
        # What judge_item gives, from the parts the fast path caches too.
        shared, depends = self.shared_judgement(line, on, epoch, part)
        assert depends is not None  # not of kind 'rules'
        own = self.own_findings(line, on, epoch, part, depends)
        return Judged(entry.item, (*shared.findings, *own))

    def party_findings(
        self, line: LineLike, on: date, epoch: int, part: ItemKey
    ) -> tuple[Finding, ...]:
        """The findings of the rules that test the line's parties (``epoch`` is the rule-set
        epoch of ``on``, ``part`` the line's :func:`item_part_key`), as :func:`judge_line`
        adds them after the item's."""
        stage = self.party_rules
        if not stage.in_force(epoch, on):
            return ()
        entry = self._entry(line, on, epoch, part)
        fact_class = self._fact_class(entry, on, line.end_use)
        party_set = stage.party_set(line.fields, on)
        return stage.findings(
            entry.item, line.destination, line.end_use, on, epoch, fact_class, party_set
        )

    def _input_findings(self, line: LineLike) -> list[Finding]:
        """:func:`_input_findings`, one shared object per distinct problem (so that writers
        can render each once)."""
        out: list[Finding] = []
        for p in line.problems:
            key = (p.field, p.message)
            found = self._inputs.get(key)
            if found is None:
                if len(self._inputs) >= _CACHE_LIMIT:
                    self._inputs.clear()
                found = self._inputs[key] = _input_finding(p.field, p.message)
            out.append(found)
        return out

    def judge(self, line: LineLike) -> LightResult:
        on = line.ship_date or self.as_of
        day = self._days.get(on)
        if day is None:
            if len(self._days) >= _CACHE_LIMIT:
                self._days.clear()
            day = self._days[on] = (self.ruleset.epoch(on), on.isoformat())
        epoch = day[0]
        part = item_part_key(line)
        key = (*part, line.destination, line.end_use, epoch)
        hit = self._judged.get(key)
        if hit is None:
            hit = self._new(line, on, epoch, part)
            if len(self._judged) >= _CACHE_LIMIT:
                self._judged.clear()
            self._judged[key] = hit
        extra: list[Finding] = self._input_findings(line) if line.problems else []
        if self.party_rules.active:
            extra.extend(self.party_findings(line, on, epoch, part))
        if self.parties is not None:
            extra.extend(self.parties.findings(line, on))
        if not extra:
            findings_out = hit.sorted
            status = hit.status
        else:
            # The order judge_line uses (input, item, parties), sorted stably by the same key.
            merged = [*extra[: len(line.problems)], *hit.findings, *extra[len(line.problems) :]]
            merged.sort(key=_sort_key)
            findings_out = tuple(merged)
            status = worst([f.status for f in merged])
        return LightResult(
            line.line_id,
            status,
            day[1],
            line.destination,
            findings_out,
            line.fields,
            hit.item,
            line.source_line,
        )


def judge_lines(
    lines: Iterable[LineLike],
    ruleset: RuleSet,
    as_of: date,
    catalog: Catalog | None = None,
    parties: PartyScreening | None = None,
    *,
    cache: bool = True,
) -> Iterator[LineResult]:
    """Judge lines in input order (streaming).

    With ``cache`` (the default) each distinct item judgement — same :func:`item_key` — is
    computed once (while it stays in a bounded cache) and reused, and its parts are cached
    too (see :class:`JudgeMemo`); the results are the same as with ``cache=False``, which
    judges every line from scratch.
    """
    if not cache:
        for line in lines:
            yield judge_line(line, ruleset, as_of, catalog, None, parties)
        return
    judge = LineJudge(ruleset, as_of, catalog, parties)
    for line in lines:
        yield judge.judge(line).to_model()
