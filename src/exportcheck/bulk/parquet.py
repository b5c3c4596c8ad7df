"""Parquet partitions, read as the CSV reader reads a CSV file with the same cells.

Every column is read as text (a string column as it is, any other column cast to string by
Arrow; a null is an empty cell), row group by row group. The header goes through the CSV
reader's checks (normalised names, ``--column`` mappings, the required columns); a row whose
cells are all blank is not a record, as in a CSV file. A row's ``source_line`` is the line
it would start on in a CSV file written one row a line with the header on line 1 (its data
row number + 1), so a Parquet partition gives the same bytes as that CSV file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from exportcheck.errors import InputError
from exportcheck.readers.csvchunk import RowBatch
from exportcheck.readers.manifest import (
    DEFAULT_OPTIONS,
    ReadOptions,
    ReadStats,
    header_columns,
    require_columns,
)

# A character a JSON string escapes (json.dumps with ensure_ascii=False).
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\]').search
_LINE_BREAK = re.compile(r"[\r\n]").search
_BATCH_ROWS = 4096


def _open(path: Path, name: str) -> Any:
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except (OSError, ValueError) as exc:  # ArrowInvalid is a ValueError
        raise InputError(f"cannot read the Parquet file: {exc}", file=name) from None


def count_records(path: Path, name: str) -> int:
    """The number of data records of a Parquet file (its rows less those all blank)."""
    return sum(_records(ParquetRecords(path, name, ReadStats())))


def _records(source: ParquetRecords) -> Iterator[int]:
    for batch in source.batches():
        yield len(batch.rows)


class ParquetRecords:
    """The records of a Parquet file as :class:`RowBatch` es (see
    :class:`exportcheck.pipeline.RowSource`); ``stats`` is filled as the CSV reader fills it."""

    def __init__(
        self, path: Path, name: str, stats: ReadStats, options: ReadOptions = DEFAULT_OPTIONS
    ) -> None:
        self.path = path
        self.name = name
        self.stats = stats
        self.options = options
        self.columns: list[str] = []

    def batches(self) -> Iterator[RowBatch]:
        import pyarrow as pa

        stats, name = self.stats, self.name
        stats.format = "parquet"
        stats.encoding = "utf-8"
        pf = _open(self.path, name)
        header = list(pf.schema_arrow.names)
        columns = header_columns(header, name, 1, self.options)
        require_columns(columns, name, 1, "in the Parquet schema", [h.strip() for h in header])
        stats.columns = list(columns)
        self.columns = columns
        index = 0  # records so far
        row_number = 0  # rows so far, blank ones too (for the source lines)
        try:
            for table in pf.iter_batches(batch_size=_BATCH_ROWS):
                cells = [
                    _texts(col if pa.types.is_string(col.type) else col.cast(pa.string()))
                    for col in table.columns
                ]
                rows = [list(row) for row in zip(*cells, strict=True)]
                starts = list(range(row_number + 2, row_number + 2 + len(rows)))
                row_number += len(rows)
                kept = [i for i, row in enumerate(rows) if "".join(row).strip()]
                if len(kept) != len(rows):
                    stats.blank_skipped += len(rows) - len(kept)
                    rows = [rows[i] for i in kept]
                    starts = [starts[i] for i in kept]
                if not rows:
                    continue
                dirty = [i for i, row in enumerate(rows) if _NEEDS_ESCAPE("".join(row))]
                one_line = not any(_LINE_BREAK(cell) for k in dirty for cell in rows[k])
                stats.records += len(rows)
                yield RowBatch(rows, index + 1, starts, dirty, one_line=one_line)
                index += len(rows)
        except (OSError, ValueError) as exc:
            raise InputError(
                f"cannot read the Parquet file after {index} records: {exc}", file=name
            ) from None


def _texts(column: Any) -> list[str]:
    """A string column's values, a null as ''."""
    values: list[str | None] = column.to_pylist()
    if None in values:
        return ["" if v is None else v for v in values]
    return values  # type: ignore[return-value]
