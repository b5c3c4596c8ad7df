"""``exportcheck classify``: the classification timeline of one item from its specs."""

from __future__ import annotations

from typing import Annotated

import typer

from exportcheck import api
from exportcheck.cli.common import handle_errors, stdout_is_terminal, terminal_width, write_output
from exportcheck.cli.options import (
    CatalogOpt,
    ClassifyFormat,
    RulesOpt,
    SpecOpt,
    ToOpt,
    format_option,
)
from exportcheck.formats import classify as fmt
from exportcheck.formats.registry import CLASSIFY


def register(app: typer.Typer) -> None:
    app.command(
        "classify",
        help="Classification timeline of one item from its specs: each date its ECCN changed "
        "and why. Give a PART from --catalog and/or --spec KEY=VALUE (tpp, "
        "performance_density, die_area_mm2, interconnect_gbps, tops_fp8, ...).",
    )(classify_command)


@handle_errors
def classify_command(
    part: Annotated[
        str | None, typer.Argument(help="Part number to look up in --catalog", metavar="PART")
    ] = None,
    spec: SpecOpt = None,
    category: Annotated[
        str | None,
        typer.Option("--category", help="Item category, e.g. gpu, server, hbm", metavar="CATEGORY"),
    ] = None,
    catalog: CatalogOpt = None,
    rules: RulesOpt = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--from", help="First date (default: before the first criteria)", metavar="YYYY-MM-DD"
        ),
    ] = None,
    end: ToOpt = None,
    out_format: Annotated[ClassifyFormat, format_option(CLASSIFY)] = "table",
) -> None:
    report = api.classify(
        part, spec=spec, category=category, catalog=catalog, rules=rules, start=start, end=end
    )
    if out_format == "json":
        text = api.to_json(report)
    else:
        text = fmt.render_table(report, color=stdout_is_terminal(), width=terminal_width())
    write_output(text, None)
