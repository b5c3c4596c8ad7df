"""Reading a CSV manifest: :class:`CsvRecords`, its records in order (rows without problems in
batches), and the ``review`` line for a row with an over-long field."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path

from exportcheck.errors import InputError
from exportcheck.model.manifest import LineProblem, ManifestLine, Scalar
from exportcheck.readers.csvchunk import RowBatch, escape_chars, split_chunk
from exportcheck.readers.manifest.build import Record, build_line, unparsed_line
from exportcheck.readers.manifest.columns import header_columns, require_columns
from exportcheck.readers.manifest.sniff import sniff_delimiter
from exportcheck.readers.manifest.text import MAX_LINE_BYTES, TextLines
from exportcheck.readers.manifest.values import DEFAULT_OPTIONS, ReadOptions, ReadStats

MAX_FIELD_CHARS = 1024 * 1024  # one CSV field; longer → that line is `review`
_CUT_SHOWN = 80  # characters of an over-long field kept in the report
_BATCH_ROWS = 4096  # rows read one by one that CsvRecords.batches gathers at most in a batch


def _cut(value: str) -> str:
    return f"{value[:_CUT_SHOWN]}… [cut: {len(value):,} characters]"


def long_field_line(
    index: int, start: int, text: str, delimiter: str, columns: list[str]
) -> ManifestLine | None:
    """A ``review`` line for a one-line record with a field over ``MAX_FIELD_CHARS``: long values
    are cut and named, the others kept. None if the record does not end on its own line (an open
    quote), since then the parser cannot tell where the next record starts."""
    old = csv.field_size_limit(MAX_LINE_BYTES + 1)
    try:
        rows = list(csv.reader([text], delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    finally:
        csv.field_size_limit(old)
    if len(rows) != 1:
        return None
    row = rows[0]
    problems: list[LineProblem] = []
    fields: dict[str, Scalar] = {}
    for col, cell in enumerate(row):
        name = columns[col] if col < len(columns) else f"field {col + 1}"
        if len(cell) > MAX_FIELD_CHARS:
            problems.append(
                LineProblem(
                    field=name,
                    message=f"value is {len(cell):,} characters, over the "
                    f"{MAX_FIELD_CHARS:,}-character limit for one field (cut in the report)",
                )
            )
            cell = _cut(cell)
        if col < len(columns):
            fields[name] = cell
    if len(row) != len(columns):
        problems.append(
            LineProblem(
                field="columns",
                value=len(row),
                message=f"row has {len(row)} fields, header has {len(columns)}",
            )
        )
    if not problems:  # pragma: no cover - the parser stopped on a long field, so one exists
        problems.append(
            LineProblem(field="line", message=f"a field is over {MAX_FIELD_CHARS:,} characters")
        )
    return build_line(index, start, fields, problems)


class CsvRecords:
    """The records of a CSV manifest, in order, read in chunks (see :meth:`TextLines.chunked`).

    :meth:`batches` yields, for each record in order:

    * full-width rows without problems (as many cells as the header, not blank, no quote left
      open), gathered in a :class:`RowBatch` of consecutive records: the csv module's lists of
      cells, their record numbers (1-based; blank rows are not records), the physical lines they
      start on and which of them may hold a cell that needs escaping in a JSON string (a row
      not so flagged has no ``"``, backslash or control character on its line);
    * any other record: a :data:`Record` tuple ``(index, start, fields, problems)``, as
      :func:`build_line` takes it;
    * a row that could not be parsed: its finished :class:`ManifestLine`.

    A chunk of whole lines that are all such rows, each one line, is split at once
    (:func:`split_chunk`); any other chunk is read record by record by the csv module, with
    every check. Iterating yields the same records one by one, a row as its list of cells:
    while it is the latest one yielded, :attr:`index` is its record number, :attr:`start` its
    first physical line and :attr:`clean` True if it is not flagged as above.

    ``stats`` is filled as :func:`iter_manifest` fills it, and :attr:`columns` (the normalised
    header) is set once the first record is pulled. Nothing is read before that; errors are the
    same :class:`InputError` as for :func:`iter_manifest`, at the same point.
    """

    def __init__(
        self,
        path: Path,
        name: str,
        stats: ReadStats,
        *,
        chunk_bytes: int | None = None,
        options: ReadOptions = DEFAULT_OPTIONS,
    ) -> None:
        self.path = path
        self.name = name
        self.stats = stats
        self.chunk_bytes = chunk_bytes
        self.options = options
        self.columns: list[str] = []
        self.index = 0
        self.start = 0
        self.clean = False

    def __iter__(self) -> Iterator[list[str] | Record | ManifestLine]:
        for record in self.batches():
            if record.__class__ is not RowBatch:
                yield record  # type: ignore[misc]
                continue
            assert isinstance(record, RowBatch)
            dirty = set(record.dirty)
            for i, row in enumerate(record.rows):
                self.index = record.first_index + i
                self.start = record.starts[i]
                self.clean = i not in dirty
                yield row

    def batches(self) -> Iterator[RowBatch | Record | ManifestLine]:
        """The records, rows without problems in :class:`RowBatch` es (see the class doc)."""
        name, stats = self.name, self.stats
        csv.field_size_limit(MAX_FIELD_CHARS)  # deliberate: the default (128 KiB) is arbitrary
        src = TextLines(self.path, name, stats, allow_cp1252=True)
        chunks = src.chunks(self.chunk_bytes)
        declined: list[Iterable[str]] = []  # a chunk split_chunk declined, for the csv reader

        def parts() -> Iterator[Iterable[str]]:
            # What the csv reader reads: a declined chunk, then any chunk it runs on into.
            while True:
                part = declined.pop() if declined else next(chunks, None)
                if part is None:
                    return
                yield part

        lines = itertools.chain.from_iterable(parts())
        # The header starts on the first non-blank physical line; blank lines before it are
        # skipped. The delimiter is sniffed from that line.
        header_line = ""
        header_number = 0
        for text in lines:
            header_number += 1
            if text.strip():
                header_line = text
                break
        if not header_line:
            raise InputError("file is empty: expected a header row", file=name)
        delimiter = sniff_delimiter(header_line)
        reader = csv.reader(
            itertools.chain([header_line], lines), delimiter=delimiter, strict=False
        )
        # The reader counts the lines it pulls from the header on: physical number - offset
        # (a chunk split at once is not pulled by the reader: it adds to the offset).
        offset = header_number - 1
        try:
            header = next(reader)
        except csv.Error as exc:
            raise InputError(
                f"cannot parse the CSV header: {exc}",
                file=name,
                line=header_number,
                hint="is a closing quote missing?",
            ) from None
        if src.eof and reader.line_num > 1:
            raise InputError(
                "the header row has a quote that is never closed: the whole file would be one row",
                file=name,
                line=header_number,
                hint="add the closing quote",
            )
        columns = header_columns(header, name, header_number, self.options)
        originals = [cell.strip() for cell in header]
        require_columns(columns, name, header_number, "in the header row", originals)
        stats.columns = list(columns)
        self.columns = columns
        ncols = len(columns)
        escaped = '"' + escape_chars(delimiter)  # a row whose line has none needs no escaping
        chunk_end = 0  # the number after the last line of the chunk that `clean_lines` is of
        clean_lines: set[int] = set()
        index = 0
        # Rows read one by one, gathered for the next batch: cells, start lines, flagged.
        rows: list[list[str]] = []
        starts: list[int] = []
        dirty: list[int] = []
        try:
            while True:
                if offset + reader.line_num == src.pulled:
                    # The reader is at the end of every chunk pulled: the next may be split at once.
                    if rows:
                        yield RowBatch(rows, index - len(rows) + 1, starts, dirty)
                        rows, starts, dirty = [], [], []
                    part = next(chunks, None)
                    if part is None:
                        return
                    whole = src.whole_chunk(part)
                    split = (
                        split_chunk(whole[0], delimiter, ncols, MAX_FIELD_CHARS) if whole else None
                    )
                    if whole is not None and split is not None:
                        got, flagged = split
                        stats.records += len(got)
                        starts_at = range(whole[1], whole[1] + len(got))  # a row per line
                        yield RowBatch(got, index + 1, starts_at, flagged, one_line=True)
                        index += len(got)
                        offset += len(got)
                        continue
                    declined.append(part)
                start = offset + reader.line_num + 1  # the reader never reads ahead of its record
                try:
                    row = next(reader)
                except StopIteration:
                    if rows:
                        yield RowBatch(rows, index - len(rows) + 1, starts, dirty)
                    return
                except csv.Error as exc:
                    end = offset + reader.line_num
                    if "field larger than field limit" not in str(exc):
                        if end != start:
                            raise InputError(
                                f"cannot parse CSV: {exc}", file=name, line=end
                            ) from None
                        # e.g. a carriage return inside an unquoted value: the record is this one
                        # line, so report it (unparsed) and go on with the next.
                        index += 1
                        stats.records += 1
                        why = (
                            "a carriage return (CR) inside an unquoted value; quote the value"
                            if "new-line character" in str(exc)
                            else f"cannot parse this CSV line: {exc}"
                        )
                        if rows:
                            yield RowBatch(rows, index - len(rows), starts, dirty)
                            rows, starts, dirty = [], [], []
                        yield unparsed_line(index, start, "line", why)
                        continue
                    long_line = (
                        long_field_line(index + 1, start, src.line(end), delimiter, columns)
                        if end == start
                        else None
                    )
                    if long_line is None:
                        raise InputError(
                            f"a quoted field starting on or after line {start} runs past "
                            f"the {MAX_FIELD_CHARS:,}-character limit for one field (reading "
                            f"stopped at line {end})",
                            file=name,
                            line=start,
                            hint="is a closing quote missing?",
                        ) from None
                    index += 1
                    stats.records += 1
                    if rows:
                        yield RowBatch(rows, index - len(rows), starts, dirty)
                        rows, starts, dirty = [], [], []
                    yield long_line
                    continue
                problems: list[LineProblem] = []
                if src.eof:
                    # The csv module returns a record after the end of the file only when a quoted
                    # field is still open: every later line would silently become part of one value.
                    end = offset + reader.line_num
                    if end > start:
                        raise InputError(
                            f"a quoted field on this line is never closed: lines {start + 1} to "
                            f"{end} would be read as part of its value",
                            file=name,
                            line=start,
                            hint="add the closing quote",
                        )
                    problems.append(
                        LineProblem(
                            field="line", message="a quoted field is never closed (missing quote)"
                        )
                    )
                elif not (row and row[0] and not row[0].isspace()) and not "".join(row).strip():
                    # every cell blank (strip per cell, joined: the same); the first cell not blank
                    # settles it for most rows
                    stats.blank_skipped += 1
                    continue  # blank line (or a row of empty cells)
                index += 1
                stats.records += 1
                if problems or len(row) != ncols:
                    if len(row) != ncols:
                        problems.append(
                            LineProblem(
                                field="columns",
                                value=len(row),
                                message=f"row has {len(row)} fields, header has {ncols}",
                            )
                        )
                    fields: dict[str, Scalar] = dict(zip(columns, row, strict=False))
                    if rows:
                        yield RowBatch(rows, index - len(rows), starts, dirty)
                        rows, starts, dirty = [], [], []
                    yield index, start, fields, problems
                    continue
                # Clean: the row's first line has nothing to escape. A row over several lines has a
                # quote on its first line (only an open quoted field goes on past a line end), so
                # a clean row is that one line. A row starting past the chunk known takes the
                # reader's current chunk: the one it ends in, so its first line is in there only if
                # it is in one chunk (a row over two is not clean anyway).
                if start >= chunk_end:
                    chunk_end, clean_lines = src.clean_lines(escaped)
                if start not in clean_lines:
                    dirty.append(len(rows))
                rows.append(row)
                starts.append(start)
                if len(rows) >= _BATCH_ROWS:
                    yield RowBatch(rows, index - len(rows) + 1, starts, dirty)
                    rows, starts, dirty = [], [], []
        except InputError:
            if rows:  # the rows before the error first, as when yielded one by one
                yield RowBatch(rows, index - len(rows) + 1, starts, dirty)
            raise
