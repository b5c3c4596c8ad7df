"""``exportcheck check``: judge a manifest against the rules in force on a date."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping
from enum import StrEnum
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
from exportcheck.cli.progress import with_progress
from exportcheck.cli.writer import BackgroundWriter
from exportcheck.model.status import Status


class CheckFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    markdown = "markdown"
    sarif = "sarif"
    junit = "junit"
    github = "github"
    html = "html"
    auto = "auto"


def resolve_format(fmt: CheckFormat, environ: Mapping[str, str] | None = None) -> CheckFormat:
    """``auto``: ``github`` inside GitHub Actions (``GITHUB_ACTIONS=true``), else ``table``."""
    if fmt is not CheckFormat.auto:
        return fmt
    env = os.environ if environ is None else environ
    return CheckFormat.github if env.get("GITHUB_ACTIONS") == "true" else CheckFormat.table


def register(app: typer.Typer) -> None:
    app.command(
        "check",
        help=(
            "Check a manifest (CSV, JSON, JSON Lines or YAML) against the rules in force on a "
            "date. Exit 0: nothing at or above --fail-on; 1: at least one line at or above it; "
            "2: bad input or an error."
        ),
    )(check_command)


@handle_errors
def check_command(
    manifest: Annotated[
        Path,
        typer.Argument(
            help="Manifest file: .csv, .xlsx, .json, .jsonl or .yaml", metavar="MANIFEST"
        ),
    ],
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="As-of date YYYY-MM-DD (default today); a line's ship_date wins.",
            metavar="YYYY-MM-DD",
        ),
    ] = None,
    rules: Annotated[
        list[Path] | None,
        typer.Option(
            "--rules",
            help="Rule file or directory (repeatable); default: shipped rules.",
            metavar="FILE|DIR",
        ),
    ] = None,
    lists: Annotated[
        list[Path] | None,
        typer.Option(
            "--lists",
            help="Restricted-party list: YAML, CSL CSV or OFAC SDN CSV file, or a directory "
            "(repeatable); default: shipped lists.",
            metavar="FILE|DIR",
        ),
    ] = None,
    party_columns: Annotated[
        list[str] | None,
        typer.Option(
            "--party-columns",
            help="More columns to screen besides consignee and end_user (comma-separated).",
            metavar="COLUMN,...",
        ),
    ] = None,
    catalog: Annotated[
        Path | None,
        typer.Option(
            "--catalog", help="Product master (YAML or CSV) keyed by part number.", metavar="FILE"
        ),
    ] = None,
    licenses: Annotated[
        Path | None,
        typer.Option(
            "--licenses",
            help="Licences held (YAML or CSV): a covered license_required line becomes "
            "licensed; quantity/value limits are drawn down in manifest order.",
            metavar="FILE",
        ),
    ] = None,
    waivers: Annotated[
        Path | None,
        typer.Option(
            "--waivers",
            help="Approved waivers (YAML or CSV): waived findings are kept, marked, and no "
            "longer set the line's status; an expired waiver puts the line to review.",
            metavar="FILE",
        ),
    ] = None,
    ownership: Annotated[
        Path | None,
        typer.Option(
            "--ownership",
            help="Who owns the parties (YAML or CSV: entity, owner, share %, as_of, source; "
            "optional entity_hq_country, owner_hq_country), for the ownership and "
            "headquarters rules.",
            metavar="FILE",
        ),
    ] = None,
    fmt: Annotated[
        CheckFormat,
        typer.Option(
            "--format",
            "-f",
            help="Output format. table, jsonl and csv stream: each line is written as it is "
            "judged, in constant memory (jsonl ends with a summary object; over 2,000 lines "
            "the table shows the flagged lines only, and says so). json, html, markdown, "
            "sarif, junit and github buffer the whole report in memory first (their totals or "
            "rule index come before the lines). sarif for code scanning, junit for CI test "
            "reports, github for Actions annotations, html a self-contained page for people; "
            "auto is github inside GitHub Actions, else table.",
            case_sensitive=False,
        ),
    ] = CheckFormat.table,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the report here instead of stdout.", metavar="FILE"
        ),
    ] = None,
    fail_on: Annotated[
        str,
        typer.Option(
            "--fail-on",
            help="Exit 1 if any line is at or above this status "
            "(allowed, licensed, review, license_required, prohibited) or 'never'.",
            metavar="STATUS",
        ),
    ] = "review",
    column: Annotated[
        list[str] | None,
        typer.Option(
            "--column",
            help='Map a column of the manifest to a field: --column destination="Ship To '
            'Country" (repeatable; wins over --config).',
            metavar="FIELD=HEADER",
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Manifest settings (YAML): columns (field: header), sheet, decimal_comma, "
            "date_format; options given here win.",
            metavar="FILE",
        ),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option(
            "--sheet", help="The sheet of an .xlsx manifest (default: the first).", metavar="NAME"
        ),
    ] = None,
    decimal_comma: Annotated[
        bool | None,
        typer.Option(
            "--decimal-comma/--decimal-point",
            help="Numbers are written 30.000,00 (a dot only ever groups thousands); default: "
            "30,000.00.",
            metavar="",
        ),
    ] = None,
    date_format: Annotated[
        str | None,
        typer.Option(
            "--date-format",
            help="How ship_date is written, e.g. DD.MM.YYYY or MM/DD/YYYY (ISO dates are "
            "read too); default YYYY-MM-DD. Other dates make the line review, never guessed.",
            metavar="FORMAT",
        ),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Judge and screen every line from scratch, without caches or fast paths "
            "(same output, much slower; for checking the caches).",
            metavar="",
        ),
    ] = False,
    # --- issue 18: datasets (a folder or glob of partitions), on Dask or here ---
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine",
            help="For a dataset (a folder or glob of .csv / .parquet files): judge it here "
            "(local) or on Dask (dask; pip install 'exportcheck[dask]'). Writes jsonl.",
            case_sensitive=False,
        ),
    ] = Engine.local,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="With --engine dask: the address of a Dask scheduler (tcp://host:8786); "
            "default: a local cluster on the cores of this machine.",
            metavar="ADDRESS",
        ),
    ] = None,
) -> None:
    from exportcheck.readers.config import read_options

    threshold = fail_on_option(fail_on)
    fmt = resolve_format(fmt)
    reading = read_options(config, column, sheet, decimal_comma, date_format)
    if engine is not Engine.local or scheduler is not None or is_dataset(manifest):
        from exportcheck.cli.bulk import run_dataset

        raise typer.Exit(run_dataset(
            manifest, engine=engine, scheduler=scheduler, fmt=fmt.value, output=output,
            fail_on=threshold, date=date, rules=rules, lists=lists, catalog=catalog,
            ownership=ownership, party_columns=party_columns, licenses=licenses,
            waivers=waivers, read_options=reading, cache=not no_cache,
        ))  # fmt: skip
    # --- end issue 18 ---
    if fmt in (CheckFormat.jsonl, CheckFormat.csv, CheckFormat.table):
        worst = _stream(
            manifest,
            fmt,
            output,
            cache=not no_cache,
            date=date,
            rules=rules,
            catalog=catalog,
            lists=lists,
            party_columns=party_columns,
            licenses=licenses,
            waivers=waivers,
            ownership=ownership,
            read_options=reading,
        )
        raise typer.Exit(gate(worst, threshold))
    report = api.check(
        manifest,
        date=date,
        rules=rules,
        catalog=catalog,
        lists=lists,
        party_columns=party_columns,
        licenses=licenses,
        waivers=waivers,
        cache=not no_cache,
        ownership=ownership,
        read_options=reading,
    )
    _echo_notices(report.notices)
    if fmt is CheckFormat.html:
        from exportcheck.formats import html

        timelines = api.flagged_timelines(report, rules=rules, catalog=catalog)
        text = html.render(report, timelines)
    else:
        from exportcheck.formats import render

        text = render(report, fmt.value, fail_on=threshold)
    write_output(text, output)
    raise typer.Exit(gate(report.summary.worst, threshold))


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
    manifest: Path, fmt: CheckFormat, output: Path | None, *, cache: bool, **options: Any
) -> Status:
    """Check ``manifest`` line by line, writing ``jsonl``, ``csv`` or the table as lines are
    judged. Returns the worst status."""
    stream = api.check_stream(manifest, cache=cache, **options)
    keep_until_exit(stream)  # its caches: not freed one by one at the end (see app.main)
    fast = stream.jsonl_lines() if fmt is CheckFormat.jsonl else None
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
    fmt: CheckFormat,
    output: Path | None,
    cache: bool,
    prerendered: bool = False,
) -> None:
    from exportcheck.formats import csv as csv_format
    from exportcheck.formats import jsonl, table

    try:
        with _sink(output) as out:
            if fmt is CheckFormat.jsonl:
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
            elif fmt is CheckFormat.table:
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
