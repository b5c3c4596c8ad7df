"""Judging one partition: the same fast path (:class:`exportcheck.pipeline.CsvToJsonl`) as
a single ``check --format jsonl``, with the partition's record numbers shifted to the
dataset's (so a line without a ``line_id`` gets its global data row number).

The rules, lists, catalog and ownership are loaded once per process (:func:`loaded`: a
module-level cache keyed by the options and the content hash the driver saw), so each Dask
worker loads them once, however many partitions it judges.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from pydantic import BaseModel, ConfigDict

from exportcheck import api
from exportcheck.bulk.dataset import Partition
from exportcheck.engine.judge.judge import LineJudge
from exportcheck.engine.parties import PartyScreening
from exportcheck.errors import InputError
from exportcheck.model.manifest import Catalog, ManifestLine, default_line_id
from exportcheck.model.report import Source
from exportcheck.model.rules import RuleSet
from exportcheck.readers.csvchunk import RowBatch
from exportcheck.readers.manifest import DEFAULT_OPTIONS, ReadOptions, ReadStats


class Spec(BaseModel):
    """What every partition is judged with (the ``check`` options a dataset run takes)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: str
    rules: tuple[str, ...] = ()
    lists: tuple[str, ...] = ()
    catalog: str | None = None
    ownership: str | None = None
    party_columns: tuple[str, ...] = ()
    columns: tuple[tuple[str, str], ...] = ()
    #: the content hash of the rules, lists, catalog and ownership the driver loaded
    expected: str = ""

    def read_options(self) -> ReadOptions:
        return ReadOptions(columns=self.columns) if self.columns else DEFAULT_OPTIONS

    def key(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


@dataclass
class Loaded:
    """The rules and lists of a :class:`Spec`, loaded, with the judge made of them."""

    ruleset: RuleSet
    sources: list[Source]
    parties: PartyScreening
    catalog: Catalog | None
    judge: LineJudge
    digest: str


class PartResult(BaseModel):
    """What judging a partition gave: its number, lines written, records read, the lines per
    status, the reader's notices."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: int
    lines: int
    records: int
    counts: dict[str, int]
    notices: tuple[str, ...] = ()


_LOADED: dict[str, Loaded] = {}


def load(spec: Spec) -> Loaded:
    """Load what ``spec`` names (not cached)."""
    from exportcheck.readers.catalog import load_catalog

    as_of = api.parse_date(spec.date)
    ruleset, sources = api.load_rules(list(spec.rules) or None)
    index, list_sources = api.load_screening(list(spec.lists) or None)
    owners, owner_sources = api.load_ownership(spec.ownership)
    parties = PartyScreening(
        index=index,
        columns=api.party_columns_option(spec.party_columns),
        cache=True,
        ownership=owners,
    )
    all_sources = [*sources, *list_sources, *owner_sources]
    catalog: Catalog | None = None
    if spec.catalog is not None:
        catalog, cat_source = load_catalog(Path(spec.catalog))
        all_sources.append(cat_source)
    digest = api.content_hash(all_sources, ("rules", "lists", "ownership", "catalog"))
    judge = LineJudge(ruleset, as_of, catalog, parties)
    return Loaded(ruleset, all_sources, parties, catalog, judge, digest)


def loaded(spec: Spec) -> Loaded:
    """What ``spec`` names, loaded once per process; refuses files that changed since the
    driver loaded them (a run must judge every partition by the same rules and lists)."""
    key = spec.key()
    found = _LOADED.get(key)
    if found is None:
        found = load(spec)
        if spec.expected and found.digest != spec.expected:
            raise InputError(
                "the rules, lists, catalog or ownership files changed during the run",
                hint="run again once they are settled",
            )
        _LOADED.clear()  # one spec at a time: a worker keeps the latest run's
        _LOADED[key] = found
        gc.freeze()  # long-lived: out of the collector's way
    return found


class _Shifted:
    """A partition reader's records with their record numbers moved by ``offset``."""

    def __init__(self, source: Any, offset: int) -> None:
        self.source = source
        self.offset = offset

    @property
    def columns(self) -> list[str]:
        columns: list[str] = self.source.columns
        return columns

    def batches(self) -> Iterator[Any]:
        off = self.offset
        for record in self.source.batches():
            if off == 0:
                yield record
            elif isinstance(record, RowBatch):
                record.first_index += off
                yield record
            elif isinstance(record, tuple):
                index, start, fields, problems = record
                yield index + off, start, fields, problems
            else:
                yield _shift_line(record, off)


def _shift_line(line: ManifestLine, off: int) -> ManifestLine:
    """A finished line with its record number moved (and its line id, if it defaulted)."""
    update: dict[str, Any] = {"index": line.index + off}
    own = line.fields.get("line_id")
    defaulted = line.line_id == default_line_id(line.index)
    if defaulted and not (isinstance(own, str) and own.strip()):
        update["line_id"] = default_line_id(line.index + off)
    return line.model_copy(update=update)


def _reader(partition: Partition, stats: ReadStats, options: ReadOptions) -> Any:
    path = Path(partition.path)
    if partition.kind == "parquet":
        from exportcheck.bulk.parquet import ParquetRecords

        return ParquetRecords(path, partition.path, stats, options)
    from exportcheck.readers.manifest import CsvRecords

    stats.format = "csv"
    return CsvRecords(path, partition.path, stats, options=options)


def count_partition(partition: Partition, spec: Spec) -> tuple[int, str]:
    """The number of data records of a partition, and the sha256 of its file."""
    path = Path(partition.path)
    digest = api.file_source("manifest", partition.path).sha256
    records = 0
    for record in _reader(partition, ReadStats(), spec.read_options()).batches():
        records += len(record.rows) if isinstance(record, RowBatch) else 1
    if not path.is_file():
        raise InputError("the partition file went away during the run", file=partition.path)
    return records, digest


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect the youngest generation less often while judging (as ``check`` does)."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def judge_partition(partition: Partition, spec: Spec, out: TextIO) -> PartResult:
    """Judge one partition, writing its JSON Lines (the line objects, no summary) to
    ``out``; refuses a partition whose records read and lines judged differ."""
    from exportcheck.pipeline import CsvToJsonl

    done = loaded(spec)
    stats = ReadStats()
    source = _Shifted(_reader(partition, stats, spec.read_options()), partition.first_index - 1)
    fast = CsvToJsonl(source, done.judge, done.parties)
    checked = False
    with _fewer_collections():
        for chunk in fast.chunks():
            if not checked:
                api.check_party_columns(done.parties, stats.columns)
                checked = True
            out.write(chunk)
    if stats.records != fast.judged:
        raise RuntimeError(
            f"{partition.path}: read {stats.records} records but judged {fast.judged} lines"
        )
    return PartResult(
        number=partition.number,
        lines=fast.judged,
        records=stats.records,
        counts={s.value: n for s, n in fast.counts.items()},
        notices=tuple(stats.notices),
    )


def part_path(parts_dir: Path, number: int, parquet: bool = False) -> Path:
    """The part file of partition ``number`` in ``parts_dir`` (JSON Lines or Parquet)."""
    return parts_dir / f"part-{number:06d}.{'parquet' if parquet else 'jsonl'}"


def judge_to_part(partition: Partition, spec: Spec, parts_dir: Path, parquet: bool) -> PartResult:
    """Judge one partition into its part file in ``parts_dir`` (JSON Lines, or Parquet made
    from them), written whole and then renamed into place, so a retried partition never
    leaves half a part."""
    target = part_path(parts_dir, partition.number)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as out:
        result = judge_partition(partition, spec, out)
    if not parquet:
        tmp.replace(target)
        return result
    from exportcheck.bulk.parquet_out import write_part

    try:
        write_part(tmp, part_path(parts_dir, partition.number, parquet=True))
    finally:
        tmp.unlink(missing_ok=True)
    return result
