"""Builders for hand-made manifest lines and judged results (no rules involved)."""

from __future__ import annotations

from exportcheck.model.manifest import Item, ManifestLine
from exportcheck.model.report import Because, Finding, LineResult, ResolvedItem, line_status
from exportcheck.model.status import Status

RULE = "ear.3a090-4a090.destinations"


def manifest_line(
    line_id: str,
    *,
    part: str | None = "H100",
    eccn: str | None = "3A090.a",
    destination: str | None = "AE",
    quantity: float | None = 10,
    unit_value: float | None = None,
    currency: str | None = None,
    consignee: str | None = "Gulf Sovereign AI LLC",
    end_user: str | None = None,
) -> ManifestLine:
    fields: dict[str, str | int | float | bool | None] = {"line_id": line_id}
    if currency is not None:
        fields["currency"] = currency
    return ManifestLine(
        index=1,
        source_line=2,
        line_id=line_id,
        fields=fields,
        item=Item(part_number=part, eccn=eccn),
        destination=destination,
        quantity=quantity,
        unit_value=unit_value,
        consignee=consignee,
        end_user=end_user,
    )


def rule_finding(
    rule_id: str = RULE, status: Status = Status.LICENSE_REQUIRED, kind: str = "rule"
) -> Finding:
    return Finding(
        rule_id=rule_id,
        rule_version="2024-12-02",
        status=status,
        kind=kind,
        title=f"title of {rule_id}",
        message=f"{rule_id}: {status.value}.",
        citation="89 FR 96790",
    )


def party_finding(name: str = "Listed Co", status: Status = Status.LICENSE_REQUIRED) -> Finding:
    """A restricted-party hit on the consignee ``name`` (as screening reports it)."""
    return Finding(
        rule_id="party:EL:123",
        status=status,
        kind="party",
        title="Entity List: Listed Co",
        message=f"consignee '{name}' matches Listed Co",
        because=(Because(field="consignee", value=name, test="matches 'Listed Co'"),),
    )


def unclassified_finding() -> Finding:
    return Finding(
        rule_id="exportcheck.unclassified",
        status=Status.REVIEW,
        kind="unclassified",
        title="Unclassified item",
        message="Unclassified: classify the item.",
    )


def judged(line: ManifestLine, findings: list[Finding], date: str = "2025-06-15") -> LineResult:
    return LineResult(
        line_id=line.line_id,
        status=line_status(findings),
        date=date,
        destination=line.destination,
        findings=tuple(findings),
        fields=line.fields,
        item=ResolvedItem(part_number=line.item.part_number, eccn=line.item.eccn),
        source_line=line.source_line,
    )
