"""``exportcheck diff``: what changed between two dates (or two rule-set versions)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from exportcheck import api
from exportcheck.cli.common import handle_errors, stdout_is_terminal, terminal_width, write_output
from exportcheck.cli.options import (
    CatalogOpt,
    DiffFormat,
    ListsOpt,
    OwnershipOpt,
    RulesOpt,
    format_option,
)
from exportcheck.formats.registry import DIFF


def register(app: typer.Typer) -> None:
    app.command(
        "diff",
        help=(
            "What changed between two dates: rule versions that entered force, ended or were "
            "rescinded, changed versions (in plain words, with citations), restricted-party list "
            "entries and country-group membership. With --rules-before, compare two rule-set "
            "versions (e.g. a rules pull request). With --manifest, the lines whose status "
            "differs. Exit 0 (a report, not a gate); 2 on bad input."
        ),
    )(diff_command)


@handle_errors
def diff_command(
    date_from: Annotated[
        str,
        typer.Option(
            "--from", help="First date YYYY-MM-DD (the 'before' side).", metavar="YYYY-MM-DD"
        ),
    ],
    date_to: Annotated[
        str,
        typer.Option(
            "--to", help="Second date YYYY-MM-DD (the 'after' side).", metavar="YYYY-MM-DD"
        ),
    ],
    rules: RulesOpt = None,
    rules_before: Annotated[
        list[Path] | None,
        typer.Option(
            "--rules-before",
            help="Rule files of the 'before' side (repeatable): compare rule-set versions.",
            metavar="FILE|DIR",
        ),
    ] = None,
    lists: ListsOpt = None,
    manifest: Annotated[
        Path | None,
        typer.Option(
            "--manifest", help="Manifest to judge on both sides (impact).", metavar="FILE"
        ),
    ] = None,
    catalog: CatalogOpt = None,
    ownership: OwnershipOpt = None,
    fmt: Annotated[DiffFormat, format_option(DIFF)] = "table",
) -> None:
    report = api.diff(
        date_from,
        date_to,
        rules=rules,
        rules_before=rules_before,
        lists=lists,
        manifest=manifest,
        catalog=catalog,
        ownership=ownership,
    )
    from exportcheck.formats import diff as fmt_diff

    if fmt == "table":
        text = fmt_diff.render_table(report, color=stdout_is_terminal(), width=terminal_width())
    elif fmt == "json":
        text = api.to_json(report)
    else:
        text = fmt_diff.render_markdown(report)
    write_output(text, None)
