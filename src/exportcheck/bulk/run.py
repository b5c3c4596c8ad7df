"""Running a dataset check: count the partitions' records (their global numbering), judge
each partition, then write the parts in order and the summary object after them.

:func:`run_local` does it in this process; :mod:`exportcheck.bulk.cluster` on Dask. Both
account for every line: the lines written must equal the records counted, partition by
partition, else the run fails (exit 2) and writes nothing.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from exportcheck import api
from exportcheck.bulk.dataset import Partition
from exportcheck.bulk.judge import (
    PartResult,
    Spec,
    count_partition,
    judge_partition,
    judge_to_part,
    loaded,
)
from exportcheck.formats import jsonl
from exportcheck.model.report import Source, summary_of_counts
from exportcheck.model.status import Status

#: partitions, spec → per partition (records, sha256), in order
Counter = Callable[[Sequence[Partition], Spec], list[tuple[int, str]]]


def numbered(partitions: Sequence[Partition], counts: Sequence[tuple[int, str]]) -> list[Partition]:
    """The partitions with their first global record numbers."""
    out: list[Partition] = []
    first = 1
    for part, (records, _) in zip(partitions, counts, strict=True):
        out.append(part.model_copy(update={"first_index": first}))
        first += records
    return out


def check_results(
    partitions: Sequence[Partition],
    counts: Sequence[tuple[int, str]],
    results: Sequence[PartResult],
) -> None:
    """Every partition judged once, each with as many lines as records counted."""
    got = {r.number: r for r in results}
    for part, (records, _) in zip(partitions, counts, strict=True):
        result = got.get(part.number)
        if result is None:
            raise RuntimeError(f"partition {part.number} ({part.path}) gave no result")
        if result.lines != records or result.records != records:
            raise RuntimeError(
                f"partition {part.number} ({part.path}): counted {records} records but "
                f"judged {result.lines} lines"
            )


def summary_text(
    spec: Spec,
    partitions: Sequence[Partition],
    counts: Sequence[tuple[int, str]],
    results: Sequence[PartResult],
) -> tuple[str, Status]:
    """The final summary object of the dataset's JSON Lines, and the worst status."""
    done = loaded(spec)
    totals: dict[Status, int] = {}
    for result in sorted(results, key=lambda r: r.number):
        for status, n in result.counts.items():
            totals[Status(status)] = totals.get(Status(status), 0) + n
    summary = summary_of_counts(
        totals,
        lines=sum(r.lines for r in results),
        lines_read=sum(records for records, _ in counts),
    )
    sources = [
        *done.sources,
        *(Source(kind="manifest", path=p.path, sha256=sha) for p, (_, sha) in zip(
            partitions, counts, strict=True)),
    ]  # fmt: skip
    read_notices = [n for r in sorted(results, key=lambda r: r.number) for n in r.notices]
    scope = api.scope_notices(done.ruleset, len(done.parties.index.entries), sources)
    text = "".join(
        jsonl.stream(
            [],
            prerendered=True,
            exportcheck=api.tool_version(),
            as_of=api.parse_date(spec.date).isoformat(),
            rules_sha256=api.content_hash(sources),
            sources=sources,
            summary=summary,
            notices=(*read_notices, *scope),
        )
    )
    return text, summary.worst


def count_local(partitions: Sequence[Partition], spec: Spec) -> list[tuple[int, str]]:
    return [count_partition(p, spec) for p in partitions]


def run_local(partitions: Sequence[Partition], spec: Spec, out: TextIO) -> Status:
    """The dataset judged in this process, written to ``out``; the worst status."""
    loaded(spec)
    counts = count_local(partitions, spec)
    results = [judge_partition(p, spec, out) for p in numbered(partitions, counts)]
    check_results(partitions, counts, results)
    text, worst = summary_text(spec, partitions, counts, results)
    out.write(text)
    return worst


def run_local_parts(
    partitions: Sequence[Partition], spec: Spec, parts_dir: Path, parquet: bool
) -> tuple[list[tuple[int, str]], list[PartResult]]:
    """The dataset judged in this process into part files in ``parts_dir``, as the Dask
    workers do; the counts (records, sha256) and the results, in partition order."""
    loaded(spec)
    counts = count_local(partitions, spec)
    results = [judge_to_part(p, spec, parts_dir, parquet) for p in numbered(partitions, counts)]
    return counts, results


def merge_parts(parts: Sequence[Path], out: TextIO) -> None:
    """Copy the part files, in order, to ``out``."""
    for path in parts:
        with path.open(encoding="utf-8", newline="") as fh:
            shutil.copyfileobj(fh, out, 1 << 20)
