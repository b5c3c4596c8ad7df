"""The Typer application: parses, wires, maps results to exit codes. No logic of its own."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from exportcheck.cli import check, classify, common, diff, history, lists, rules, screen
from exportcheck.cli.common import STATE

app = typer.Typer(
    name="exportcheck",
    help="Date-aware export-control checks for shipment manifests. Not legal advice.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(version_text())
        raise typer.Exit(0)


def version_text() -> str:
    """The program's version, then the shipped rules' and lists' versions and dates (what a
    report's ``sources`` name), so a bug report or an audit note can quote both."""
    from exportcheck import __version__, api

    ruleset, sources = api.load_rules()
    latest = max((v.effective for r in ruleset.rules.values() for v in r.versions), default=None)
    out = [f"exportcheck {__version__}"]
    versions = sorted({s.version or "?" for s in sources})
    dated = f", newest rule version effective {latest.isoformat()}" if latest else ""
    out.append(
        f"rules data {', '.join(versions)} ({len(sources)} files{dated}): "
        + ", ".join(sorted(s.id or s.path for s in sources))
    )
    from exportcheck.readers.lists import load_lists
    from exportcheck.readers.shipped import display_path, shipped_lists_paths

    _, list_sources = load_lists(shipped_lists_paths(), display=display_path)
    for s in list_sources:
        out.append(f"restricted-party list {s.id} {s.version} (shipped subset)")
    return "\n".join(out)


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Print the version, and the shipped rules' and lists' versions, and exit.",
            metavar="",
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks for internal errors.", metavar="")
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
    """Console-script entry point. Once the command has finished, the process ends at once
    (``os._exit`` with the command's exit code, after flushing stdout and stderr) instead of
    freeing every object one by one: for a million-line check that teardown of its caches
    took ~0.7 s, and there is nothing else to clean up (output files are closed and
    temporary files removed by the command itself; nothing registers ``atexit``). The
    command's biggest objects are held till then (:func:`common.keep_until_exit`) rather than
    freed as it returns. An error that escapes the command still ends the usual way, with
    its traceback."""
    common.KEEP_UNTIL_EXIT = []
    try:
        app()
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            sys.stderr.write(f"{exc.code}\n")
            code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # e.g. stdout closed early by `| head`: the output is incomplete
        code = code or 1
    os._exit(code)
