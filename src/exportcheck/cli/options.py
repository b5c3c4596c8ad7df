"""Options more than one command takes, declared once (type, flag, help, metavar), and
``--format`` from the format registry."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

import typer

from exportcheck.formats import registry


def format_choices(command: str, *extra: str) -> type[StrEnum]:
    """The ``--format`` choices of ``command`` as the enum Typer lists (its members are the
    format names, equal to plain strings)."""
    names = [*registry.names(command), *extra]
    members = {n: n for n in names}
    choices: type[StrEnum] = StrEnum(f"{command.title()}Format", members)  # type: ignore[misc]
    return choices


def format_option(command: str) -> Any:
    """``--format``/``-f`` with the help the registry gives ``command``."""
    return typer.Option("--format", "-f", help=registry.help_text(command), case_sensitive=False)


if TYPE_CHECKING:  # to the type checker a format is its name
    CheckFormat: TypeAlias = str
    ClassifyFormat: TypeAlias = str
    DiffFormat: TypeAlias = str
    HistoryFormat: TypeAlias = str
    ScreenFormat: TypeAlias = str
    RulesFormat: TypeAlias = str
else:
    CheckFormat = format_choices(registry.CHECK, registry.AUTO)
    ClassifyFormat = format_choices(registry.CLASSIFY)
    DiffFormat = format_choices(registry.DIFF)
    HistoryFormat = format_choices(registry.HISTORY)
    ScreenFormat = format_choices(registry.SCREEN)
    RulesFormat = format_choices(registry.RULES)


RulesOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--rules",
        help="Rule file or directory (repeatable); default: shipped rules.",
        metavar="FILE|DIR",
    ),
]
ListsOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--lists",
        help="Restricted-party list: YAML, CSL CSV or OFAC SDN CSV file, or a directory "
        "(repeatable; merged); default: shipped lists.",
        metavar="FILE|DIR",
    ),
]
CatalogOpt = Annotated[
    Path | None,
    typer.Option(
        "--catalog", help="Product master (YAML or CSV) keyed by part number.", metavar="FILE"
    ),
]
OwnershipOpt = Annotated[
    Path | None,
    typer.Option(
        "--ownership",
        help="Who owns the parties (YAML or CSV: entity, owner, share %, as_of, source; "
        "optional entity_hq_country, owner_hq_country), for the ownership and headquarters "
        "rules.",
        metavar="FILE",
    ),
]
FromOpt = Annotated[
    str | None,
    typer.Option(
        "--from", help="First day YYYY-MM-DD (default: before the first rule).",
        metavar="YYYY-MM-DD",
    ),
]  # fmt: skip
ToOpt = Annotated[
    str | None,
    typer.Option("--to", help="Last day YYYY-MM-DD (default: today).", metavar="YYYY-MM-DD"),
]
SpecOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--spec",
        help="Technical parameter KEY=VALUE, e.g. tpp=15832 (repeatable).",
        metavar="KEY=VALUE",
    ),
]
FailOnOpt = Annotated[
    str,
    typer.Option(
        "--fail-on",
        help="Exit 1 if any line (or name screened) is at or above this status "
        "(allowed, licensed, review, license_required or license-required, prohibited) or "
        "'never'.",
        metavar="STATUS",
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write the report here instead of stdout.", metavar="FILE"),
]
