"""Helpers shared by the text formats: which findings decided a line, and cell text."""

from __future__ import annotations

from exportcheck.model.fields import TESTED_FIELDS
from exportcheck.model.manifest import Scalar
from exportcheck.model.params import PARAMS
from exportcheck.model.report import Finding, LineResult
from exportcheck.model.status import Status

STATUS_ORDER: tuple[Status, ...] = tuple(Status)


def deciding(line: LineResult) -> list[Finding]:
    """The findings that set the line's status (its most severe ones), in report order. An
    allowed line has none: its findings are informational (a rule whose compliance date has
    not come, or that was rescinded before it; an ECCN derived from the specifications)."""
    if line.status is Status.ALLOWED:
        return []
    return [f for f in line.findings if f.status == line.status]


#: Facts of the item and the destination; a reason on any other field is about a party.
_ITEM_FIELDS = frozenset((*TESTED_FIELDS, *PARAMS))


def party_reasons(f: Finding, *, known_only: bool = False) -> list[str]:
    """The reasons of a rule finding that are about the line's parties (headquarters,
    ultimate parent, ownership, with the owners, shares and path), in words; with
    ``known_only``, those of a value the line gives (not a missing one)."""
    if not f.kind.startswith("rule"):
        return []
    return [
        f"{b.field} {scalar_text(b.value) or '(none)'}: {b.test}"
        for b in f.because
        if b.field not in _ITEM_FIELDS and not (known_only and b.value is None)
    ]


def top_finding(line: LineResult) -> Finding | None:
    """The most severe finding (the first of equals), or None."""
    best: Finding | None = None
    for f in line.findings:
        if best is None or f.status.severity > best.status.severity:
            best = f
    return best


def scalar_text(value: Scalar) -> str:
    """A raw input value as text: '' for missing, true/false for booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def joined(values: list[str | None], sep: str = "; ") -> str:
    """Values of several deciding findings, position by position; '' when all are empty."""
    if not any(values):
        return ""
    return sep.join(v or "" for v in values)


def eccn_text(line: LineResult) -> str:
    """The ECCN judged, marked when derived from the specs or contradicted by them."""
    item = line.item
    if item.eccn is None:
        return ""
    if item.eccn_source == "derived":
        return f"{item.eccn} (derived)"
    if item.derived_eccn and item.derived_eccn != item.eccn:
        return f"{item.eccn} (specs: {item.derived_eccn})"
    return item.eccn


def part_of(line: LineResult) -> str:
    if line.item.part_number:
        return line.item.part_number
    return scalar_text(line.fields.get("part_number"))
