"""The CSV record loop the reference-file readers share (catalog, licences, waivers).

One header row (the first non-blank line; names normalised as for manifests, each known and
none twice, the required ones present), then data rows: blank rows are skipped, a row with more
or fewer fields than the header is refused, and every error names the file and line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from exportcheck.errors import InputError
from exportcheck.readers.manifest import normalize_header, sniff_delimiter


class CsvRow(NamedTuple):
    """One data row: where it starts, its cells as read, and the header it is read against."""

    line: int
    cells: list[str]
    header: list[str]
    columns: list[str]

    def named(self) -> dict[str, str]:
        """{normalised column: stripped cell} for the cells that are not blank."""
        return {c: v.strip() for c, v in zip(self.columns, self.cells, strict=True) if v.strip()}


def csv_records(
    text: str,
    name: str,
    *,
    known: Sequence[str],
    required: Sequence[str],
    strict: bool,
    what: str = "file",
) -> Iterator[CsvRow]:
    """Each non-blank data row of a CSV file with a header of ``known`` column names.

    ``strict`` is the csv module's (refuse a stray quote inside an unquoted field); ``what``
    names the file in the message for a file with no header row.
    """
    # Only CR, LF and CRLF end a line (str.splitlines would also split on U+2028, NEL, form
    # feed... inside a value). The csv module itself takes care of quoted newlines.
    lines = list(io.StringIO(text, newline=""))
    start = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if start is None:
        raise InputError(f"{what} is empty: expected a header row", file=name)
    reader = csv.reader(lines[start:], delimiter=sniff_delimiter(lines[start]), strict=strict)
    try:
        header = next(reader)
        columns: list[str] = []
        for col, cell in enumerate(header, start=1):
            norm = normalize_header(cell)
            if norm in columns:
                raise InputError(
                    f"duplicate column '{norm}' (columns {columns.index(norm) + 1} and {col})",
                    file=name,
                    line=start + 1,
                    column=col,
                    field=norm,
                )
            if norm not in known:
                raise InputError(
                    f"unknown column '{cell.strip()}' (known: {', '.join(known)})",
                    file=name,
                    line=start + 1,
                    column=col,
                    field=norm or None,
                )
            columns.append(norm)
        for req in required:
            if req not in columns:
                raise InputError(
                    f"missing required column '{req}'", file=name, line=start + 1, field=req
                )
        while True:
            row_line = reader.line_num + 1 + start
            try:
                row = next(reader)
            except StopIteration:
                return
            if all(not cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                raise InputError(
                    f"row has {len(row)} fields, header has {len(columns)}",
                    file=name,
                    line=row_line,
                )
            yield CsvRow(row_line, row, header, columns)
    except csv.Error as exc:
        raise InputError(
            f"cannot parse CSV: {exc}", file=name, line=reader.line_num + start
        ) from None
