"""Findings and reports: what the engine returns and every output format renders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from exportcheck.model.manifest import Scalar
from exportcheck.model.status import Status, worst


class Because(BaseModel):
    """One reason a condition matched (or could not be decided)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str
    value: Scalar = None
    test: str = Field(description="the condition, in words, e.g. 'tpp >= 4800' or 'in D:5'")


class WaiverNote(BaseModel):
    """The approved exception that waived a finding (the finding is kept, marked, not counted)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    reason: str
    approver: str
    approved: str = Field(description="date the waiver was approved, YYYY-MM-DD")
    expires: str = Field(description="last day the waiver applies, YYYY-MM-DD")


# Optional Finding keys that appear in the JSON only when set, so reports made without
# --licenses/--waivers keep exactly the keys they always had.
_OMIT_WHEN_NONE: tuple[str, ...] = ("waiver", "licence")


class Finding(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rule_id: str
    rule_version: str | None = Field(default=None, description="effective date of the version")
    status: Status
    kind: str = Field(
        default="rule",
        description="rule | rule-undetermined | unclassified | input | party",
    )
    title: str | None = None
    message: str
    citation: str | None = None
    source_url: str | None = None
    confidence: str | None = None
    review_policy: str | None = None
    because: tuple[Because, ...] = ()
    waiver: WaiverNote | None = Field(
        default=None, description="set when an approved waiver covers this finding"
    )
    licence: str | None = Field(
        default=None, description="number of the licence held that answers this requirement"
    )

    @property
    def counts(self) -> bool:
        """Does this finding count toward its line's status? Not when waived or licensed."""
        return self.waiver is None and self.licence is None

    @model_serializer(mode="wrap")
    def _omit_unset_optional_keys(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            for key in _OMIT_WHEN_NONE:
                if data.get(key, 0) is None:
                    del data[key]
        return data


def line_status(findings: tuple[Finding, ...] | list[Finding]) -> Status:
    """A line's status: the most severe finding that counts (waived and licensed findings do
    not); ``allowed`` when none does."""
    return worst([f.status for f in findings if f.counts])


class ResolvedItem(BaseModel):
    """The item as judged: line values over catalog values, and where the ECCN came from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    part_number: str | None = None
    eccn: str | None = None
    eccn_source: str | None = Field(default=None, description="line | catalog | derived | None")
    vendor: str | None = None
    category: str | None = None
    params: dict[str, float] = Field(
        default_factory=dict, description="technical parameters, given and computed"
    )
    in_catalog: bool = False
    derived_eccn: str | None = Field(
        default=None, description="ECCN the specifications give under the criteria in force"
    )
    classification: str | None = Field(
        default=None, description="the classification test applied and its outcome, in words"
    )
    derivations: tuple[str, ...] = Field(
        default=(), description="how computed parameters (TPP, PD) were derived"
    )


class LineResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    line_id: str
    status: Status
    date: str
    destination: str | None = None
    findings: tuple[Finding, ...] = ()
    fields: dict[str, Scalar] = Field(default_factory=dict)
    item: ResolvedItem = Field(default_factory=ResolvedItem)
    source_line: int | None = None


class Source(BaseModel):
    """A file that went into a report, with its content hash (for reproducibility)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str = Field(description="rules | lists | manifest | catalog | licenses | waivers")
    id: str | None = None
    version: str | None = None
    path: str
    sha256: str


class Summary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    lines: int
    by_status: dict[str, int]
    worst: Status
    lines_read: int | None = Field(
        default=None,
        description="data records read from the manifest; a report is only produced when it "
        "equals `lines` (every input line judged, none dropped)",
    )


class Report(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    exportcheck: str = Field(description="tool version")
    as_of: str
    rules_sha256: str = Field(description="one hash over the content of all rule and list sources")
    sources: tuple[Source, ...] = ()
    summary: Summary
    lines: tuple[LineResult, ...] = ()
    notices: tuple[str, ...] = Field(
        default=(), description="what the readers noticed, e.g. a manifest decoded as cp1252"
    )


def summary_of_counts(
    counts: Mapping[Status, int], lines: int, lines_read: int | None = None
) -> Summary:
    """The summary of lines counted by status: ``by_status`` in severity order, the worst."""
    present = [s for s in Status if s in counts]
    return Summary(
        lines=lines,
        by_status={s.value: counts[s] for s in present},
        worst=present[-1] if present else Status.ALLOWED,
        lines_read=lines_read,
    )


def summarize(
    lines: tuple[LineResult, ...] | list[LineResult], lines_read: int | None = None
) -> Summary:
    counts: dict[str, int] = {}
    for line in lines:
        counts[line.status.value] = counts.get(line.status.value, 0) + 1
    ordered = {s.value: counts[s.value] for s in Status if s.value in counts}
    worst = Status.ALLOWED
    for line in lines:
        if line.status.severity > worst.severity:
            worst = line.status
    return Summary(lines=len(lines), by_status=ordered, worst=worst, lines_read=lines_read)
