"""The rich Console every text format draws on, the table style of the reports, and the
finish of what was drawn."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table


def text_console(*, color: bool, width: int, markup: bool = False) -> tuple[Console, io.StringIO]:
    """A Console drawing into a new buffer, and the buffer.

    Plain text unless ``color`` (ANSI, 16 colours). Nothing is read from the environment or
    the terminal (``_environ={}``, no Jupyter, no Windows console), so the same call gives
    the same bytes everywhere. ``markup`` turns on rich's ``[bold]…[/bold]`` tags in
    printed strings (and in table cells given as strings); emoji codes and the automatic
    highlighting of numbers and the like stay off.
    """
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        force_jupyter=False,
        force_interactive=False,
        width=width,
        color_system="standard" if color else None,
        no_color=not color,
        legacy_windows=False,
        markup=markup,
        emoji=False,
        highlight=False,
        _environ={},
    )
    return console, buffer


def report_table() -> Table:
    """An empty table in the reports' style: a heavy rule under bold headers, no outer edge."""
    return Table(box=box.SIMPLE_HEAVY, show_edge=False, header_style="bold", pad_edge=False)


def without_trailing_blanks(buffer: io.StringIO) -> str:
    """What was drawn, each line without its trailing spaces and ending in a newline.

    rich pads every cell to its column width; trailing blanks only make diffs noisy.
    """
    return "".join(row.rstrip(" ") + "\n" for row in buffer.getvalue().splitlines())
