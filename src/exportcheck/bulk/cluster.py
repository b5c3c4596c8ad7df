"""The Dask runner of a dataset check (``check --engine dask``).

A ``dask.dataframe`` of one partition per file (``from_map``) is mapped twice with
``map_partitions``: first each partition's records are counted (and its file hashed), which
numbers the records across the dataset; then each worker judges its partition with the pure
engine (rules and lists loaded once per worker, :func:`exportcheck.bulk.judge.loaded`) and
writes its JSON Lines (or Parquet, :mod:`exportcheck.bulk.parquet_out`) to a part file in
``parts_dir`` (which the workers and this process
must share), renamed into place only once whole, so a retried partition never leaves half a
part. A task that fails, or whose worker is lost more often than the scheduler retries,
fails the run naming its partition.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from exportcheck.bulk.dataset import Partition
from exportcheck.bulk.judge import PartResult, Spec, count_partition, judge_to_part
from exportcheck.errors import InputError

_COUNT_META = {"number": "int64", "records": "int64", "sha256": "object"}
_JUDGE_META = {"number": "int64", "result": "object"}


def _frame(partition: Partition) -> Any:
    import pandas as pd

    return pd.DataFrame({"number": [partition.number], "spec": [partition.model_dump_json()]})


def _count(frame: Any, spec: Spec) -> Any:
    import pandas as pd

    rows = []
    for text in frame["spec"]:
        part = Partition.model_validate_json(text)
        records, sha = count_partition(part, spec)
        rows.append((part.number, records, sha))
    return pd.DataFrame(rows, columns=list(_COUNT_META)).astype(_COUNT_META)


def _judge(frame: Any, spec: Spec, parts_dir: str, parquet: bool) -> Any:
    import pandas as pd

    rows = []
    for text in frame["spec"]:
        part = Partition.model_validate_json(text)
        result = judge_to_part(part, spec, Path(parts_dir), parquet)
        rows.append((part.number, result.model_dump_json()))
    return pd.DataFrame(rows, columns=list(_JUDGE_META)).astype(_JUDGE_META)


@contextlib.contextmanager
def client(scheduler: str | None) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, or of a local cluster with one worker
    process (one thread) per core of this machine."""
    from distributed import Client, LocalCluster

    if scheduler is not None:
        with Client(scheduler) as c:
            yield c
        return
    workers = os.cpu_count() or 1
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as c,
    ):
        yield c


def _failed(exc: BaseException, partitions: Sequence[Partition]) -> InputError:
    """The error of a failed task, naming its partition where the task is known."""
    text = str(exc)
    key = getattr(exc, "task", None) or (exc.args[0] if exc.args else None)
    number = key[1] if isinstance(key, tuple) and len(key) > 1 else None
    if isinstance(number, int) and 0 <= number < len(partitions):
        part = partitions[number]
        return InputError(
            f"partition {number} failed on the cluster: {type(exc).__name__}: {text}",
            file=part.path,
        )
    return InputError(f"a partition failed on the cluster: {type(exc).__name__}: {text}")


def run_dask(
    partitions: Sequence[Partition],
    spec: Spec,
    parts_dir: Path,
    scheduler: str | None,
    parquet: bool = False,
) -> tuple[list[tuple[int, str]], list[PartResult]]:
    """Count and judge every partition on the cluster; the counts (records, sha256) and the
    results, in partition order. The parts (JSON Lines, or Parquet) are in ``parts_dir``."""
    import dask.dataframe as dd

    from exportcheck.bulk.run import numbered

    with client(scheduler):
        try:
            frames = dd.from_map(_frame, list(partitions), meta=_frame(partitions[0]).iloc[:0])
            counted = frames.map_partitions(_count, spec, meta=_COUNT_META).compute()
            counts = [
                (int(r), str(s)) for r, s in zip(counted["records"], counted["sha256"], strict=True)
            ]
            if len(counts) != len(partitions):
                raise InputError(f"counted {len(counts)} of {len(partitions)} partitions")
            ready = numbered(partitions, counts)
            frames = dd.from_map(_frame, ready, meta=_frame(ready[0]).iloc[:0])
            judged = frames.map_partitions(
                _judge, spec, str(parts_dir), parquet, meta=_JUDGE_META
            ).compute()
        except InputError:
            raise
        except Exception as exc:
            raise _failed(exc, partitions) from None
    results = [PartResult.model_validate_json(t) for t in judged["result"]]
    return counts, results
