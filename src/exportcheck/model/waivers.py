"""Waivers (``check --waivers``): approved exceptions for a rule's findings. No I/O.

A waiver names a rule id (or glob, e.g. ``party:*``) and optionally narrows it to a part,
destination or party. It records who approved it, when, why, and until when. A waived finding
stays in the report, marked with the waiver, and no longer counts toward the line's status; an
expired waiver is ignored and puts the line to ``review`` with a note.
"""

from __future__ import annotations

import fnmatch
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from exportcheck.model.eccn import is_glob
from exportcheck.model.licensing import country_list


def _non_blank(value: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise ValueError("must not be empty")
    return text


class Waiver(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="waiver reference, e.g. WV-2025-006")
    rule: str = Field(description="rule id of the findings it waives, or a glob (party:*)")
    part: str | None = Field(default=None, description="only for this part number (or glob)")
    destination: str | None = Field(default=None, description="only for this country")
    party: str | None = Field(default=None, description="only for this consignee/end user")
    reason: str
    approver: str
    approved: date = Field(description="date of approval: the waiver applies from this day")
    expires: date = Field(description="last day the waiver applies")
    notes: str | None = None

    @field_validator("id", "rule", "reason", "approver")
    @classmethod
    def _text(cls, v: str) -> str:
        return _non_blank(v)

    @field_validator("part", "party")
    @classmethod
    def _optional_text(cls, v: str | None) -> str | None:
        return None if v is None else _non_blank(v)

    @field_validator("destination")
    @classmethod
    def _country(cls, v: str | None) -> str | None:
        return None if v is None else country_list([v])[0]

    @model_validator(mode="after")
    def _dates(self) -> Waiver:
        if self.expires < self.approved:
            raise ValueError(f"expires {self.expires} is before approved {self.approved}")
        return self

    def covers_rule(self, rule_id: str) -> bool:
        if is_glob(self.rule):
            return fnmatch.fnmatchcase(rule_id, self.rule)
        return rule_id == self.rule

    def in_effect(self, on: date) -> bool:
        return self.approved <= on <= self.expires


class WaiverSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    waivers: tuple[Waiver, ...] = ()
