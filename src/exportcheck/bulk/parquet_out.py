"""Parquet output of a dataset check (``check DATASET --format parquet -o FILE``).

Each partition is judged to JSON Lines as for ``--format jsonl`` (the same fast path, the
same bytes), then turned into a Parquet part by Arrow's JSON reader (:func:`write_part`;
on Dask, on the worker that judged it). The parts are then copied, in partition order and
one row group each (or more, for a part over :data:`ROW_GROUP` rows), into one file
(:func:`merge_parts`), so a single-process run and a distributed run over the same input
write the same bytes.

One row a line: its ``line_id``, ``status``, ``date``, ``destination`` and ``source_line``
as columns, its ``findings`` as a list of structs (rule id and version, status, kind,
citation, message: enough to filter and count without parsing), and ``line``, the line's
whole JSON object as ``--format jsonl`` writes it (fields, item, every finding's because).
The summary object that ends the JSON Lines (tool version, as-of date, rules hash, sources,
counts by status, notices) is the file's key-value metadata under ``exportcheck``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: rows per row group at most (a part with more is split; the same split on every run)
ROW_GROUP = 1 << 20
#: the key of the summary object in the file's metadata
SUMMARY_KEY = b"exportcheck"


def schema() -> Any:
    """The Arrow schema of the output (the columns read from each JSON line, then ``line``)."""
    import pyarrow as pa

    finding = pa.struct(
        [
            ("rule_id", pa.string()),
            ("rule_version", pa.string()),
            ("status", pa.string()),
            ("kind", pa.string()),
            ("citation", pa.string()),
            ("message", pa.string()),
        ]
    )
    return pa.schema(
        [
            ("line_id", pa.string()),
            ("status", pa.string()),
            ("date", pa.string()),
            ("destination", pa.string()),
            ("source_line", pa.int64()),
            ("findings", pa.list_(finding)),
            ("line", pa.string()),
        ]
    )


def part_table(jsonl: bytes) -> Any:
    """The Arrow table of a part's JSON Lines (line objects only, each ending in a newline)."""
    import pyarrow as pa
    import pyarrow.json as pj

    full = schema()
    parsed = full.remove(full.get_field_index("line"))
    texts = jsonl.decode("utf-8").split("\n")
    if texts and texts[-1] == "":
        texts.pop()
    if not texts:
        return full.empty_table()
    table = pj.read_json(
        io.BytesIO(jsonl),
        read_options=pj.ReadOptions(use_threads=False, block_size=max(1 << 20, len(jsonl) + 1)),
        parse_options=pj.ParseOptions(explicit_schema=parsed, unexpected_field_behavior="ignore"),
    )
    if table.num_rows != len(texts):
        raise RuntimeError(f"parsed {table.num_rows} JSON lines of {len(texts)}")
    return table.select(parsed.names).append_column("line", pa.array(texts, pa.string()))


def write_part(jsonl_path: Path, parquet_path: Path) -> int:
    """Turn one part's JSON Lines into a Parquet part (written whole, then renamed into
    place); the number of rows."""
    import pyarrow.parquet as pq

    table = part_table(jsonl_path.read_bytes())
    tmp = parquet_path.with_name(f".{parquet_path.name}.tmp")
    pq.write_table(table, tmp, row_group_size=ROW_GROUP, compression="zstd")
    tmp.replace(parquet_path)
    return int(table.num_rows)


def merge_parts(parts: Sequence[Path], summary: str, out: Any) -> int:
    """Copy the Parquet parts, in order, into one file written to ``out`` (a binary file),
    the summary object (JSON text) in its metadata; the number of rows."""
    import pyarrow.parquet as pq

    meta_schema = schema().with_metadata({SUMMARY_KEY: summary.strip().encode("utf-8")})
    rows = 0
    with pq.ParquetWriter(out, meta_schema, compression="zstd") as writer:
        for path in parts:
            table = pq.read_table(path, schema=schema())
            if table.num_rows:
                writer.write_table(table.replace_schema_metadata(None), row_group_size=ROW_GROUP)
            rows += int(table.num_rows)
    return rows
