"""Manifest reader: every input rule of the contract, with exact outcomes."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import string
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exportcheck.errors import InputError
from exportcheck.model.manifest import LineProblem, ManifestLine
from exportcheck.readers.manifest import (
    detect_format,
    iter_manifest,
    normalize_header,
    parse_flag,
    parse_number,
    sniff_format,
)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return path


def read(path: Path) -> list[ManifestLine]:
    return list(iter_manifest(path))


def problems(line: ManifestLine) -> list[tuple[str, str]]:
    return [(p.field, p.message) for p in line.problems]


# --- headers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Part Number", "part_number"),
        ("part-number", "part_number"),
        ("PART_NUMBER", "part_number"),
        ("  Ship  -  Date ", "ship_date"),
        ("_x_", "x"),
        ("Die Area mm2", "die_area_mm2"),
    ],
)
def test_normalize_header(raw: str, expected: str) -> None:
    assert normalize_header(raw) == expected


def test_csv_header_names_are_normalised_and_fields_kept_in_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "m.csv",
        "Line ID,Part-Number,DESTINATION,Ship Date,Order No.,TPP\n"
        'A-1,H20,CN,2025-05-01,PO 7,"4,800"\n',
    )
    (line,) = read(path)
    assert list(line.fields) == [
        "line_id",
        "part_number",
        "destination",
        "ship_date",
        "order_no.",
        "tpp",
    ]
    assert line.fields["order_no."] == "PO 7"
    assert line.fields["tpp"] == "4,800"  # raw value as given
    assert line.line_id == "A-1"
    assert line.item.part_number == "H20"
    assert line.item.params == {"tpp": 4800.0}
    assert line.destination == "CN"
    assert line.ship_date == date(2025, 5, 1)
    assert line.source_line == 2
    assert line.index == 1
    assert line.problems == ()


def test_duplicate_header_after_normalisation(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "part_number,destination,Part Number\nA,CN,B\n")
    with pytest.raises(InputError) as info:
        read(path)
    err = info.value
    assert (err.file, err.line, err.column, err.field) == (str(path), 1, 3, "part_number")
    assert "duplicate column 'part_number'" in err.message


@pytest.mark.parametrize(
    ("header", "field"),
    [("part_number,country", "destination"), ("destination,description", "part_number")],
)
def test_missing_required_column(tmp_path: Path, header: str, field: str) -> None:
    path = write(tmp_path, "m.csv", f"{header}\nA,B\n")
    with pytest.raises(InputError) as info:
        read(path)
    assert info.value.field == field
    assert info.value.line == 1
    assert info.value.file == str(path)
    assert "missing required column" in info.value.message


def test_eccn_column_alone_is_enough(tmp_path: Path) -> None:
    (line,) = read(write(tmp_path, "m.csv", "ECCN,Destination\n3a090.A,de\n"))
    assert line.item.eccn == "3A090.a"
    assert line.item.part_number is None
    assert line.destination == "DE"
    assert line.problems == ()


def test_header_is_checked_lazily_when_first_line_is_pulled(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "part_number\nA\n")
    lines = iter_manifest(path)  # no error yet: nothing read
    with pytest.raises(InputError):
        next(lines)


def test_display_name_used_in_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "part_number\nA\n")
    with pytest.raises(InputError) as info:
        list(iter_manifest(path, display="manifests/m.csv"))
    assert info.value.file == "manifests/m.csv"


def test_empty_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty"):
        read(write(tmp_path, "m.csv", "\n\n"))
    with pytest.raises(InputError, match="no such file"):
        read(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="directory"):
        read(tmp_path)


def test_header_only_gives_no_lines(tmp_path: Path) -> None:
    assert read(write(tmp_path, "m.csv", "part_number,destination\n")) == []


# --- destination ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("CN", "CN"),
        ("cn", "CN"),
        ("CHN", "CN"),
        ("China", "CN"),
        ("Germany", "DE"),
        ("DEU", "DE"),
        ("United Arab Emirates", "AE"),
        ("NO", "NO"),
        ("UK", "GB"),
    ],
)
def test_destination_forms(tmp_path: Path, value: str, expected: str) -> None:
    (line,) = read(write(tmp_path, "m.csv", f'part_number,destination\nX,"{value}"\n'))
    assert line.destination == expected
    assert line.fields["destination"] == value
    assert line.problems == ()


def test_unknown_and_missing_destination_are_line_problems(tmp_path: Path) -> None:
    lines = read(write(tmp_path, "m.csv", "part_number,destination\nA,Atlantis\nB,\nC,XX\n"))
    assert [ln.destination for ln in lines] == [None, None, None]
    assert lines[0].problems == (
        LineProblem(
            field="destination",
            value="Atlantis",
            message="unknown country 'Atlantis' (use ISO alpha-2, alpha-3 or the English name)",
        ),
    )
    assert problems(lines[1]) == [("destination", "missing destination country")]
    assert problems(lines[2])[0][0] == "destination"
    assert [ln.line_id for ln in lines] == ["1", "2", "3"]


# --- part number / eccn -----------------------------------------------------------------------


def test_line_without_part_number_or_eccn(tmp_path: Path) -> None:
    (line,) = read(write(tmp_path, "m.csv", "part_number,eccn,destination\n , ,CN\n"))
    assert problems(line) == [("part_number", "the line has neither a part_number nor an eccn")]


def test_invalid_eccn_is_a_problem_and_dropped(tmp_path: Path) -> None:
    (line,) = read(write(tmp_path, "m.csv", "part_number,eccn,destination\nA,3Z999,CN\n"))
    assert line.item.eccn is None
    assert line.item.part_number == "A"
    assert problems(line) == [("eccn", "not a valid ECCN: '3Z999' (e.g. 3A090.a or EAR99)")]


def test_ear99_is_valid(tmp_path: Path) -> None:
    (line,) = read(write(tmp_path, "m.csv", "eccn,destination\near99,CN\n"))
    assert line.item.eccn == "EAR99"
    assert line.problems == ()


# --- dates and numbers ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2025-13-01", "01/05/2025", "2025-5-1", "2025-02-30", "soon"])
def test_bad_ship_date(tmp_path: Path, value: str) -> None:
    (line,) = read(write(tmp_path, "m.csv", f"part_number,destination,ship_date\nA,CN,{value}\n"))
    assert line.ship_date is None
    hint = " (a day and month in another order? give --date-format, e.g. DD.MM.YYYY)"
    message = f"not a date in YYYY-MM-DD form: '{value}'{hint if '/' in value else ''}"
    assert problems(line) == [("ship_date", message)]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("4800", 4800.0),
        ("4,800", 4800.0),
        ("1,234,567.5", 1234567.5),
        (" 12.5 ", 12.5),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("0", 0.0),
        ("-0", 0.0),
        (7, 7.0),
        (2.5, 2.5),
    ],
)
def test_parse_number_accepts(raw: str | float, expected: float) -> None:
    assert parse_number(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["1,5", "1,00", "12,34,567", "abc", "$5", "-1", "-1,000", "nan", "inf", "1e999", "", True],
)
def test_parse_number_rejects(raw: str | bool) -> None:
    with pytest.raises(ValueError):
        parse_number(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("yes", 1.0),
        ("No", 0.0),
        ("TRUE", 1.0),
        ("false", 0.0),
        ("1", 1.0),
        ("0", 0.0),
        (True, 1.0),
        (0, 0.0),
    ],
)
def test_parse_flag(raw: str | int | bool, expected: float) -> None:
    assert parse_flag(raw) == expected


@pytest.mark.parametrize("raw", ["y", "2", "maybe", 2])
def test_parse_flag_rejects(raw: str | int) -> None:
    with pytest.raises(ValueError):
        parse_flag(raw)


def test_bad_numbers_are_line_problems(tmp_path: Path) -> None:
    text = (
        "part_number,destination,quantity,unit_value,tpp,die_area_mm2,datacenter\n"
        'A,CN,-3,abc,"15,832",814,yes\n'
        "B,CN,2,,,,maybe\n"
    )
    first, second = read(write(tmp_path, "m.csv", text))
    assert first.quantity is None
    assert first.unit_value is None
    assert first.item.params == {"tpp": 15832.0, "die_area_mm2": 814.0, "datacenter": 1.0}
    assert problems(first) == [
        ("quantity", "must not be negative: '-3'"),
        ("unit_value", "not a number: 'abc'"),
    ]
    assert second.quantity == 2.0
    assert second.item.params == {}
    assert problems(second) == [("datacenter", "expected yes/no/true/false/1/0, got 'maybe'")]


def test_optional_text_fields(tmp_path: Path) -> None:
    text = (
        "part_number,destination,vendor,category,description,consignee,end_user,end_use,currency\n"
        "A,CN, Nvidia ,gpu,Accelerator,ACME,ACME Labs,military,USD\n"
    )
    (line,) = read(write(tmp_path, "m.csv", text))
    assert line.item.vendor == "Nvidia"
    assert line.item.category == "gpu"
    assert line.item.description == "Accelerator"
    assert (line.consignee, line.end_user, line.end_use) == ("ACME", "ACME Labs", "military")
    assert line.fields["vendor"] == " Nvidia "


# --- CSV mechanics ----------------------------------------------------------------------------


def test_too_many_and_too_few_fields(tmp_path: Path) -> None:
    text = "part_number,destination,note\nA,CN,x,extra\nB,DE\n"
    first, second = read(write(tmp_path, "m.csv", text))
    assert problems(first) == [("columns", "row has 4 fields, header has 3")]
    assert first.fields == {"part_number": "A", "destination": "CN", "note": "x"}
    assert problems(second) == [("columns", "row has 2 fields, header has 3")]
    assert second.fields == {"part_number": "B", "destination": "DE"}
    assert second.destination == "DE"


def test_bom_crlf_and_blank_lines(tmp_path: Path) -> None:
    raw = b"\xef\xbb\xbf\r\nPart Number,Destination\r\n\r\nA,CN\r\n   \r\nB,DE\r\n,\r\n"
    lines = read(write(tmp_path, "m.csv", raw))
    assert [(ln.line_id, ln.item.part_number, ln.source_line) for ln in lines] == [
        ("1", "A", 4),
        ("2", "B", 6),
    ]
    assert list(lines[0].fields) == ["part_number", "destination"]


def test_semicolon_and_tab_delimiters(tmp_path: Path) -> None:
    (semi,) = read(write(tmp_path, "m.csv", "part_number;destination;tpp\nA;CN;4,800\n"))
    assert semi.fields == {"part_number": "A", "destination": "CN", "tpp": "4,800"}
    assert semi.item.params == {"tpp": 4800.0}
    (tab,) = read(write(tmp_path, "m.tsv", "part_number\tdestination\nA, B\tDE\n"))
    assert tab.item.part_number == "A, B"
    assert tab.destination == "DE"


def test_quoted_newline_keeps_row_and_line_numbers(tmp_path: Path) -> None:
    text = 'part_number,destination,description\nA,CN,"two\nlines"\nB,DE,x\n'
    first, second = read(write(tmp_path, "m.csv", text))
    assert first.item.description == "two\nlines"
    assert (first.source_line, second.source_line) == (2, 4)
    assert (first.index, second.index) == (1, 2)


def test_invalid_utf8_names_the_line(tmp_path: Path) -> None:
    raw = b"part_number,destination\nA,CN\nB\x81,DE\n"  # 0x81: neither UTF-8 nor cp1252
    lines = iter_manifest(write(tmp_path, "m.csv", raw))
    assert next(lines).item.part_number == "A"
    with pytest.raises(InputError) as info:
        next(lines)
    assert info.value.line == 3
    assert info.value.column == 2
    assert "UTF-8" in info.value.message


def test_streams_without_reading_ahead(tmp_path: Path) -> None:
    # the bad byte is far below the first line: the first line comes out before it is read
    raw = b"part_number,destination\nA,CN\n" + b"B,DE\n" * 20000 + b"\x81\n"
    lines = iter_manifest(write(tmp_path, "m.csv", raw))
    assert next(lines).item.part_number == "A"
    with pytest.raises(InputError) as info:
        list(lines)
    assert info.value.line == 20003


def test_unicode_values(tmp_path: Path) -> None:
    (line,) = read(
        write(tmp_path, "m.csv", "part_number,destination,consignee\nÄ-1,Türkiye,上海\n")
    )
    assert line.fields["consignee"] == "上海"
    assert line.destination == "TR"


# --- JSON, JSONL, YAML ------------------------------------------------------------------------


def test_json_list_and_lines_shapes(tmp_path: Path) -> None:
    rows = [
        {"Line ID": "J1", "part_number": "H20", "destination": "China", "tpp": 2368, "po": 7},
        {"eccn": "EAR99", "destination": "DE", "quantity": "1,000", "datacenter": True},
    ]
    for name, doc in (("a.json", rows), ("b.json", {"lines": rows, "meta": "ignored"})):
        first, second = read(write(tmp_path, name, json.dumps(rows if name == "a.json" else doc)))
        assert first.line_id == "J1"
        assert first.fields == {
            "line_id": "J1",
            "part_number": "H20",
            "destination": "China",
            "tpp": 2368,
            "po": 7,
        }
        assert first.item.params == {"tpp": 2368.0}
        assert first.destination == "CN"
        assert first.source_line is None
        assert second.line_id == "2"
        assert second.quantity == 1000.0
        assert second.item.params == {"datacenter": 1.0}
        assert second.fields["datacenter"] is True


def test_json_row_that_is_not_an_object(tmp_path: Path) -> None:
    doc = [{"part_number": "A", "destination": "CN"}, "oops", None]
    lines = read(write(tmp_path, "m.json", json.dumps(doc)))
    assert [ln.line_id for ln in lines] == ["1", "2", "3"]
    assert problems(lines[1]) == [("line", "expected a JSON object, got str")]
    assert problems(lines[2]) == [("line", "expected a JSON object, got null")]
    assert lines[1].fields == {}


def test_json_nested_values_and_duplicate_keys(tmp_path: Path) -> None:
    text = '[{"part_number": "A", "destination": "CN", "Destination": "DE", "x": {"b": [1]}}]'
    (line,) = read(write(tmp_path, "m.json", text))
    assert line.destination == "CN"
    assert line.fields["x"] == '{"b": [1]}'
    assert [p.field for p in line.problems] == ["destination"]
    assert "duplicate key" in line.problems[0].message


def test_json_missing_key_in_every_row(tmp_path: Path) -> None:
    doc = [{"part_number": "A", "country": "CN"}, {"part_number": "B"}]
    with pytest.raises(InputError) as info:
        read(write(tmp_path, "m.json", json.dumps(doc)))
    assert info.value.field == "destination"


def test_json_key_present_in_some_row_only_is_a_line_problem(tmp_path: Path) -> None:
    doc = [{"part_number": "A"}, {"part_number": "B", "destination": "CN"}]
    first, second = read(write(tmp_path, "m.json", json.dumps(doc)))
    assert problems(first) == [("destination", "missing destination country")]
    assert second.problems == ()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('{"part_number": "A"}', "list of objects"),
        ('[{"a": 1}', "invalid JSON"),
        ('[{"part_number": "A", "destination": NaN}]', "NaN"),
        ("", "invalid JSON"),
    ],
)
def test_json_file_errors(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        read(write(tmp_path, "m.json", text))


def test_json_huge_float_stays_text(tmp_path: Path) -> None:
    (line,) = read(
        write(tmp_path, "m.json", '[{"part_number": "A", "destination": "CN", "tpp": 1e999}]')
    )
    assert line.fields["tpp"] == "1e999"
    assert problems(line) == [("tpp", "not a finite number: '1e999'")]


def test_jsonl_invalid_line_is_a_line_problem(tmp_path: Path) -> None:
    text = (
        '{"part_number": "A", "destination": "CN"}\n'
        "\n"
        "{not json\n"
        "[1, 2]\n"
        '{"part_number": "B", "destination": "DE"}\n'
    )
    lines = read(write(tmp_path, "m.jsonl", text))
    assert [(ln.line_id, ln.source_line) for ln in lines] == [
        ("1", 1),
        ("2", 3),
        ("3", 4),
        ("4", 5),
    ]
    assert problems(lines[1]) == [
        ("line", "invalid JSON: Expecting property name enclosed in double quotes at column 2")
    ]
    assert problems(lines[2]) == [("line", "expected a JSON object, got list")]
    assert lines[3].destination == "DE"


def test_jsonl_required_key_missing_everywhere(tmp_path: Path) -> None:
    text = '{"part_number": "A"}\n{"part_number": "B"}\n'
    with pytest.raises(InputError) as info:
        read(write(tmp_path, "m.ndjson", text))
    assert info.value.field == "destination"


def test_jsonl_required_key_on_a_later_line(tmp_path: Path) -> None:
    text = '{"destination": "CN"}\n{"eccn": "EAR99", "destination": "CN"}\n'
    first, second = read(write(tmp_path, "m.jsonl", text))
    assert problems(first) == [("part_number", "the line has neither a part_number nor an eccn")]
    assert second.problems == ()


def test_yaml_both_shapes(tmp_path: Path) -> None:
    listed = "- part_number: H20\n  destination: NO\n  ship_date: 2025-05-01\n  tpp: 2368\n"
    wrapped = "lines:\n" + "".join("  " + ln + "\n" for ln in listed.splitlines())
    for name, text in (("a.yaml", listed), ("b.yml", wrapped)):
        (line,) = read(write(tmp_path, name, text))
        assert line.destination == "NO"  # not the YAML 1.1 boolean
        assert line.fields == {
            "part_number": "H20",
            "destination": "NO",
            "ship_date": "2025-05-01",
            "tpp": 2368,
        }
        assert line.ship_date == date(2025, 5, 1)
        assert line.source_line is None


def test_yaml_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read(write(tmp_path, "m.yaml", "- part_number: A\n  part_number: B\n"))
    assert info.value.line == 2
    with pytest.raises(InputError, match="list of objects"):
        read(write(tmp_path, "n.yaml", "just text\n"))
    (line,) = read(write(tmp_path, "o.yaml", "- [1, 2]\n"))
    assert problems(line) == [("line", "expected a YAML object, got list")]


# --- format detection -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("m.CSV", "csv"),
        ("m.tsv", "csv"),
        ("m.txt", "csv"),
        ("m.json", "json"),
        ("m.jsonl", "jsonl"),
        ("m.ndjson", "jsonl"),
        ("m.yaml", "yaml"),
        ("m.YML", "yaml"),
    ],
)
def test_detect_format_by_extension(name: str, fmt: str) -> None:
    assert detect_format(Path(name)) == fmt


@pytest.mark.parametrize(
    ("head", "fmt"),
    [
        (b'[{"a": 1}]', "json"),
        (b'\xef\xbb\xbf  {\n  "lines": []\n}', "json"),
        (b'{"lines": [{"a": 1}]}', "json"),
        (b'{"a": 1}\n{"a": 2}\n', "jsonl"),
        (b'{"a": 1}\n', "jsonl"),
        (b"lines:\n  - a: 1\n", "yaml"),
        (b"---\n- a: 1\n", "yaml"),
        (b"# comment\n- {a: 1, b: 2}\n", "yaml"),
        (b"part_number,destination\nA,CN\n", "csv"),
        (b"part_number;destination\n", "csv"),
        (b"time: 10:00,destination\n", "csv"),
        (b"", "csv"),
    ],
)
def test_sniff_format(head: bytes, fmt: str) -> None:
    assert sniff_format(head) == fmt


def test_detect_format_sniffs_unknown_extension(tmp_path: Path) -> None:
    path = write(tmp_path, "manifest.data", '{"part_number": "A", "destination": "CN"}\n')
    assert detect_format(path) == "jsonl"
    assert read(path)[0].destination == "CN"


def test_forced_format(tmp_path: Path) -> None:
    path = write(tmp_path, "m.txt", '[{"part_number": "A", "destination": "CN"}]')
    (line,) = iter_manifest(path, fmt="json")
    assert line.destination == "CN"
    with pytest.raises(InputError, match="unknown manifest format"):
        list(iter_manifest(path, fmt="xml"))


# --- property: arbitrary CSV ------------------------------------------------------------------

_cell = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=12)
_name = st.text(alphabet=string.ascii_letters + string.digits + " -_", min_size=1, max_size=10)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    extra=st.lists(_name, max_size=4),
    rows=st.lists(st.lists(_cell, min_size=0, max_size=8), max_size=12),
)
def test_property_every_data_row_yields_one_line(extra: list[str], rows: list[list[str]]) -> None:
    header = ["part_number", "destination"]
    for name in extra:
        if normalize_header(name) and normalize_header(name) not in {
            normalize_header(h) for h in header
        }:
            header.append(name)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    expected = [r for r in rows if any(cell.strip() for cell in r)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.csv"
        path.write_bytes(out.getvalue().encode("utf-8"))
        lines = read(path)
    assert len(lines) == len(expected)
    assert [ln.index for ln in lines] == list(range(1, len(expected) + 1))
    for line, row in zip(lines, expected, strict=True):
        assert list(line.fields.values()) == row[: len(header)]
        assert (len(row) != len(header)) == any(p.field == "columns" for p in line.problems)


@settings(max_examples=200, deadline=None)
@given(content=st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8")))
def test_property_random_bytes_only_raise_input_error(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.csv"
        path.write_bytes(b"part_number,destination\n" + content)
        with contextlib.suppress(InputError):
            for line in iter_manifest(path):
                assert isinstance(line, ManifestLine)
        raw = Path(tmp) / "r.csv"
        raw.write_bytes(content)
        with contextlib.suppress(InputError):
            list(iter_manifest(raw))
