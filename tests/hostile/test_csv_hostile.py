"""Hostile CSV manifests: encodings, delimiters, line endings, malformed rows, huge fields.

Every case asserts the exact outcome: the lines produced (and that ``ReadStats.records`` equals
their number), or the InputError with its line and column.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from exportcheck.errors import InputError
from exportcheck.model.manifest import ManifestLine
from exportcheck.readers.manifest import MAX_FIELD_CHARS, ReadStats, csvread, iter_manifest
from exportcheck.readers.manifest import text as manifest_text

HEADER = "part_number,destination,consignee\n"


def write(tmp_path: Path, content: bytes, name: str = "m.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def read(path: Path) -> tuple[list[ManifestLine], ReadStats]:
    stats = ReadStats()
    lines = list(iter_manifest(path, stats=stats))
    assert stats.records == len(lines)  # every record the parser produced became one line
    assert [ln.index for ln in lines] == list(range(1, len(lines) + 1))
    return lines, stats


def refused(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        list(iter_manifest(path))
    assert info.value.file == str(path)
    return info.value


def summary(lines: list[ManifestLine]) -> list[tuple[str | None, str | None, object, int | None]]:
    return [
        (ln.item.part_number, ln.destination, ln.fields.get("consignee"), ln.source_line)
        for ln in lines
    ]


def problems(line: ManifestLine) -> list[tuple[str, str]]:
    return [(p.field, p.message) for p in line.problems]


# --- encodings -------------------------------------------------------------------------------

TEXT = HEADER + "A,DE,Müller GmbH\nB,FR,Café €\n"
EXPECTED = [("A", "DE", "Müller GmbH", 2), ("B", "FR", "Café €", 3)]


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
        (b"\xff\xfe" + TEXT.encode("utf-16-le"), "utf-16-le"),
        (b"\xfe\xff" + TEXT.encode("utf-16-be"), "utf-16-be"),
        (b"\xff\xfe\x00\x00" + TEXT.encode("utf-32-le"), "utf-32-le"),
        (TEXT.replace("\n", "\r\n").encode("utf-16"), "utf-16-le"),
    ],
)
def test_unicode_encodings_are_read_exactly(tmp_path: Path, raw: bytes, encoding: str) -> None:
    lines, stats = read(write(tmp_path, raw))
    assert summary(lines) == EXPECTED
    assert all(ln.problems == () for ln in lines)
    assert (stats.encoding, stats.notices, stats.format) == (encoding, [], "csv")
    assert list(lines[0].fields) == ["part_number", "destination", "consignee"]


def test_cp1252_is_decoded_with_a_notice(tmp_path: Path) -> None:
    path = write(
        tmp_path, (HEADER + "X,CN,plain\n" + "A,DE,Müller GmbH\nB,FR,Café €\n").encode("cp1252")
    )
    lines, stats = read(path)
    assert summary(lines)[1:] == [("A", "DE", "Müller GmbH", 3), ("B", "FR", "Café €", 4)]
    assert stats.encoding == "cp1252"
    assert stats.notices == [
        f"{path}: line 3 is not valid UTF-8 (byte 0xfc at column 7), so the file was read as "
        "Windows-1252 (cp1252); check accented names in the report, or save the file as UTF-8"
    ]


def test_byte_undefined_in_cp1252_is_refused(tmp_path: Path) -> None:
    err = refused(write(tmp_path, (HEADER + "A,DE,x\n").encode() + b"B,FR,\x81\n"))
    assert err.message == "neither UTF-8 nor Windows-1252 (byte 0x81 at column 6)"
    assert (err.line, err.column, err.hint) == (3, 6, "save the file as UTF-8")


def test_utf8_then_cp1252_is_refused_not_mojibake(tmp_path: Path) -> None:
    raw = (HEADER + "A,DE,Müller\n").encode() + "B,FR,Café\n".encode("cp1252")
    err = refused(write(tmp_path, raw))
    assert err.message == (
        "not valid UTF-8, although line 2 was (mixed encodings?) (byte 0xe9 at column 9)"
    )
    assert (err.line, err.column) == (3, 9)


def test_cp1252_then_utf8_is_refused_not_mojibake(tmp_path: Path) -> None:
    raw = (HEADER + "A,DE,Müller\n").encode("cp1252") + "B,FR,Café\n".encode()
    err = refused(write(tmp_path, raw))
    assert err.message == (
        "this line is UTF-8 but line 2 was not, so the file was being read as Windows-1252 "
        "(cp1252): it mixes encodings"
    )
    assert (err.line, err.hint) == (3, "save the whole file as UTF-8")


def test_utf16_without_bom_is_refused_with_a_hint(tmp_path: Path) -> None:
    err = refused(write(tmp_path, TEXT.encode("utf-16-le")))
    assert err.message == "contains a NUL character"
    assert (err.line, err.column) == (1, 2)
    assert err.hint is not None and "UTF-16 without a byte-order mark" in err.hint


def test_truncated_utf16_is_refused(tmp_path: Path) -> None:
    err = refused(write(tmp_path, b"\xff\xfe" + TEXT.encode("utf-16-le") + b"A"))
    assert err.message.startswith("not valid UTF-16-LE (truncated data)")


def test_binary_garbage_is_refused(tmp_path: Path) -> None:
    err = refused(write(tmp_path, bytes(range(256)) * 4))
    assert err.message == "contains a NUL character"
    assert (err.line, err.column) == (1, 1)


def test_nul_inside_a_data_cell_is_carried(tmp_path: Path) -> None:
    lines, _ = read(write(tmp_path, (HEADER + "A,DE,x\x00y\n").encode()))
    assert summary(lines) == [("A", "DE", "x\x00y", 2)]


# --- delimiters and line endings ----------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    other = {",": ";", ";": ",", "\t": ","}[delimiter]
    text = (
        delimiter.join(["part_number", "destination", '"a' + other + 'b"'])
        + "\n"
        + delimiter.join(["A", "DE", f"x{other}y"])
        + "\n"
    )
    lines, _ = read(write(tmp_path, text.encode()))
    assert [ln.fields for ln in lines] == [
        {"part_number": "A", "destination": "DE", f"a{other}b": f"x{other}y"}
    ]


@pytest.mark.parametrize(("eol", "name"), [("\r\n", "crlf"), ("\r", "cr"), ("\n", "lf")])
def test_line_endings(tmp_path: Path, eol: str, name: str) -> None:
    text = eol.join(["part_number,destination,consignee", "A,DE,x", "B,FR,y", ""])
    lines, _ = read(write(tmp_path, text.encode(), f"{name}.csv"))
    assert summary(lines) == [("A", "DE", "x", 2), ("B", "FR", "y", 3)]


def test_lone_cr_is_a_line_ending_only_in_a_cr_file(tmp_path: Path) -> None:
    # The first line ending is CRLF, so a lone CR later is inside a value: that row is one
    # review line (not split in two), and the rows after it keep their numbers.
    raw = b"part_number,destination\r\nA,DE\rB,FR\nC,IT\r\n"
    lines, _ = read(write(tmp_path, raw))
    assert [(ln.item.part_number, ln.source_line) for ln in lines] == [(None, 2), ("C", 3)]
    assert problems(lines[0]) == [
        ("line", "a carriage return (CR) inside an unquoted value; quote the value")
    ]
    # A CR-only file: every CR ends a line, and a CRLF or LF later does too.
    lines, _ = read(write(tmp_path, b"part_number,destination\rA,DE\rB,FR\r\nC,IT\n"))
    assert [(ln.item.part_number, ln.source_line) for ln in lines] == [
        ("A", 2),
        ("B", 3),
        ("C", 4),
    ]


def test_quoted_newlines_of_every_kind(tmp_path: Path) -> None:
    raw = b'part_number,destination,consignee\r\nA,DE,"one\r\ntwo"\r\nB,FR,"x\ry\nz"\r\nC,IT,ok\r\n'
    lines, _ = read(write(tmp_path, raw))
    assert summary(lines) == [
        ("A", "DE", "one\r\ntwo", 2),
        ("B", "FR", "x\ry\nz", 4),
        ("C", "IT", "ok", 6),
    ]


def test_blank_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    raw = b"\n\r\n  \npart_number,destination\n\nA,DE\n   \n,\n\t,  \nB,FR\n\n"
    lines, stats = read(write(tmp_path, raw))
    assert [(ln.item.part_number, ln.source_line) for ln in lines] == [("A", 6), ("B", 10)]
    assert stats.blank_skipped == 5  # after the header: "", "   ", ",", "\t,  ", ""


def test_only_blank_lines_is_refused(tmp_path: Path) -> None:
    err = refused(write(tmp_path, b"\n \r\n\t\n"))
    assert err.message == "file is empty: expected a header row"


def test_header_only_gives_no_lines(tmp_path: Path) -> None:
    lines, stats = read(write(tmp_path, HEADER.encode()))
    assert (lines, stats.records) == ([], 0)


# --- headers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "message", "column"),
    [
        (
            "part_number,destination,destination",
            "duplicate column 'destination': 'destination' (column 2) and 'destination' "
            "(column 3) are the same after normalising names",
            3,
        ),
        (
            "Part Number,destination,part-number",
            "duplicate column 'part_number': 'Part Number' (column 1) and 'part-number' "
            "(column 3) are the same after normalising names",
            3,
        ),
        (
            "part_number,,destination,column_2",
            "duplicate column 'column_2': '' (column 2) and 'column_2' (column 4) are the same "
            "after normalising names",
            4,
        ),
    ],
)
def test_duplicate_headers_are_refused(
    tmp_path: Path, header: str, message: str, column: int
) -> None:
    err = refused(write(tmp_path, f"\n{header}\nA,DE,x,y\n".encode()))
    assert err.message == message
    assert (err.line, err.column) == (2, column)


def test_missing_required_column_is_refused(tmp_path: Path) -> None:
    err = refused(write(tmp_path, b"part_number;country\nA;DE\n"))
    assert err.message == (
        "missing required column 'destination' in the header row "
        "(columns found: 'part_number', 'country'); nearest: 'country'"
    )
    assert (err.line, err.field) == (1, "destination")


# --- malformed rows: each becomes one review line ------------------------------------------------


def test_wrong_field_counts_become_review_lines(tmp_path: Path) -> None:
    rows = ["A,DE,x", "B,FR", "C,IT,y,extra,more", "D", "E,ES,z"]
    lines, _ = read(write(tmp_path, (HEADER + "\n".join(rows) + "\n").encode()))
    assert len(lines) == len(rows)
    assert [problems(ln) for ln in lines] == [
        [],
        [("columns", "row has 2 fields, header has 3")],
        [("columns", "row has 5 fields, header has 3")],
        [
            ("columns", "row has 1 fields, header has 3"),
            ("destination", "missing destination country"),
        ],
        [],
    ]
    assert [ln.source_line for ln in lines] == [2, 3, 4, 5, 6]


def test_stray_quote_in_an_unquoted_field_is_literal(tmp_path: Path) -> None:
    lines, _ = read(write(tmp_path, (HEADER + 'A,DE,5" drive\nB,FR,x\n').encode()))
    assert summary(lines) == [("A", "DE", '5" drive', 2), ("B", "FR", "x", 3)]


def test_unclosed_quote_on_the_last_line_is_a_review_line(tmp_path: Path) -> None:
    lines, _ = read(write(tmp_path, (HEADER + 'A,DE,x\nB,FR,"open').encode()))
    assert summary(lines) == [("A", "DE", "x", 2), ("B", "FR", "open", 3)]
    assert problems(lines[1]) == [("line", "a quoted field is never closed (missing quote)")]


def test_unclosed_quote_swallowing_later_lines_is_refused(tmp_path: Path) -> None:
    err = refused(write(tmp_path, (HEADER + 'A,DE,x\nB,FR,"open\nC,IT,y\nD,ES,z\n').encode()))
    assert err.message == (
        "a quoted field on this line is never closed: lines 4 to 5 would be read as part of its "
        "value"
    )
    assert (err.line, err.hint) == (3, "add the closing quote")


def test_unclosed_quote_in_the_header_is_refused(tmp_path: Path) -> None:
    err = refused(write(tmp_path, b'"part_number,destination\nA,DE\n'))
    assert err.message == (
        "the header row has a quote that is never closed: the whole file would be one row"
    )
    assert err.line == 1


# --- absurdly long fields and lines --------------------------------------------------------------


def test_field_over_the_limit_makes_its_line_review(tmp_path: Path) -> None:
    huge = "x" * (MAX_FIELD_CHARS + 10)
    raw = (HEADER + f"A,DE,{huge}\n" + f'B,FR,"{huge}"\n' + "C,IT,ok\n").encode()
    lines, _ = read(write(tmp_path, raw))
    assert csv.field_size_limit() == MAX_FIELD_CHARS
    assert [(ln.item.part_number, ln.destination, ln.source_line) for ln in lines] == [
        ("A", "DE", 2),
        ("B", "FR", 3),
        ("C", "IT", 4),
    ]
    cut = "x" * 80 + f"… [cut: {MAX_FIELD_CHARS + 10:,} characters]"
    for line in lines[:2]:
        assert line.fields["consignee"] == cut
        assert problems(line) == [
            (
                "consignee",
                f"value is {MAX_FIELD_CHARS + 10:,} characters, over the "
                f"{MAX_FIELD_CHARS:,}-character limit for one field (cut in the report)",
            )
        ]
    assert problems(lines[2]) == []


def test_long_field_beyond_the_header(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(csvread, "MAX_FIELD_CHARS", 50)
    raw = (HEADER + "A,DE,x," + "y" * 60 + "\nB,FR,z\n").encode()
    lines, _ = read(write(tmp_path, raw))
    assert [problems(ln) for ln in lines] == [
        [
            (
                "field 4",
                "value is 60 characters, over the 50-character limit for one field "
                "(cut in the report)",
            ),
            ("columns", "row has 4 fields, header has 3"),
        ],
        [],
    ]
    assert lines[0].fields == {"part_number": "A", "destination": "DE", "consignee": "x"}


def test_long_quoted_field_spanning_lines_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(csvread, "MAX_FIELD_CHARS", 50)
    raw = (HEADER + 'A,DE,"' + "y\n" * 40 + '"\nB,FR,z\n').encode()
    err = refused(write(tmp_path, raw))
    assert err.message.startswith(
        "a quoted field starting on or after line 2 runs past the 50-character limit"
    )
    assert (err.line, err.hint) == (2, "is a closing quote missing?")


def test_long_header_field_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(csvread, "MAX_FIELD_CHARS", 50)
    err = refused(write(tmp_path, ("part_number,destination," + "h" * 60 + "\nA,DE,x\n").encode()))
    assert err.message == "cannot parse the CSV header: field larger than field limit (50)"
    assert err.line == 1


def test_line_over_the_line_limit_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(manifest_text, "MAX_LINE_BYTES", 100)
    err = refused(write(tmp_path, (HEADER + "A,DE,x\n" + "B," * 80 + "\n").encode()))
    assert err.message == "line is longer than 100 characters; not a manifest?"
    assert err.line == 3


def test_long_lines_within_limits_are_fine(tmp_path: Path) -> None:
    many = ",".join(f"c{i}" for i in range(5000))
    raw = f"part_number,destination,{many}\nA,DE,{many}\n".encode()
    lines, _ = read(write(tmp_path, raw))
    assert len(lines[0].fields) == 5002 and lines[0].problems == ()
