"""split_chunk: a chunk of whole lines split at once gives the csv module's rows, or declines."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exportcheck.readers.csvchunk import split_chunk

LIMIT = 1 << 20


def csv_rows(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False))


@pytest.mark.parametrize(
    "text",
    [
        "a,b,c\nd,e,f\n",
        "a,b,c\r\nd,e,f\r\n",  # CRLF
        "a,b,c\nd,e,f",  # the last line of a file without its line end
        'a,"b,1",c\n"d ""q""",e,f\n',  # quoted cells, a doubled quote
        'a,b"x,c\n',  # a quote inside an unquoted cell is data
        "a,b\\x,c\nd,\x01,f\n",  # backslash and a control character: flagged
        "a,b\tc,d\n",  # a tab is data in a comma file
        "Müller,b,€\n",
    ],
)
def test_same_rows_as_the_csv_module(text: str) -> None:
    width = len(csv_rows(text)[0])
    got = split_chunk(text, ",", width, LIMIT)
    assert got is not None
    rows, dirty = got
    assert rows == csv_rows(text)
    flagged = [i for i, line in enumerate(text.splitlines()) if any(c in line for c in '"\\\x01\t')]
    assert dirty == flagged


@pytest.mark.parametrize(
    "text",
    [
        'a,"b\nc",d\n',  # a quoted cell over two lines
        'a,b,"open\n',  # a quote never closed on its line
        "a,b,c\n\nd,e,f\n",  # a blank line (not a record)
        "a,b,c\n,,\n",  # a row of empty cells (blank: not a record)
        " ,b,c\n",  # a blank first cell: the reader decides
        "a,b\n",  # short
        "a,b,c,d\n",  # long
        "a,b\rc\n",  # a lone CR
        "a,b,\x00\n",  # NUL
        "a,b," + "x" * 50 + "\n",  # a field over the limit
    ],
)
def test_declines_what_needs_the_record_by_record_reader(text: str) -> None:
    assert split_chunk(text, ",", 3, 40) is None


def test_other_delimiters() -> None:
    assert split_chunk("a\tb\nc\td\n", "\t", 2, LIMIT) == ([["a", "b"], ["c", "d"]], [])
    assert split_chunk("a;b\n", ";", 2, LIMIT) == ([["a", "b"]], [])


_cell = st.text(alphabet=st.sampled_from('ab ,"\\\t\x01é'), max_size=6)


@given(st.lists(st.lists(_cell, min_size=3, max_size=3), min_size=1, max_size=8))
def test_rows_written_by_the_csv_module_read_back(rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    text = buf.getvalue()
    got = split_chunk(text, ",", 3, LIMIT)
    expected = csv_rows(text)
    if got is None:
        return  # declined (e.g. a blank first cell): the reader reads it record by record
    assert got[0] == expected == rows
    for i, row in enumerate(got[0]):
        if i not in got[1]:  # not flagged: nothing to escape in JSON
            assert not any(c in "".join(row) for c in '"\\\x01\t')
