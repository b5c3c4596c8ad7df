"""Benchmark: a dataset check (issue 18) in one process and on Dask with 1 and 2 workers.

Generates N lines (the manifest of bench/bench_check.py, without its line_id column, so line
ids are global row numbers) split into P CSV partitions, then times on the same data
``exportcheck check DATASET --format jsonl`` in this process (``--engine local``), and with
``--engine dask --scheduler ADDRESS`` against a local cluster of 1 and of 2 worker processes
(one thread each; cluster start-up not timed), checks the outputs are the same bytes, and
prints lines/s and the peak RSS of this process (the driver; workers are separate). Point it
at a real cluster with ``--scheduler tcp://host:8786`` (the data must then be on storage the
workers share: ``--out-dir``). Usage::

    python bench/bench_bulk.py [--lines 1000000] [--parts 8] [--out-dir DIR]
                               [--scheduler ADDRESS]
"""

from __future__ import annotations

import argparse
import csv
import resource
import sys
import tempfile
import time
from pathlib import Path

from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_check import generate

from exportcheck.cli.app import app


def make_dataset(folder: Path, lines: int, parts: int) -> Path:
    whole = generate(folder / "whole.csv", lines)
    ds = folder / "ds"
    ds.mkdir(exist_ok=True)
    with whole.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)[1:]
        size = -(-lines // parts)
        for k in range(parts):
            with (ds / f"part-{k:03d}.csv").open("w", newline="", encoding="utf-8") as out:
                w = csv.writer(out, lineterminator="\n")
                w.writerow(header)
                for _ in range(size):
                    row = next(reader, None)
                    if row is None:
                        break
                    w.writerow(row[1:])
    whole.unlink()
    return ds


def timed(ds: Path, out: Path, *extra: str) -> float:
    args = ["check", str(ds), "--format", "jsonl", "--date", "2025-06-01", "--fail-on", "never"]
    t0 = time.perf_counter()
    result = CliRunner().invoke(app, [*args, "-o", str(out), *extra])
    if result.exit_code != 0:
        raise SystemExit(f"check failed: {result.output}")
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--parts", type=int, default=8)
    ap.add_argument("--out-dir", type=Path, default=None)
    ap.add_argument("--scheduler", default=None)
    a = ap.parse_args()
    folder = a.out_dir or Path(tempfile.mkdtemp(prefix="bench-bulk-"))
    folder.mkdir(parents=True, exist_ok=True)
    ds = make_dataset(folder, a.lines, a.parts)
    runs: list[tuple[str, float, Path]] = []
    out = folder / "local.jsonl"
    runs.append(("single process", timed(ds, out), out))
    if a.scheduler:
        out = folder / "cluster.jsonl"
        runs.append(
            (a.scheduler, timed(ds, out, "--engine", "dask", "--scheduler", a.scheduler), out)
        )
    else:
        from distributed import LocalCluster

        for n in (1, 2):
            with LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0"
            ) as cluster:
                out = folder / f"dask{n}.jsonl"
                took = timed(ds, out, "--engine", "dask", "--scheduler", cluster.scheduler_address)
                runs.append((f"dask, {n} worker{'s' * (n > 1)}", took, out))
    reference = runs[0][2].read_bytes()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{a.lines:,} lines in {a.parts} partitions")
    for name, took, path in runs:
        same = "same bytes" if path.read_bytes() == reference else "DIFFERENT BYTES"
        print(f"  {name:<18} {took:7.2f} s  {a.lines / took:>9,.0f} lines/s  {same}")
    print(f"  driver peak RSS {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
