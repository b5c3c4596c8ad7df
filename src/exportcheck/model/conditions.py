"""Rule conditions: what a rule version, or a classification outcome, applies to (tests on
the item, its parameters, the destination and the line's parties), validated as
:mod:`exportcheck.model.rules` validates the rest of a rule set."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from exportcheck.model.countries import normalize_country
from exportcheck.model.eccn import is_glob, normalize_eccn
from exportcheck.model.fields import BY_NAME, TESTED_FIELDS
from exportcheck.model.params import PARAMS

STRICT = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def as_list(value: Any) -> Any:
    """A single value written where a list is expected, as a one-item list of its text."""
    if isinstance(value, str | int | float):
        return [str(value)]
    return value


def country_code(value: str) -> str:
    """A country as its ISO alpha-2 code (alpha-3 and names accepted); raises when unknown."""
    code = normalize_country(str(value))
    if code is None:
        raise ValueError(f"unknown country '{value}' (use ISO 3166 alpha-2, e.g. CN)")
    return code


CountryCode = Annotated[str, Field(description="ISO 3166-1 alpha-2 (alpha-3 or name accepted)")]


#: Parameter tests that ask whether a value is given, not what it is (they are never unknown).
PRESENCE_OPS: frozenset[str] = frozenset({"missing", "given"})


class ParamTest(BaseModel):
    """A test on a technical parameter: numeric (``{param: tpp, op: ">=", value: 4800}``), or
    whether it is given at all (``{param: memory_bandwidth_gbps, op: missing}``: true when the
    item does not state it; ``given``: true when it does)."""

    model_config = STRICT

    param: str = Field(description="parameter name: " + ", ".join(PARAMS))
    op: Literal[">=", ">", "<=", "<", "==", "!=", "missing", "given"]
    value: float | None = Field(
        default=None, allow_inf_nan=False, description="the threshold (not for missing/given)"
    )

    @field_validator("param")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in PARAMS:
            raise ValueError(f"unknown parameter '{v}'; known: {', '.join(PARAMS)}")
        return v

    @model_validator(mode="after")
    def _value(self) -> ParamTest:
        if self.op in PRESENCE_OPS:
            if self.value is not None:
                raise ValueError(f"'{self.op}' takes no value")
        elif self.value is None:
            raise ValueError(f"'{self.op}' needs a value")
        return self

    def describe(self) -> str:
        if self.value is None:
            return f"{self.param} {self.op}"
        return f"{self.param} {self.op} {_num(self.value)}"


def _num(value: float) -> str:
    return f"{value:g}" if value != int(value) else f"{int(value):,}"


class _Places(BaseModel):
    """Countries and/or country groups (dated; destination treatments apply)."""

    model_config = STRICT

    countries: list[CountryCode] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list, description="country group ids, e.g. 'D:5'")

    @field_validator("countries", mode="before")
    @classmethod
    def _codes(cls, v: Any) -> Any:
        v = as_list(v)
        if isinstance(v, list):
            return [country_code(x) for x in v]
        return v

    @field_validator("groups", mode="before")
    @classmethod
    def _groups(cls, v: Any) -> Any:
        return as_list(v)


class DestinationCondition(_Places):
    """Destinations by country and/or country group, with exclusions."""

    anywhere: bool = Field(default=False, description="every destination (minus exclusions)")
    except_countries: list[CountryCode] = Field(default_factory=list)
    except_groups: list[str] = Field(default_factory=list)

    @field_validator("except_countries", mode="before")
    @classmethod
    def _except_codes(cls, v: Any) -> Any:
        return cls._codes(v)

    @field_validator("except_groups", mode="before")
    @classmethod
    def _except_groups(cls, v: Any) -> Any:
        return as_list(v)

    @model_validator(mode="after")
    def _something(self) -> DestinationCondition:
        if not (self.anywhere or self.countries or self.groups):
            raise ValueError("a destination condition needs countries, groups or anywhere: true")
        return self


class HeadquartersCondition(_Places):
    """Where a party (or its ultimate parent) is headquartered: by country and/or country group
    (dated like destinations; treatments such as Hong Kong as China apply)."""

    ultimate_parent: bool = Field(
        default=True, description="also true when the party's ultimate parent is based there"
    )

    @model_validator(mode="after")
    def _something(self) -> HeadquartersCondition:
        if not (self.countries or self.groups):
            raise ValueError("a headquarters condition needs countries or groups")
        return self


class OwnedByCondition(BaseModel):
    """Owned, directly or indirectly, individually or in the aggregate, at least ``at_least``
    per cent by parties on the named lists (an owner that is itself so owned counts in full)."""

    model_config = STRICT

    lists: list[str] = Field(min_length=1, description="list codes, e.g. EL, MEU")
    at_least: float = Field(default=50.0, gt=0, le=100, description="per cent, inclusive")

    @field_validator("lists", mode="before")
    @classmethod
    def _codes(cls, v: Any) -> Any:
        v = as_list(v)
        if isinstance(v, list):
            return [str(x).strip().upper() for x in v]
        return v


class PartyCondition(BaseModel):
    """A test on the parties of a line (consignee, end user, ``--party-columns``): true when
    some party passes every test given."""

    model_config = STRICT

    roles: list[str] | None = Field(
        default=None, description="party columns tested (default: every party column)"
    )
    headquarters: HeadquartersCondition | None = None
    owned_by: OwnedByCondition | None = None

    @field_validator("roles", mode="before")
    @classmethod
    def _roles(cls, v: Any) -> Any:
        return as_list(v)

    @model_validator(mode="after")
    def _something(self) -> PartyCondition:
        if self.headquarters is None and self.owned_by is None:
            raise ValueError("a party condition needs headquarters or owned_by")
        return self


class Condition(BaseModel):
    """What a rule version applies to. Keys given together must all hold; combine with
    ``all`` / ``any`` / ``not``. Text patterns are case-insensitive globs (``H20*``);
    ECCN patterns cover the paragraphs below them (``3A090`` covers ``3A090.a``)."""

    model_config = STRICT

    all: list[Condition] | None = None
    any: list[Condition] | None = None
    not_: Condition | None = Field(default=None, alias="not")
    eccn: list[str] | None = Field(default=None, description="ECCN patterns: 3A090, 4A090*, EAR99")
    part_number: list[str] | None = None
    vendor: list[str] | None = None
    category: list[str] | None = None
    params: list[ParamTest] | None = None
    destination: DestinationCondition | None = None
    end_use: list[str] | None = None
    party: PartyCondition | None = Field(
        default=None, description="tests on the line's parties (headquarters, ownership)"
    )

    # every field tested by a list of patterns or ECCNs (destination has its own test)
    @field_validator(*(n for n in TESTED_FIELDS if BY_NAME[n].test != "place"), mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return as_list(v)

    @field_validator("eccn")
    @classmethod
    def _eccns(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return v
        out = []
        for p in v:
            if is_glob(p):
                out.append(p)
                continue
            n = normalize_eccn(p)
            if n is None:
                raise ValueError(
                    f"'{p}' is not an ECCN pattern (e.g. 3A090, 3A090.a, 4A090*, EAR99)"
                )
            out.append(n)
        return out

    def reads_party(self) -> bool:
        """Whether this condition, or a part of it, tests the line's parties."""
        if self.party is not None:
            return True
        subs = [*(self.all or ()), *(self.any or ()), *([self.not_] if self.not_ else [])]
        return any(c.reads_party() for c in subs)

    @model_validator(mode="after")
    def _not_empty(self) -> Condition:
        keys = [k for k, v in self.__dict__.items() if v is not None]
        if not keys:
            raise ValueError("empty condition")
        for name in ("all", "any"):
            val = getattr(self, name)
            if val is not None and not val:
                raise ValueError(f"'{name}' needs at least one condition")
        return self
