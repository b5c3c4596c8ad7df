"""``exportcheck history``: the status of one item / destination / party over time, as a
terminal timeline or JSON. A report, not a gate: exit 0 unless the input is bad (2)."""

from __future__ import annotations

from datetime import date as Date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from exportcheck import api
from exportcheck.cli.common import handle_errors, stdout_is_terminal, terminal_width, write_output
from exportcheck.engine.history import default_start, item_history
from exportcheck.engine.screening import ScreeningIndex
from exportcheck.errors import InputError
from exportcheck.model.countries import normalize_country
from exportcheck.model.eccn import normalize_eccn
from exportcheck.model.history import HistoryQuery
from exportcheck.model.manifest import Catalog
from exportcheck.model.params import PARAMS


class HistoryFormat(StrEnum):
    table = "table"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command(
        "history",
        help=(
            "The status of one item (--part, --eccn, --spec), destination and/or party over "
            "time: every change point with its causes, and a timeline. Exit 0 (a report, not a "
            "gate); 2 on bad input."
        ),
    )(history_command)


def parse_specs(specs: list[str] | None) -> dict[str, float]:
    """``--spec tpp=15832`` (repeatable; ``a=1,b=2`` also accepted) → parameters."""
    from exportcheck.readers.manifest import normalize_header, parse_param

    out: dict[str, float] = {}
    for raw in specs or []:
        for part in raw.split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise InputError(
                    f"'{part.strip()}' is not KEY=VALUE (e.g. tpp=15832)", field="--spec"
                )
            key, value = part.split("=", 1)
            name = normalize_header(key)
            if name not in PARAMS:
                raise InputError(
                    f"unknown parameter '{key.strip()}'; known: {', '.join(PARAMS)}",
                    field="--spec",
                )
            try:
                out[name] = parse_param(name, value.strip())
            except ValueError as exc:
                raise InputError(f"{name}: {exc}", field="--spec") from None
    return out


@handle_errors
def history_command(
    part: Annotated[
        str | None,
        typer.Option("--part", help="Part number (looked up in --catalog).", metavar="PART"),
    ] = None,
    eccn: Annotated[
        str | None, typer.Option("--eccn", help="ECCN, e.g. 3A090.a or EAR99.", metavar="ECCN")
    ] = None,
    spec: Annotated[
        list[str] | None,
        typer.Option(
            "--spec",
            help="Technical parameter KEY=VALUE, e.g. tpp=15832 (repeatable).",
            metavar="KEY=VALUE",
        ),
    ] = None,
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
    date_from: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="First day YYYY-MM-DD (default: before the first rule).",
            metavar="YYYY-MM-DD",
        ),
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Last day (default: today).", metavar="YYYY-MM-DD")
    ] = None,
    catalog: Annotated[
        Path | None, typer.Option("--catalog", help="Product master (YAML or CSV).", metavar="FILE")
    ] = None,
    rules: Annotated[
        list[Path] | None,
        typer.Option(
            "--rules",
            help="Rule file or directory (repeatable); default: shipped.",
            metavar="FILE|DIR",
        ),
    ] = None,
    lists: Annotated[
        list[Path] | None,
        typer.Option(
            "--lists",
            help="Restricted-party lists (repeatable); default: shipped.",
            metavar="FILE|DIR",
        ),
    ] = None,
    fmt: Annotated[
        HistoryFormat,
        typer.Option("--format", "-f", help="table | json", case_sensitive=False),
    ] = HistoryFormat.table,
) -> None:
    from exportcheck.readers.catalog import load_catalog

    params = parse_specs(spec)
    code: str | None = None
    if eccn is not None and eccn.strip():
        code = normalize_eccn(eccn)
        if code is None:
            raise InputError(f"'{eccn}' is not an ECCN (e.g. 3A090.a or EAR99)", field="--eccn")
    cc: str | None = None
    if destination is not None and destination.strip():
        cc = normalize_country(destination)
        if cc is None:
            raise InputError(f"unknown country '{destination}'", field="--destination")
    hq: str | None = None
    if party_hq is not None and party_hq.strip():
        hq = normalize_country(party_hq)
        if hq is None:
            raise InputError(f"unknown country '{party_hq}'", field="--party-hq")
    part_number = part.strip() if part and part.strip() else None
    name = party.strip() if party and party.strip() else None
    query = HistoryQuery(
        part_number=part_number, eccn=code, params=params, destination=cc, party=name, party_hq=hq
    )
    if not query.has_item and not query.party:
        raise InputError("give an item (--part, --eccn or --spec) or a --party", field="--part")
    if query.has_item and cc is None:
        raise InputError("an item needs a --destination", field="--destination")
    ruleset, _ = api.load_rules(rules)
    start = api.parse_date(date_from, "--from") if date_from else default_start(ruleset)
    end = api.parse_date(date_to, "--to") if date_to else Date.today()
    if end < start:
        raise InputError(f"--to {end} is before --from {start}", field="--to")
    cat: Catalog | None = None
    if catalog is not None:
        cat, _ = load_catalog(catalog)
    index: ScreeningIndex | None = None
    if name is not None:
        index, _ = api.load_screening(lists)
    report = item_history(query, ruleset, start, end, catalog=cat, screening=index)
    from exportcheck.formats import history as fmt_history

    if fmt is HistoryFormat.json:
        text = fmt_history.render_json(report)
    else:
        text = fmt_history.render(report, color=stdout_is_terminal(), width=terminal_width())
    write_output(text, None)
