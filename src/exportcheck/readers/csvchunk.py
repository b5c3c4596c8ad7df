"""A whole chunk of CSV text split into rows at once: the fast lane of
:class:`~exportcheck.readers.manifest.CsvRecords`.

Most chunks of a large manifest are plain: every physical line is one record, as wide as the
header, not blank, and most lines hold no quote at all. For such a line the csv module's row
is exactly ``line.split(delimiter)`` (without a quote character, only the delimiter and the
line end mean anything to it), which C does for a whole chunk in one call; the few lines with
a quote are parsed by the csv module one by one. Anything else (a blank or short row, a quote
left open at a line end, a lone CR, a NUL, a parse error, a field over the limit) makes
:func:`split_chunk` decline, and the reader reads that chunk record by record as before,
with all its checks and messages: the rows are the same either way.
"""

from __future__ import annotations

import csv
import itertools
import operator
import re

__all__ = ["RowBatch", "escape_chars", "split_chunk"]

_FIRST = operator.itemgetter(0)


class RowBatch:
    """Consecutive CSV records that are all full-width rows without problems.

    ``rows[i]`` (the csv module's list of cells) is record number ``first_index + i`` and
    starts on physical line ``starts[i]``. ``dirty`` holds, in order, the positions of the rows
    that may have a cell needing escaping in a JSON string; every other row has none (its line
    holds no quote, backslash or control character). ``one_line``: every row is one physical
    line, so no cell holds a line break.
    """

    __slots__ = ("dirty", "first_index", "one_line", "rows", "starts")

    def __init__(
        self,
        rows: list[list[str]],
        first_index: int,
        starts: range | list[int],
        dirty: list[int],
        *,
        one_line: bool = False,
    ) -> None:
        self.rows = rows
        self.first_index = first_index
        self.starts = starts
        self.dirty = dirty
        self.one_line = one_line


def escape_chars(delimiter: str) -> str:
    """The characters a JSON string escapes (json.dumps with ensure_ascii=False) that can be
    inside an unquoted cell: all but the quote, CR and LF (a line end) and, for a
    tab-delimited file, tab. A line holding none of them (nor a quote) has no cell that
    needs escaping."""
    chars = "".join(chr(c) for c in range(32) if c not in (10, 13)) + "\\"
    return chars.replace("\t", "") if delimiter == "\t" else chars


def _escapes(delimiter: str) -> tuple[bytes, re.Pattern[str]]:
    """:func:`escape_chars` as the bytes to delete (to find whether a chunk has any, fast)
    and as a pattern (to find its lines)."""
    chars = escape_chars(delimiter)
    return chars.encode(), re.compile("[" + re.escape(chars) + "]")


_ESCAPES = {d: _escapes(d) for d in (",", ";", "\t", "|")}


def _one_record(line: str, delimiter: str) -> list[str] | None:
    """The csv module's row for one line holding a quote, or None when its record does not
    end on this line (a quote left open) or it cannot be parsed."""
    feed = iter((line + "\n", "\n"))
    reader = csv.reader(feed, delimiter=delimiter, strict=False)
    try:
        row = next(reader)
    except (csv.Error, StopIteration):
        return None
    # The reader never reads ahead of its record: a second line pulled means an open quote.
    return row if reader.line_num == 1 else None


def split_chunk(
    text: str, delimiter: str, width: int, max_field: int
) -> tuple[list[list[str]], list[int]] | None:
    """The rows of a chunk of whole lines, and the positions of the rows that may need JSON
    escaping (see :class:`RowBatch`), when every line of it is one record of ``width`` cells
    whose first cell is not blank; else None (the caller reads the chunk record by record).

    ``text`` is the chunk as decoded (lines end in ``\\n`` or ``\\r\\n``; the last one may have no
    ending at the end of the file); ``max_field`` is the csv module's field size limit."""
    if "\x00" in text:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:  # a lone CR: a line end to the csv module, or an error
            return None
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if not lines or max(map(len, lines)) > max_field:
        return None
    rows = list(map(str.split, lines, itertools.repeat(delimiter)))
    quoted: list[int] = []
    if '"' in text:
        quoted = [i for i, line in enumerate(lines) if '"' in line]
        for i in quoted:
            row = _one_record(lines[i], delimiter)
            if row is None:
                return None
            rows[i] = row
    if min(map(len, rows)) != width or max(map(len, rows)) != width:
        return None
    # A blank first cell may start a blank row (skipped, not a record): the reader decides.
    if not all(map(str.strip, map(_FIRST, rows))):
        return None
    chars, escapes = _ESCAPES.get(delimiter) or _escapes(delimiter)
    data = text.encode()  # each byte below 0x80 is that ASCII character, in UTF-8 too
    if len(data.translate(None, chars)) == len(data):  # none: one C pass, not a regex's
        return rows, quoted
    dirty = [i for i, line in enumerate(lines) if '"' in line or escapes.search(line)]
    return rows, dirty
