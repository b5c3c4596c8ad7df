"""Party screening inside ``check``: the consignee, end user and any named party column of a
line, screened against restricted-party lists on the line's date. Pure: the index is built
from entries the readers loaded; results are cached per (name, country, date)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from exportcheck.engine.partyfacts import PartyResolver
from exportcheck.engine.screening import ScreeningIndex
from exportcheck.model.fastline import LineLike
from exportcheck.model.ownership import Ownership
from exportcheck.model.parties import ScreeningMatch, ScreenResult, entry_change_dates
from exportcheck.model.report import Because, Finding
from exportcheck.model.rules import RuleSet

DEFAULT_PARTY_COLUMNS: tuple[str, ...] = ("consignee", "end_user")
_CACHE_LIMIT = 1 << 14  # entries per cache; a full cache is emptied (memory stays bounded)


def _room(table: dict[Any, Any]) -> None:
    if len(table) >= _CACHE_LIMIT:
        table.clear()


_ABSENT: Any = object()


def _name_of(value: object) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text or None


def _match_test(m: ScreeningMatch) -> str:
    e = m.explanation
    parts = [
        f"matches '{m.matched_name}' of {m.list_code} entry {m.entry_id} (score {m.score:.1f})"
    ]
    if e.legal_forms_ignored:
        parts.append("legal forms ignored: " + ", ".join(e.legal_forms_ignored))
    if e.country_signal == "same":
        parts.append(f"same country {m.country} (+{e.country_bonus:g})")
    elif e.country_signal == "different":
        parts.append(f"listed country {m.country} differs (signal only)")
    return "; ".join(parts)


def party_finding(column: str, name: str, m: ScreeningMatch) -> Finding:
    policy = f" Licence policy: {m.license_policy.rstrip('.')}." if m.license_policy else ""
    return Finding(
        rule_id=f"party:{m.list_code}:{m.entry_id}",
        rule_version=None,
        status=m.status,
        kind="party",
        title=f"{m.list}: {m.name}",
        message=(
            f"{column} '{name}' matches {m.list} entry '{m.name}' as '{m.matched_name}' "
            f"(score {m.score:.1f}): {m.status.value}.{policy}"
        ),
        citation=m.citation,
        confidence=m.confidence.value,
        review_policy=m.license_policy,
        because=(Because(field=column, value=name, test=_match_test(m)),),
    )


@dataclass
class PartyScreening:
    """Screens the party columns of lines.

    Each distinct (column, name, country) is screened once per *list epoch*: the span between
    two dates on which some list entry starts or ends, over which every screening gives the
    same matches. ``cache=False`` screens every line afresh (same results, slower).
    """

    index: ScreeningIndex
    columns: tuple[str, ...] = DEFAULT_PARTY_COLUMNS
    cache: bool = True
    ownership: Ownership | None = None  # who owns the parties (``check --ownership``)
    seen_columns: set[str] = field(default_factory=set)
    _results: dict[tuple[str, str | None, int], ScreenResult] = field(default_factory=dict)
    _findings: dict[tuple[str, str, str | None, int], tuple[Finding, ...]] = field(
        default_factory=dict
    )
    _change_dates: tuple[date, ...] = ()
    _countries: frozenset[str] = frozenset()
    _unmatched_names: dict[tuple[str, int], bool] = field(default_factory=dict)
    _epochs: dict[date, int] = field(default_factory=dict)
    _resolvers: dict[int, tuple[RuleSet, PartyResolver]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._change_dates = entry_change_dates(self.index.entries)
        # Countries that can change a screening (by the same-country bonus); see _unmatched.
        self._countries = frozenset(c for e in self.index.entries for c in e.all_countries)

    def epoch(self, on: date) -> int:
        return bisect_right(self._change_dates, on)

    def resolver(self, ruleset: RuleSet) -> PartyResolver:
        """The :class:`PartyResolver` of these parties' columns, lists and ownership for the
        party rules of ``ruleset`` (one per rule set)."""
        from exportcheck.engine.partyrules import resolver_for

        found = self._resolvers.get(id(ruleset))
        if found is None or found[0] is not ruleset:
            found = self._resolvers[id(ruleset)] = (ruleset, resolver_for(ruleset, self))
        return found[1]

    def screen(self, name: str, country: str | None, on: date) -> ScreenResult:
        return self.index.screen(name, country=country, on=on)

    def _column_findings(
        self, column: str, name: str, country: str | None, on: date, epoch: int = -1
    ) -> tuple[Finding, ...]:
        """The findings for one party; ``epoch`` is :meth:`epoch` of ``on`` when known."""
        if not self.cache:
            result = self.screen(name, country, on)
            return tuple(party_finding(column, name, m) for m in result.matches)
        if epoch < 0:
            epoch = self.epoch(on)
        key = (column, name, country, epoch)
        found = self._findings.get(key)
        if found is None:
            if country not in self._countries and self._unmatched(name, epoch, on):
                found = ()
            else:
                cached = self._results.get((name, country, epoch))
                if cached is None:
                    cached = self.screen(name, country, on)
                    _room(self._results)
                    self._results[(name, country, epoch)] = cached
                found = tuple(party_finding(column, name, m) for m in cached.matches)
            _room(self._findings)
            self._findings[key] = found
        return found

    def never_matches(self, name: str) -> bool:
        """Whether the (stripped) ``name`` matches no list entry on any date, whatever the
        line's country: then every column holding it has no findings."""
        return not self.index.may_match(name)

    def column_findings(
        self, column: str, name: str, country: str | None, on: date, epoch: int
    ) -> tuple[Finding, ...]:
        """The findings for the (stripped, non-empty) ``name`` in ``column`` of a line going
        to ``country`` on ``on``; ``epoch`` is :meth:`epoch` of ``on``. What :meth:`findings`
        gives for that column."""
        return self._column_findings(column, name, country, on, epoch)

    def _unmatched(self, name: str, epoch: int, on: date) -> bool:
        """Does ``name`` match nothing on ``on`` without a country signal? Then it matches
        nothing for any country outside every entry's countries either: the country only
        adds a bonus to entries of that country (elsewhere it is a signal, same score)."""
        found = self._unmatched_names.get((name, epoch))
        if found is None:
            found = not self.screen(name, None, on).matches
            _room(self._unmatched_names)
            self._unmatched_names[(name, epoch)] = found
        return found

    def findings(self, line: LineLike, on: date) -> list[Finding]:
        out: list[Finding] = []
        fields = line.fields
        epoch = -1
        if self.cache:
            epoch = self._epochs.get(on, -1)
            if epoch < 0:
                _room(self._epochs)
                epoch = self._epochs[on] = self.epoch(on)
        seen = self.seen_columns
        for column in self.columns:
            value = fields.get(column, _ABSENT)
            if value is _ABSENT:
                continue
            if column not in seen:
                seen.add(column)
            name = (value.strip() or None) if value.__class__ is str else _name_of(value)
            if name is None:
                continue
            found = self._column_findings(column, name, line.destination, on, epoch)
            if found:
                out.extend(found)
        return out
