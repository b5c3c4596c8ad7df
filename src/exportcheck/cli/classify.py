"""``exportcheck classify``: how an item's specs classify it over time."""

from __future__ import annotations

from datetime import date as Date
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from exportcheck import api
from exportcheck.cli.common import handle_errors, stdout_is_terminal, terminal_width, write_output
from exportcheck.engine.classify import classification_timeline, derive_specs
from exportcheck.errors import InputError
from exportcheck.formats import classify as fmt
from exportcheck.model.params import parse_spec
from exportcheck.readers.catalog import load_catalog


class ClassifyFormat(StrEnum):
    table = "table"
    json = "json"


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
    spec: Annotated[
        list[str] | None,
        typer.Option(
            "--spec", help="Technical parameter KEY=VALUE (repeatable)", metavar="KEY=VALUE"
        ),
    ] = None,
    category: Annotated[
        str | None,
        typer.Option("--category", help="Item category, e.g. gpu, server, hbm", metavar="CATEGORY"),
    ] = None,
    catalog: Annotated[
        Path | None, typer.Option("--catalog", help="Product master", metavar="FILE")
    ] = None,
    rules: Annotated[
        list[Path] | None,
        typer.Option("--rules", help="Rule file or directory (repeatable)", metavar="FILE|DIR"),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--from", help="First date (default: before the first criteria)", metavar="YYYY-MM-DD"
        ),
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last date (default: today)", metavar="YYYY-MM-DD")
    ] = None,
    out_format: Annotated[
        ClassifyFormat, typer.Option("--format", "-f", case_sensitive=False)
    ] = ClassifyFormat.table,
) -> None:
    params: dict[str, float] = {}
    label = part or "item"
    if part is not None:
        if catalog is None:
            raise InputError(f"to look up part '{part}', give --catalog", field="--catalog")
        cat, _ = load_catalog(catalog)
        entry = cat.get(part)
        if entry is None:
            raise InputError(
                f"part '{part}' is not in the catalog", file=str(catalog), field="part_number"
            )
        params.update(entry.params)
        category = category or entry.category
        label = entry.part_number
    for text in spec or []:
        try:
            name, value = parse_spec(text)
        except ValueError as exc:
            raise InputError(str(exc), field="--spec") from None
        params[name] = value
    if part is None and not spec:
        raise InputError(
            "give a PART (with --catalog) or at least one --spec KEY=VALUE", field="PART"
        )
    ruleset, _ = api.load_rules(rules)
    if not ruleset.classifications:
        raise InputError("the rules loaded contain no classification criteria", field="--rules")
    first = min(v.effective for c in ruleset.classifications.values() for v in c.versions)
    d0 = api.parse_date(start, "--from") if start else first - timedelta(days=1)
    d1 = api.parse_date(end, "--to") if end else Date.today()
    if d1 < d0:
        raise InputError(f"--to {d1} is before --from {d0}", field="--to")
    specs = derive_specs(params)
    segments = classification_timeline(specs, category, ruleset, d0, d1)
    if out_format is ClassifyFormat.json:
        text = fmt.render_json(label, category, specs, d0, d1, segments)
    else:
        text = fmt.render_table(
            label,
            category,
            specs,
            d0,
            d1,
            segments,
            color=stdout_is_terminal(),
            width=terminal_width(),
        )
    write_output(text, None)
