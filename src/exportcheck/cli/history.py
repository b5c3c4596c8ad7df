"""``exportcheck history``: one item, destination and/or party over time."""

from __future__ import annotations

from typing import Annotated

import typer

from exportcheck import api
from exportcheck.cli.common import handle_errors, stdout_is_terminal, terminal_width, write_output
from exportcheck.cli.options import (
    CatalogOpt,
    FromOpt,
    HistoryFormat,
    ListsOpt,
    RulesOpt,
    SpecOpt,
    ToOpt,
    format_option,
)
from exportcheck.formats.registry import HISTORY


def register(app: typer.Typer) -> None:
    app.command(
        "history",
        help=(
            "The status of one item (--part, --eccn, --spec), destination and/or party over "
            "time: every change point with its causes, and a timeline. Exit 0 (a report, not a "
            "gate); 2 on bad input."
        ),
    )(history_command)


@handle_errors
def history_command(
    part: Annotated[
        str | None,
        typer.Option("--part", help="Part number (looked up in --catalog).", metavar="PART"),
    ] = None,
    eccn: Annotated[
        str | None, typer.Option("--eccn", help="ECCN, e.g. 3A090.a or EAR99.", metavar="ECCN")
    ] = None,
    spec: SpecOpt = None,
    destination: Annotated[
        str | None,
        typer.Option("--destination", help="Destination country (ISO alpha-2).", metavar="COUNTRY"),
    ] = None,
    party: Annotated[
        str | None,
        typer.Option("--party", help="Party name, screened as the consignee.", metavar="NAME"),
    ] = None,
    party_hq: Annotated[
        str | None,
        typer.Option(
            "--party-hq",
            help="Where the party (consignee) is headquartered, for the headquarters rules.",
            metavar="COUNTRY",
        ),
    ] = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    catalog: CatalogOpt = None,
    rules: RulesOpt = None,
    lists: ListsOpt = None,
    fmt: Annotated[HistoryFormat, format_option(HISTORY)] = "table",
) -> None:
    report = api.history(
        part=part,
        eccn=eccn,
        spec=spec,
        destination=destination,
        party=party,
        party_hq=party_hq,
        start=date_from,
        end=date_to,
        catalog=catalog,
        rules=rules,
        lists=lists,
    )
    from exportcheck.formats import history as fmt_history

    if fmt == "json":
        text = api.to_json(report)
    else:
        text = fmt_history.render(report, color=stdout_is_terminal(), width=terminal_width())
    write_output(text, None)
