"""Progress for long runs: a rich bar on stderr, only when stderr is a terminal.

Nothing is shown for a run that ends within :data:`DELAY_SECONDS`, nor ever when stderr is
not a terminal (a pipe, a file, CI logs), so machine output and logs stay clean.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TypeVar

T = TypeVar("T")

DELAY_SECONDS = 1.0  # show nothing for runs shorter than this
EVERY = 2048  # look at the clock once per this many items


def stderr_is_terminal(stream: IO[str] | None = None) -> bool:
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty()) and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def with_progress(
    items: Iterable[T],
    *,
    total: int | None = None,
    description: str = "checking",
    stream: IO[str] | None = None,
    size: Callable[[T], int] | None = None,
) -> Iterator[T]:
    """Yield ``items`` unchanged; on a terminal, show a progress line (a bar when ``total``,
    the expected number of lines, is known) once the run has taken over
    :data:`DELAY_SECONDS`. The line is removed when the run ends. Each item counts as one
    line, or as ``size(item)`` lines (e.g. a chunk of text)."""
    out = sys.stderr if stream is None else stream
    if not stderr_is_terminal(out):
        yield from items
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    start = time.monotonic()
    progress: Progress | None = None
    task = None
    count = 0
    try:
        for seen, item in enumerate(items, start=1):
            count += 1 if size is None else size(item)
            if size is not None or seen % EVERY == 0:
                elapsed = time.monotonic() - start
                if progress is None and elapsed >= DELAY_SECONDS:
                    progress = Progress(
                        SpinnerColumn(),
                        TextColumn("{task.description}"),
                        BarColumn(),
                        TextColumn("{task.completed:,} lines · {task.fields[rate]}"),
                        TimeElapsedColumn(),
                        console=Console(file=out),
                        transient=True,
                        refresh_per_second=4,
                    )
                    progress.start()
                    task = progress.add_task(description, total=total, rate="")
                if progress is not None and task is not None:
                    rate = f"{count / elapsed:,.0f} lines/s" if elapsed > 0 else ""
                    progress.update(task, completed=count, rate=rate)
            yield item
    finally:
        if progress is not None:
            progress.stop()
