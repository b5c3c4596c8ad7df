"""Reading a CSV manifest: :class:`CsvRecords`, its records in order (rows without problems in
batches), and the ``review`` line for a row with an over-long field."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from exportcheck.errors import InputError
from exportcheck.model.manifest import LineProblem, ManifestLine, Scalar
from exportcheck.readers.csvchunk import RowBatch, escape_chars, split_chunk
from exportcheck.readers.manifest.build import Record, build_line, unparsed_line
from exportcheck.readers.manifest.columns import header_columns, require_columns
from exportcheck.readers.manifest.sniff import sniff_delimiter
from exportcheck.readers.manifest.text import MAX_LINE_BYTES, TextLines
from exportcheck.readers.manifest.values import DEFAULT_OPTIONS, ReadOptions, ReadStats

if TYPE_CHECKING:
    from _csv import Reader

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
        csv.field_size_limit(MAX_FIELD_CHARS)  # deliberate: the default (128 KiB) is arbitrary
        src = TextLines(self.path, self.name, self.stats, allow_cp1252=True)
        chunks = src.chunks(self.chunk_bytes)
        declined: list[Iterable[str]] = []  # a chunk split_chunk declined, for the csv reader
        lines = itertools.chain.from_iterable(_parts(chunks, declined))
        reader, delimiter, header_number = self._read_header(src, lines)
        # The reader counts the lines it pulls from the header on: physical number - offset
        # (a chunk split at once is not pulled by the reader: it adds to the offset).
        reading = _Reading(self, src, chunks, declined, reader, delimiter, header_number - 1)
        yield from reading.records()

    def _read_header(self, src: TextLines, lines: Iterator[str]) -> tuple[Reader, str, int]:
        """Reads the header from ``lines`` (those of ``src``) and sets :attr:`columns`: the csv
        reader, past the header; the delimiter; the header's physical line number."""
        name = self.name
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
        self.stats.columns = list(columns)
        self.columns = columns
        return reader, delimiter, header_number


def _parts(
    chunks: Iterator[Iterable[str]], declined: list[Iterable[str]]
) -> Iterator[Iterable[str]]:
    """What the csv reader reads: a declined chunk, then any chunk it runs on into."""
    while True:
        part = declined.pop() if declined else next(chunks, None)
        if part is None:
            return
        yield part


class _Reading:
    """One reading of a CSV file by :meth:`CsvRecords.batches`, past the header: the records in
    order, each chunk that the csv reader has not started on split at once when
    :func:`split_chunk` can, the others read record by record by the csv reader."""

    def __init__(
        self,
        records: CsvRecords,
        src: TextLines,
        chunks: Iterator[Iterable[str]],
        declined: list[Iterable[str]],
        reader: Reader,
        delimiter: str,
        offset: int,
    ) -> None:
        self.name = records.name
        self.stats = records.stats
        self.columns = records.columns
        self.ncols = len(records.columns)
        self.src = src
        self.chunks = chunks
        self.declined = declined
        self.reader = reader
        self.delimiter = delimiter
        self.offset = offset  # physical line number - the reader's count of it
        self.escaped = '"' + escape_chars(delimiter)  # a row whose line has none needs no escaping
        self.chunk_end = 0  # the number after the last line of the chunk `clean_lines` is of
        self.clean_lines: set[int] = set()

    def records(self) -> Iterator[RowBatch | Record | ManifestLine]:
        """The records after the header (see :class:`CsvRecords`)."""
        index = 0
        while True:
            if self.offset + self.reader.line_num == self.src.pulled:
                # The reader is at the end of every chunk pulled: the next may be split at once.
                part = next(self.chunks, None)
                if part is None:
                    return
                batch = self._split(part, index + 1)
                if batch is not None:
                    got = len(batch.rows)
                    self.stats.records += got
                    yield batch
                    index += got
                    self.offset += got
                    continue
                self.declined.append(part)
            last = yield from self._one_by_one(index)
            if last is None:
                return
            index = last

    def _split(self, part: Iterable[str], first_index: int) -> RowBatch | None:
        """``part``, the chunk just pulled, as a batch of rows one a line from record number
        ``first_index``; None unless it was decoded whole and :func:`split_chunk` splits it."""
        whole = self.src.whole_chunk(part)
        split = (
            split_chunk(whole[0], self.delimiter, self.ncols, MAX_FIELD_CHARS) if whole else None
        )
        if whole is None or split is None:
            return None
        got, flagged = split
        starts_at = range(whole[1], whole[1] + len(got))  # a row per line
        return RowBatch(got, first_index, starts_at, flagged, one_line=True)

    def _one_by_one(
        self, index: int
    ) -> Generator[RowBatch | Record | ManifestLine, None, int | None]:
        """The records the csv reader reads after record number ``index``, until it is at the
        end of every chunk pulled (then returns the number of the last one) or of the file
        (then returns None); full-width rows without problems gathered in batches."""
        src, reader, offset = self.src, self.reader, self.offset
        stats, ncols = self.stats, self.ncols
        # Rows read one by one, gathered for the next batch: cells, start lines, flagged.
        rows: list[list[str]] = []
        starts: list[int] = []
        dirty: list[int] = []
        try:
            while offset + reader.line_num != src.pulled:
                start = offset + reader.line_num + 1  # the reader never reads ahead of its record
                try:
                    row = next(reader)
                except StopIteration:
                    if rows:
                        yield RowBatch(rows, index - len(rows) + 1, starts, dirty)
                    return None
                except csv.Error as exc:
                    line = self._unparsable(exc, index + 1, start)
                    index += 1
                    stats.records += 1
                    if rows:
                        yield RowBatch(rows, index - len(rows), starts, dirty)
                        rows, starts, dirty = [], [], []
                    yield line
                    continue
                problems: list[LineProblem] = []
                if src.eof:
                    problems = self._open_at_the_end(start)
                elif not (row and row[0] and not row[0].isspace()) and not "".join(row).strip():
                    # every cell blank (strip per cell, joined: the same); the first cell not blank
                    # settles it for most rows
                    stats.blank_skipped += 1
                    continue  # blank line (or a row of empty cells)
                index += 1
                stats.records += 1
                if problems or len(row) != ncols:
                    record = self._record(index, start, row, problems)
                    if rows:
                        yield RowBatch(rows, index - len(rows), starts, dirty)
                        rows, starts, dirty = [], [], []
                    yield record
                    continue
                # Clean: the row's first line has nothing to escape. A row over several lines has a
                # quote on its first line (only an open quoted field goes on past a line end), so
                # a clean row is that one line. A row starting past the chunk known takes the
                # reader's current chunk: the one it ends in, so its first line is in there only if
                # it is in one chunk (a row over two is not clean anyway).
                if start >= self.chunk_end:
                    self.chunk_end, self.clean_lines = src.clean_lines(self.escaped)
                if start not in self.clean_lines:
                    dirty.append(len(rows))
                rows.append(row)
                starts.append(start)
                if len(rows) >= _BATCH_ROWS:
                    yield RowBatch(rows, index - len(rows) + 1, starts, dirty)
                    rows, starts, dirty = [], [], []
            if rows:  # the reader is at the end of every chunk pulled
                yield RowBatch(rows, index - len(rows) + 1, starts, dirty)
            return index
        except InputError:
            if rows:  # the rows before the error first, as when yielded one by one
                yield RowBatch(rows, index - len(rows) + 1, starts, dirty)
            raise

    def _unparsable(self, exc: csv.Error, index: int, start: int) -> ManifestLine:
        """The line for record number ``index``, starting on physical line ``start``, that the
        csv reader could not parse (``exc``): the record unparsed, or a ``review`` line for a
        field over the limit. An :class:`InputError` if the record is not one line."""
        end = self.offset + self.reader.line_num
        if "field larger than field limit" not in str(exc):
            if end != start:
                raise InputError(f"cannot parse CSV: {exc}", file=self.name, line=end) from None
            # e.g. a carriage return inside an unquoted value: the record is this one
            # line, so report it (unparsed) and go on with the next.
            why = (
                "a carriage return (CR) inside an unquoted value; quote the value"
                if "new-line character" in str(exc)
                else f"cannot parse this CSV line: {exc}"
            )
            return unparsed_line(index, start, "line", why)
        long_line = (
            long_field_line(index, start, self.src.line(end), self.delimiter, self.columns)
            if end == start
            else None
        )
        if long_line is None:
            raise InputError(
                f"a quoted field starting on or after line {start} runs past "
                f"the {MAX_FIELD_CHARS:,}-character limit for one field (reading "
                f"stopped at line {end})",
                file=self.name,
                line=start,
                hint="is a closing quote missing?",
            ) from None
        return long_line

    def _open_at_the_end(self, start: int) -> list[LineProblem]:
        """The problems of a record, starting on physical line ``start``, that the csv reader
        returned after the end of the file: it does so only when a quoted field is still open,
        and every later line would silently become part of one value (an InputError when
        there are any)."""
        end = self.offset + self.reader.line_num
        if end > start:
            raise InputError(
                f"a quoted field on this line is never closed: lines {start + 1} to "
                f"{end} would be read as part of its value",
                file=self.name,
                line=start,
                hint="add the closing quote",
            )
        return [LineProblem(field="line", message="a quoted field is never closed (missing quote)")]

    def _record(
        self, index: int, start: int, row: list[str], problems: list[LineProblem]
    ) -> Record:
        """The record of a row that is not full-width, or has ``problems`` already."""
        if len(row) != self.ncols:
            problems.append(
                LineProblem(
                    field="columns",
                    value=len(row),
                    message=f"row has {len(row)} fields, header has {self.ncols}",
                )
            )
        fields: dict[str, Scalar] = dict(zip(self.columns, row, strict=False))
        return index, start, fields, problems
