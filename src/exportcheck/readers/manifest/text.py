"""The physical lines of a text file, decoded (:class:`TextLines`): one at a time, or a chunk
at a time for the CSV reader."""

from __future__ import annotations

import bisect
import contextlib
import io
import itertools
import re
import sys
from collections.abc import Generator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import overload

from exportcheck.errors import InputError
from exportcheck.readers.manifest.values import ReadStats
from exportcheck.readers.yamlsafe import NUL_HINT, detect_bom

MAX_LINE_BYTES = 16 * 1024 * 1024  # one physical line; longer → InputError
CSV_CHUNK_BYTES = 1 << 16  # bytes read at once by TextLines.chunked (then up to the next \n)


def _lone_cr_first(raw: bytes) -> bool:
    """True if the first line ending in ``raw`` is a CR alone (not followed by LF)."""
    cr = raw.find(b"\r")
    return cr >= 0 and raw.find(b"\n", 0, cr + 2) < 0  # no LF before it, nor right after


_NOT_ASCII = re.compile("[^\x00-\x7f]")


class _ChunkLines(Sequence[str]):
    """The lines of a chunk decoded whole, with their endings (split at LF only), split only
    when first asked for: a chunk that :func:`split_chunk` splits into rows never needs them.
    ``size`` is their number, known at once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.size = text.count("\n") + (not text.endswith("\n"))
        self._lines: list[str] | None = None

    def _split(self) -> list[str]:
        if self._lines is None:
            self._lines = io.StringIO(self.text, newline="\n").readlines()
        return self._lines

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        return self._split()[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self._split())


class TextLines:
    """The physical lines of a text file, decoded, with their endings (``\\r\\n``, ``\\n`` or a
    lone ``\\r``). ``number`` is the 1-based number of the last line produced (when iterated
    line by line; see :meth:`chunked` for the other way).

    Encoding: a BOM decides (UTF-8, UTF-16, UTF-32). Without one, ASCII lines are read as they
    are; the first line with other bytes decides between UTF-8 and, if ``allow_cp1252`` and the
    line is not valid UTF-8, Windows-1252 (with a notice in ``stats``). A later line that does not
    fit the decided encoding, a NUL character on line 1 or a line over ``MAX_LINE_BYTES`` is an
    :class:`InputError` naming the line.
    """

    def __init__(
        self, path: Path, name: str, stats: ReadStats, *, allow_cp1252: bool = False
    ) -> None:
        self.path = path
        self.name = name
        self.stats = stats
        self.allow_cp1252 = allow_cp1252
        self.number = 0
        self.last = ""
        self.eof = False  # the end of the file has been reached
        self._cr_ends_lines: bool | None = None
        self._decided: str | None = None  # "utf-8" or "cp1252" once a non-ASCII line was seen
        self._decided_on = 0
        # Chunked reading (see chunked): the current chunk's lines so far, the number of its
        # first line, and its text when it was decoded whole (None when line by line).
        self._lines: Sequence[str] | None = None
        self._text: str | None = None
        self._next = 1  # the number of the first line of the next chunk
        self.chunk_first = 0
        self._per_line_mode = False

    def _open(self) -> io.BufferedReader:
        try:
            return self.path.open("rb")
        except OSError as exc:
            raise InputError(f"cannot read file: {exc.strerror}", file=self.name) from None

    def _start(self, fh: io.BufferedReader) -> tuple[str | None, int]:
        """Detects the BOM, skips it and records the encoding: (BOM encoding or None, skip)."""
        encoding, skip = detect_bom(fh.read(4))
        fh.seek(skip)
        self.stats.encoding = encoding or "utf-8"
        return encoding, skip

    def __iter__(self) -> Iterator[str]:
        with self._open() as fh:
            encoding, _ = self._start(fh)
            yield from self._per_line(fh, encoding)

    def chunked(self, chunk_bytes: int | None = None) -> Iterator[str]:
        """The same lines as iterating, read ``chunk_bytes`` (default ``CSV_CHUNK_BYTES``) at a
        time and split in C: the same text, the same errors at the same lines, ``eof`` set when
        the lines run out. ``number`` and ``last`` are not kept: the caller counts the lines it
        pulls and asks :meth:`line` for the text of the last one.

        Only a lone CR never ends a line in this mode (a chunk is split at LF only), so a file
        whose first line ends in a lone CR (old Mac), and UTF-16/UTF-32 files, are read line by
        line as by iterating. So is a chunk that is not ASCII or UTF-8 as a whole (e.g. cp1252),
        or that is long enough to hold a line over ``MAX_LINE_BYTES``: its lines are decoded and
        checked one at a time, when they are pulled, exactly as by iterating.
        """
        return itertools.chain.from_iterable(self.chunks(chunk_bytes))

    def chunks(self, chunk_bytes: int | None = None) -> Iterator[Iterable[str]]:
        """The lines of :meth:`chunked`, a chunk at a time (an iterable of its lines). After a
        chunk is pulled, :meth:`whole_chunk` tells whether it was decoded whole, and
        :attr:`pulled` is the number of its last line."""
        return self._chunks(chunk_bytes or CSV_CHUNK_BYTES)

    @property
    def pulled(self) -> int | None:
        """The number of the last line of the chunks pulled so far; None when the file is read
        line by line (see :meth:`chunked`), each line a chunk of its own."""
        return None if self._per_line_mode else self._next - 1

    def whole_chunk(self, part: Iterable[str]) -> tuple[str, int] | None:
        """For ``part``, the chunk last pulled from :meth:`chunks`: its text and the number of
        its first line when it was decoded whole (as one ASCII or UTF-8 text); else None."""
        if part is not self._lines or self._text is None:
            return None
        return self._text, self.chunk_first

    def line(self, number: int) -> str:
        """The text of line ``number``, which must be the last line pulled."""
        if self._lines is None:
            return self.last
        return self._lines[number - self.chunk_first]

    def _chunks(self, size: int) -> Iterator[Iterable[str]]:
        with self._open() as fh:
            encoding, skip = self._start(fh)
            raw = b""
            per_line = encoding not in (None, "utf-8-sig")
            if not per_line:
                raw = self._read_chunk(fh, size)
                per_line = _lone_cr_first(raw)
                if per_line:
                    fh.seek(skip)
            if per_line:
                self._per_line_mode = True
                with contextlib.closing(self._per_line(fh, encoding)) as lines:
                    for text in lines:
                        yield (text,)
                return
            while raw:
                yield self._chunk(raw)
                raw = self._read_chunk(fh, size)
            self.eof = True

    @staticmethod
    def _read_chunk(fh: io.BufferedReader, size: int) -> bytes:
        """About ``size`` bytes, up to the end of a line (or of the file); the line that
        completes the chunk is read with a limit (a longer one is refused anyway)."""
        raw = fh.read(size)
        if raw and not raw.endswith(b"\n"):
            raw += fh.readline(MAX_LINE_BYTES + 1)
        return raw

    def _chunk(self, raw: bytes) -> Iterable[str]:
        """The lines of one chunk: all at once when it decodes as a whole, else one by one."""
        first = self._next
        self.chunk_first = first
        self._text = None
        text: str | None = None
        ascii_only = raw.isascii()
        if len(raw) <= MAX_LINE_BYTES:  # then so is each of its lines
            if ascii_only:
                text = raw.decode("ascii")
            elif self._decided != "cp1252":
                with contextlib.suppress(UnicodeDecodeError):
                    text = raw.decode("utf-8")
        if text is None:
            parts = io.BytesIO(raw).readlines()
            self._next += len(parts)
            self._lines = []
            return self._one_by_one(parts, first, self._lines)
        lines = _ChunkLines(text)
        self._next += lines.size
        if not ascii_only and self._decided is None:
            wide = _NOT_ASCII.search(text)
            assert wide is not None  # the raw bytes were not all ASCII
            self._decided, self._decided_on = "utf-8", first + text.count("\n", 0, wide.start())
        if first == 1:
            self._check_nul(text[: text.find("\n") + 1 or len(text)], 1)
        self._lines = lines
        self._text = text
        return lines

    def clean_lines(self, chars: str) -> tuple[int, set[int]]:
        """The number after the current chunk's last line, and the numbers of its lines known
        to hold none of ``chars``: none if the chunk was decoded line by line, or if more than
        an eighth of its lines hold one (they are not looked for one by one then, so the cost
        per line stays small). When the file is read line by line (no chunks): a number past
        every line, and none."""
        if self._lines is None:
            return sys.maxsize, set()
        first, end = self.chunk_first, self._next
        dirty = self._lines_with(chars)
        if dirty is None:
            return end, set()
        return end, set(range(first, end)).difference(dirty)

    def _lines_with(self, chars: str) -> set[int] | None:
        """The numbers of the current chunk's lines that hold any of ``chars``, or None (see
        :meth:`clean_lines`)."""
        text, lines = self._text, self._lines
        if text is None or lines is None:
            return None
        present = [ch for ch in chars if ch in text]  # each a memchr over the chunk
        found: set[int] = set()
        if not present:
            return found
        limit = len(lines) // 8 + 16
        ends = list(itertools.accumulate(map(len, lines)))  # where each line's text ends
        for ch in present:
            pos = text.find(ch)
            while pos >= 0:
                index = bisect.bisect_right(ends, pos)  # the line holding position pos
                found.add(self.chunk_first + index)
                if len(found) > limit:
                    return None
                pos = text.find(ch, ends[index])  # from the next line on
        return found

    def _one_by_one(self, parts: list[bytes], first: int, done: list[str]) -> Iterator[str]:
        """A chunk's lines decoded and checked one at a time, as :meth:`_per_line` does."""
        for number, raw in enumerate(parts, start=first):
            if len(raw) > MAX_LINE_BYTES:
                raise self._too_long(number)
            text = self._decode(raw, number)
            if number == 1:
                self._check_nul(text, 1)
            done.append(text)
            yield text

    def _too_long(self, number: int) -> InputError:
        return InputError(
            f"line is longer than {MAX_LINE_BYTES:,} characters; not a manifest?",
            file=self.name,
            line=number,
            hint="split the file, or check that it is the file you meant",
        )

    def _check_nul(self, text: str, number: int) -> None:
        # A NUL in the first line: UTF-16 without a BOM, or a binary file. (Later NULs are
        # carried as data: the csv module and our outputs handle them.)
        nul = text.find("\x00")
        if nul >= 0:
            raise InputError(
                "contains a NUL character",
                file=self.name,
                line=number,
                column=nul + 1,
                hint=NUL_HINT,
            )

    def _per_line(self, fh: io.BufferedReader, encoding: str | None) -> Generator[str, None, None]:
        wide = encoding not in (None, "utf-8-sig")
        # latin-1 maps bytes 1:1, so this only splits lines (universal newlines, endings
        # kept); each line is then decoded from its original bytes.
        stream = io.TextIOWrapper(
            fh,
            encoding=encoding if wide else "latin-1",
            newline="",
        )
        try:
            while True:
                try:
                    line = self._readline(stream)
                except UnicodeDecodeError as exc:
                    raise InputError(
                        f"not valid {str(encoding).upper()} ({exc.reason}) at or after this line",
                        file=self.name,
                        line=self.number + 1,
                        hint="save the file as UTF-8",
                    ) from None
                if not line:
                    self.eof = True
                    return
                number = self.number + 1
                if len(line) > MAX_LINE_BYTES:
                    raise self._too_long(number)
                text = line if wide else self._decode(line.encode("latin-1"), number)
                if number == 1:
                    self._check_nul(text, number)
                self.number = number
                self.last = text
                yield text
        finally:
            stream.detach()

    def _readline(self, stream: io.TextIOWrapper) -> str:
        """One line. The first line ending decides what a lone CR is: a line ending in a file
        that uses CR alone (old Mac), otherwise part of the line (the CSV parser then reports a
        CR inside an unquoted value on that line, rather than splitting the row in two)."""
        line = stream.readline(MAX_LINE_BYTES + 1)
        if self._cr_ends_lines is None and line.endswith(("\r", "\n")):
            self._cr_ends_lines = line.endswith("\r")
        while self._cr_ends_lines is False and line.endswith("\r") and len(line) <= MAX_LINE_BYTES:
            more = stream.readline(MAX_LINE_BYTES + 1)
            if not more:
                break
            line += more
        return line

    def _bad(self, raw: bytes, exc: UnicodeDecodeError, number: int, message: str) -> InputError:
        return InputError(
            f"{message} (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})",
            file=self.name,
            line=number,
            column=exc.start + 1,
            hint="save the file as UTF-8",
        )

    def _decode(self, raw: bytes, number: int) -> str:
        if raw.isascii():
            return raw.decode("ascii")
        if self._decided == "cp1252":
            with contextlib.suppress(UnicodeDecodeError):
                raw.decode("utf-8")
                raise InputError(
                    f"this line is UTF-8 but line {self._decided_on} was not, so the file was "
                    "being read as Windows-1252 (cp1252): it mixes encodings",
                    file=self.name,
                    line=number,
                    hint="save the whole file as UTF-8",
                )
            try:
                return raw.decode("cp1252")
            except UnicodeDecodeError as exc:
                raise self._bad(raw, exc, number, "not valid Windows-1252 (cp1252)") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            if self._decided == "utf-8":
                raise self._bad(
                    raw,
                    exc,
                    number,
                    f"not valid UTF-8, although line {self._decided_on} was (mixed encodings?)",
                ) from None
            if not self.allow_cp1252:
                raise self._bad(raw, exc, number, "not valid UTF-8") from None
            try:
                text = raw.decode("cp1252")
            except UnicodeDecodeError:
                raise self._bad(raw, exc, number, "neither UTF-8 nor Windows-1252") from None
            self._decided, self._decided_on = "cp1252", number
            self.stats.encoding = "cp1252"
            self.stats.notices.append(
                f"{self.name}: line {number} is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at "
                f"column {exc.start + 1}), so the file was read as Windows-1252 (cp1252); check "
                "accented names in the report, or save the file as UTF-8"
            )
            return text
        if self._decided is None:
            self._decided, self._decided_on = "utf-8", number
        return text
