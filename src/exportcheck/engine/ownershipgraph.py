"""The ownership records as a graph, looked up on a date: who holds an entity, where a party
is headquartered, its ultimate parent (see :mod:`exportcheck.engine.partyfacts`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from exportcheck.model.ownership import Ownership, OwnershipRecord, party_key

MAX_DEPTH = 32  # owners above owners; data with deeper chains is not met in practice


@dataclass(frozen=True)
class Holding:
    """An owner's share of an entity, and the record that gives it."""

    owner: str
    share: float | None  # None: an ultimate parent named on the line (a majority holding)
    record: OwnershipRecord | None


class OwnershipGraph:
    """The ownership records indexed for look-ups on a date."""

    def __init__(self, ownership: Ownership | None) -> None:
        self._by_entity: dict[str, list[OwnershipRecord]] = {}
        self._hq: dict[str, list[tuple[date, str]]] = {}
        records = ownership.records if ownership is not None else ()
        for r in records:
            self._by_entity.setdefault(party_key(r.entity), []).append(r)
            if r.entity_hq_country:
                self._hq.setdefault(party_key(r.entity), []).append((r.as_of, r.entity_hq_country))
            if r.owner_hq_country:
                self._hq.setdefault(party_key(r.owner), []).append((r.as_of, r.owner_hq_country))
        for rows in self._by_entity.values():
            rows.sort(key=lambda r: r.as_of)
        for found in self._hq.values():
            found.sort()
        self.dates: tuple[date, ...] = tuple(sorted({r.as_of for r in records}))

    def holdings(self, name: str, on: date) -> list[Holding] | None:
        """Who holds the entity on ``on`` (each owner's latest record on or before it; shares
        of 0 dropped), or None when no record of the entity is known by then."""
        rows = self._by_entity.get(party_key(name))
        if not rows or rows[0].as_of > on:
            return None
        latest: dict[str, OwnershipRecord] = {}
        for r in rows:
            if r.as_of > on:
                break
            latest[party_key(r.owner)] = r
        return [Holding(r.owner, r.share, r) for r in latest.values() if r.share > 0]

    def hq(self, name: str, on: date) -> str | None:
        """Where the party is headquartered, as the latest record on or before ``on`` says."""
        found = None
        for as_of, code in self._hq.get(party_key(name), ()):
            if as_of > on:
                break
            found = code
        return found

    def ultimate_parent(self, name: str, on: date) -> str | None:
        """The owner of more than half, of the owner of more than half, ... up to the top;
        None when nobody holds more than half of the party."""
        parent = None
        current = name
        for _ in range(MAX_DEPTH):
            holdings = self.holdings(current, on) or []
            major = [h for h in holdings if h.share is not None and h.share > 50]
            if not major:
                break
            current = parent = major[0].owner
        return parent
