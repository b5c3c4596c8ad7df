"""Dataset checks: the local and the Dask engine give the same bytes (issue 18)."""

from __future__ import annotations

import csv
import os
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from exportcheck.cli.app import app

distributed = pytest.importorskip("distributed", reason="dask is not installed (the dask extra)")
pytest.importorskip("pyarrow", reason="pyarrow is not installed (the dask extra)")

ROOT = Path(__file__).resolve().parents[2]
LINES, PARTS = 200_000, 8


def _generate(folder: Path) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from bench_check import generate
    finally:
        sys.path.pop(0)
    whole = generate(folder / "whole.csv", LINES)
    with whole.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, data = rows[0][1:], [r[1:] for r in rows[1:]]  # no line_id: global row numbers
    ds = folder / "ds"
    ds.mkdir()
    size = LINES // PARTS
    for k in range(PARTS):
        with (ds / f"part-{k}.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            w.writerows(data[k * size : (k + 1) * size])
    return ds


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory.mktemp("bulk"))


@pytest.fixture(scope="module")
def cluster() -> Any:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as c:
        yield c


def _check(target: Path, out: Path, *extra: str) -> int:
    args = ["check", str(target), "--format", "jsonl", "--date", "2025-06-01"]
    result = CliRunner().invoke(app, [*args, "-o", str(out), "--fail-on", "never", *extra])
    return result.exit_code


@pytest.fixture(scope="module")
def local_bytes(dataset: Path) -> bytes:
    out = dataset.parent / "local.jsonl"
    assert _check(dataset, out) == 0
    return out.read_bytes()


def test_local_lines_are_the_whole_files_lines(local_bytes: bytes) -> None:
    text = local_bytes.decode().splitlines()
    assert len(text) == LINES + 1
    assert text[0].startswith('{"line_id":"1",')
    assert text[LINES - 1].startswith(f'{{"line_id":"{LINES}",')
    assert '"lines":200000' in text[-1] and '"lines_read":200000' in text[-1]


def test_dask_two_workers_same_bytes(dataset: Path, cluster: Any, local_bytes: bytes) -> None:
    out = dataset.parent / "dask.jsonl"
    assert _check(dataset, out, "--engine", "dask", "--scheduler", cluster.scheduler_address) == 0
    assert out.read_bytes() == local_bytes


class _KillOnce(distributed.WorkerPlugin):  # type: ignore[misc]
    """Kills its worker's process while it judges partition 3, once (a marker file)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        if finish != "executing" or not isinstance(key, tuple) or key[1:] != (3,):
            return
        if "judge" not in str(key[0]) or Path(self.marker).exists():
            return
        Path(self.marker).write_text("killed")
        threading.Timer(0.05, os._exit, (1,)).start()


def test_killed_worker_retries_to_same_bytes_or_exits_2(
    dataset: Path, cluster: Any, local_bytes: bytes
) -> None:
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    marker = dataset.parent / "killed"
    with distributed.Client(cluster.scheduler_address) as client:
        client.register_plugin(_KillOnce(str(marker)), name="kill-once")
        out = dataset.parent / "killed.jsonl"
        try:
            address = cluster.scheduler_address
            code = _check(dataset, out, "--engine", "dask", "--scheduler", address)
        finally:
            client.unregister_worker_plugin("kill-once")
    assert marker.exists(), "no worker was killed"
    assert code in (0, 2)
    if code == 0:
        assert out.read_bytes() == local_bytes
    else:
        assert not out.exists()


def test_parquet_same_lines_as_csv(dataset: Path, local_bytes: bytes) -> None:
    import pyarrow as pa
    import pyarrow.csv as pc
    import pyarrow.parquet as pq

    folder = dataset.parent / "pq"
    folder.mkdir()
    for f in sorted(dataset.glob("*.csv")):
        names = f.open().readline().strip().split(",")
        types = {n: pa.string() for n in names}
        options = pc.ConvertOptions(column_types=types, strings_can_be_null=False)
        pq.write_table(pc.read_csv(f, convert_options=options), folder / f"{f.stem}.parquet")
    out = dataset.parent / "pq.jsonl"
    assert _check(folder, out) == 0
    got, want = out.read_bytes().splitlines(), local_bytes.splitlines()
    assert got[:-1] == want[:-1]  # the summary names other files


def test_bad_partition_exits_2_naming_it(tmp_path: Path, cluster: Any) -> None:
    ds = tmp_path / "ds"
    ds.mkdir()
    (ds / "a.csv").write_text("part_number,destination\nH100,CN\n", encoding="utf-8")
    (ds / "b.csv").write_text("part_number,country\nH100,CN\n", encoding="utf-8")
    args = ["check", str(ds), "--format", "jsonl", "--engine", "dask"]
    result = CliRunner().invoke(app, [*args, "--scheduler", cluster.scheduler_address])
    assert result.exit_code == 2
    assert "b.csv" in result.output


# --- Parquet output ----------------------------------------------------------------------------


def test_parquet_output_same_bytes_local_and_dask(
    dataset: Path, cluster: Any, local_bytes: bytes
) -> None:
    import json

    import pyarrow.parquet as pq

    from exportcheck.bulk.parquet_out import SUMMARY_KEY

    local, dask = dataset.parent / "out-local.parquet", dataset.parent / "out-dask.parquet"
    assert _check(dataset, local, "--format", "parquet") == 0
    address = cluster.scheduler_address
    assert (
        _check(dataset, dask, "--format", "parquet", "--engine", "dask", "--scheduler", address)
        == 0
    )
    assert dask.read_bytes() == local.read_bytes()
    table = pq.read_table(local)
    want = local_bytes.decode().splitlines()
    # one row a line, in order, each row's line the JSON Lines object; the summary in metadata
    assert table.num_rows == LINES
    assert table.column("line").to_pylist() == want[:-1]
    first = json.loads(want[0])
    assert table.column("line_id")[0].as_py() == first["line_id"]
    assert table.column("status")[0].as_py() == first["status"]
    summary = pq.read_metadata(local).metadata[SUMMARY_KEY]
    assert json.loads(summary) == json.loads(want[-1])


def test_parquet_output_needs_a_file_and_a_dataset_format(tmp_path: Path, dataset: Path) -> None:
    runner = CliRunner()
    no_file = runner.invoke(app, ["check", str(dataset), "--format", "parquet"])
    assert no_file.exit_code == 2 and "--output" in no_file.output
    buffered = runner.invoke(app, ["check", str(dataset), "--format", "json"])
    assert buffered.exit_code == 2 and "--format json is not available" in buffered.output
