"""Restricted-party lists and screening results (pydantic models, no I/O).

A :class:`ListEntry` is one listed party (an Entity List entry, an SDN, ...) with every name it
is known by. A :class:`PartyList` is a whole list file (our YAML format, see
``readers/lists.py``). :class:`ScreeningMatch` and :class:`ScreenResult` are what the screening
engine returns; their JSON form is the external contract of ``exportcheck screen``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from exportcheck.model.countries import normalize_country
from exportcheck.model.rules import Confidence
from exportcheck.model.status import Status


class PartyType(StrEnum):
    ENTITY = "entity"
    INDIVIDUAL = "individual"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"
    UNKNOWN = "unknown"


#: Default status of a hit (score >= hit threshold) by list code (DESIGN.md, "Statuses").
#: Lists not named here (ISN, DTC, CAP, CMIC, FSE, MBS, PLC, SSI, custom lists) → ``review``:
#: a person must decide what such a hit means for an export.
LIST_DEFAULT_STATUS: dict[str, Status] = {
    "EL": Status.LICENSE_REQUIRED,
    "MEU": Status.LICENSE_REQUIRED,
    "DPL": Status.PROHIBITED,
    "SDN": Status.PROHIBITED,
    "UVL": Status.REVIEW,
}

_CODE_IN_SOURCE = re.compile(r"\(([A-Z][A-Z0-9]{1,7})\)")


def list_code_for(source: str) -> str | None:
    """The short code in a CSL source name: ``Entity List (EL) - ...`` → ``EL``."""
    m = _CODE_IN_SOURCE.search(source)
    return m.group(1) if m else None


def default_status(list_code: str) -> Status:
    return LIST_DEFAULT_STATUS.get(list_code.upper(), Status.REVIEW)


def _country(value: str, field: str) -> str:
    code = normalize_country(value)
    if code is None:
        raise ValueError(f"unknown country '{value}' in {field} (use ISO 3166 alpha-2)")
    return code


class ListEntry(BaseModel):
    """One listed party with all its names."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(
        description="the list, e.g. 'Entity List (EL) - Bureau of Industry and Security'"
    )
    list_code: str = Field(description="short code: EL, MEU, DPL, UVL, SDN, SSI, ...")
    entry_id: str = Field(min_length=1, description="identifier, unique within the list")
    name: str = Field(min_length=1, description="primary name")
    aliases: tuple[str, ...] = Field(default=(), description="other names (a.k.a., f.k.a., ...)")
    type: PartyType = PartyType.UNKNOWN
    country: str | None = Field(default=None, description="main country, ISO alpha-2")
    countries: tuple[str, ...] = Field(default=(), description="all countries from addresses")
    addresses: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()
    citation: str | None = Field(default=None, description="Federal Register notice(s)")
    start_date: date | None = Field(default=None, description="in force from (inclusive)")
    end_date: date | None = Field(default=None, description="in force until (exclusive)")
    license_requirement: str | None = None
    license_policy: str | None = None
    status: Status | None = Field(
        default=None, description="status of a hit on this entry; default: by list code"
    )
    confidence: Confidence = Confidence.CHECKED
    source_url: str | None = None
    remarks: str | None = None

    @field_validator("name", "entry_id", "source", "list_code")
    @classmethod
    def _strip(cls, v: str) -> str:
        v = " ".join(v.split())
        if not v:
            raise ValueError("must not be empty")
        return v

    @field_validator("aliases")
    @classmethod
    def _clean_aliases(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        out: list[str] = []
        for a in v:
            a = " ".join(a.split())
            if a and a not in out:
                out.append(a)
        return tuple(out)

    @field_validator("country")
    @classmethod
    def _check_country(cls, v: str | None) -> str | None:
        return None if v is None else _country(v, "country")

    @field_validator("countries")
    @classmethod
    def _check_countries(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted({_country(c, "countries") for c in v}))

    @model_validator(mode="after")
    def _check_dates(self) -> ListEntry:
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            raise ValueError(f"end_date {self.end_date} must be after start_date {self.start_date}")
        return self

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, *(a for a in self.aliases if a != self.name))

    @property
    def all_countries(self) -> tuple[str, ...]:
        codes = set(self.countries)
        if self.country:
            codes.add(self.country)
        return tuple(sorted(codes))

    def in_force(self, on: date) -> bool:
        """Listed on ``on``: start_date <= on < end_date (None = open)."""
        if self.start_date is not None and on < self.start_date:
            return False
        return self.end_date is None or on < self.end_date

    @property
    def hit_status(self) -> Status:
        return self.status if self.status is not None else default_status(self.list_code)


def entry_change_dates(entries: Iterable[ListEntry]) -> tuple[date, ...]:
    """Every date on which one of ``entries`` starts or stops applying, sorted."""
    dates = {d for e in entries for d in (e.start_date, e.end_date) if d is not None}
    return tuple(sorted(dates))


class EntryDefaults(BaseModel):
    """Values a YAML list file gives once for all its entries (an entry's own value wins)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str | None = None
    list_code: str | None = None
    type: PartyType | None = None
    country: str | None = None
    programs: tuple[str, ...] | None = None
    citation: str | None = None
    license_requirement: str | None = None
    license_policy: str | None = None
    status: Status | None = None
    confidence: Confidence | None = None
    source_url: str | None = None


class PartyList(BaseModel):
    """A list file in our YAML format (``kind: party-list``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str = Field(default="party-list", pattern=r"^party-list$")
    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    title: str = Field(min_length=1)
    version: str = Field(min_length=1, description="e.g. the date the list was last updated")
    description: str | None = None
    defaults: EntryDefaults | None = None
    entries: tuple[ListEntry, ...]

    @model_validator(mode="before")
    @classmethod
    def _apply_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        defaults = data.get("defaults")
        entries = data.get("entries")
        if not isinstance(defaults, dict) or not isinstance(entries, list):
            return data
        known = set(EntryDefaults.model_fields)
        base = {k: v for k, v in defaults.items() if k in known and v is not None}
        merged = [({**base, **e} if isinstance(e, dict) else e) for e in entries]
        return {**data, "entries": merged}

    @model_validator(mode="after")
    def _unique_ids(self) -> PartyList:
        seen: set[tuple[str, str]] = set()
        for e in self.entries:
            key = (e.list_code, e.entry_id)
            if key in seen:
                raise ValueError(f"duplicate entry_id '{e.entry_id}' in list {e.list_code}")
            seen.add(key)
        return self


class MatchExplanation(BaseModel):
    """Why a name matched: which tokens, what was ignored, the country signal."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    matched_tokens: tuple[tuple[str, str], ...] = Field(
        default=(), description="(query token, listed token) pairs that matched"
    )
    query_only: tuple[str, ...] = Field(default=(), description="query tokens not in the name")
    listed_only: tuple[str, ...] = Field(default=(), description="listed tokens not in the query")
    legal_forms_ignored: tuple[str, ...] = Field(
        default=(), description="legal-form words (Co., Ltd., GmbH ...) left out of the score"
    )
    name_score: float = Field(description="score from the names alone, before the country signal")
    country_signal: str = Field(
        default="none", description="same | different | none (no country on one side)"
    )
    country_bonus: float = 0.0


class ScreeningMatch(BaseModel):
    """One listed entry that a screened name matched (contract: JSON output of ``screen``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="the listed primary name")
    matched_name: str = Field(description="the name or alias that matched best")
    score: float = Field(ge=0, le=100)
    list: str
    list_code: str
    entry_id: str
    status: Status
    country: str | None = None
    citation: str | None = None
    license_policy: str | None = None
    confidence: Confidence = Confidence.CHECKED
    explanation: MatchExplanation


class ScreenResult(BaseModel):
    """The screening of one name on one date."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    query: str
    country: str | None = None
    date: date
    status: Status
    matches: tuple[ScreeningMatch, ...] = ()


def match_sort_key(m: ScreeningMatch) -> tuple[float, int, int, str, str, str]:
    """Best first: score, then severity, then same-country signal, then a stable tie-break."""
    same = 0 if m.explanation.country_signal == "same" else 1
    return (-m.score, -m.status.severity, same, m.list_code, m.entry_id, m.matched_name)
