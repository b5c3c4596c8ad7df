"""The entry points: :func:`iter_manifest` (every format) and :func:`iter_lines` (the same,
with light lines for clean CSV rows)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from exportcheck.errors import InputError
from exportcheck.model.fastline import LineLike
from exportcheck.model.manifest import ManifestLine
from exportcheck.readers.manifest.build import Record, build_line
from exportcheck.readers.manifest.csvread import CsvRecords
from exportcheck.readers.manifest.fast import FastLineBuilder
from exportcheck.readers.manifest.sniff import detect_format
from exportcheck.readers.manifest.structured import iter_json, iter_jsonl, iter_yaml
from exportcheck.readers.manifest.values import DEFAULT_OPTIONS, ReadOptions, ReadStats

FORMATS: tuple[str, ...] = ("csv", "xlsx", "json", "jsonl", "yaml")


def _iter_table(
    path: Path, name: str, stats: ReadStats, kind: str, options: ReadOptions
) -> Iterator[ManifestLine]:
    for record in iter_table_records(path, name, stats, kind, options):
        if isinstance(record, ManifestLine):
            yield record
        else:
            yield build_line(*record, options=options)


def iter_table_records(
    path: Path, name: str, stats: ReadStats, kind: str, options: ReadOptions
) -> Iterator[Record | ManifestLine]:
    """The rows of a CSV file or a workbook's sheet as :data:`Record` tuples (or a finished
    line for a row that could not be parsed), in order; :func:`build_line` turns a record
    into a line."""
    if kind == "xlsx":
        from exportcheck.readers.xlsx import xlsx_records

        yield from xlsx_records(path, name, stats, options)
        return
    records = CsvRecords(path, name, stats, options=options)
    for record in records:
        if isinstance(record, list):
            yield records.index, records.start, dict(zip(records.columns, record, strict=True)), []
        else:
            yield record


def iter_manifest(
    path: Path,
    display: str | None = None,
    *,
    fmt: str | None = None,
    stats: ReadStats | None = None,
    options: ReadOptions = DEFAULT_OPTIONS,
) -> Iterator[ManifestLine]:
    """Manifest lines in input order, one at a time, read as ``options`` say (the columns
    mapped to fields, the sheet of a workbook, the notation of numbers and dates).

    ``display`` is the file name used in error messages (default: the path as given); ``fmt``
    forces a format (``csv``, ``xlsx``, ``json``, ``jsonl``, ``yaml``) instead of detecting it.
    Raises :class:`InputError` (when the first line is pulled) for an unreadable file, a bad
    header or a missing required column, and later for a file that turns out unreadable further
    down (bad encoding, an unclosed quote running past the field limit).

    ``stats``, if given, is reset and then filled as lines are pulled (see :class:`ReadStats`).
    """
    if stats is None:
        stats = ReadStats()
    stats.records = stats.blank_skipped = 0
    stats.encoding = ""
    stats.notices.clear()
    stats.columns = None
    name = display or str(path)
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"unknown manifest format '{fmt}' (expected one of: {', '.join(FORMATS)})")
    if not path.is_file():
        what = "is a directory, not a file" if path.is_dir() else "no such file"
        raise InputError(what, file=name)
    kind = fmt or detect_format(path, name)
    stats.format = kind
    if kind in ("csv", "xlsx"):
        yield from _iter_table(path, name, stats, kind, options)
    elif kind == "json":
        yield from iter_json(path, name, stats, options)
    elif kind == "jsonl":
        yield from iter_jsonl(path, name, stats, options)
    else:
        yield from iter_yaml(path, name, stats, options)


def iter_lines(
    path: Path,
    display: str | None = None,
    *,
    stats: ReadStats | None = None,
    fast: bool = True,
    options: ReadOptions = DEFAULT_OPTIONS,
) -> Iterator[LineLike]:
    """Like :func:`iter_manifest`, but with ``fast`` a CSV row without problems becomes a
    :class:`LightLine` (same values, no per-line validation; see :class:`FastLineBuilder`).
    Other rows and other formats give the same :class:`ManifestLine` as :func:`iter_manifest`.
    """
    if stats is None:
        stats = ReadStats()
    if not fast or not options.plain_values:
        # (the fast builder reads dot decimals and ISO dates only)
        yield from iter_manifest(path, display, stats=stats, options=options)
        return
    stats.records = stats.blank_skipped = 0
    stats.encoding = ""
    stats.notices.clear()
    stats.columns = None
    name = display or str(path)
    if not path.is_file():
        what = "is a directory, not a file" if path.is_dir() else "no such file"
        raise InputError(what, file=name)
    kind = detect_format(path, name)
    stats.format = kind
    if kind not in ("csv", "xlsx"):
        yield from iter_manifest(path, display, stats=stats, options=options)
        return
    builder: FastLineBuilder | None = None
    for record in iter_table_records(path, name, stats, kind, options):
        if isinstance(record, ManifestLine):
            yield record
            continue
        index, start, fields, problems = record
        if builder is None:
            builder = FastLineBuilder(stats.columns or [])
        light = None if problems else builder.build(index, start, fields)
        yield light if light is not None else build_line(index, start, fields, problems)
