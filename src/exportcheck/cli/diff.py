"""``exportcheck diff``: what changed between two dates (or two rule-set versions), and which
manifest lines change status. A report, not a gate: exit 0 unless the input is bad (2)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from exportcheck import api
from exportcheck.cli.common import handle_errors, stdout_is_terminal, terminal_width, write_output
from exportcheck.engine.diff import Mode, build_diff
from exportcheck.engine.parties import PartyScreening
from exportcheck.errors import InputError
from exportcheck.model.manifest import Catalog


class DiffFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


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
    rules: Annotated[
        list[Path] | None,
        typer.Option(
            "--rules",
            help="Rule file or directory (repeatable); default: shipped rules.",
            metavar="FILE|DIR",
        ),
    ] = None,
    rules_before: Annotated[
        list[Path] | None,
        typer.Option(
            "--rules-before",
            help="Rule files of the 'before' side (repeatable): compare rule-set versions.",
            metavar="FILE|DIR",
        ),
    ] = None,
    lists: Annotated[
        list[Path] | None,
        typer.Option(
            "--lists",
            help="Restricted-party list file or directory (repeatable); default: shipped lists.",
            metavar="FILE|DIR",
        ),
    ] = None,
    manifest: Annotated[
        Path | None,
        typer.Option(
            "--manifest", help="Manifest to judge on both sides (impact).", metavar="FILE"
        ),
    ] = None,
    catalog: Annotated[
        Path | None,
        typer.Option(
            "--catalog", help="Product master (YAML or CSV) for the manifest.", metavar="FILE"
        ),
    ] = None,
    ownership: Annotated[
        Path | None,
        typer.Option(
            "--ownership",
            help="Who owns the manifest's parties (YAML or CSV), as for check.",
            metavar="FILE",
        ),
    ] = None,
    fmt: Annotated[
        DiffFormat,
        typer.Option("--format", "-f", help="table | json | markdown", case_sensitive=False),
    ] = DiffFormat.table,
) -> None:
    from exportcheck.readers.catalog import load_catalog
    from exportcheck.readers.manifest import iter_manifest

    d_from = api.parse_date(date_from, "--from")
    d_to = api.parse_date(date_to, "--to")
    after, _ = api.load_rules(rules)
    mode: Mode = "dates"
    before = after
    if rules_before:
        before, _ = api.load_rules(rules_before)
        mode = "rule-sets"
    index, _ = api.load_screening(lists)
    cat: Catalog | None = None
    if catalog is not None:
        cat, _ = load_catalog(catalog)
    lines = None
    parties = None
    if manifest is not None:
        if not manifest.is_file():
            raise InputError("no such manifest file", file=str(manifest))
        lines = list(iter_manifest(manifest, display=str(manifest)))
        owners, _ = api.load_ownership(ownership)
        parties = PartyScreening(
            index=index, columns=api.party_columns_option(None), ownership=owners
        )
    report = build_diff(
        before,
        after,
        d_from,
        d_to,
        mode=mode,
        entries=index.entries,
        lines=lines,
        catalog=cat,
        parties=parties,
    )
    from exportcheck.formats import diff as fmt_diff

    if fmt is DiffFormat.table:
        text = fmt_diff.render_table(report, color=stdout_is_terminal(), width=terminal_width())
    elif fmt is DiffFormat.json:
        text = fmt_diff.render_json(report)
    else:
        text = fmt_diff.render_markdown(report)
    write_output(text, None)
