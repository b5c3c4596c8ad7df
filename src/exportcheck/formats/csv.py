"""CSV: one row per input line with its status and deciding rule, then the original columns.

Every cell (header included) that a spreadsheet could take for a formula — starting with
``=``, ``+``, ``-``, ``@``, tab or carriage return — is prefixed with ``'`` (OWASP CSV-injection
guidance). Original columns whose names clash with ours are written as ``input_<name>``.

Rows end with ``\n``. A cell is quoted when it holds a comma, a double quote, a line feed *or a
carriage return*: the csv module quotes only the characters of its line terminator, so a lone CR
in a value would otherwise end the row early in a spreadsheet.
"""

from __future__ import annotations

import io

from exportcheck.formats._common import deciding, joined, scalar_text, top_finding
from exportcheck.model.report import Report

COLUMNS: tuple[str, ...] = (
    "line_id",
    "status",
    "date",
    "destination",
    "part_number",
    "eccn",
    "eccn_source",
    "derived_eccn",
    "tpp",
    "performance_density",
    "rule_id",
    "rule_version",
    "citation",
    "message",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else f"{value:g}"


def neutralize(cell: str) -> str:
    """Prefix ``'`` to a cell a spreadsheet would evaluate as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _field_columns(report: Report) -> list[tuple[str, str]]:
    """(field key, output column name) for every original column, in first-seen order."""
    taken = set(COLUMNS)
    keys: dict[str, str] = {}
    for line in report.lines:
        for key in line.fields:
            if key in keys:
                continue
            name = key
            while name in taken:
                name = f"input_{name}"
            taken.add(name)
            keys[key] = name
    return list(keys.items())


_MUST_QUOTE = frozenset(',"\r\n')


def _quoted(cell: str) -> str:
    if _MUST_QUOTE.isdisjoint(cell):
        return cell
    return '"' + cell.replace('"', '""') + '"'


class _Writer:
    """RFC 4180 rows (QUOTE_MINIMAL, but also quoting a lone CR), ``\n`` line endings."""

    def __init__(self, out: io.StringIO) -> None:
        self.out = out

    def writerow(self, cells: list[str]) -> None:
        self.out.write(",".join(_quoted(c) for c in cells) + "\n")


def render(report: Report) -> str:
    out = io.StringIO()
    writer = _Writer(out)
    extra = _field_columns(report)
    writer.writerow([neutralize(c) for c in (*COLUMNS, *(name for _, name in extra))])
    for line in report.lines:
        decided = deciding(line)
        top = top_finding(line)
        cells = [
            line.line_id,
            line.status.value,
            line.date,
            line.destination or "",
            line.item.part_number or "",
            line.item.eccn or "",
            line.item.eccn_source or "",
            line.item.derived_eccn or "",
            _number(line.item.params.get("tpp")),
            _number(line.item.params.get("performance_density")),
            joined([f.rule_id for f in decided]),
            joined([f.rule_version for f in decided]),
            joined([f.citation for f in decided]),
            top.message if top is not None else "",
        ]
        cells.extend(scalar_text(line.fields.get(key)) for key, _ in extra)
        writer.writerow([neutralize(c) for c in cells])
    return out.getvalue()
