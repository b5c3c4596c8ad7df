"""The report of ``exportcheck history``: what is followed (:class:`HistoryQuery`), the runs of
days with one status (:class:`Segment`), the days on which it changes (:class:`ChangePoint`)
and the whole (:class:`HistoryReport`). Data only: :mod:`exportcheck.engine.history` builds
it, :mod:`exportcheck.formats.history` renders it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from exportcheck.model.status import Status


class HistoryQuery(BaseModel):
    """What is followed over time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    part_number: str | None = None
    eccn: str | None = None
    params: dict[str, float] = Field(default_factory=dict)
    destination: str | None = None
    party: str | None = None
    party_hq: str | None = Field(
        default=None, description="where the party (the consignee) is headquartered, ISO alpha-2"
    )

    @property
    def has_item(self) -> bool:
        return bool(self.part_number or self.eccn or self.params)

    def label(self) -> str:
        parts: list[str] = []
        if self.part_number:
            parts.append(self.part_number)
        if self.eccn:
            parts.append(f"ECCN {self.eccn}")
        if self.params and not self.part_number:
            parts.append(", ".join(f"{k}={v:g}" for k, v in sorted(self.params.items())))
        if self.party:
            parts.append(f"party '{self.party}'")
        if self.party_hq:
            parts.append(f"party headquartered in {self.party_hq}")
        text = " · ".join(parts) or "(nothing)"
        if self.destination:
            text += f" → {self.destination}"
        return text


class FindingRef(BaseModel):
    """A deciding finding, short: which rule version or list entry, and its outcome."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule_id: str
    rule_version: str | None = None
    status: Status
    kind: str
    title: str | None = None
    citation: str | None = None
    review_policy: str | None = None

    @property
    def ref(self) -> str:
        return self.rule_id + (f"@{self.rule_version}" if self.rule_version else "")


class Segment(BaseModel):
    """A run of days with the same status and the same deciding findings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: str = Field(description="first day (inclusive)")
    end: str = Field(description="last day (inclusive)")
    days: int
    status: Status
    deciding: list[FindingRef] = Field(default_factory=list)


class ChangePoint(BaseModel):
    """A day on which the status or the deciding findings change, with the causes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: str
    before: Status
    after: Status
    entered: list[str] = Field(default_factory=list, description="rule@version / list entries")
    left: list[str] = Field(default_factory=list)
    causes: list[str] = Field(default_factory=list, description="the causes, in words")


class HistoryReport(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    query: HistoryQuery
    from_: str = Field(alias="from")
    to: str
    status: Status = Field(description="status on `to`")
    segments: list[Segment]
    changes: list[ChangePoint]
    item: dict[str, Any] = Field(default_factory=dict, description="the item as judged on `to`")

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)
