"""Rule sets: versioned rules, conditions, dated country groups.

These models validate rule YAML (``extra="forbid"`` everywhere) and are what the engine uses;
``exportcheck rules schema`` emits their JSON Schema.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from exportcheck.model.countries import normalize_country
from exportcheck.model.eccn import is_glob, normalize_eccn
from exportcheck.model.params import PARAMS
from exportcheck.model.status import Status

_STRICT = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Confidence(StrEnum):
    """How sure we are of a fact (REFERENCE.md marks)."""

    CHECKED = "checked"  # seen in the Federal Register text or a law-firm summary of it
    SECONDARY = "secondary"  # checked, but from a secondary source
    NEWS = "news"  # seen only in news or company filings
    UNCONFIRMED = "unconfirmed"  # recalled, not yet confirmed


def _as_list(value: Any) -> Any:
    if isinstance(value, str | int | float):
        return [str(value)]
    return value


def _country(value: str) -> str:
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

    model_config = _STRICT

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

    model_config = _STRICT

    countries: list[CountryCode] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list, description="country group ids, e.g. 'D:5'")

    @field_validator("countries", mode="before")
    @classmethod
    def _codes(cls, v: Any) -> Any:
        v = _as_list(v)
        if isinstance(v, list):
            return [_country(x) for x in v]
        return v

    @field_validator("groups", mode="before")
    @classmethod
    def _groups(cls, v: Any) -> Any:
        return _as_list(v)


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
        return _as_list(v)

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

    model_config = _STRICT

    lists: list[str] = Field(min_length=1, description="list codes, e.g. EL, MEU")
    at_least: float = Field(default=50.0, gt=0, le=100, description="per cent, inclusive")

    @field_validator("lists", mode="before")
    @classmethod
    def _codes(cls, v: Any) -> Any:
        v = _as_list(v)
        if isinstance(v, list):
            return [str(x).strip().upper() for x in v]
        return v


class PartyCondition(BaseModel):
    """A test on the parties of a line (consignee, end user, ``--party-columns``): true when
    some party passes every test given."""

    model_config = _STRICT

    roles: list[str] | None = Field(
        default=None, description="party columns tested (default: every party column)"
    )
    headquarters: HeadquartersCondition | None = None
    owned_by: OwnedByCondition | None = None

    @field_validator("roles", mode="before")
    @classmethod
    def _roles(cls, v: Any) -> Any:
        return _as_list(v)

    @model_validator(mode="after")
    def _something(self) -> PartyCondition:
        if self.headquarters is None and self.owned_by is None:
            raise ValueError("a party condition needs headquarters or owned_by")
        return self


class Condition(BaseModel):
    """What a rule version applies to. Keys given together must all hold; combine with
    ``all`` / ``any`` / ``not``. Text patterns are case-insensitive globs (``H20*``);
    ECCN patterns cover the paragraphs below them (``3A090`` covers ``3A090.a``)."""

    model_config = _STRICT

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

    @field_validator("eccn", "part_number", "vendor", "category", "end_use", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return _as_list(v)

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


class DatedVersion(BaseModel):
    """What every dated version has: when it is in force and where it comes from."""

    model_config = _STRICT

    effective: date
    until: date | None = Field(
        default=None, description="first date on which this version is no longer in force"
    )
    rescinded: bool = Field(default=False, description="not in force from `effective`")
    citation: str = Field(min_length=1, description="Federal Register citation or other source")
    source_url: str | None = None
    confidence: Confidence = Confidence.CHECKED
    summary: str | None = Field(default=None, description="what this version does, in words")

    @model_validator(mode="after")
    def _dates(self) -> DatedVersion:
        if self.rescinded and self.until is not None:
            raise ValueError("a rescinding version has no 'until'")
        if self.until is not None and self.until <= self.effective:
            raise ValueError(f"'until' {self.until} is not after 'effective' {self.effective}")
        return self

    @property
    def label(self) -> str:
        return self.effective.isoformat()


V = TypeVar("V", bound=DatedVersion)


def check_timeline(versions: list[V]) -> list[V]:
    """Versions must be in date order, never two on one date, and must not overlap."""
    prev: DatedVersion | None = None
    for i, v in enumerate(versions):
        if prev is not None:
            if v.effective <= prev.effective:
                raise ValueError(
                    f"versions[{i}] effective {v.effective} is not after versions[{i - 1}] "
                    f"effective {prev.effective} (versions must be in date order, no two on "
                    "one date)"
                )
            if prev.until is not None and prev.until > v.effective:
                raise ValueError(
                    f"versions[{i - 1}] runs until {prev.until}, overlapping versions[{i}] "
                    f"effective {v.effective}"
                )
        elif v.rescinded:
            raise ValueError("the first version cannot rescind")
        prev = v
    return versions


class RuleVersion(DatedVersion):
    """One dated version of a rule. In force from ``effective`` until the next version, its
    ``until`` date (exclusive), or a later version that marks the rule ``rescinded``."""

    compliance_from: date | None = Field(
        default=None,
        description="in force, but compliance is required only from this date (findings before "
        "it are informational)",
    )
    status: Status | None = Field(default=None, description="outcome when the version matches")
    review_policy: str | None = Field(default=None, description="licence review policy text")
    when: Condition | None = None

    @model_validator(mode="after")
    def _consistent(self) -> RuleVersion:
        if self.rescinded:
            if self.when is not None or self.status is not None:
                raise ValueError("a rescinding version has no 'when' or 'status'")
        else:
            if self.when is None:
                raise ValueError("'when' is required (what the version applies to)")
            if self.status is None:
                raise ValueError("'status' is required (the outcome when it applies)")
            if self.status in (Status.ALLOWED, Status.LICENSED):
                raise ValueError("status must be review, license_required or prohibited")
        if self.compliance_from is not None and self.compliance_from < self.effective:
            raise ValueError("'compliance_from' is before 'effective'")
        return self


class Rule(BaseModel):
    model_config = _STRICT

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", description="stable id, lower-case")
    title: str
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    versions: list[RuleVersion] = Field(min_length=1)

    @field_validator("versions")
    @classmethod
    def _timeline(cls, versions: list[RuleVersion]) -> list[RuleVersion]:
        return check_timeline(versions)


class ClassificationOutcome(BaseModel):
    """One ECCN a classification test can derive; outcomes are tried in order."""

    model_config = _STRICT

    eccn: str
    when: Condition
    note: str | None = None

    @field_validator("eccn")
    @classmethod
    def _eccn(cls, v: str) -> str:
        n = normalize_eccn(v)
        if n is None:
            raise ValueError(f"'{v}' is not an ECCN")
        return n


class ClassificationVersion(DatedVersion):
    """The classification criteria in force from ``effective`` (e.g. the 2023 3A090 tests)."""

    outcomes: list[ClassificationOutcome] = Field(
        default_factory=list, description="tried in order; the first that holds gives the ECCN"
    )

    @model_validator(mode="after")
    def _consistent(self) -> ClassificationVersion:
        if self.rescinded and self.outcomes:
            raise ValueError("a rescinding version has no 'outcomes'")
        if not self.rescinded and not self.outcomes:
            raise ValueError("'outcomes' is required")
        return self


class Classification(BaseModel):
    """Versioned criteria that derive an ECCN from an item's technical parameters."""

    model_config = _STRICT

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    title: str
    description: str | None = None
    versions: list[ClassificationVersion] = Field(min_length=1)

    @field_validator("versions")
    @classmethod
    def _timeline(cls, versions: list[ClassificationVersion]) -> list[ClassificationVersion]:
        return check_timeline(versions)


class GroupMember(BaseModel):
    model_config = _STRICT

    country: CountryCode
    from_: date | None = Field(default=None, alias="from", description="member from this date")
    until: date | None = Field(default=None, description="no longer a member from this date")
    citation: str | None = None

    @field_validator("country", mode="before")
    @classmethod
    def _code(cls, v: Any) -> str:
        return _country(str(v))

    @model_validator(mode="after")
    def _dates(self) -> GroupMember:
        if self.from_ and self.until and self.until <= self.from_:
            raise ValueError(f"'until' {self.until} is not after 'from' {self.from_}")
        return self

    def on(self, d: date) -> bool:
        return (self.from_ is None or self.from_ <= d) and (self.until is None or d < self.until)


class CountryGroup(BaseModel):
    """A country group (e.g. EAR Supplement 1 to Part 740, D:5) with dated membership."""

    model_config = _STRICT

    id: str = Field(min_length=1)
    title: str
    citation: str
    source_url: str | None = None
    confidence: Confidence = Confidence.CHECKED
    note: str | None = None
    members: list[GroupMember]

    @field_validator("members", mode="before")
    @classmethod
    def _compact(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [{"country": m} if isinstance(m, str) else m for m in v]
        return v

    @model_validator(mode="after")
    def _no_overlap(self) -> CountryGroup:
        spans: dict[str, list[GroupMember]] = {}
        for m in self.members:
            for other in spans.get(m.country, []):
                a0, a1 = m.from_ or date.min, m.until or date.max
                b0, b1 = other.from_ or date.min, other.until or date.max
                if a0 < b1 and b0 < a1:
                    raise ValueError(f"{m.country} is listed twice for overlapping dates")
            spans.setdefault(m.country, []).append(m)
        return self

    def members_on(self, d: date) -> frozenset[str]:
        return frozenset(m.country for m in self.members if m.on(d))


class CountryTreatment(BaseModel):
    """A destination treated as another for the rules (Hong Kong as China)."""

    model_config = _STRICT

    country: CountryCode
    treated_as: CountryCode
    from_: date | None = Field(default=None, alias="from")
    until: date | None = None
    citation: str
    source_url: str | None = None
    confidence: Confidence = Confidence.CHECKED
    note: str | None = None

    @field_validator("country", "treated_as", mode="before")
    @classmethod
    def _code(cls, v: Any) -> str:
        return _country(str(v))

    def on(self, d: date) -> bool:
        return (self.from_ is None or self.from_ <= d) and (self.until is None or d < self.until)


class RuleSetFile(BaseModel):
    """One rule-set YAML file. A rule set may be split over several files sharing its id."""

    model_config = _STRICT

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    title: str
    authority: str
    version: str = Field(description="content version of the rule set, e.g. 2026.11.1")
    description: str | None = None
    disclaimer: str | None = None
    not_modelled: list[str] = Field(
        default_factory=list,
        description="what this rule set leaves out, in words (reports say so when it is used)",
    )
    rules: list[Rule] = Field(default_factory=list)
    classifications: list[Classification] = Field(default_factory=list)
    country_groups: list[CountryGroup] = Field(default_factory=list)
    country_treatments: list[CountryTreatment] = Field(default_factory=list)

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, v: Any) -> Any:
        if isinstance(v, int | float):
            raise ValueError('quote the version (e.g. "2026.1") so YAML keeps it as text')
        return v


class RuleSet(BaseModel):
    """Rules, groups and treatments merged from one or more files, cross-checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    files: tuple[RuleSetFile, ...] = ()
    rules: dict[str, Rule] = Field(default_factory=dict)
    classifications: dict[str, Classification] = Field(default_factory=dict)
    groups: dict[str, CountryGroup] = Field(default_factory=dict)
    treatments: tuple[CountryTreatment, ...] = ()
    # Derived lookups (what is in force on a date, group members), filled lazily by the
    # engine. The rule set is immutable, so they never go stale.
    _memo: dict[tuple[object, ...], object] = PrivateAttr(default_factory=dict)

    def memo(self) -> dict[tuple[object, ...], object]:
        """The memo dict (read through ``__pydantic_private__``: plain attribute access to a
        private attribute goes through pydantic's slower ``__getattr__``)."""
        private = self.__pydantic_private__
        assert private is not None
        memo: dict[tuple[object, ...], object] = private["_memo"]
        return memo

    def change_dates(self) -> tuple[date, ...]:
        """Every date on which anything in the rule set may start or stop applying."""
        key = ("change_dates",)
        memo = self.memo()
        found = memo.get(key)
        if found is None:
            dates: set[date] = set()
            versions: list[DatedVersion] = [v for r in self.rules.values() for v in r.versions]
            versions += [v for c in self.classifications.values() for v in c.versions]
            for v in versions:
                dates.add(v.effective)
                if v.until is not None:
                    dates.add(v.until)
                if isinstance(v, RuleVersion) and v.compliance_from is not None:
                    dates.add(v.compliance_from)
            for g in self.groups.values():
                for m in g.members:
                    dates.update(d for d in (m.from_, m.until) if d is not None)
            for t in self.treatments:
                dates.update(d for d in (t.from_, t.until) if d is not None)
            found = memo[key] = tuple(sorted(dates))
        return found  # type: ignore[return-value]

    def party_rule_ids(self) -> frozenset[str]:
        """The rules a version of which tests the line's parties (headquarters, ownership):
        the engine judges them per line, beside the rules that read only the item and the
        destination."""
        key = ("party_rule_ids",)
        memo = self.memo()
        found = memo.get(key)
        if found is None:
            found = memo[key] = frozenset(
                rule.id
                for rule in self.rules.values()
                if any(v.when is not None and v.when.reads_party() for v in rule.versions)
            )
        return found  # type: ignore[return-value]

    def geo_epoch(self, on: date) -> int:
        """Index of the span between the dates on which a country group's membership or a
        destination treatment changes: destination and headquarters tests give the same
        outcomes on every date of one span (coarser than :meth:`epoch`)."""
        key = ("geo_dates",)
        memo = self.memo()
        dates = memo.get(key)
        if not isinstance(dates, tuple):
            found: set[date] = set()
            for g in self.groups.values():
                for m in g.members:
                    found.update(d for d in (m.from_, m.until) if d is not None)
            for t in self.treatments:
                found.update(d for d in (t.from_, t.until) if d is not None)
            dates = memo[key] = tuple(sorted(found))
        return bisect_right(dates, on)

    def epoch(self, on: date) -> int:
        """Index of the span between change dates that holds ``on``: two dates with the same
        epoch have exactly the same rules, versions, groups and treatments in force."""
        return bisect_right(self.change_dates(), on)
