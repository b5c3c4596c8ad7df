"""Who owns whom: dated shareholdings of the parties a manifest names (``check --ownership``).

An :class:`OwnershipRecord` says that, as of a date, ``owner`` holds ``share`` per cent of
``entity`` (a later record for the same pair replaces it; a share of 0 ends the holding), and
where each is headquartered when known. :func:`ownership_problem` finds what makes a set of
records unusable: a chain of owners that comes back to where it started, or holdings of one
entity that add up to more than 100 %. No I/O: the reader names the file and line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from exportcheck.model.countries import normalize_country

#: shares may be off by rounding: 33.33 + 33.33 + 33.34 is 100
SHARE_TOLERANCE = 1e-6


def party_key(name: str) -> str:
    """The key under which a party name is looked up in ownership data: case, accents,
    punctuation and spacing do not count (``Acme Ltd.`` = ``ACME LTD``), words do (``Acme
    GmbH`` is not ``Acme Inc.``)."""
    text = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def _country(value: Any, field: str) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    code = normalize_country(text)
    if code is None:
        raise ValueError(f"unknown country '{text}' in {field} (use ISO 3166 alpha-2)")
    return code


class OwnershipRecord(BaseModel):
    """One holding: as of ``as_of``, ``owner`` holds ``share`` per cent of ``entity``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    entity: str = Field(min_length=1, description="the party owned (as the manifest names it)")
    owner: str = Field(min_length=1, description="the shareholder")
    share: float = Field(ge=0, le=100, description="per cent of the entity the owner holds")
    as_of: date = Field(description="the date from which this holding is known to hold")
    source: str = Field(min_length=1, description="where the fact comes from (registry, filing)")
    entity_hq_country: str | None = Field(default=None, description="ISO alpha-2")
    owner_hq_country: str | None = Field(default=None, description="ISO alpha-2")

    @field_validator("entity", "owner", "source", mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = " ".join(v.split())
            if not v:
                raise ValueError("must not be empty")
        return v

    @field_validator("share", mode="before")
    @classmethod
    def _percent(cls, v: Any) -> Any:
        """``30``, ``30.5``, ``30 %`` and ``30%`` are 30 per cent."""
        if isinstance(v, bool):
            raise ValueError("expected a percentage, e.g. 30 or 30 %")
        if isinstance(v, str):
            text = v.strip().removesuffix("%").strip()
            try:
                return float(text)
            except ValueError:
                raise ValueError(f"'{v}' is not a percentage (e.g. 30 or 30 %)") from None
        return v

    @field_validator("entity_hq_country", "owner_hq_country", mode="before")
    @classmethod
    def _code(cls, v: Any, info: Any) -> Any:
        return _country(v, info.field_name)

    @property
    def key(self) -> str:
        """What must be unique in a file: one record per entity, owner and date."""
        return f"{self.entity} / {self.owner} / {self.as_of.isoformat()}"


class Ownership(BaseModel):
    """The records of one ownership file, in file order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    records: tuple[OwnershipRecord, ...] = ()


def _cycle(records: Sequence[OwnershipRecord]) -> list[int] | None:
    """The indexes of records forming a chain of owners back to its start, if any (every
    holding above 0 % on any date counts: ownership changes over time, a cycle at any time is
    an error)."""
    edges: dict[str, list[tuple[str, int]]] = {}
    for i, r in enumerate(records):
        if r.share > 0:
            edges.setdefault(party_key(r.entity), []).append((party_key(r.owner), i))
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(edges):
        if state.get(start):
            continue
        path: list[int] = []
        stack: list[tuple[str, int]] = [(start, 0)]
        state[start] = 1
        while stack:
            node, at = stack[-1]
            out = edges.get(node, [])
            if at == len(out):
                state[node] = 2
                stack.pop()
                if path:
                    path.pop()
                continue
            stack[-1] = (node, at + 1)
            owner, index = out[at]
            seen = state.get(owner, 0)
            if seen == 1:
                # The cycle: from where `owner` sits on the path to this edge.
                nodes = [n for n, _ in stack]
                first = nodes.index(owner)
                return [*path[first:], index]
            if seen == 0:
                state[owner] = 1
                path.append(index)
                stack.append((owner, 0))
    return None


def _over_full(records: Sequence[OwnershipRecord]) -> tuple[int, float] | None:
    """A record after which the holdings of its entity add up to more than 100 % (each
    owner's latest share as of that record's date), with the total; None if none."""
    by_entity: dict[str, list[int]] = {}
    for i, r in enumerate(records):
        by_entity.setdefault(party_key(r.entity), []).append(i)
    for indexes in by_entity.values():
        dates = sorted({records[i].as_of for i in indexes})
        for d in dates:
            latest: dict[str, tuple[date, int]] = {}
            for i in indexes:
                r = records[i]
                if r.as_of > d:
                    continue
                owner = party_key(r.owner)
                prev = latest.get(owner)
                if prev is None or (r.as_of, i) > prev:
                    latest[owner] = (r.as_of, i)
            total = sum(records[i].share for _, i in latest.values())
            if total > 100 + SHARE_TOLERANCE:
                last = max((i for _, i in latest.values() if records[i].as_of == d))
                return last, total
    return None


def ownership_problem(records: Sequence[OwnershipRecord]) -> tuple[int, str, str] | None:
    """What makes ``records`` unusable, as (index of the record to name, field, message), or
    None: an owner that is the entity itself, holdings of one entity above 100 % on a date,
    or a chain of owners that comes back to where it started."""
    for i, r in enumerate(records):
        if r.share > 0 and party_key(r.entity) == party_key(r.owner):
            return i, "owner", f"'{r.owner}' cannot own itself"
    over = _over_full(records)
    if over is not None:
        i, total = over
        r = records[i]
        return (
            i,
            "share",
            f"the holdings of '{r.entity}' add up to {total:g} % as of {r.as_of} (at most 100 %)",
        )
    cycle = _cycle(records)
    if cycle is not None:
        names = [records[cycle[0]].entity, *(records[i].owner for i in cycle)]
        return (
            cycle[-1],
            "owner",
            "ownership goes round in a cycle: " + " ← ".join(names),
        )
    return None
