"""``exportcheck lists import FILE... --output PATH``: official list files → our YAML format."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from exportcheck.cli.common import handle_errors, write_output
from exportcheck.errors import InputError
from exportcheck.readers.lists import load_lists, write_yaml_list


def _default_id(output: Path) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", output.stem).strip("-._")
    return stem or "imported-list"


def register(app: typer.Typer) -> None:
    lists_app = typer.Typer(
        help="Restricted-party list files.", no_args_is_help=True, add_completion=False
    )

    @lists_app.command("import")
    @handle_errors
    def import_lists(
        files: Annotated[
            list[Path],
            typer.Argument(
                help="CSL CSV, OFAC SDN CSV (ALT/ADD beside it or named too), YAML.",
                metavar="FILE",
            ),
        ],
        output: Annotated[
            Path, typer.Option("--output", "-o", help="YAML file to write.", metavar="FILE")
        ],
        list_id: Annotated[
            str | None,
            typer.Option("--id", help="List id (default: from the output name).", metavar="ID"),
        ] = None,
        title: Annotated[
            str | None, typer.Option("--title", help="List title.", metavar="TEXT")
        ] = None,
        list_version: Annotated[
            str | None,
            typer.Option(
                "--list-version",
                help="Version of the list data (default: today).",
                metavar="VERSION",
            ),
        ] = None,
    ) -> None:
        """Convert official list files into one YAML party list."""
        loaded = load_lists(files)
        if not loaded.entries:
            raise InputError("no list entries found in the given files", file=str(files[0]))
        lid = list_id or _default_id(output)
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", lid):
            raise InputError(f"invalid list id '{lid}'", field="--id")
        names = ", ".join(sorted({Path(s.path).name for s in loaded.sources}))
        comment = (
            f"Imported by 'exportcheck lists import' from: {names}\n"
            "A converted copy of official data: check the original list before relying on it.\n"
            "Not legal advice.\n"
            + "".join(f"source {s.path} sha256 {s.sha256}\n" for s in loaded.sources)
        )
        text = write_yaml_list(
            loaded.entries,
            list_id=lid,
            title=title or f"Imported: {names}",
            version=list_version or date.today().isoformat(),
            comment=comment.rstrip("\n"),
        )
        write_output(text, output)
        typer.echo(f"wrote {len(loaded.entries)} entries to {output}", err=True)

    app.add_typer(lists_app, name="lists")
