"""``exportcheck check DATASET``: a folder or glob of CSV / Parquet partitions, judged in
this process (``--engine local``) or on Dask (``--engine dask``, ``--scheduler ADDRESS``).

Both write the same JSON Lines: each partition's lines in file order, then one summary
object. Output is all or nothing: a run that fails (a bad partition, a worker lost beyond
the scheduler's retries, a line unaccounted for) exits 2 and writes nothing.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TextIO

from exportcheck.bulk.dataset import Partition
from exportcheck.bulk.judge import PartResult, Spec
from exportcheck.cli.common import gate, output_file
from exportcheck.errors import InputError
from exportcheck.formats import registry
from exportcheck.model.status import Status
from exportcheck.readers.manifest import ReadOptions


class Engine(StrEnum):
    local = "local"
    dask = "dask"


@contextlib.contextmanager
def _sink(output: Path | None) -> Iterator[TextIO]:
    """A text file that becomes ``output`` (or is copied to stdout) once all was written."""
    if output is None:
        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
            yield spool
            spool.seek(0)
            shutil.copyfileobj(spool, sys.stdout, 1 << 20)
        sys.stdout.flush()
        return
    with output_file(output) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        yield text
        text.flush()
        text.detach()  # output_file closes the file


def _refuse(what: str) -> InputError:
    return InputError(
        f"{what} is not available for a dataset check (a folder or glob of partitions)",
        hint="check the files one by one for that",
    )


def run_dataset(
    manifest: Path,
    *,
    engine: Engine,
    scheduler: str | None,
    fmt: str,
    output: Path | None,
    fail_on: Status | None,
    date: str | None,
    rules: Sequence[Path] | None,
    lists: Sequence[Path] | None,
    catalog: Path | None,
    ownership: Path | None,
    party_columns: Sequence[str] | None,
    licenses: Path | None,
    waivers: Path | None,
    read_options: ReadOptions,
    cache: bool,
) -> int:
    """Check a dataset; the exit code (0 or 1 by ``fail_on``; errors raise InputError)."""
    from exportcheck import api
    from exportcheck.bulk.dataset import KINDS, find_partitions, is_dataset
    from exportcheck.bulk.judge import loaded

    if not registry.get(fmt).dataset:
        raise _refuse(f"--format {fmt}")
    if registry.get(fmt).file_only and output is None:
        raise InputError(f"--format {fmt} writes a file: give --output FILE", field="--output")
    for given, what in ((licenses, "--licenses"), (waivers, "--waivers")):
        if given is not None:
            raise _refuse(what)
    if not cache:
        raise _refuse("--no-cache")
    if not read_options.plain_values or read_options.sheet is not None:
        raise _refuse("--decimal-comma, --date-format or --sheet")
    if scheduler is not None and engine is not Engine.dask:
        raise InputError("--scheduler needs --engine dask", field="--scheduler")
    one_file = manifest.is_file() and manifest.suffix.lower() in KINDS
    if not is_dataset(manifest) and not (fmt == "parquet" and one_file):
        what = "--format parquet" if fmt == "parquet" else "--engine dask"
        raise InputError(
            f"{what} checks a dataset: a folder or a glob of .csv / .parquet files"
            + (" (or one such file)" if fmt == "parquet" else ""),
            file=str(manifest),
        )
    partitions = find_partitions(manifest)
    spec = Spec(
        date=api.parse_date(date).isoformat(),
        rules=tuple(str(p) for p in rules or ()),
        lists=tuple(str(p) for p in lists or ()),
        catalog=None if catalog is None else str(catalog),
        ownership=None if ownership is None else str(ownership),
        party_columns=tuple(party_columns or ()),
        columns=read_options.columns,
    )
    spec = spec.model_copy(update={"expected": loaded(spec).digest})
    if fmt == "parquet":
        assert output is not None
        return gate(_run_parquet(partitions, spec, engine, output, scheduler), fail_on)
    with _sink(output) as out:
        if engine is Engine.local:
            from exportcheck.bulk.run import run_local

            worst = run_local(partitions, spec, out)
        else:
            worst = _run_dask(partitions, spec, output, scheduler, out)
    return gate(worst, fail_on)


def _need_dask() -> None:
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise InputError(
            "--engine dask needs Dask: pip install 'exportcheck[dask]'", field="--engine"
        ) from None


@contextlib.contextmanager
def _parts_dir(output: Path | None) -> Iterator[Path]:
    """A folder for the part files, beside ``output`` (shared storage, for a cluster)."""
    folder = output.parent if output is not None else None
    if folder is not None and not folder.is_dir():
        raise InputError(f"cannot write output: the folder '{folder}' does not exist",
                         file=str(output), hint="create the folder first")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix=".exportcheck-parts-", dir=folder) as tmp:
        yield Path(tmp)


def _judged_parts(
    parts: Sequence[Partition],
    spec: Spec,
    engine: Engine,
    scheduler: str | None,
    parts_dir: Path,
    parquet: bool,
) -> tuple[list[tuple[int, str]], list[PartResult], list[Path]]:
    """Every partition judged into its part file (here or on Dask), all accounted for: the
    counts, the results and the part files, in partition order."""
    from exportcheck.bulk.judge import part_path
    from exportcheck.bulk.run import check_results, run_local_parts

    if engine is Engine.local:
        counts, results = run_local_parts(parts, spec, parts_dir, parquet)
    else:
        _need_dask()
        from exportcheck.bulk.cluster import run_dask

        counts, results = run_dask(parts, spec, parts_dir, scheduler, parquet)
    check_results(parts, counts, results)
    files = [part_path(parts_dir, p.number, parquet) for p in parts]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise InputError("a partition's part file is missing", file=missing[0])
    return counts, results, files


def _run_dask(
    parts: Sequence[Partition],
    spec: Spec,
    output: Path | None,
    scheduler: str | None,
    out: TextIO,
) -> Status:
    from exportcheck.bulk.run import merge_parts, summary_text

    with _parts_dir(output) as parts_dir:
        counts, results, files = _judged_parts(
            parts, spec, Engine.dask, scheduler, parts_dir, parquet=False
        )
        text, worst = summary_text(spec, parts, counts, results)
        merge_parts(files, out)
        out.write(text)
    return worst


def _run_parquet(
    parts: Sequence[Partition], spec: Spec, engine: Engine, output: Path, scheduler: str | None
) -> Status:
    """The dataset judged into Parquet parts, copied in order into ``output``."""
    from exportcheck.bulk import parquet_out
    from exportcheck.bulk.run import summary_text

    with _parts_dir(output) as parts_dir:
        counts, results, files = _judged_parts(
            parts, spec, engine, scheduler, parts_dir, parquet=True
        )
        text, worst = summary_text(spec, parts, counts, results)
        with output_file(output) as raw:
            parquet_out.merge_parts(files, text, raw)
    return worst
