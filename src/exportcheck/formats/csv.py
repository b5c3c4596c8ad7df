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
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence

from exportcheck.formats._common import deciding, joined, scalar_text, top_finding
from exportcheck.model.fastline import ResultLike
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
_SPOOL_BYTES = 8 * 1024 * 1024


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
        self.out.write(row_text(cells))


def row_text(cells: list[str]) -> str:
    """One output row (cells neutralised and quoted), with its ``\n``."""
    return ",".join([_quoted(neutralize(c)) for c in cells]) + "\n"


def _cells(line: ResultLike) -> list[str]:
    decided = deciding(line)  # type: ignore[arg-type]
    top = top_finding(line)  # type: ignore[arg-type]
    item = line.item
    return [
        line.line_id,
        line.status.value,
        line.date,
        line.destination or "",
        item.part_number or "",
        item.eccn or "",
        item.eccn_source or "",
        item.derived_eccn or "",
        _number(item.params.get("tpp")),
        _number(item.params.get("performance_density")),
        joined([f.rule_id for f in decided]),
        joined([f.rule_version for f in decided]),
        joined([f.citation for f in decided]),
        top.message if top is not None else "",
    ]


def render(report: Report) -> str:
    out = io.StringIO()
    writer = _Writer(out)
    extra = _field_columns(report)
    writer.writerow([*COLUMNS, *(name for _, name in extra)])
    for line in report.lines:
        cells = _cells(line)
        cells.extend(scalar_text(line.fields.get(key)) for key, _ in extra)
        writer.writerow(cells)
    return out.getvalue()


class _Pending:
    """Rows written before the header is known: in memory, then in a temporary file."""

    def __init__(self) -> None:
        self.spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed in rows()
            max_size=_SPOOL_BYTES, mode="w+", encoding="utf-8", newline=""
        )
        self.count = 0

    def add(self, width: int, text: str) -> None:
        self.spool.write(f"{width} {len(text)}\n{text}")
        self.count += 1

    def rows(self, width: int) -> Iterator[str]:
        """The rows, each padded with empty cells to ``width`` extra columns."""
        spool = self.spool
        try:
            spool.seek(0)
            for _ in range(self.count):
                had, size = spool.readline().split()
                text = spool.read(int(size))
                pad = width - int(had)
                yield text[:-1] + "," * pad + "\n" if pad else text
        finally:
            spool.close()


def stream(
    lines: Iterable[ResultLike],
    columns: Sequence[str] | Callable[[], Sequence[str] | None] | None = None,
) -> Iterator[str]:
    """The same text as :func:`render`, row by row, as the lines come.

    The header names every input column met in any line (first-seen order), so it can only be
    written once no new column can appear: with ``columns`` (a CSV manifest's header) that is
    as soon as a line has them all — normally the first; until then, and for other inputs until
    the end, rows wait in a spool (memory, then a temporary file). ``columns`` may be a
    callable, asked once the first line has come (a reader knows the header only then). A row
    that waited is padded with empty cells for the columns first met after it, which is what
    :func:`render` writes.
    """
    taken = set(COLUMNS)
    keys: dict[str, str] = {}
    full: set[str] | None = None
    pending: _Pending | None = _Pending()
    for n, line in enumerate(lines):
        if n == 0:
            known = columns() if callable(columns) else columns
            full = set(known) if known is not None else None
        fields = line.fields
        for key in fields:
            if key not in keys:
                name = key
                while name in taken:
                    name = f"input_{name}"
                taken.add(name)
                keys[key] = name
        cells = _cells(line)
        cells.extend(scalar_text(fields.get(key)) for key in keys)
        text = row_text(cells)
        if pending is None:
            yield text
            continue
        pending.add(len(keys), text)
        if full is not None and len(keys) == len(full) and full.issuperset(keys):
            yield row_text([*COLUMNS, *keys.values()])
            yield from pending.rows(len(keys))
            pending = None
    if pending is not None:
        yield row_text([*COLUMNS, *keys.values()])
        yield from pending.rows(len(keys))
