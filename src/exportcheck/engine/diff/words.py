"""Rule conditions in plain words (for the ``details`` and snapshots of a diff)."""

from __future__ import annotations

from exportcheck.model.countries import country_name
from exportcheck.model.fields import BY_NAME, PATTERN_FIELDS
from exportcheck.model.rules import Condition, DestinationCondition, ParamTest, PartyCondition


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def param_text(test: ParamTest) -> str:
    if test.value is None:  # a presence test: missing / given
        return f"{test.param} {test.op}"
    return f"{test.param} {test.op} {_num(test.value)}"


def country_label(code: str) -> str:
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
    for name in PATTERN_FIELDS:
        values = getattr(cond, name)
        if values is not None:
            parts.append(f"{BY_NAME[name].words} " + " or ".join(values))
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
