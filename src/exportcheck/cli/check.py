"""``exportcheck check``: judge a manifest against the rules in force on a date."""

from __future__ import annotations

import os
from collections.abc import Mapping
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
    sarif = "sarif"
    junit = "junit"
    github = "github"
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
    licenses: Annotated[
        Path | None,
        typer.Option(
            "--licenses",
            help="Licences held (YAML or CSV): a covered license_required line becomes "
            "licensed; quantity/value limits are drawn down in manifest order.",
        ),
    ] = None,
    waivers: Annotated[
        Path | None,
        typer.Option(
            "--waivers",
            help="Approved waivers (YAML or CSV): waived findings are kept, marked, and no "
            "longer set the line's status; an expired waiver puts the line to review.",
        ),
    ] = None,
    fmt: Annotated[
        CheckFormat,
        typer.Option(
            "--format",
            "-f",
            help="Output format. json buffers the whole report; jsonl and csv are "
            "line-oriented; sarif for code scanning, junit for CI test reports, github for "
            "Actions annotations; auto is github inside GitHub Actions, else table.",
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
        licenses=licenses,
        waivers=waivers,
    )
    for notice in report.notices:
        typer.echo(f"exportcheck: notice: {notice}", err=True)
    fmt = resolve_format(fmt)
    if fmt is CheckFormat.table:
        from exportcheck.formats import table

        color = output is None and stdout_is_terminal()
        text = table.render(report, color=color, width=terminal_width() if output is None else 120)
    else:
        from exportcheck.formats import render

        text = render(report, fmt.value, fail_on=threshold)
    write_output(text, output)
    raise typer.Exit(gate(report.summary.worst, threshold))
