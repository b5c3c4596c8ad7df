"""Shared CLI plumbing: one place that maps errors to exit code 2 and writes output."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, ParamSpec, TypeVar

import typer

from exportcheck.errors import InputError
from exportcheck.model.status import Status, parse_fail_on

P = ParamSpec("P")
R = TypeVar("R")

EXIT_OK = 0
EXIT_FLAGGED = 1
EXIT_ERROR = 2

DEBUG_ENV = "EXPORTCHECK_DEBUG"


# Set by the root callback for the current invocation (``--debug``).
STATE: dict[str, bool] = {"debug": False}


# What a finished run may leave for the process's end instead of freeing it object by object
# (a long check's caches: ~0.7 s at 1M lines). Only the console entry point (app.main, which
# ends the process with os._exit) turns this on; in-process callers free as usual.
KEEP_UNTIL_EXIT: list[object] | None = None


def keep_until_exit(obj: object) -> None:
    """Hold ``obj`` until the process ends, when the console entry point runs this command."""
    if KEEP_UNTIL_EXIT is not None:
        KEEP_UNTIL_EXIT.append(obj)


def debug_enabled() -> bool:
    return STATE["debug"] or os.environ.get(DEBUG_ENV, "") not in ("", "0")


def _is_cli_control(exc: BaseException) -> bool:
    """Typer/click exceptions (exit, usage errors) that the framework itself must handle."""
    return type(exc).__module__.split(".")[0] in ("typer", "click")


def fail(message: str) -> typer.Exit:
    typer.echo(f"exportcheck: {message}", err=True)
    return typer.Exit(EXIT_ERROR)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Run a command: InputError → its message on stderr, exit 2; any other exception → a
    one-line message, exit 2 (traceback only with --debug). Never exits 0 on an error."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            if debug_enabled():
                traceback.print_exc()
            raise fail(exc.render()) from None
        except KeyboardInterrupt:
            raise fail("interrupted") from None
        except Exception as exc:
            if _is_cli_control(exc):
                raise
            if debug_enabled():
                traceback.print_exc()
            detail = str(exc).splitlines()[0] if str(exc) else ""
            name = type(exc).__name__
            raise fail(
                f"internal error: {name}{': ' + detail if detail else ''} "
                "(run with --debug for the traceback; please report it)"
            ) from None

    return wrapper


def fail_on_option(value: str) -> Status | None:
    try:
        return parse_fail_on(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def gate(worst: Status, fail_on: Status | None) -> int:
    """Exit code for the contract's gate."""
    if fail_on is not None and worst.severity >= fail_on.severity:
        return EXIT_FLAGGED
    return EXIT_OK


def write_output(text: str, output: Path | None) -> None:
    """Write to ``output`` or stdout (machine formats are never mixed with log text)."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    with output_file(output) as raw:
        raw.write(text.encode("utf-8"))


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def output_file(output: Path) -> Iterator[BinaryIO]:
    """A new file that becomes ``output`` only once everything was written (a run that fails
    half-way leaves ``output`` as it was). Every output file gets the same permissions, those
    of a file made by ``open`` (0666 less the umask), whatever the format. The folder must
    exist: ``-o`` into a missing folder is an error (exit 2), never a folder made silently."""
    folder = output.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise InputError(
            f"cannot write output: the folder '{folder}' {what}",
            file=str(output),
            hint="create the folder first",
        )
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{output.name}.", dir=folder)
        os.fchmod(fd, 0o666 & ~_umask())
    except OSError as exc:
        raise InputError(f"cannot write output: {exc.strerror}", file=str(output)) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as raw:
            yield raw
        tmp.replace(output)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"cannot write output: {exc.strerror}", file=str(output)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty() and os.environ.get("NO_COLOR") is None
    except (AttributeError, ValueError):
        return False


def terminal_width(default: int = 120) -> int:
    try:
        cols = os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, AttributeError, ValueError):
        env = os.environ.get("COLUMNS", "")
        cols = int(env) if env.isdigit() else default
    return max(80, cols)


def split_csv_option(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out
