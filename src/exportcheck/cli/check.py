"""``exportcheck check``: judge a manifest against the rules in force on a date."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from exportcheck import api
from exportcheck.bulk.dataset import is_dataset
from exportcheck.cli.bulk import Engine
from exportcheck.cli.common import (
    fail_on_option,
    gate,
    handle_errors,
    keep_until_exit,
    output_file,
    stdout_is_terminal,
    terminal_width,
    write_output,
)
from exportcheck.cli.options import (
    CatalogOpt,
    CheckFormat,
    FailOnOpt,
    ListsOpt,
    OutputOpt,
    OwnershipOpt,
    RulesOpt,
    format_option,
)
from exportcheck.cli.progress import with_progress
from exportcheck.cli.writer import BackgroundWriter
from exportcheck.formats import registry
from exportcheck.model.report import Report
from exportcheck.model.status import Status


def resolve_format(fmt: str, environ: Mapping[str, str] | None = None) -> str:
    """``auto``: ``github`` inside GitHub Actions (``GITHUB_ACTIONS=true``), else ``table``."""
    if fmt != registry.AUTO:
        return str(fmt)
    env = os.environ if environ is None else environ
    return "github" if env.get("GITHUB_ACTIONS") == "true" else "table"


def register(app: typer.Typer) -> None:
    app.command(
        "check",
        help=(
            "Check a manifest (CSV, JSON, JSON Lines or YAML) against the rules in force on a "
            "date. Exit 0: nothing at or above --fail-on; 1: at least one line at or above it; "
            "2: bad input or an error."
        ),
    )(check_command)


ManifestArg = Annotated[
    Path,
    typer.Argument(
        help="Manifest file (.csv, .xlsx, .json, .jsonl or .yaml), or a dataset: a folder or "
        "glob of .csv / .parquet partitions.",
        metavar="MANIFEST",
    ),
]
CheckDateOpt = Annotated[
    str | None,
    typer.Option(
        "--date",
        help="As-of date YYYY-MM-DD (default today); a line's ship_date wins.",
        metavar="YYYY-MM-DD",
    ),
]
PartyColumnsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--party-columns",
        help="More columns to screen besides consignee and end_user (comma-separated).",
        metavar="COLUMN,...",
    ),
]
LicensesOpt = Annotated[
    Path | None,
    typer.Option(
        "--licenses",
        help="Licences held (YAML or CSV): a covered license_required line becomes "
        "licensed; quantity/value limits are drawn down in manifest order.",
        metavar="FILE",
    ),
]
WaiversOpt = Annotated[
    Path | None,
    typer.Option(
        "--waivers",
        help="Approved waivers (YAML or CSV): waived findings are kept, marked, and no "
        "longer set the line's status; an expired waiver puts the line to review.",
        metavar="FILE",
    ),
]
ColumnOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--column",
        help='Map a column of the manifest to a field: --column destination="Ship To '
        'Country" (repeatable; wins over --config).',
        metavar="FIELD=HEADER",
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Manifest settings (YAML): columns (field: header), sheet, decimal_comma, "
        "date_format; options given here win.",
        metavar="FILE",
    ),
]
SheetOpt = Annotated[
    str | None,
    typer.Option(
        "--sheet", help="The sheet of an .xlsx manifest (default: the first).", metavar="NAME"
    ),
]
DecimalCommaOpt = Annotated[
    bool | None,
    typer.Option(
        "--decimal-comma/--decimal-point",
        help="Numbers are written 30.000,00 (a dot only ever groups thousands); default: "
        "30,000.00.",
        metavar="",
    ),
]
DateFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--date-format",
        help="How ship_date is written, e.g. DD.MM.YYYY or MM/DD/YYYY (ISO dates are "
        "read too); default YYYY-MM-DD. Other dates make the line review, never guessed.",
        metavar="FORMAT",
    ),
]
NoCacheOpt = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Judge and screen every line from scratch, without caches or fast paths "
        "(same output, much slower; for checking the caches).",
        metavar="",
    ),
]
EngineOpt = Annotated[
    Engine,
    typer.Option(
        "--engine",
        help="For a dataset (a folder or glob of .csv / .parquet files): judge it here "
        "(local) or on Dask (dask; pip install 'exportcheck[dask]'). Writes jsonl or "
        "parquet.",
        case_sensitive=False,
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="With --engine dask: the address of a Dask scheduler (tcp://host:8786); "
        "default: a local cluster on the cores of this machine.",
        metavar="ADDRESS",
    ),
]


@handle_errors
def check_command(
    manifest: ManifestArg,
    date: CheckDateOpt = None,
    rules: RulesOpt = None,
    lists: ListsOpt = None,
    party_columns: PartyColumnsOpt = None,
    catalog: CatalogOpt = None,
    licenses: LicensesOpt = None,
    waivers: WaiversOpt = None,
    ownership: OwnershipOpt = None,
    fmt: Annotated[CheckFormat, format_option(registry.CHECK)] = "table",
    output: OutputOpt = None,
    fail_on: FailOnOpt = "review",
    column: ColumnOpt = None,
    config: ConfigOpt = None,
    sheet: SheetOpt = None,
    decimal_comma: DecimalCommaOpt = None,
    date_format: DateFormatOpt = None,
    no_cache: NoCacheOpt = False,
    engine: EngineOpt = Engine.local,
    scheduler: SchedulerOpt = None,
) -> None:
    from exportcheck.readers.config import read_options

    threshold = fail_on_option(fail_on)
    name = resolve_format(fmt)
    spec = registry.get(name)
    options: dict[str, Any] = {
        "date": date, "rules": rules, "lists": lists, "catalog": catalog, "ownership": ownership,
        "party_columns": party_columns, "licenses": licenses, "waivers": waivers,
        "read_options": read_options(config, column, sheet, decimal_comma, date_format),
    }  # fmt: skip
    if (
        engine is not Engine.local
        or scheduler is not None
        or is_dataset(manifest)
        or (spec.file_only)
    ):
        from exportcheck.cli.bulk import run_dataset

        raise typer.Exit(run_dataset(
            manifest, engine=engine, scheduler=scheduler, fmt=name, output=output,
            fail_on=threshold, cache=not no_cache, **options,
        ))  # fmt: skip
    if spec.streams:
        worst = _stream(manifest, name, output, cache=not no_cache, **options)
        raise typer.Exit(gate(worst, threshold))
    report = api.check(manifest, cache=not no_cache, **options)
    _echo_notices(report.notices)
    write_output(_render(report, name, threshold, rules, catalog), output)
    raise typer.Exit(gate(report.summary.worst, threshold))


def _render(
    report: Report,
    name: str,
    threshold: Status | None,
    rules: list[Path] | None,
    catalog: Path | None,
) -> str:
    """A buffered format's text; html also shows the flagged lines' timelines."""
    if name == "html":
        from exportcheck.formats import html

        timelines = api.flagged_timelines(report, rules=rules, catalog=catalog)
        return html.render(report, timelines)
    from exportcheck.formats import render

    return render(report, name, fail_on=threshold)


_STDOUT_SPOOL_BYTES = 32 * 1024 * 1024


@contextlib.contextmanager
def _sink(output: Path | None) -> Iterator[TextIO]:
    """Where streamed output goes, all or nothing: a temporary file beside ``output`` that
    replaces it once everything was written, or for stdout a spool (memory, then a temporary
    file) copied out at the end. A run that fails half-way writes nothing, as before. A file
    is written by a thread of its own (:class:`BackgroundWriter`)."""
    if output is None:
        with tempfile.SpooledTemporaryFile(
            max_size=_STDOUT_SPOOL_BYTES, mode="w+", encoding="utf-8", newline=""
        ) as spool:
            yield spool  # type: ignore[misc]
            spool.seek(0)
            for block in iter(lambda: spool.read(1 << 20), ""):
                sys.stdout.write(block)
        sys.stdout.flush()
        return
    with output_file(output) as raw:
        writer = BackgroundWriter(raw)
        try:
            yield writer  # type: ignore[misc]
        except BaseException:
            writer.abort()
            raise
        writer.close()


def _stream(
    manifest: Path, fmt: str, output: Path | None, *, cache: bool, **options: Any
) -> Status:
    """Check ``manifest`` line by line, writing ``jsonl``, ``csv`` or the table as lines are
    judged. Returns the worst status."""
    stream = api.check_stream(manifest, cache=cache, **options)
    keep_until_exit(stream)  # its caches: not freed one by one at the end (see app.main)
    fast = stream.jsonl_lines() if fmt == "jsonl" else None
    if fast is not None:
        results: Iterator[Any] = with_progress(fast, size=lambda chunk: chunk.count("\n"))
    else:
        results = with_progress(stream)
    with _fewer_collections():
        _write_stream(stream, results, fmt, output, cache, prerendered=fast is not None)
    _echo_notices(stream.notices)
    return stream.summary.worst


def _echo_notices(notices: tuple[str, ...]) -> None:
    """The reader's notices to stderr (what the data leaves out is in the report itself)."""
    for notice in notices:
        if not notice.startswith(api.SCOPE_NOTICE):
            typer.echo(f"exportcheck: notice: {notice}", err=True)


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Streaming allocates a few short-lived objects per line, and the loaded rules, lists
    and bounded caches are long-lived: freeze what is loaded and collect the youngest
    generation less often (cycles are still collected). Restored afterwards."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _write_stream(
    stream: api.CheckStream,
    results: Iterator[Any],
    fmt: str,
    output: Path | None,
    cache: bool,
    prerendered: bool = False,
) -> None:
    from exportcheck.formats import csv as csv_format
    from exportcheck.formats import jsonl, table

    try:
        with _sink(output) as out:
            if fmt == "jsonl":
                chunks = jsonl.stream(
                    results,
                    prerendered=prerendered,
                    exportcheck=stream.exportcheck,
                    as_of=stream.as_of,
                    rules_sha256=stream.rules_sha256,
                    sources=stream.sources,
                    summary=lambda: stream.summary,
                    fast=cache,
                    notices=lambda: stream.notices,
                )
            elif fmt == "table":
                chunks = table.stream(
                    results,
                    as_of=stream.as_of,
                    summary=lambda: stream.summary,
                    notices=lambda: stream.notices,
                    width=terminal_width() if output is None else 120,
                    color=output is None and stdout_is_terminal(),
                )
            else:
                chunks = csv_format.stream(results, lambda: stream.columns)
            write = out.write
            for chunk in chunks:
                write(chunk)
    except RuntimeError as exc:
        # The lines were written (to the spool) as they were judged; the check failed only
        # at the end, so say what became of them.
        where = "stdout" if output is None else str(output)
        raise RuntimeError(
            f"{exc}; the {stream.judged} lines written so far were discarded, nothing was "
            f"written to {where}"
        ) from None
