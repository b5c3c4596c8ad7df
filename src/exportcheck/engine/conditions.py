"""Evaluate rule conditions against an item and destination, in three-valued logic.

A condition is TRUE, FALSE or UNKNOWN. UNKNOWN means a value it needs is missing (no ECCN,
no destination, no TPP...): the engine then reports that the rule *may* apply (``review``)
instead of silently treating the line as out of scope. ``all``/``any``/``not`` follow Kleene
logic: FALSE wins an ``all``, TRUE wins an ``any``. Every outcome carries the reasons
(field, value, test) so findings can say exactly why a rule matched.
"""

from __future__ import annotations

import fnmatch
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from exportcheck.engine.inforce import group_members, treatments_on
from exportcheck.engine.partyfacts import PartyFact, PartySet
from exportcheck.model.eccn import eccn_matches
from exportcheck.model.fields import PATTERN_FIELDS, TESTED_FIELDS
from exportcheck.model.manifest import HQ_SUFFIX, PARENT_HQ_SUFFIX, PARENT_SUFFIX
from exportcheck.model.report import Because
from exportcheck.model.rules import (
    Condition,
    DestinationCondition,
    HeadquartersCondition,
    OwnedByCondition,
    ParamTest,
    PartyCondition,
    RuleSet,
)


class Tri(Enum):
    FALSE = 0
    UNKNOWN = 1
    TRUE = 2


@dataclass(frozen=True)
class Facts:
    """What the engine knows about one line on one date."""

    on: date
    eccn: str | None = None
    part_number: str | None = None
    vendor: str | None = None
    category: str | None = None
    destination: str | None = None
    end_use: str | None = None
    params: dict[str, float] = field(default_factory=dict)
    parties: PartySet | None = None  # None: the line's parties are not known to the caller


@dataclass(frozen=True)
class Outcome:
    value: Tri
    because: tuple[Because, ...] = ()
    missing: frozenset[str] = frozenset()


_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}


def _fmt(value: float) -> str:
    return f"{int(value):,}" if value == int(value) else f"{value:,.4g}"


_Matchers = tuple[tuple[str, Callable[[str], object]], ...]
_MATCHERS: dict[tuple[str, ...], _Matchers] = {}


def _matchers(patterns: list[str]) -> _Matchers:
    """Each pattern with its compiled case-insensitive glob (``fnmatch.fnmatchcase`` of the
    casefolded value), compiled once per list of patterns (rule sets are few and fixed)."""
    key = tuple(patterns)
    found = _MATCHERS.get(key)
    if found is None:
        found = tuple(
            (p, re.compile(fnmatch.translate(p.strip().casefold())).match) for p in patterns
        )
        if len(_MATCHERS) >= 4096:
            _MATCHERS.clear()
        _MATCHERS[key] = found
    return found


def text_outcome(name: str, value: str | None, patterns: list[str]) -> Outcome:
    shown = ", ".join(patterns)
    if value is None or not value.strip():
        return Outcome(
            Tri.UNKNOWN,
            (Because(field=name, value=None, test=f"missing; rule needs {shown}"),),
            frozenset({name}),
        )
    v = value.strip().casefold()
    for p, match in _matchers(patterns):
        if match(v) is not None:
            return Outcome(Tri.TRUE, (Because(field=name, value=value, test=f"matches {p}"),))
    return Outcome(Tri.FALSE, (Because(field=name, value=value, test=f"not one of {shown}"),))


def eccn_outcome(eccn: str | None, patterns: list[str]) -> Outcome:
    shown = ", ".join(patterns)
    if eccn is None:
        return Outcome(
            Tri.UNKNOWN,
            (Because(field="eccn", value=None, test=f"unclassified; rule covers {shown}"),),
            frozenset({"eccn"}),
        )
    unsure: list[str] = []
    for p in patterns:
        m = eccn_matches(eccn, p)
        if m is True:
            return Outcome(Tri.TRUE, (Because(field="eccn", value=eccn, test=f"falls under {p}"),))
        if m is None:
            unsure.append(p)
    if unsure:
        return Outcome(
            Tri.UNKNOWN,
            (
                Because(
                    field="eccn",
                    value=eccn,
                    test=f"declared without the paragraph; rule covers {', '.join(unsure)}",
                ),
            ),
            frozenset({"eccn"}),
        )
    return Outcome(Tri.FALSE, (Because(field="eccn", value=eccn, test=f"not under {shown}"),))


def param_outcome(params: dict[str, float], test: ParamTest) -> Outcome:
    value = params.get(test.param)
    if test.value is None:  # a presence test: never unknown
        given = value is not None
        ok = given if test.op == "given" else not given
        words = ("given" if given else "not given") + f"; rule tests {test.describe()}"
        return Outcome(
            Tri.TRUE if ok else Tri.FALSE, (Because(field=test.param, value=value, test=words),)
        )
    if value is None:
        return Outcome(
            Tri.UNKNOWN,
            (Because(field=test.param, value=None, test=f"missing; rule tests {test.describe()}"),),
            frozenset({test.param}),
        )
    ok = _OPS[test.op](value, test.value)
    words = f"{test.op} {_fmt(test.value)}" if ok else f"not {test.op} {_fmt(test.value)}"
    return Outcome(
        Tri.TRUE if ok else Tri.FALSE, (Because(field=test.param, value=value, test=words),)
    )


def _places(ruleset: RuleSet, code: str, on: date) -> list[tuple[str, str]]:
    """A country, then what it is treated as on ``on`` (Hong Kong as China), each with how."""
    places: list[tuple[str, str]] = [(code, "")]
    for t in treatments_on(ruleset, code, on):
        places.append((t.treated_as, f"treated as {t.treated_as} ({t.citation}), "))
    return places


def _in_scope(
    ruleset: RuleSet,
    places: list[tuple[str, str]],
    on: date,
    countries: list[str],
    groups: list[str],
) -> str | None:
    """How one of ``places`` falls in the countries or country groups, in words, or None."""
    for code, via in places:
        if code in countries:
            return f"{via}listed as {code}"
        for gid in groups:
            if code in group_members(ruleset, gid, on):
                return f"{via}{code} in Country Group {gid}"
    return None


def destination_outcome(ruleset: RuleSet, facts: Facts, cond: DestinationCondition) -> Outcome:
    dest = facts.destination
    if dest is None:
        return Outcome(
            Tri.UNKNOWN,
            (Because(field="destination", value=None, test="missing or unknown"),),
            frozenset({"destination"}),
        )
    # The destination itself first, then what it is treated as (Hong Kong as China).
    candidates = _places(ruleset, dest, facts.on)

    def excluded(code: str) -> str | None:
        if code in cond.except_countries:
            return f"excluded: {code}"
        for gid in cond.except_groups:
            if code in group_members(ruleset, gid, facts.on):
                return f"excluded: {code} is in {gid}"
        return None

    for code, via in candidates:
        why = excluded(code)
        if why:
            return Outcome(
                Tri.FALSE, (Because(field="destination", value=dest, test=f"{via}{why}"),)
            )
    found = _in_scope(ruleset, candidates, facts.on, cond.countries, cond.groups)
    if found is not None:
        return Outcome(Tri.TRUE, (Because(field="destination", value=dest, test=found),))
    if cond.anywhere:
        return Outcome(
            Tri.TRUE,
            (Because(field="destination", value=dest, test="any destination not excluded"),),
        )
    scope = ", ".join([*cond.countries, *cond.groups])
    return Outcome(Tri.FALSE, (Because(field="destination", value=dest, test=f"not in {scope}"),))


def _hq_test(ruleset: RuleSet, on: date, party: PartyFact, cond: HeadquartersCondition) -> Outcome:
    """Is the party headquartered in the scope, or (``ultimate_parent``) its ultimate parent?
    Unknown when the headquarters it needs is not known."""
    scope = ", ".join([*cond.countries, *cond.groups])
    role = party.role

    def place(code: str | None, source: str, field: str, whose: str) -> Outcome:
        if code is None:
            return Outcome(
                Tri.UNKNOWN,
                (Because(field=field, value=None, test=f"{whose} unknown; rule needs {scope}"),),
                frozenset({field}),
            )
        shown = f"{whose} {code}" + (f" (from the {source})" if source == "ownership file" else "")
        found = _in_scope(ruleset, _places(ruleset, code, on), on, cond.countries, cond.groups)
        if found is not None:
            return Outcome(Tri.TRUE, (Because(field=field, value=code, test=f"{shown}: {found}"),))
        return Outcome(
            Tri.FALSE, (Because(field=field, value=code, test=f"{shown}: not in {scope}"),)
        )

    own = place(party.hq, party.hq_source, role + HQ_SUFFIX, "headquarters")
    if not cond.ultimate_parent:
        return own
    if party.parent is None:
        parent = Outcome(
            Tri.FALSE,
            (Because(field=role + PARENT_SUFFIX, value=None, test="no ultimate parent given"),),
        )
    else:
        parent = place(
            party.parent_hq,
            party.parent_hq_source,
            role + PARENT_HQ_SUFFIX,
            f"ultimate parent '{party.parent}' headquarters",
        )
    return any_of([own, parent])


def _owned_test(party: PartyFact, cond: OwnedByCondition) -> Outcome:
    lists = tuple(cond.lists)
    found = party.owned_by(lists, cond.at_least)
    field = party.role
    if found is None or found.value is False:
        return Outcome(
            Tri.FALSE,
            (
                Because(
                    field=field, value=party.name, test="not known to be owned by listed parties"
                ),
            ),
        )
    because = (Because(field=field, value=party.name, test=found.test),)
    if found.value is True:
        return Outcome(Tri.TRUE, because)
    return Outcome(Tri.UNKNOWN, because, frozenset({f"{field} ownership"}))


def _party_test(ruleset: RuleSet, facts: Facts, cond: PartyCondition) -> Outcome:
    """Some party of the line passes every test of ``cond``. With no party named, a
    headquarters test is unknown (the rule needs to know who the parties are) and an
    ownership test false (nobody to be owned)."""
    parties = facts.parties.parties if facts.parties is not None else ()
    chosen = [p for p in parties if cond.roles is None or p.role in cond.roles]
    if not chosen:
        parts: list[Outcome] = []
        if cond.headquarters is not None:
            who = ", ".join(cond.roles) if cond.roles else "consignee or end user"
            parts.append(
                Outcome(
                    Tri.UNKNOWN,
                    (
                        Because(
                            field="parties",
                            value=None,
                            test=f"no {who} named; rule needs where it is headquartered",
                        ),
                    ),
                    frozenset({"parties"}),
                )
            )
        if cond.owned_by is not None:
            parts.append(
                Outcome(Tri.FALSE, (Because(field="parties", value=None, test="no party named"),))
            )
        return all_of(parts)
    each: list[Outcome] = []
    for p in chosen:
        tests: list[Outcome] = []
        if cond.headquarters is not None:
            tests.append(_hq_test(ruleset, facts.on, p, cond.headquarters))
        if cond.owned_by is not None:
            tests.append(_owned_test(p, cond.owned_by))
        each.append(all_of(tests))
    return any_of(each)


def all_of(outcomes: list[Outcome]) -> Outcome:
    falses = [o for o in outcomes if o.value is Tri.FALSE]
    if falses:
        return Outcome(Tri.FALSE, falses[0].because)
    because = tuple(b for o in outcomes for b in o.because)
    missing = frozenset().union(*(o.missing for o in outcomes)) if outcomes else frozenset()
    if all(o.value is Tri.TRUE for o in outcomes):
        return Outcome(Tri.TRUE, because)
    return Outcome(Tri.UNKNOWN, because, missing)


def any_of(outcomes: list[Outcome]) -> Outcome:
    trues = [o for o in outcomes if o.value is Tri.TRUE]
    if trues:
        return Outcome(Tri.TRUE, trues[0].because)
    unknowns = [o for o in outcomes if o.value is Tri.UNKNOWN]
    if unknowns:
        because = tuple(b for o in unknowns for b in o.because)
        return Outcome(Tri.UNKNOWN, because, frozenset().union(*(o.missing for o in unknowns)))
    return Outcome(Tri.FALSE, tuple(b for o in outcomes for b in o.because))


def not_of(inner: Outcome) -> Outcome:
    """Negation. The inner reasons already say why the inner test failed or held ("not one
    of hbm*", "falls under 3A090.c"), so they are kept as they are."""
    flipped = {Tri.TRUE: Tri.FALSE, Tri.FALSE: Tri.TRUE, Tri.UNKNOWN: Tri.UNKNOWN}[inner.value]
    return Outcome(flipped, inner.because, inner.missing)


LeafTest = Callable[[Facts, RuleSet], Outcome]
_LEAVES: dict[int, tuple[Condition, tuple[tuple[str, LeafTest], ...]]] = {}


def _eccn_leaf(patterns: list[str]) -> LeafTest:
    return lambda facts, ruleset: eccn_outcome(facts.eccn, patterns)


def _text_leaf(name: str, patterns: list[str]) -> LeafTest:
    return lambda facts, ruleset: text_outcome(name, getattr(facts, name), patterns)


def _param_leaf(test: ParamTest) -> LeafTest:
    return lambda facts, ruleset: param_outcome(facts.params, test)


def _destination_leaf(cond: DestinationCondition) -> LeafTest:
    return lambda facts, ruleset: destination_outcome(ruleset, facts, cond)


def _party_leaf(cond: PartyCondition) -> LeafTest:
    return lambda facts, ruleset: _party_test(ruleset, facts, cond)


def leaves(cond: Condition) -> tuple[tuple[str, LeafTest], ...]:
    """The single tests of ``cond`` itself (not of its ``all`` / ``any`` / ``not`` parts), in
    the order :func:`evaluate` combines them, each with what it reads (``item``,
    ``destination`` or ``party``); found once per condition (conditions are immutable)."""
    found = _LEAVES.get(id(cond))
    if found is not None and found[0] is cond:
        return found[1]
    tests: list[tuple[str, LeafTest]] = []
    if cond.eccn is not None:
        tests.append(("item", _eccn_leaf(cond.eccn)))
    for name in PATTERN_FIELDS:
        patterns = getattr(cond, name)
        if patterns is not None:
            tests.append(("item", _text_leaf(name, patterns)))
    for t in cond.params or ():
        tests.append(("item", _param_leaf(t)))
    if cond.destination is not None:
        tests.append(("destination", _destination_leaf(cond.destination)))
    if cond.party is not None:
        tests.append(("party", _party_leaf(cond.party)))
    if len(_LEAVES) >= 1 << 14:
        _LEAVES.clear()
    _LEAVES[id(cond)] = (cond, tuple(tests))
    return tuple(tests)


def evaluate(
    cond: Condition,
    facts: Facts,
    ruleset: RuleSet,
    sub: Callable[[Condition], Outcome] | None = None,
    leaf: Callable[[Condition, int, str, LeafTest], Outcome] | None = None,
) -> Outcome:
    """Three-valued evaluation of ``cond``; keys of one condition are combined with AND.
    ``sub``, when given, evaluates the ``all`` / ``any`` / ``not`` parts instead, and
    ``leaf`` the single tests (``leaf(cond, index, reads, test)``): a caller's caches of the
    same evaluation on the same facts."""
    if sub is None:

        def sub(c: Condition) -> Outcome:
            return evaluate(c, facts, ruleset)

    if leaf is None:
        parts = [test(facts, ruleset) for _, test in leaves(cond)]
    else:
        parts = [leaf(cond, i, kind, test) for i, (kind, test) in enumerate(leaves(cond))]
    if cond.all is not None:
        parts.append(all_of([sub(c) for c in cond.all]))
    if cond.any is not None:
        parts.append(any_of([sub(c) for c in cond.any]))
    if cond.not_ is not None:
        parts.append(not_of(sub(cond.not_)))
    return all_of(parts)


#: what a condition reads that is not the destination or a party (tested fields, parameters)
_ITEM_READS = (*(f for f in TESTED_FIELDS if f != "destination"), "params")


def reads(cond: Condition) -> frozenset[str]:
    """What ``cond`` (with its parts) reads of a line: ``item`` (its ECCN, part number,
    vendor, category, end use, parameters), ``destination``, ``party``."""
    found: set[str] = set()
    if any(getattr(cond, k) is not None for k in _ITEM_READS):
        found.add("item")
    if cond.destination is not None:
        found.add("destination")
    if cond.party is not None:
        found.add("party")
    for c in [*(cond.all or ()), *(cond.any or ()), *([cond.not_] if cond.not_ else [])]:
        found |= reads(c)
    return frozenset(found)
