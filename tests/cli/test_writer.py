"""The background writer of streamed output: order, errors, abort."""

from __future__ import annotations

import io

import pytest

from exportcheck.cli.writer import BackgroundWriter


def test_everything_is_written_in_order() -> None:
    raw = io.BytesIO()
    writer = BackgroundWriter(raw, depth=2)
    parts = [f"line {i} é\n" for i in range(2000)]
    for part in parts:
        writer.write(part)
    writer.close()
    assert raw.getvalue().decode() == "".join(parts)


class _Full(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        raise OSError(28, "No space left on device")


def test_a_write_error_is_raised_by_close_or_a_later_write() -> None:
    writer = BackgroundWriter(_Full())  # type: ignore[arg-type]
    writer.write("x\n")
    with pytest.raises(OSError, match="No space"):
        for _ in range(100):  # a later write may see it first
            writer.write("y\n")
        writer.close()


def test_abort_stops_the_thread() -> None:
    writer = BackgroundWriter(io.BytesIO())
    writer.write("x\n")
    writer.abort()
    assert not writer._thread.is_alive()
