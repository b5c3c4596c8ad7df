"""``exportcheck screen NAME...``: screen names against restricted-party lists."""

from __future__ import annotations

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
from exportcheck.engine.screening import (
    DEFAULT_HIT_THRESHOLD,
    DEFAULT_REVIEW_THRESHOLD,
    ScreeningConfig,
)
from exportcheck.errors import InputError
from exportcheck.formats.screen import render_screen_json, render_screen_table
from exportcheck.model.countries import normalize_country
from exportcheck.model.status import Status, worst

FORMATS = ("table", "json")


def register(app: typer.Typer) -> None:
    @app.command("screen")
    @handle_errors
    def screen(
        names: Annotated[
            list[str], typer.Argument(help="Names of parties to screen.", metavar="NAME")
        ],
        country: Annotated[
            str | None,
            typer.Option(
                "--country",
                help="Country of the party or destination (a signal only).",
                metavar="COUNTRY",
            ),
        ] = None,
        on: Annotated[
            str | None,
            typer.Option(
                "--date", help="Screen as of this date (default: today).", metavar="YYYY-MM-DD"
            ),
        ] = None,
        lists: Annotated[
            list[Path] | None,
            typer.Option(
                "--lists",
                help="List file or directory (YAML, CSL CSV, OFAC SDN CSV); repeat to merge. "
                "Default: the shipped lists.",
                metavar="FILE|DIR",
            ),
        ] = None,
        fmt: Annotated[str, typer.Option("--format", help="table | json")] = "table",
        fail_on: Annotated[
            str,
            typer.Option(
                "--fail-on", help="Exit 1 at or above this status, or 'never'.", metavar="STATUS"
            ),
        ] = "review",
        hit_threshold: Annotated[
            float, typer.Option("--hit-threshold", help="Score (0-100) for a hit.", metavar="SCORE")
        ] = DEFAULT_HIT_THRESHOLD,
        review_threshold: Annotated[
            float,
            typer.Option("--review-threshold", help="Score (0-100) for review.", metavar="SCORE"),
        ] = DEFAULT_REVIEW_THRESHOLD,
    ) -> None:
        """Screen names against restricted-party lists (fuzzy, date-aware)."""
        if fmt not in FORMATS:
            raise InputError(
                f"unknown format '{fmt}'; expected one of: {', '.join(FORMATS)}", field="--format"
            )
        gate_status = fail_on_option(fail_on)
        day = api.parse_date(on)
        cc: str | None = None
        if country is not None and country.strip():
            cc = normalize_country(country)
            if cc is None:
                raise InputError(f"unknown country '{country}'", field="--country")
        for label, value in (
            ("--hit-threshold", hit_threshold),
            ("--review-threshold", review_threshold),
        ):
            if not 0 <= value <= 100:
                raise InputError(f"threshold {value} is not between 0 and 100", field=label)
        if review_threshold > hit_threshold:
            raise InputError(
                f"--review-threshold {review_threshold} is above --hit-threshold {hit_threshold}",
                field="--review-threshold",
            )
        blank = [n for n in names if not n.strip()]
        if blank:
            raise InputError("empty name to screen", field="NAME")
        config = ScreeningConfig(hit_threshold=hit_threshold, review_threshold=review_threshold)
        index, _sources = api.load_screening(lists, config)
        results = index.screen_many(names, country=cc, on=day)
        if fmt == "json":
            text = render_screen_json(results)
        else:
            text = render_screen_table(results, color=stdout_is_terminal(), width=terminal_width())
        write_output(text, None)
        overall: Status = worst([r.status for r in results])
        raise typer.Exit(gate(overall, gate_status))
