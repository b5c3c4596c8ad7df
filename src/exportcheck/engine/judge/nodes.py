"""Rule conditions prepared for cached evaluation by :class:`~exportcheck.engine.judge.memo.
JudgeMemo`: the facts a condition reads, its single tests, the leaf conjuncts of a rule version
and the lists of rules that may apply. Pure: no I/O."""

from __future__ import annotations

from typing import Any

from exportcheck.engine.conditions import Facts, Outcome, Tri
from exportcheck.model.fields import PATTERN_FIELDS, TESTED_FIELDS
from exportcheck.model.rules import Condition, Rule, RuleVersion


def condition_fields(cond: Condition, out: set[str]) -> set[str]:
    """The facts a condition reads: ``eccn``, ``destination``, ... and ``param:<name>``."""
    for name in TESTED_FIELDS:
        if getattr(cond, name) is not None:
            out.add(name)
    for test in cond.params or ():
        out.add("param:" + test.param)
    for sub in [*(cond.all or ()), *(cond.any or ()), *([cond.not_] if cond.not_ else [])]:
        condition_fields(sub, out)
    return out


def shown(outcome: Outcome, negated: bool) -> object:
    """A test's outcome as far as a finding can show it: a FALSE outcome that is not under
    a ``not`` is just ``False`` (a FALSE part makes its ``all`` FALSE, is dropped by an
    ``any`` with another outcome, and a FALSE condition gives no finding, so its reasons
    never reach one); any other outcome is itself. Signatures and fact classes hold tests'
    outcomes so."""
    return False if outcome.value is Tri.FALSE and not negated else outcome


#: the fields a leaf conjunct tests, the dated one (destination) first
LEAF_KEYS = ("destination", *(f for f in TESTED_FIELDS if f != "destination"))


def project(facts: Facts, fields: tuple[str, ...]) -> list[object]:
    """The values of ``fields`` (see :func:`condition_fields`) in ``facts``."""
    params = facts.params
    return [
        params.get(name[6:]) if name.startswith("param:") else getattr(facts, name)
        for name in fields
    ]


class Plan:
    """How to judge one rule version quickly: its leaf conjuncts (single tests that must all
    hold), each with the facts it reads and whether it depends on the date (destination
    tests read dated country groups and treatments)."""

    def __init__(self, version: RuleVersion, when: Condition) -> None:
        self.version = version
        self.probes: list[tuple[Condition, tuple[str, ...], bool]] = []
        self._collect(when)

    def _collect(self, cond: Condition) -> None:
        for name in LEAF_KEYS:
            value = getattr(cond, name)
            if value is not None:
                probe = Condition.model_construct(**{name: value})
                self.probes.append((probe, (name,), name == "destination"))
        for test in cond.params or ():
            probe = Condition.model_construct(params=[test])
            self.probes.append((probe, ("param:" + test.param,), False))
        for sub in cond.all or ():
            self._collect(sub)


class Node:
    """One condition node prepared for cached evaluation: the facts it reads (and whether a
    destination test, which depends on the date, is among them) and its single tests in the
    order :func:`evaluate` combines them. A ``party`` test is not among them: the rules that
    have one are judged by :mod:`exportcheck.engine.partyrules`, which reads only the item
    tests of their nodes here (for fact classes and party signatures)."""

    __slots__ = ("cond", "dated", "fields", "leaves")

    def __init__(self, cond: Condition) -> None:
        self.cond = cond
        self.fields = tuple(sorted(condition_fields(cond, set())))
        self.dated = "destination" in self.fields
        leaves: list[tuple[str, Any]] = []
        if cond.eccn is not None:
            leaves.append(("eccn", cond.eccn))
        for name in PATTERN_FIELDS:
            value = getattr(cond, name)
            if value is not None:
                leaves.append((name, value))
        for test in cond.params or ():
            leaves.append(("param", test))
        if cond.destination is not None:
            leaves.append(("destination", cond.destination))
        self.leaves = leaves


class Survivors(list[tuple[Rule, RuleVersion, Plan]]):
    """The rules that may apply to an item (see :meth:`JudgeMemo.survivors`); ``sig``
    numbers the distinct lists of rule versions."""

    __slots__ = ("sig",)

    sig: int
