"""The Typer application: parses, wires, maps results to exit codes. No logic of its own."""

from __future__ import annotations

from typing import Annotated

import typer

from exportcheck.cli import check, classify, diff, history, lists, rules, screen
from exportcheck.cli.common import STATE

app = typer.Typer(
    name="exportcheck",
    help="Date-aware export-control checks for shipment manifests. Not legal advice.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from exportcheck import __version__

        typer.echo(f"exportcheck {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks for internal errors.")
    ] = False,
) -> None:
    STATE["debug"] = debug


check.register(app)
screen.register(app)
classify.register(app)
diff.register(app)
history.register(app)
rules.register(app)
lists.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
