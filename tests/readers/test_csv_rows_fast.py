"""The chunked CSV reader (:class:`CsvRecords`, :meth:`TextLines.chunked`) against the reader it
replaced, which pulled one physical line at a time (kept below, verbatim but for its names, as
the reference). For every input, at several chunk sizes (tiny ones put chunk boundaries
everywhere), both must give the same records, the same stats and the same error, after the
same records. Raw rows flagged ``clean`` must need no JSON escaping.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from exportcheck.errors import InputError
from exportcheck.model.manifest import LineProblem, ManifestLine, Scalar
from exportcheck.readers import manifest as M
from exportcheck.readers.manifest import CsvRecords, ReadStats, Record
from exportcheck.readers.manifest import csvread as C
from exportcheck.readers.manifest import text as T
from exportcheck.readers.yamlsafe import NUL_HINT, detect_bom

# --- the reference: the reader before chunked reading (one physical line at a time) -----------


class OldTextLines:
    """The physical lines of a text file, decoded, with their endings (``\\r\\n``, ``\\n`` or a
    lone ``\\r``). ``number`` is the 1-based number of the last line produced.

    Encoding: a BOM decides (UTF-8, UTF-16, UTF-32). Without one, ASCII lines are read as they
    are; the first line with other bytes decides between UTF-8 and, if ``allow_cp1252`` and the
    line is not valid UTF-8, Windows-1252 (with a notice in ``stats``). A later line that does not
    fit the decided encoding, a NUL character on line 1 or a line over ``T.MAX_LINE_BYTES`` is an
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

    def __iter__(self) -> Iterator[str]:
        try:
            fh = self.path.open("rb")
        except OSError as exc:
            raise InputError(f"cannot read file: {exc.strerror}", file=self.name) from None
        with fh:
            encoding, skip = detect_bom(fh.read(4))
            fh.seek(skip)
            self.stats.encoding = encoding or "utf-8"
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
                            f"not valid {str(encoding).upper()} ({exc.reason}) at or after this "
                            "line",
                            file=self.name,
                            line=self.number + 1,
                            hint="save the file as UTF-8",
                        ) from None
                    if not line:
                        self.eof = True
                        return
                    number = self.number + 1
                    if len(line) > T.MAX_LINE_BYTES:
                        raise InputError(
                            f"line is longer than {T.MAX_LINE_BYTES:,} characters; not a manifest?",
                            file=self.name,
                            line=number,
                            hint="split the file, or check that it is the file you meant",
                        )
                    text = line if wide else self._decode(line.encode("latin-1"), number)
                    # A NUL in the first line: UTF-16 without a BOM, or a binary file. (Later
                    # NULs are carried as data: the csv module and our outputs handle them.)
                    nul = text.find("\x00") if number == 1 else -1
                    if nul >= 0:
                        raise InputError(
                            "contains a NUL character",
                            file=self.name,
                            line=number,
                            column=nul + 1,
                            hint=NUL_HINT,
                        )
                    self.number = number
                    self.last = text
                    yield text
            finally:
                stream.detach()

    def _readline(self, stream: io.TextIOWrapper) -> str:
        """One line. The first line ending decides what a lone CR is: a line ending in a file
        that uses CR alone (old Mac), otherwise part of the line (the CSV parser then reports a
        CR inside an unquoted value on that line, rather than splitting the row in two)."""
        line = stream.readline(T.MAX_LINE_BYTES + 1)
        if self._cr_ends_lines is None and line.endswith(("\r", "\n")):
            self._cr_ends_lines = line.endswith("\r")
        while (
            self._cr_ends_lines is False and line.endswith("\r") and len(line) <= T.MAX_LINE_BYTES
        ):
            more = stream.readline(T.MAX_LINE_BYTES + 1)
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


def old_csv_records(path: Path, name: str, stats: ReadStats) -> Iterator[Record | ManifestLine]:
    """The CSV rows as :data:`Record` tuples (or a finished line for a row that could not be
    parsed), in order; :func:`build_line` turns a record into a line."""
    csv.field_size_limit(C.MAX_FIELD_CHARS)  # deliberate: the default (128 KiB) is arbitrary
    src = OldTextLines(path, name, stats, allow_cp1252=True)
    lines = iter(src)
    # The header starts on the first non-blank physical line; blank lines before it are
    # skipped. The delimiter is sniffed from that line.
    header_line = ""
    for text in lines:
        if text.strip():
            header_line = text
            break
    if not header_line:
        raise InputError("file is empty: expected a header row", file=name)
    header_number = src.number
    delimiter = M.sniff_delimiter(header_line)
    reader = csv.reader(itertools.chain([header_line], lines), delimiter=delimiter, strict=False)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise InputError(
            f"cannot parse the CSV header: {exc}",
            file=name,
            line=header_number,
            hint="is a closing quote missing?",
        ) from None
    if src.eof and src.number > header_number:
        raise InputError(
            "the header row has a quote that is never closed: the whole file would be one row",
            file=name,
            line=header_number,
            hint="add the closing quote",
        )
    columns = M.header_columns(header, name, header_number)
    M.require_columns(
        columns, name, header_number, "in the header row", [c.strip() for c in header]
    )
    stats.columns = list(columns)
    ncols = len(columns)
    index = 0
    while True:
        start = src.number + 1  # the reader never reads ahead of the record it returns
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            end = src.number
            if "field larger than field limit" not in str(exc):
                if end != start:
                    raise InputError(f"cannot parse CSV: {exc}", file=name, line=end) from None
                # e.g. a carriage return inside an unquoted value: the record is this one
                # line, so report it (unparsed) and go on with the next.
                index += 1
                stats.records += 1
                why = (
                    "a carriage return (CR) inside an unquoted value; quote the value"
                    if "new-line character" in str(exc)
                    else f"cannot parse this CSV line: {exc}"
                )
                yield M.unparsed_line(index, start, "line", why)
                continue
            long_line = (
                M.long_field_line(index + 1, start, src.last, delimiter, columns)
                if end == start
                else None
            )
            if long_line is None:
                raise InputError(
                    f"a quoted field starting on or after line {start} runs past the "
                    f"{C.MAX_FIELD_CHARS:,}-character limit for one field (reading stopped at "
                    f"line {end})",
                    file=name,
                    line=start,
                    hint="is a closing quote missing?",
                ) from None
            index += 1
            stats.records += 1
            yield long_line
            continue
        problems: list[LineProblem] = []
        if src.eof:
            # The csv module returns a record after the end of the file only when a quoted
            # field is still open: every later line would silently become part of one value.
            if src.number > start:
                raise InputError(
                    f"a quoted field on this line is never closed: lines {start + 1} to "
                    f"{src.number} would be read as part of its value",
                    file=name,
                    line=start,
                    hint="add the closing quote",
                )
            problems.append(
                LineProblem(field="line", message="a quoted field is never closed (missing quote)")
            )
        elif not "".join(row).strip():  # every cell blank (strip per cell, joined: the same)
            stats.blank_skipped += 1
            continue  # blank line (or a row of empty cells)
        index += 1
        stats.records += 1
        if len(row) != ncols:
            problems.append(
                LineProblem(
                    field="columns",
                    value=len(row),
                    message=f"row has {len(row)} fields, header has {ncols}",
                )
            )
        fields: dict[str, Scalar] = dict(zip(columns, row, strict=False))
        yield index, start, fields, problems


# --- comparing -----------------------------------------------------------------------------------

NAME = "m.csv"
CHUNKS = (1, 7, 64, 300, None)  # None: the default chunk size
Outcome = tuple[list[object], tuple[object, ...] | None, tuple[object, ...]]


def _error(exc: InputError) -> tuple[object, ...]:
    return (exc.message, exc.file, exc.line, exc.column, exc.field, exc.hint)


def _stats(stats: ReadStats) -> tuple[object, ...]:
    return (stats.records, stats.blank_skipped, stats.encoding, list(stats.notices), stats.columns)


def run_old(path: Path) -> Outcome:
    stats = ReadStats()
    out: list[object] = []
    err = None
    try:
        out.extend(old_csv_records(path, NAME, stats))
    except InputError as exc:
        err = _error(exc)
    return out, err, _stats(stats)


def needs_escape(cell: str) -> bool:
    return json.dumps(cell, ensure_ascii=False) != f'"{cell}"'


def run_new(path: Path, chunk: int | None) -> Outcome:
    """CsvRecords, raw rows turned into records as the old reader gave them; checks ``clean``."""
    stats = ReadStats()
    records = CsvRecords(path, NAME, stats, chunk_bytes=chunk)
    out: list[object] = []
    err = None
    try:
        for rec in records:
            if isinstance(rec, list):
                assert len(rec) == len(records.columns)
                if records.clean:
                    assert not any(needs_escape(cell) for cell in rec), rec
                    assert not any(ch in '"\\' or ord(ch) < 0x20 for ch in "".join(rec)), rec
                out.append(
                    (records.index, records.start, dict(zip(records.columns, rec, strict=True)), [])
                )
            else:
                out.append(rec)
    except InputError as exc:
        err = _error(exc)
    return out, err, _stats(stats)


def assert_same(path: Path, chunks: tuple[int | None, ...] = CHUNKS) -> Outcome:
    expected = run_old(path)
    for chunk in chunks:
        got = run_new(path, chunk)
        assert got[1] == expected[1], f"chunk {chunk}"
        assert got[2] == expected[2], f"chunk {chunk}"
        assert got[0] == expected[0], f"chunk {chunk}"
    return expected


def write(tmp_path: Path, raw: bytes, name: str = NAME) -> Path:
    path = tmp_path / name
    path.write_bytes(raw)
    return path


# --- fixed cases ----------------------------------------------------------------------------------

H = b"part_number,destination,consignee\n"
TEXT = "part_number,destination,consignee\nA,DE,Müller GmbH\nB,FR,Café €\n"

CASES: dict[str, bytes] = {
    "plain": H + b"A,DE,x\nB,FR,y\nC,IT,z\n",
    "crlf": (H + b"A,DE,x\nB,FR,y\n").replace(b"\n", b"\r\n"),
    "no final newline": H + b"A,DE,x\nB,FR,y",
    "quoted newlines": b"part_number,destination,consignee\r\n"
    b'A,DE,"one\r\ntwo"\r\nB,FR,"x\ry\nz"\r\nC,IT,ok\r\n',
    "quoted lone cr": H + b'A,DE,"x\ry"\nB,FR,"\r"\n',
    "lone cr unquoted": b"part_number,destination\r\nA,DE\rB,FR\nC,IT\r\n",
    "lone cr after quote": H + b'A,DE,"x\ny"\rz\nB,FR,w\n',
    "cr file": b"part_number,destination\rA,DE\rB,FR\r\nC,IT\n",
    "cr file utf8": "part_number,destination,consignee\rA,DE,é\rB,FR,ü\r".encode(),
    "ends in lone cr": H + b"A,DE,x\r",
    "ends in cr crlf": H + b"A,DE,x\r\r\n",
    "blank rows": b"\n\r\n  \npart_number,destination\n\nA,DE\n   \n,\n\t,  \nB,FR\n\n",
    "empty cells": H + b",,\n , ,\nA,DE,\n,DE,x\n",
    "short and long rows": H + b"A,DE\nB,FR,x,y\nC\n,\nD,IT,z\n",
    "stray quote": H + b'A,DE,ab"c\nB,FR,"x"y\n',
    "escapes": H + b'A,DE,back\\slash\nB,FR,c\x01d\nC,IT,"q""q"\nD,ES,\x7f\xc2\x85\n',
    "nul in data": H + b"A,DE,x\x00y\n",
    "nul on line 1": b"part_number,destination\x00\nA,DE\n",
    "nul on blank line 1": b" \x00 \npart_number,destination\nA,DE\n",
    "utf8": TEXT.encode(),
    "utf8 bom": b"\xef\xbb\xbf" + TEXT.encode(),
    "utf16le bom": b"\xff\xfe" + TEXT.encode("utf-16-le"),
    "utf16be bom": b"\xfe\xff" + TEXT.encode("utf-16-be"),
    "utf32le bom": b"\xff\xfe\x00\x00" + TEXT.encode("utf-32-le"),
    "utf16 crlf": TEXT.replace("\n", "\r\n").encode("utf-16"),
    "utf16 without bom": TEXT.encode("utf-16-le"),
    "truncated utf16": (b"\xff\xfe" + TEXT.encode("utf-16-le"))[:-1],
    "cp1252": TEXT.encode("cp1252"),
    "cp1252 undefined byte": H + b"A,DE,x\x81y\n",
    "utf8 then cp1252": H + "A,DE,é\n".encode() + "B,FR,é\n".encode("cp1252"),
    "cp1252 then utf8": H + "A,DE,é\n".encode("cp1252") + "B,FR,é\n".encode(),
    "cp1252 header": "part_number,destination,Gebühr\nA,DE,1\n".encode("cp1252"),
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
    "unclosed quote last line": H + b'A,DE,x\nB,FR,"open\n',
    "unclosed quote no newline": H + b'A,DE,x\nB,FR,"open',
    "unclosed quote mid-file": H + b'A,DE,"open\nB,FR,x\nC,IT,y\n',
    "unclosed quote in header": b'part_number,destination,"con\nA,DE,x\n',
    "quoted header over lines": b'part_number,"desti\nnation"\nA,DE\n',
    "bad header": b"\npart_number,destination\rx\nA,DE\n",
    "header only": H,
    "empty": b"",
    "only blank lines": b"\n \r\n\t\n",
    "missing column": b"part_number,consignee\nA,x\n",
    "duplicate column": b"part_number,destination,Part Number\nA,DE,x\n",
    "semicolons": b'part_number;destination;"a,b"\nA;DE;"x;y"\nB;FR;z\n',
    "tabs": b'part_number\tdestination\tconsignee\nA\tDE\tx\nB\tFR\t"y\tz"\n',
    "tab in a comma file": H + b"A,DE,x\ty\n",
}


@pytest.mark.parametrize("raw", list(CASES.values()), ids=list(CASES))
def test_same_as_the_line_reader(tmp_path: Path, raw: bytes) -> None:
    assert_same(write(tmp_path, raw))


def test_the_cases_cover_what_they_say(tmp_path: Path) -> None:
    # A few outcomes pinned, so that the comparison above cannot pass by both readers failing.
    out, err, stats = run_old(write(tmp_path, CASES["cp1252"]))
    assert err is None and stats[2] == "cp1252" and len(out) == 2
    out, err, _ = run_old(write(tmp_path, CASES["utf8 then cp1252"]))
    assert err is not None and err[2] == 3 and "although line 2 was" in str(err[0])
    out, err, _ = run_old(write(tmp_path, CASES["unclosed quote last line"]))
    assert err is None and isinstance(out[-1], tuple) and out[-1][3]
    _, err, _ = run_old(write(tmp_path, CASES["unclosed quote mid-file"]))
    assert err is not None and "never closed" in str(err[0])
    out, err, _ = run_old(write(tmp_path, CASES["lone cr unquoted"]))
    assert err is None and isinstance(out[0], ManifestLine)
    _, err, _ = run_old(write(tmp_path, CASES["lone cr after quote"]))
    assert err is not None and str(err[0]).startswith("cannot parse CSV")
    _, err, _ = run_old(write(tmp_path, CASES["nul on line 1"]))
    assert err is not None and err[0] == "contains a NUL character"


# --- limits ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        H + b"A,DE,x," + b"y" * 60 + b"\nB,FR,z\n",
        H + b"A,DE," + b"y" * 60 + b"\nB,FR," + b'"' + b"z" * 70 + b'"\nC,IT,w\n',
        H + b'A,DE,"' + b"y\n" * 40 + b'"\nB,FR,z\n',
        b"part_number,destination," + b"h" * 60 + b"\nA,DE,x\n",
        b"part_number,destination,consignee\rA,DE," + b"y" * 60 + b"\rB,FR,z\r",
        b"\xff\xfe"
        + ("part_number,destination,consignee\nA,DE," + "y" * 60 + "\n").encode("utf-16-le"),
        H + ("A,DE," + "é" * 60 + "\nB,FR,z\n").encode(),
        H + ("A,DE," + "é" * 60 + "\nB,FR,z\n").encode("cp1252"),
        H + b'A,DE,"' + b"x" * 30 + b"\n" + b"x" * 30 + b'"\nB,FR,z\n',
    ],
)
def test_long_fields(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, raw: bytes) -> None:
    monkeypatch.setattr(C, "MAX_FIELD_CHARS", 50)
    out, err, _ = assert_same(write(tmp_path, raw))
    assert err is not None or any(isinstance(rec, ManifestLine) for rec in out)


@pytest.mark.parametrize(
    "raw",
    [
        H + b"A,DE,x\n" + b"B," * 80 + b"\n",
        H + b"A,DE,x\n" + b"B," * 49 + b"\r\n",  # 100 bytes with its CRLF
        H + b"A,DE,x\n" + b"B," * 49 + b"\r\r\n",  # 101
        H + b"A,DE,x\n" + b"B," * 80,  # the last line, no newline
        H + b"A,DE,x\n" + b"B," * 30 + b"\rC," * 30 + b"\n",
        H + b"A,DE,x\n" + "é,".encode() * 30 + b"\n",  # 30 characters, 90 bytes
        H + b"A,DE,x\n" + "é,".encode() * 40 + b"\n",  # 40 characters, 120 bytes
        H + b"A,DE,x\n" + "é,".encode("cp1252") * 60 + b"\n",
        b"B," * 80 + b"\nA,DE\n",
        b"part_number,destination\rA,DE\r" + b"B," * 80 + b"\r",
    ],
)
def test_long_lines(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, raw: bytes) -> None:
    monkeypatch.setattr(T, "MAX_LINE_BYTES", 100)
    assert_same(write(tmp_path, raw))


# --- files over several chunks --------------------------------------------------------------------


def test_non_ascii_on_chunk_boundaries(tmp_path: Path) -> None:
    # Multi-byte characters at every offset against a 64-byte chunk (a chunk ends at a LF).
    rows = [f"P{i},DE,{'x' * (i % 9)}{'€😀é'[i % 3] * (i % 5)}\n" for i in range(200)]
    path = write(tmp_path, ("part_number,destination,consignee\n" + "".join(rows)).encode())
    out, err, stats = assert_same(path, (1, 2, 3, 5, 64, 65, 66, 67, None))
    assert err is None and len(out) == 200 and stats[2] == "utf-8"


def test_decided_line_in_an_earlier_chunk(tmp_path: Path) -> None:
    # The first non-ASCII line decides UTF-8 inside a chunk read whole; a later chunk that is
    # not UTF-8 names it.
    ascii_rows = "".join(f"P{i},DE,x\n" for i in range(30))
    raw = (H.decode() + ascii_rows + "Q,FR,é\n" + ascii_rows).encode() + "R,IT,é\n".encode("cp1252")
    _, err, _ = assert_same(write(tmp_path, raw))
    assert err is not None and "although line 32 was" in str(err[0])


def test_cp1252_then_ascii_and_utf8_chunks(tmp_path: Path) -> None:
    ascii_rows = "".join(f"P{i},DE,x\n" for i in range(30)).encode()
    cp = "Q,FR,é\n".encode("cp1252")
    assert_same(write(tmp_path, H + ascii_rows + cp + ascii_rows + cp + ascii_rows))
    _, err, _ = assert_same(write(tmp_path, H + cp + ascii_rows + "R,IT,é\n".encode()))
    assert err is not None and "mixes encodings" in str(err[0])


def test_larger_than_the_default_chunk(tmp_path: Path) -> None:
    rnd = random.Random(7)
    lines = ["line_id,part_number,destination,consignee,notes\n"]
    for i in range(110_000):
        note = rnd.choice(["", "plain", '"a, b"', '"two\nlines"', "Müller", "x\\y", '"q""q"'])
        lines.append(f"L{i},P{i % 97},{rnd.choice(['DE', 'FR', 'XX'])},C{i % 13},{note}\n")
        if i % 5000 == 0:
            lines.append("\n,,,,\n")
    raw = "".join(lines).encode()
    assert len(raw) > 2 * M.CSV_CHUNK_BYTES
    path = write(tmp_path, raw + "Z,P,DE,C,é\n".encode("cp1252"))
    out, err, _ = assert_same(path, (None, 4096))
    assert err is not None and len(out) == 110_000
    out, err, stats = assert_same(write(tmp_path, raw), (None,))
    assert err is None and stats[1] == 44  # 22 blank lines, 22 rows of empty cells


# --- random files ---------------------------------------------------------------------------------

CELLS = [
    "A",
    "DE",
    "FR",
    "",
    " ",
    "x y",
    "Müller",
    "Café €",
    "日本",
    "😀",
    '"q,d"',
    '"q;d"',
    '"multi\nline"',
    '"multi\r\nline"',
    '"lone\rcr"',
    '"has ""quote"""',
    "back\\slash",
    "ctl\x01x",
    "tab\tin",
    "x\x00y",
    'stray"q',
    '"x"y',
    "a\rb",
    "\x85nel",
    "\u2028ls",
    "\x7f",
]


def random_file(rnd: random.Random) -> bytes:
    delimiter = rnd.choice([",", ",", ";", "\t"])
    eol = rnd.choice(["\n", "\r\n", "mixed", "\r"])
    ncols = rnd.randint(2, 5)
    header = ["part_number", "destination", "consignee", "notes", "vendor"][:ncols]
    rows = [delimiter.join(header)]
    if rnd.random() < 0.1:
        rows.insert(0, "")
    for _ in range(rnd.randint(0, 80)):
        roll = rnd.random()
        if roll < 0.08:
            rows.append(rnd.choice(["", " ", "\t"]))
            continue
        width = ncols if roll < 0.8 else rnd.randint(0, ncols + 2)
        cells = [rnd.choice(CELLS) if rnd.random() < 0.4 else f"v{rnd.randint(0, 99)}"]
        cells += [rnd.choice(CELLS) for _ in range(width - 1)]
        rows.append(delimiter.join(cells[:width]))
    end = rnd.random()
    if end < 0.1:
        rows.append('A,DE,"never closed')
    text = ""
    for row in rows:
        ending = rnd.choice(["\n", "\r\n"]) if eol == "mixed" else eol
        text += row + ending
    if end > 0.85:
        text = text.rstrip("\r\n")
    encoding = rnd.choice(["utf-8"] * 6 + ["utf-8-sig", "cp1252", "mixed", "utf-16"])
    if encoding == "cp1252":
        return text.encode("cp1252", errors="replace")
    if encoding == "mixed":
        cut = rnd.randint(0, len(text))
        return text[:cut].encode() + text[cut:].encode("cp1252", errors="replace")
    if encoding == "utf-16":
        return text.encode("utf-16")
    return text.encode(encoding)


@pytest.mark.parametrize("seed", range(300))
def test_random_files(tmp_path: Path, seed: int) -> None:
    assert_same(write(tmp_path, random_file(random.Random(seed))), (1, 13, 64, None))


@pytest.mark.parametrize("seed", range(60))
def test_random_files_with_small_limits(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, seed: int
) -> None:
    monkeypatch.setattr(C, "MAX_FIELD_CHARS", 12)
    monkeypatch.setattr(T, "MAX_LINE_BYTES", 60)
    assert_same(write(tmp_path, random_file(random.Random(1000 + seed))), (1, 13, 64, None))


# --- the interface -------------------------------------------------------------------------------


def test_raw_rows_with_index_start_and_clean(tmp_path: Path) -> None:
    raw = H + b"A,DE,x\n\n , ,\nB,FR\nC,IT,y\nD,ES,z\n"
    stats = ReadStats()
    records = CsvRecords(write(tmp_path, raw), NAME, stats)
    got: list[object] = []
    for rec in records:
        if isinstance(rec, list):
            got.append((rec, records.index, records.start, records.clean))
        else:
            assert isinstance(rec, tuple)
            got.append(rec[:3])
    assert records.columns == ["part_number", "destination", "consignee"] == stats.columns
    assert got == [
        (["A", "DE", "x"], 1, 2, True),
        (2, 5, {"part_number": "B", "destination": "FR"}),
        (["C", "IT", "y"], 3, 6, True),
        (["D", "ES", "z"], 4, 7, True),
    ]
    assert (stats.records, stats.blank_skipped, stats.encoding) == (4, 2, "utf-8")


def clean_by_line(path: Path, chunk: int | None = None) -> dict[int, bool]:
    records = CsvRecords(path, NAME, ReadStats(), chunk_bytes=chunk)
    found = {}
    for rec in records:
        if isinstance(rec, list):
            found[records.start] = records.clean
    return found


def test_clean_is_per_line(tmp_path: Path) -> None:
    # A quote, backslash or control character makes its line's row not clean, and only that
    # row; a multi-line row is never clean. A tab is data in a comma file only.
    rows = [f"P{i},DE,x\n".encode() for i in range(40)]
    rows[5] = b'P5,DE,"x"\n'
    rows[9] = b"P9,DE,a\\b\n"
    rows[12] = b"P12,DE,a\x7fb\x1fc\n"
    rows[20] = b'P20,DE,"x\ny"\n'  # lines 22 and 23
    rows[30] = b"P30,DE,x\ty\n"  # line 33
    rows[33] = "P33,DE,Müller €\n".encode()
    path = write(tmp_path, H + b"".join(rows))
    for chunk in CHUNKS:
        clean = clean_by_line(path, chunk)
        assert sorted(n for n, ok in clean.items() if not ok) == [7, 11, 14, 22, 33], chunk
    tabs = b"part_number\tdestination\nA\tDE\nB\tFR\n"
    assert all(clean_by_line(write(tmp_path, tabs)).values())


def test_clean_gives_up_on_a_mostly_quoted_chunk(tmp_path: Path) -> None:
    # A chunk read record by record (here the one with the header) with more than an eighth of
    # its lines to escape: none of its rows is clean (the lines are not looked for one by
    # one). A chunk split at once (split_chunk) flags exactly the lines with something to
    # escape, whatever their share.
    quoted = b"".join((f'"P{i}",DE,x\n' if i % 2 else f"P{i},DE,x\n").encode() for i in range(200))
    plain = b"".join(f"Q{i},FR,y\n".encode() for i in range(200))
    path = write(tmp_path, H + quoted + plain)
    assert not any(clean_by_line(path).values())  # one chunk: the header's

    def has_quote(line: int) -> bool:  # line 1 is the header; line n holds row n - 2
        return line - 2 < 200 and (line - 2) % 2 == 1

    clean = clean_by_line(path, 1000)
    assert not any(ok for n, ok in clean.items() if n < 60)  # in the header's chunk
    assert all(ok == (not has_quote(n)) for n, ok in clean.items() if n > 150)
    few = b"".join(
        (f'"P{i}",DE,x\n' if i % 20 == 0 else f"P{i},DE,x\n").encode() for i in range(200)
    )
    clean = clean_by_line(write(tmp_path, H + few))
    assert sum(clean.values()) == 190


def test_clean_on_a_file_without_a_fast_chunk(tmp_path: Path) -> None:
    # cp1252, UTF-16 and CR files are decoded line by line: no row is claimed clean.
    for raw in (CASES["cp1252"], CASES["utf16le bom"], CASES["cr file"]):
        assert not any(clean_by_line(write(tmp_path, raw)).values())


def test_the_wrapper_and_iter_manifest_match(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(T, "CSV_CHUNK_BYTES", 32)
    for raw in CASES.values():
        path = write(tmp_path, raw)
        expected = run_old(path)
        stats = ReadStats()
        out: list[object] = []
        err = None
        try:
            out.extend(M.iter_table_records(path, NAME, stats, "csv", M.DEFAULT_OPTIONS))
        except InputError as exc:
            err = _error(exc)
        assert (out, err, _stats(stats)) == expected
        lines: list[ManifestLine] = []
        err = None
        try:
            lines.extend(M.iter_manifest(path, NAME, fmt="csv"))
        except InputError as exc:
            err = _error(exc)
        built = [r if isinstance(r, ManifestLine) else M.build_line(*r) for r in expected[0]]
        assert (lines, err) == (built, expected[1])


def test_nothing_is_read_before_the_first_record(tmp_path: Path) -> None:
    records = CsvRecords(tmp_path / "missing.csv", NAME, ReadStats())
    rows = iter(records)
    with pytest.raises(InputError, match="cannot read file"):
        next(rows)
