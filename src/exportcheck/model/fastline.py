"""Light, slot-based twins of :class:`ManifestLine` and :class:`LineResult` for streaming.

A million-line manifest cannot afford a validated pydantic object per line. The readers build
a :class:`LightLine` from a row whose every value was already checked (through small caches of
validated parts: the :class:`Item` is shared by every line of the same item), and the engine
answers with a :class:`LightResult`, whose findings and resolved item are shared, already
validated objects. Both carry exactly the attributes the engine and the formats read, so they
can stand in for their pydantic twins; :meth:`LightResult.to_model` gives the real model (equal
to the one the engine builds for the same line without the fast path).
"""

from __future__ import annotations

from datetime import date

from exportcheck.model.manifest import Item, LineProblem, ManifestLine, Scalar
from exportcheck.model.report import Finding, LineResult, ResolvedItem
from exportcheck.model.status import Status

ItemKey = tuple[object, ...]


class LightLine:
    """A manifest line without input problems, built from validated parts (see module doc).

    ``item_key`` identifies the item (part number, ECCN, vendor, category, sorted params).
    """

    __slots__ = (
        "destination",
        "end_use",
        "fields",
        "index",
        "item",
        "item_key",
        "line_id",
        "ship_date",
        "source_line",
    )
    problems: tuple[LineProblem, ...] = ()

    def __init__(
        self,
        index: int,
        source_line: int | None,
        line_id: str,
        fields: dict[str, Scalar],
        item: Item,
        item_key: ItemKey,
        destination: str | None,
        ship_date: date | None,
        end_use: str | None,
    ) -> None:
        self.index = index
        self.source_line = source_line
        self.line_id = line_id
        self.fields = fields
        self.item = item
        self.item_key = item_key
        self.destination = destination
        self.ship_date = ship_date
        self.end_use = end_use


LineLike = ManifestLine | LightLine


class LightResult:
    """A judged line: the attributes of :class:`LineResult`, without per-line validation."""

    __slots__ = (
        "date",
        "destination",
        "fields",
        "findings",
        "item",
        "line_id",
        "source_line",
        "status",
    )

    def __init__(
        self,
        line_id: str,
        status: Status,
        date: str,
        destination: str | None,
        findings: tuple[Finding, ...],
        fields: dict[str, Scalar],
        item: ResolvedItem,
        source_line: int | None,
    ) -> None:
        self.line_id = line_id
        self.status = status
        self.date = date
        self.destination = destination
        self.findings = findings
        self.fields = fields
        self.item = item
        self.source_line = source_line

    def to_model(self) -> LineResult:
        """The pydantic :class:`LineResult` (its parts are validated objects already)."""
        return LineResult.model_construct(
            line_id=self.line_id,
            status=self.status,
            date=self.date,
            destination=self.destination,
            findings=self.findings,
            fields=self.fields,
            item=self.item,
            source_line=self.source_line,
        )


ResultLike = LineResult | LightResult
