"""``exportcheck screen``: names against the restricted-party lists."""

from __future__ import annotations

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
from exportcheck.cli.options import FailOnOpt, ListsOpt, ScreenFormat, format_option
from exportcheck.engine.screening import DEFAULT_HIT_THRESHOLD, DEFAULT_REVIEW_THRESHOLD
from exportcheck.formats.registry import SCREEN
from exportcheck.formats.screen import render_screen_table
from exportcheck.model.status import Status, worst


@handle_errors
def screen_command(
    names: Annotated[list[str], typer.Argument(help="Names of parties to screen.", metavar="NAME")],
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
    lists: ListsOpt = None,
    fmt: Annotated[ScreenFormat, format_option(SCREEN)] = "table",
    fail_on: FailOnOpt = "review",
    hit_threshold: Annotated[
        float, typer.Option("--hit-threshold", help="Score (0-100) for a hit.", metavar="SCORE")
    ] = DEFAULT_HIT_THRESHOLD,
    review_threshold: Annotated[
        float,
        typer.Option("--review-threshold", help="Score (0-100) for review.", metavar="SCORE"),
    ] = DEFAULT_REVIEW_THRESHOLD,
) -> None:
    """Screen names against restricted-party lists (fuzzy, date-aware)."""
    gate_status = fail_on_option(fail_on)
    results = api.screen(
        names,
        country=country,
        date=on,
        lists=lists,
        hit_threshold=hit_threshold,
        review_threshold=review_threshold,
    )
    if fmt == "json":
        text = api.to_json(results)
    else:
        text = render_screen_table(results, color=stdout_is_terminal(), width=terminal_width())
    write_output(text, None)
    overall: Status = worst([r.status for r in results])
    raise typer.Exit(gate(overall, gate_status))


def register(app: typer.Typer) -> None:
    app.command("screen")(screen_command)
