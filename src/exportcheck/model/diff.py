"""The report of ``exportcheck diff``: what changed between two dates or two rule sets, and the
manifest lines whose status flips (computed by :mod:`exportcheck.engine.diff`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from exportcheck.model.status import Status

Kind = Literal["added", "removed", "changed"]
What = Literal["rule", "rule-version", "classification", "country-group", "treatment", "list-entry"]
Mode = Literal["dates", "rule-sets"]
SnapValue = str | bool | list[str] | None
Snapshot = dict[str, SnapValue]


class Change(BaseModel):
    """One thing that differs between ``from`` and ``to`` (contract: JSON output of ``diff``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Kind
    what: What = Field(
        description="rule | rule-version | classification | country-group | treatment | list-entry"
    )
    id: str
    title: str
    before: Snapshot | None = Field(description="the state on `from` (null: absent)")
    after: Snapshot | None = Field(description="the state on `to` (null: absent)")
    fields: list[str] = Field(default_factory=list, description="names of the fields that differ")
    details: list[str] = Field(
        default_factory=list, description="what changed, in plain words, before → after"
    )
    summary: str = Field(description="one line: what happened")
    reason: str | None = Field(
        default=None,
        description="what happened in the window, in calendar order: entered-force | ended | "
        "rescinded | new-version | compliance-required | listed | delisted | membership | "
        "added-to-rule-set | removed-from-rule-set | edited",
    )
    events: list[str] = Field(default_factory=list, description="dated events inside the window")
    citation: str | None = Field(default=None, description="citation of the newer version")
    source_url: str | None = None


class Impact(BaseModel):
    """A manifest line whose status differs between ``from`` and ``to``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    line_id: str
    before: Status
    after: Status
    because: list[str] = Field(description="ids of the rules / list entries whose findings differ")
    details: list[str] = Field(default_factory=list, description="each cause, before → after")
    part_number: str | None = None
    destination: str | None = None
    before_date: str
    after_date: str


class DiffReport(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    mode: Mode = "dates"
    changes: list[Change] = Field(default_factory=list)
    impact: list[Impact] | None = Field(default=None, description="only with a manifest")
    notes: list[str] = Field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON object (``impact`` only when a manifest was given)."""
        data = self.model_dump(mode="json", by_alias=True)
        if data["impact"] is None:
            del data["impact"]
        return data
