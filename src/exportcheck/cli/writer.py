"""Writing a long stream of text to a file from a thread of its own.

A million-line JSON Lines report is about a gigabyte. Writing it costs the kernel about as
much as a third of merely reading the manifest, and a write releases the GIL: with the
writing done by a second thread, that time overlaps with judging the next lines on the other
core. Memory stays bounded (at most ``depth`` blocks wait to be written).
"""

from __future__ import annotations

import os
import queue
import threading
from typing import BinaryIO


class BackgroundWriter:
    """A text sink: :meth:`write` encodes the text at once and hands the bytes to a writer
    thread. :meth:`close` waits until everything is written and raises the first error the
    thread met (an :class:`OSError`, e.g. a full disk); :meth:`abort` stops it without
    raising, for a run that failed anyway. Line ends are written as the platform's, as a
    text file would."""

    def __init__(self, raw: BinaryIO, *, encoding: str = "utf-8", depth: int = 2) -> None:
        self._raw = raw
        self._encoding = encoding
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="exportcheck-writer", daemon=True)
        self._thread.start()

    def write(self, text: str) -> int:
        if self._error is not None:
            raise self._error
        if os.linesep != "\n":  # pragma: no cover - not POSIX
            text = text.replace("\n", os.linesep)
        self._queue.put(text.encode(self._encoding))
        return len(text)

    def _run(self) -> None:
        while True:
            data = self._queue.get()
            if data is None:
                return
            if self._error is None:
                try:
                    self._raw.write(data)
                except BaseException as exc:  # handed to the caller by write() or close()
                    self._error = exc

    def close(self) -> None:
        """Write what is waiting, flush, and raise the writer thread's error, if any."""
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error
        self._raw.flush()

    def abort(self) -> None:
        """Stop the writer thread (what was written stays; the caller discards it)."""
        if self._thread.is_alive():
            self._error = self._error or RuntimeError("aborted")
            self._queue.put(None)
            self._thread.join()
