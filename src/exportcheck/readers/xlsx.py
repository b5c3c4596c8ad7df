"""Excel workbooks (.xlsx, .xlsm) as manifests: the first sheet, or the one named.

Read with openpyxl in read-only mode (rows are streamed from the sheet's XML, never held
whole) and cached values only (``data_only``: a formula's last computed value; a formula
never computed reads as empty). The records are the same as a CSV file's: the first
non-blank row is the header, every later non-blank row one record, its physical line the
sheet's row number; and each cell becomes the text a "Save as CSV" would write, so a
workbook and its CSV twin give the same report:

* numbers as written by Python (``4``, ``0.25``; with ``--decimal-comma``, ``0,25``);
* dates as YYYY-MM-DD (with the time, if any, as ``YYYY-MM-DD HH:MM:SS``);
* TRUE/FALSE, and errors (``#N/A``) as their text; an empty cell as an empty value.

A row wider than the header with values past it, and cells longer than the CSV field limit,
are problems of that line (``review``), as in CSV. Errors name the file, the sheet, the row
and the column (as letters).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from exportcheck.errors import InputError
from exportcheck.model.manifest import LineProblem, ManifestLine, Scalar
from exportcheck.readers.manifest import (
    MAX_FIELD_CHARS,
    ReadOptions,
    ReadStats,
    Record,
    header_columns,
    require_columns,
)

MAX_COLUMNS = 16_384  # Excel's own limit (XFD)


def cell_text(value: Any, decimal_comma: bool = False) -> str:
    """A cell's value as the text a CSV export would hold (see the module doc)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _open(path: Path, name: str) -> Any:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
        raise InputError(
            "reading Excel workbooks needs the openpyxl package",
            file=name,
            hint="pip install openpyxl, or save the sheet as CSV",
        ) from None
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(
            f"not a readable Excel workbook (.xlsx): {detail}",
            file=name,
            hint="open it in Excel and save it as .xlsx, or as CSV UTF-8",
        ) from None
    except Exception as exc:  # openpyxl's own errors (InvalidFileException, ...)
        raise InputError(
            f"not a readable Excel workbook (.xlsx): {type(exc).__name__}: {exc}",
            file=name,
            hint="open it in Excel and save it as .xlsx, or as CSV UTF-8",
        ) from None


def xlsx_records(
    path: Path, name: str, stats: ReadStats, options: ReadOptions
) -> Iterator[Record | ManifestLine]:
    """The records of the sheet (see the module doc), as :func:`build_line` takes them."""
    book = _open(path, name)
    try:
        names = list(book.sheetnames)
        if options.sheet is not None:
            if options.sheet not in names:
                raise InputError(
                    f"no sheet named '{options.sheet}' (sheets: "
                    + ", ".join(f"'{n}'" for n in names)
                    + ")",
                    file=name,
                    field="--sheet",
                )
            sheet = book[options.sheet]
        else:
            sheets = book.worksheets
            if not sheets:
                raise InputError("the workbook has no worksheet", file=name)
            sheet = sheets[0]
        title = str(sheet.title)
        stats.encoding = "xlsx"
        yield from _records(sheet.iter_rows(values_only=True), name, title, stats, options)
    finally:
        book.close()


def _records(
    rows: Iterator[tuple[Any, ...]],
    name: str,
    title: str,
    stats: ReadStats,
    options: ReadOptions,
) -> Iterator[Record]:
    comma = options.decimal_comma
    header: list[str] | None = None
    ncols = 0
    index = 0
    columns: list[str] = []
    for number, values in enumerate(rows, start=1):
        cells = [cell_text(v, comma) for v in values[:MAX_COLUMNS]]
        while cells and not cells[-1].strip():
            cells.pop()
        if not cells or not "".join(cells).strip():
            if header is not None:
                stats.blank_skipped += 1
            continue
        if header is None:
            header = cells
            columns = header_columns(header, name, number, options, sheet=title)
            require_columns(
                columns, name, number, "in the header row", [c.strip() for c in header], title
            )
            stats.columns = list(columns)
            ncols = len(columns)
            continue
        index += 1
        stats.records += 1
        problems: list[LineProblem] = []
        if len(cells) > ncols:
            problems.append(
                LineProblem(
                    field="columns",
                    value=len(cells),
                    message=f"row has values in {len(cells)} columns, the header names {ncols}",
                )
            )
        fields: dict[str, Scalar] = {}
        for col, column in enumerate(columns):
            cell = cells[col] if col < len(cells) else ""
            if len(cell) > MAX_FIELD_CHARS:  # pragma: no cover - Excel holds 32,767 at most
                problems.append(
                    LineProblem(field=column, message=f"value is {len(cell):,} characters")
                )
                cell = cell[:80]
            fields[column] = cell
        yield index, number, fields, problems
    if header is None:
        raise InputError(f"sheet '{title}' is empty: expected a header row", file=name, sheet=title)
