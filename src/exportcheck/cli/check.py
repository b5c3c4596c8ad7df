"""``exportcheck check``: judge a manifest against the rules in force on a date."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from exportcheck import api
from exportcheck.cli.common import (
    fail_on_option,
    gate,
    handle_errors,
    stdout_is_terminal,
    terminal_width,
    write_output,
)


class CheckFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    markdown = "markdown"


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
    manifest: Annotated[Path, typer.Argument(help="Manifest file: .csv, .json, .jsonl or .yaml")],
    date: Annotated[
        str | None,
        typer.Option(
            "--date", help="As-of date YYYY-MM-DD (default today); a line's ship_date wins."
        ),
    ] = None,
    rules: Annotated[
        list[Path] | None,
        typer.Option(
            "--rules", help="Rule file or directory (repeatable); default: shipped rules."
        ),
    ] = None,
    lists: Annotated[
        list[Path] | None,
        typer.Option(
            "--lists",
            help="Restricted-party list: YAML, CSL CSV or OFAC SDN CSV file, or a directory "
            "(repeatable); default: shipped lists.",
        ),
    ] = None,
    party_columns: Annotated[
        list[str] | None,
        typer.Option(
            "--party-columns",
            help="More columns to screen besides consignee and end_user (comma-separated).",
        ),
    ] = None,
    catalog: Annotated[
        Path | None,
        typer.Option("--catalog", help="Product master (YAML or CSV) keyed by part number."),
    ] = None,
    fmt: Annotated[
        CheckFormat,
        typer.Option(
            "--format",
            "-f",
            help="Output format. json buffers the whole report; jsonl and csv are line-oriented.",
            case_sensitive=False,
        ),
    ] = CheckFormat.table,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report here instead of stdout.")
    ] = None,
    fail_on: Annotated[
        str,
        typer.Option(
            "--fail-on",
            help="Exit 1 if any line is at or above this status "
            "(allowed, licensed, review, license_required, prohibited) or 'never'.",
        ),
    ] = "review",
) -> None:
    threshold = fail_on_option(fail_on)
    report = api.check(
        manifest,
        date=date,
        rules=rules,
        catalog=catalog,
        lists=lists,
        party_columns=party_columns,
    )
    if fmt is CheckFormat.table:
        from exportcheck.formats import table

        color = output is None and stdout_is_terminal()
        text = table.render(report, color=color, width=terminal_width() if output is None else 120)
    else:
        from exportcheck.formats import render

        text = render(report, fmt.value)
    write_output(text, output)
    raise typer.Exit(gate(report.summary.worst, threshold))
