"""Licences held (``check --licenses``): what each licence covers and its limits. No I/O.

A licence answers the licence requirement of a line when the line's item (ECCN or part number),
destination, parties and date fall within it and its remaining quantity/value suffice. Limits
are drawn down across the lines of a manifest, in order (see :mod:`exportcheck.engine.licensing`).
"""

from __future__ import annotations

import fnmatch
import re
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from exportcheck.model.countries import normalize_country
from exportcheck.model.eccn import eccn_matches, is_glob, normalize_eccn


def name_key(name: str) -> str:
    """A party name for comparison: case-folded, punctuation (. , ;) and spacing ignored."""
    return " ".join(re.sub(r"[.,;]+", " ", name).split()).casefold()


def part_key(part: str) -> str:
    """A part number for comparison: case-folded, runs of spaces collapsed."""
    return " ".join(part.split()).casefold()


def part_matches(part: str | None, pattern: str) -> bool:
    """``pattern`` is a part number or a glob (``H20*``), compared case-insensitively."""
    if not part:
        return False
    p = part_key(pattern)
    return fnmatch.fnmatchcase(part_key(part), p) if is_glob(p) else part_key(part) == p


def country_list(values: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Countries as ISO alpha-2, in the order given, without repeats; unknown ones refused."""
    out: list[str] = []
    for value in values:
        code = normalize_country(value)
        if code is None:
            raise ValueError(f"unknown country '{value}' (use ISO alpha-2, alpha-3 or a name)")
        if code not in out:
            out.append(code)
    return tuple(out)


def _non_blank(value: str, what: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise ValueError(f"{what} must not be empty")
    return text


class LicenceItem(BaseModel):
    """What a licence covers: an ECCN (or pattern), a part number (or glob), or both (then the
    line must match both). ``3A090`` covers ``3A090.a`` and every paragraph below it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    eccn: str | None = Field(default=None, description="ECCN or pattern, e.g. 3A090 or 3D991")
    part: str | None = Field(default=None, description="part number or glob, e.g. H20 or MI3*")

    @field_validator("eccn")
    @classmethod
    def _eccn(cls, v: str | None) -> str | None:
        if v is None:
            return None
        text = v.strip()
        if is_glob(text):
            return text.upper()
        eccn = normalize_eccn(text)
        if eccn is None:
            raise ValueError(f"not a valid ECCN or pattern: '{v}' (e.g. 3A090, 3D991, 4A09*)")
        return eccn

    @field_validator("part")
    @classmethod
    def _part(cls, v: str | None) -> str | None:
        return None if v is None else _non_blank(v, "part")

    @model_validator(mode="after")
    def _one_of(self) -> LicenceItem:
        if self.eccn is None and self.part is None:
            raise ValueError("an item needs 'eccn' or 'part' (or both)")
        return self

    def matches(self, eccn: str | None, part: str | None) -> bool:
        if self.eccn is not None and (eccn is None or eccn_matches(eccn, self.eccn) is not True):
            return False
        return self.part is None or part_matches(part, self.part)

    def describe(self) -> str:
        parts = []
        if self.eccn is not None:
            parts.append(f"ECCN {self.eccn}")
        if self.part is not None:
            parts.append(f"part {self.part}")
        return " ".join(parts)


class Licence(BaseModel):
    """One licence held: number, holder, what, where, to whom, when, and how much."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: str = Field(description="licence number, e.g. D1234567")
    holder: str = Field(description="the licensee (the exporter)")
    items: tuple[LicenceItem, ...] = Field(min_length=1)
    destinations: tuple[str, ...] = Field(min_length=1, description="ISO alpha-2 countries")
    parties: tuple[str, ...] = Field(
        default=(), description="consignees/end users named on the licence; empty: any party"
    )
    valid_from: date
    valid_to: date
    quantity: float | None = Field(default=None, gt=0, description="units, drawn down in order")
    value: float | None = Field(default=None, gt=0, description="total value, drawn down")
    currency: str | None = Field(default=None, description="ISO 4217 code of the value limit")
    rules: tuple[str, ...] = Field(
        default=(), description="rule ids the licence answers; empty: any rule requirement"
    )
    notes: str | None = None

    @field_validator("number", "holder")
    @classmethod
    def _text(cls, v: str) -> str:
        return _non_blank(v, "the value")

    @field_validator("destinations")
    @classmethod
    def _countries(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return country_list(v)

    @field_validator("parties", "rules")
    @classmethod
    def _names(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_non_blank(x, "a name") for x in v)

    @field_validator("currency")
    @classmethod
    def _currency(cls, v: str | None) -> str | None:
        if v is None:
            return None
        code = v.strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise ValueError(f"currency must be a three-letter ISO 4217 code, not '{v}'")
        return code

    @model_validator(mode="after")
    def _consistent(self) -> Licence:
        if self.valid_to < self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} is before valid_from {self.valid_from}")
        if self.value is not None and self.currency is None:
            raise ValueError("a value limit needs a currency")
        return self

    def covering_item(self, eccn: str | None, part: str | None) -> LicenceItem | None:
        """The first of its items that the line's ECCN/part falls under, or None."""
        return next((i for i in self.items if i.matches(eccn, part)), None)


class LicenceSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    licences: tuple[Licence, ...] = ()
