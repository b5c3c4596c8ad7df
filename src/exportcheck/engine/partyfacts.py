"""What the rules may know about the parties of a line on a date: where each is
headquartered, its ultimate parent (and where that is headquartered), and whether it is owned,
in the aggregate, by parties on restricted lists. Pure: built from the line's cells, the
ownership records (:mod:`exportcheck.model.ownership`) and the screening index.

Per party column (``consignee``, ``end_user`` and any ``--party-columns``) a line may give
``<column>_hq_country``, ``<column>_parent`` (its ultimate parent) and
``<column>_parent_hq_country``; what the line leaves empty comes from the ownership file, as
known on the line's date (records with ``as_of`` on or before it; the latest per owner).

Ownership is aggregated as the Affiliates rule (90 FR 47201) and OFAC's 50 % rule count it:
an owner counts in full when it is listed itself (a screening hit on an entry of the lists
asked) or is itself owned, in the aggregate, at least the threshold by such owners; shares
add up over owners. Three-valued: *owned* when the shares of such owners reach the
threshold; *unknown* when owners that may be listed (a screening match below the hit
threshold), or shares nobody is known to hold, could reach it; *not owned* otherwise. Shares
nobody is known to hold (no ownership data, or holdings under 100 %) count as unknown only
for a party whose name is close to a listed name (``related_threshold``): a party with no
ownership data is never cleared silently when a listed name is close, and never flagged when
none is.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from exportcheck.engine.ownershipgraph import MAX_DEPTH, Holding, OwnershipGraph
from exportcheck.engine.screening import ScreeningConfig, ScreeningIndex
from exportcheck.model.countries import normalize_country
from exportcheck.model.manifest import party_cells
from exportcheck.model.ownership import SHARE_TOLERANCE, Ownership, party_key
from exportcheck.model.parties import ScreeningMatch

#: screening score from which a name counts as close to a listed name (see module doc)
DEFAULT_RELATED_THRESHOLD = 60.0


@dataclass(frozen=True)
class OwnedTest:
    """An ownership test a rule asks (owned at least ``at_least`` % by parties on ``lists``)
    and the dates on which a version asking it is in force (``start`` inclusive, ``end``
    exclusive; None: open): outside them nobody asks, so it is not worked out."""

    lists: tuple[str, ...]
    at_least: float
    start: date
    end: date | None

    def on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Owned:
    """Whether a party is owned at least ``at_least`` % by parties on ``lists``: ``value``
    True, False or None (unknown), and why, in words."""

    lists: tuple[str, ...]
    at_least: float
    value: bool | None
    test: str


@dataclass(frozen=True)
class PartyFact:
    """One party of a line, as the rules see it. ``name`` is kept only where a result names
    the party (its ownership); otherwise equal facts of different names are equal (the
    findings they give are the same)."""

    role: str
    name: str | None
    hq: str | None
    hq_source: str
    parent: str | None
    parent_hq: str | None
    parent_hq_source: str
    owned: tuple[Owned, ...] = ()

    def owned_by(self, lists: tuple[str, ...], at_least: float) -> Owned | None:
        for o in self.owned:
            if o.lists == lists and o.at_least == at_least:
                return o
        return None


@dataclass(frozen=True)
class PartySet:
    """The parties of a line (those it names or describes), in party-column order."""

    parties: tuple[PartyFact, ...] = ()


NO_PARTIES = PartySet()


def _named(value: Any) -> str | None:
    """A party cell's name as two columns are compared (as written, ends stripped)."""
    if value is None or isinstance(value, bool):
        return None
    return str(value).strip() or None


def shared_cells(
    rows: Sequence[tuple[str, tuple[Any, ...]]],
) -> list[tuple[str, tuple[Any, ...]]]:
    """Party columns' cells (name, headquarters, parent, parent's headquarters) with the
    blanks of a party named in several columns filled from the others (see
    :meth:`PartyResolver.party_set`)."""
    names = [_named(cells[0]) for _, cells in rows]
    given = [n for n in names if n is not None]
    if len(set(given)) == len(given):
        return list(rows)  # no name in two columns
    told: dict[str, list[Any]] = {}
    for name, (_, cells) in zip(names, rows, strict=True):
        if name is not None:
            known = told.setdefault(name, [None, None, None])
            for k, value in enumerate(cells[1:]):
                if known[k] is None and _text(value) is not None:
                    known[k] = value
    out: list[tuple[str, tuple[Any, ...]]] = []
    for name, (role, cells) in zip(names, rows, strict=True):
        if name is not None:
            known = told[name]
            cells = (
                cells[0],
                *(
                    value if _text(value) is not None else known[k]
                    for k, value in enumerate(cells[1:])
                ),
            )
        out.append((role, cells))
    return out


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    text = " ".join(str(value).split())
    return text or None


def _code(value: Any) -> str | None:
    text = _text(value)
    return normalize_country(text) if text else None


def _pct(value: float) -> str:
    return f"{value:g} %"


@dataclass(frozen=True)
class _Status:
    value: bool | None
    why: str
    cut: bool = False  # found on a path cut short (a cycle, or too deep): not remembered


class PartyResolver:
    """Builds the :class:`PartySet` of a line on a date (see the module doc); cached."""

    def __init__(
        self,
        columns: Sequence[str],
        index: ScreeningIndex | None,
        ownership: Ownership | None,
        owned_tests: Sequence[OwnedTest],
        related_threshold: float = DEFAULT_RELATED_THRESHOLD,
    ) -> None:
        self.columns = tuple(columns)
        self.graph = OwnershipGraph(ownership)
        self.owned_tests = tuple(dict.fromkeys(owned_tests))
        self.index: ScreeningIndex | None = None
        if index is not None:
            cfg = index.config
            low = min(related_threshold, cfg.review_threshold)
            self.index = index.with_config(
                ScreeningConfig(
                    hit_threshold=cfg.hit_threshold,
                    review_threshold=low,
                    country_bonus=cfg.country_bonus,
                    max_matches=cfg.max_matches,
                )
            )
            self._review = cfg.review_threshold
            self._hit = cfg.hit_threshold
        entry_dates = {
            d
            for e in (index.entries if index is not None else ())
            for d in (e.start_date, e.end_date)
            if d is not None
        }
        test_dates = {d for t in self.owned_tests for d in (t.start, t.end) if d is not None}
        self._dates = tuple(sorted(entry_dates | set(self.graph.dates) | test_dates))
        self._facts: dict[tuple[object, ...], PartyFact | None] = {}
        self._matches: dict[tuple[str, str | None, int], tuple[ScreeningMatch, ...]] = {}
        self._status: dict[tuple[object, ...], _Status] = {}

    def epoch(self, on: date) -> int:
        """Dates of one epoch give the same party facts: no list entry starts or ends, no
        ownership record starts, and no ownership test starts or stops being asked, between
        them."""
        return bisect_right(self._dates, on)

    # --- the line's parties ------------------------------------------------------------

    def party_set(self, fields: Mapping[str, Any], on: date, epoch: int = -1) -> PartySet:
        """The parties a line names or describes (its party columns and their attribute
        columns), in column order; ``epoch`` is :meth:`epoch` of ``on`` when known. One party
        named in two columns (consignee and end user alike: the same name, as written) is one
        party: what one column tells of it, the other is told too (the first column that
        gives a value, in column order)."""
        if epoch < 0:
            epoch = self.epoch(on)
        rows = [(role, tuple(fields.get(c) for c in party_cells(role))) for role in self.columns]
        found: list[PartyFact] = []
        for role, cells in shared_cells(rows):
            fact = self.fact(role, cells, on, epoch)
            if fact is not None:
                found.append(fact)
        return PartySet(tuple(found)) if found else NO_PARTIES

    def fact(self, role: str, cells: tuple[Any, ...], on: date, epoch: int) -> PartyFact | None:
        """One party column's fact from its cells (name, headquarters, parent, parent's
        headquarters: :func:`~exportcheck.model.manifest.party_cells`; missing ones None), or
        None when they are all blank; ``epoch`` is :meth:`epoch` of ``on``."""
        key = (role, epoch, *cells)
        if key in self._facts:
            return self._facts[key]
        fact = self._fact(role, cells, on, epoch)
        if len(self._facts) >= 1 << 16:
            self._facts.clear()
        self._facts[key] = fact
        return fact

    def _fact(self, role: str, cells: tuple[Any, ...], on: date, epoch: int) -> PartyFact | None:
        name, hq_cell, parent_cell, parent_hq_cell = (_text(c) for c in cells)
        if name is None and hq_cell is None and parent_cell is None and parent_hq_cell is None:
            return None
        graph = self.graph
        hq, hq_source = _code(hq_cell), "line"
        if hq is None and name is not None:
            hq, hq_source = graph.hq(name, on), "ownership file"
        parent = parent_cell
        if parent is None and name is not None:
            parent = graph.ultimate_parent(name, on)
        parent_hq, parent_hq_source = _code(parent_hq_cell), "line"
        if parent_hq is None and parent is not None:
            parent_hq, parent_hq_source = graph.hq(parent, on), "ownership file"
        asked = dict.fromkeys((t.lists, t.at_least) for t in self.owned_tests if t.on(on))
        owned = tuple(
            self._owned(name, parent_cell, lists, at_least, on, epoch) for lists, at_least in asked
        )
        plain = all(o.value is False and not o.test for o in owned)
        return PartyFact(
            role=role,
            name=None if plain else name,
            hq=hq,
            hq_source=hq_source if hq is not None else "",
            parent=parent,
            parent_hq=parent_hq,
            parent_hq_source=parent_hq_source if parent_hq is not None else "",
            owned=owned,
        )

    # --- ownership ---------------------------------------------------------------------

    def _screen(
        self, name: str, country: str | None, on: date, epoch: int
    ) -> tuple[ScreeningMatch, ...]:
        key = (name, country, epoch)
        found = self._matches.get(key)
        if found is None:
            found = ()
            if self.index is not None:
                found = self.index.screen(name, country=country, on=on).matches
            if len(self._matches) >= 1 << 16:
                self._matches.clear()
            self._matches[key] = found
        return found

    def _listing(
        self, name: str, country: str | None, lists: tuple[str, ...], on: date, epoch: int
    ) -> ScreeningMatch | None:
        """The best match of ``name`` among entries of ``lists`` (at the related threshold)."""
        for m in self._screen(name, country, on, epoch):
            if m.list_code in lists:
                return m
        return None

    @staticmethod
    def _entry(m: ScreeningMatch) -> str:
        alias = f" as '{m.matched_name}'" if m.matched_name != m.name else ""
        return f"{m.list_code} entry {m.entry_id} '{m.name}'{alias} (score {m.score:.1f})"

    def _owned(
        self,
        name: str | None,
        parent: str | None,
        lists: tuple[str, ...],
        at_least: float,
        on: date,
        epoch: int,
    ) -> Owned:
        """Whether the line's party ``name`` (with the ultimate ``parent`` the line names, if
        any) is owned at least ``at_least`` % by parties on ``lists``. Its own listing is not
        asked here: screening reports that."""
        if name is None:
            return Owned(lists, at_least, False, "")
        st = self._judge(name, parent, lists, at_least, on, epoch, (), top=True)
        return Owned(lists, at_least, st.value, st.why if st.value is not False else "")

    def _aggregate(
        self,
        name: str,
        holdings: list[Holding],
        close: ScreeningMatch | None,
        lists: tuple[str, ...],
        at_least: float,
        on: date,
        epoch: int,
        path: tuple[str, ...],
    ) -> _Status:
        """Whether ``name`` is owned at least ``at_least`` % by listed owners (module doc)."""
        certain = possible = held = 0.0
        owned_parts: list[str] = []
        maybe_parts: list[str] = []
        majority: _Status | None = None
        cut = False
        for h in holdings:
            st = self._owner(h.owner, lists, at_least, on, epoch, path)
            cut = cut or st.cut
            share = (
                "majority (ultimate parent named on the line)" if h.share is None else _pct(h.share)
            )
            since = ""
            if h.record is not None:
                since = f" [as of {h.record.as_of}, source: {h.record.source}]"
            part = f"{share} by '{h.owner}'{since}: {st.why}"
            if h.share is None:
                majority = _Status(st.value, part)
                continue
            held += h.share
            if st.value is True:
                certain += h.share
                owned_parts.append(part)
            elif st.value is None:
                possible += h.share
                maybe_parts.append(part)
        if majority is not None:  # the ultimate parent holds more than half: it decides
            if majority.value is True:
                return _Status(True, f"owned by listed parties: {majority.why}", cut)
            if majority.value is None:
                return _Status(None, f"may be owned by listed parties: {majority.why}", cut)
            return _Status(False, "", cut)
        unaccounted = max(0.0, 100.0 - held)
        threshold = at_least - SHARE_TOLERANCE
        if certain >= threshold:
            return _Status(
                True,
                f"owned {_pct(certain)} in aggregate by parties on {'/'.join(lists)} "
                f"(at least {_pct(at_least)}): " + "; ".join(owned_parts),
                cut,
            )
        gap = ""
        if close is not None and unaccounted > SHARE_TOLERANCE:
            possible += unaccounted
            gap = (
                f"; {_pct(unaccounted)} held by owners not given, and the name is close to "
                f"{self._entry(close)}"
            )
        if certain + possible >= threshold:
            known = "; ".join([*owned_parts, *maybe_parts])
            return _Status(
                None,
                f"may be owned {_pct(at_least)} or more by parties on {'/'.join(lists)}: "
                f"{_pct(certain)} by listed owners, {_pct(certain + possible)} at most"
                f"{': ' + known if known else ''}{gap}",
                cut,
            )
        return _Status(False, "", cut)

    def _owner(
        self,
        owner: str,
        lists: tuple[str, ...],
        at_least: float,
        on: date,
        epoch: int,
        path: tuple[str, ...],
    ) -> _Status:
        """Whether an owner counts as listed: on a list itself, or owned so itself."""
        memo = (party_key(owner), lists, at_least, epoch)
        found = self._status.get(memo)
        if found is None:
            found = self._judge(owner, None, lists, at_least, on, epoch, path, top=False)
            if not found.cut:
                if len(self._status) >= 1 << 16:
                    self._status.clear()
                self._status[memo] = found
        return found

    def _judge(
        self,
        name: str,
        parent: str | None,
        lists: tuple[str, ...],
        at_least: float,
        on: date,
        epoch: int,
        path: tuple[str, ...],
        *,
        top: bool,
    ) -> _Status:
        """An owner (``top``: the line's party) on ``on``: listed itself (owners only), owned
        so by listed owners, maybe (a match below the hit threshold, or shares unknown while
        the name is close to a listed one), or not."""
        key = party_key(name)
        if key in path:  # a cycle through a parent named on a line: it owns itself
            return _Status(False, "", cut=True)
        if len(path) > MAX_DEPTH:  # not followed further: never cleared for that
            why = f"owners more than {MAX_DEPTH} levels up were not followed"
            return _Status(None, why, cut=True)
        m = self._listing(name, self.graph.hq(name, on), lists, on, epoch)
        if m is not None and m.score >= self._hit:
            if not top:
                return _Status(True, f"listed: {self._entry(m)}")
            m = None  # the party is listed itself: screening reports it
        holdings = self.graph.holdings(name, on)
        if holdings is None and parent is not None:
            holdings = [Holding(parent, None, None)]
        if holdings is None:
            if m is None:
                return _Status(False, "not listed" if not top else "")
            if not top and m.score >= self._review:
                return _Status(None, f"may be listed: {self._entry(m)}")
            return _Status(
                None,
                f"ownership unknown (no record by the line's date), and the name is close to "
                f"{self._entry(m)}: give its owners (--ownership) to decide",
            )
        sub = self._aggregate(name, holdings, m, lists, at_least, on, epoch, (*path, key))
        if sub.value is True:
            return _Status(True, sub.why if top else f"treated as listed: {sub.why}", sub.cut)
        if not top and m is not None and m.score >= self._review:
            return _Status(None, f"may be listed: {self._entry(m)}", sub.cut)
        if sub.value is None:
            return sub
        return _Status(False, "not listed" if not top else "", sub.cut)
