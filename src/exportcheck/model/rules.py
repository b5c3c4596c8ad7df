"""Rule sets: versioned rules, dated country groups (the conditions a version applies to
are :mod:`exportcheck.model.conditions`, re-exported here).

These models validate rule YAML (``extra="forbid"`` everywhere) and are what the engine uses;
``exportcheck rules schema`` emits their JSON Schema.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from exportcheck.model.conditions import (
    PRESENCE_OPS,
    STRICT,
    Condition,
    CountryCode,
    DestinationCondition,
    HeadquartersCondition,
    OwnedByCondition,
    ParamTest,
    PartyCondition,
    country_code,
)
from exportcheck.model.eccn import normalize_eccn
from exportcheck.model.status import Status

__all__ = [
    "PRESENCE_OPS",
    "Classification",
    "ClassificationOutcome",
    "ClassificationVersion",
    "Condition",
    "Confidence",
    "CountryCode",
    "CountryGroup",
    "CountryTreatment",
    "DatedVersion",
    "DestinationCondition",
    "GroupMember",
    "HeadquartersCondition",
    "OwnedByCondition",
    "ParamTest",
    "PartyCondition",
    "Rule",
    "RuleSet",
    "RuleSetFile",
    "RuleVersion",
    "check_timeline",
]


class Confidence(StrEnum):
    """How sure we are of a fact (REFERENCE.md marks)."""

    CHECKED = "checked"  # seen in the Federal Register text or a law-firm summary of it
    SECONDARY = "secondary"  # checked, but from a secondary source
    NEWS = "news"  # seen only in news or company filings
    UNCONFIRMED = "unconfirmed"  # recalled, not yet confirmed


class DatedVersion(BaseModel):
    """What every dated version has: when it is in force and where it comes from."""

    model_config = STRICT

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
    model_config = STRICT

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

    model_config = STRICT

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

    model_config = STRICT

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    title: str
    description: str | None = None
    versions: list[ClassificationVersion] = Field(min_length=1)

    @field_validator("versions")
    @classmethod
    def _timeline(cls, versions: list[ClassificationVersion]) -> list[ClassificationVersion]:
        return check_timeline(versions)


class GroupMember(BaseModel):
    model_config = STRICT

    country: CountryCode
    from_: date | None = Field(default=None, alias="from", description="member from this date")
    until: date | None = Field(default=None, description="no longer a member from this date")
    citation: str | None = None

    @field_validator("country", mode="before")
    @classmethod
    def _code(cls, v: Any) -> str:
        return country_code(str(v))

    @model_validator(mode="after")
    def _dates(self) -> GroupMember:
        if self.from_ and self.until and self.until <= self.from_:
            raise ValueError(f"'until' {self.until} is not after 'from' {self.from_}")
        return self

    def on(self, d: date) -> bool:
        return (self.from_ is None or self.from_ <= d) and (self.until is None or d < self.until)


class CountryGroup(BaseModel):
    """A country group (e.g. EAR Supplement 1 to Part 740, D:5) with dated membership."""

    model_config = STRICT

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

    model_config = STRICT

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
        return country_code(str(v))

    def on(self, d: date) -> bool:
        return (self.from_ is None or self.from_ <= d) and (self.until is None or d < self.until)


class RuleSetFile(BaseModel):
    """One rule-set YAML file. A rule set may be split over several files sharing its id."""

    model_config = STRICT

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
