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
from exportcheck.model.eccn import eccn_matches
from exportcheck.model.report import Because
from exportcheck.model.rules import Condition, DestinationCondition, ParamTest, RuleSet


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


def _text_test(name: str, value: str | None, patterns: list[str]) -> Outcome:
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


def _eccn_test(eccn: str | None, patterns: list[str]) -> Outcome:
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


def _param_test(params: dict[str, float], test: ParamTest) -> Outcome:
    value = params.get(test.param)
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


def _destination_test(ruleset: RuleSet, facts: Facts, cond: DestinationCondition) -> Outcome:
    dest = facts.destination
    if dest is None:
        return Outcome(
            Tri.UNKNOWN,
            (Because(field="destination", value=None, test="missing or unknown"),),
            frozenset({"destination"}),
        )
    # The destination itself first, then what it is treated as (Hong Kong as China).
    candidates: list[tuple[str, str]] = [(dest, "")]
    for t in treatments_on(ruleset, dest, facts.on):
        candidates.append((t.treated_as, f"treated as {t.treated_as} ({t.citation}), "))

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
    for code, via in candidates:
        if code in cond.countries:
            return Outcome(
                Tri.TRUE, (Because(field="destination", value=dest, test=f"{via}listed as {code}"),)
            )
        for gid in cond.groups:
            if code in group_members(ruleset, gid, facts.on):
                return Outcome(
                    Tri.TRUE,
                    (
                        Because(
                            field="destination",
                            value=dest,
                            test=f"{via}{code} in Country Group {gid}",
                        ),
                    ),
                )
    if cond.anywhere:
        return Outcome(
            Tri.TRUE,
            (Because(field="destination", value=dest, test="any destination not excluded"),),
        )
    scope = ", ".join([*cond.countries, *cond.groups])
    return Outcome(Tri.FALSE, (Because(field="destination", value=dest, test=f"not in {scope}"),))


def _and(outcomes: list[Outcome]) -> Outcome:
    falses = [o for o in outcomes if o.value is Tri.FALSE]
    if falses:
        return Outcome(Tri.FALSE, falses[0].because)
    because = tuple(b for o in outcomes for b in o.because)
    missing = frozenset().union(*(o.missing for o in outcomes)) if outcomes else frozenset()
    if all(o.value is Tri.TRUE for o in outcomes):
        return Outcome(Tri.TRUE, because)
    return Outcome(Tri.UNKNOWN, because, missing)


def _or(outcomes: list[Outcome]) -> Outcome:
    trues = [o for o in outcomes if o.value is Tri.TRUE]
    if trues:
        return Outcome(Tri.TRUE, trues[0].because)
    unknowns = [o for o in outcomes if o.value is Tri.UNKNOWN]
    if unknowns:
        because = tuple(b for o in unknowns for b in o.because)
        return Outcome(Tri.UNKNOWN, because, frozenset().union(*(o.missing for o in unknowns)))
    return Outcome(Tri.FALSE, tuple(b for o in outcomes for b in o.because))


def _not(inner: Outcome) -> Outcome:
    """Negation. The inner reasons already say why the inner test failed or held ("not one
    of hbm*", "falls under 3A090.c"), so they are kept as they are."""
    flipped = {Tri.TRUE: Tri.FALSE, Tri.FALSE: Tri.TRUE, Tri.UNKNOWN: Tri.UNKNOWN}[inner.value]
    return Outcome(flipped, inner.because, inner.missing)


def evaluate(cond: Condition, facts: Facts, ruleset: RuleSet) -> Outcome:
    """Three-valued evaluation of ``cond``; keys of one condition are combined with AND."""
    parts: list[Outcome] = []
    if cond.eccn is not None:
        parts.append(_eccn_test(facts.eccn, cond.eccn))
    if cond.part_number is not None:
        parts.append(_text_test("part_number", facts.part_number, cond.part_number))
    if cond.vendor is not None:
        parts.append(_text_test("vendor", facts.vendor, cond.vendor))
    if cond.category is not None:
        parts.append(_text_test("category", facts.category, cond.category))
    if cond.end_use is not None:
        parts.append(_text_test("end_use", facts.end_use, cond.end_use))
    if cond.params is not None:
        parts.extend(_param_test(facts.params, t) for t in cond.params)
    if cond.destination is not None:
        parts.append(_destination_test(ruleset, facts, cond.destination))
    if cond.all is not None:
        parts.append(_and([evaluate(c, facts, ruleset) for c in cond.all]))
    if cond.any is not None:
        parts.append(_or([evaluate(c, facts, ruleset) for c in cond.any]))
    if cond.not_ is not None:
        parts.append(_not(evaluate(cond.not_, facts, ruleset)))
    return _and(parts)
