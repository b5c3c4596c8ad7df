"""Hostile files through ``exportcheck check``: exit 2 naming file and line, or a correct
report with every data row present (report lines == rows written). Never a traceback."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exportcheck.cli.app import app

runner = CliRunner()
DATE = "2025-06-15"
HEADER = "line_id,part_number,destination,eccn,consignee\n"


def check(path: Path, *extra: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["check", str(path), "--date", DATE, *extra])
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def report(path: Path) -> tuple[int, dict[str, object]]:
    code, out, err = check(path, "--format", "json")
    assert code in (0, 1), err
    return code, json.loads(out)


def statuses(doc: dict[str, object]) -> list[tuple[str, str]]:
    lines = doc["lines"]
    assert isinstance(lines, list)
    return [(ln["line_id"], ln["status"]) for ln in lines]


# --- files that cannot be read: exit 2, file and line on stderr, nothing on stdout --------------

REFUSED = [
    ("utf16-no-bom.csv", (HEADER + "1,A,DE,EAR99,x\n").encode("utf-16-le"), 1),
    (
        "mixed.csv",
        (HEADER + "1,A,DE,EAR99,Müller\n").encode() + "2,B,FR,EAR99,Café\n".encode("cp1252"),
        3,
    ),
    ("undefined-cp1252.csv", (HEADER + "1,A,DE,EAR99,x\n").encode() + b"2,B,FR,EAR99,\x81\n", 3),
    ("dup-header.csv", b"part_number,destination,Destination\nA,DE,FR\n", 1),
    ("unclosed.csv", (HEADER + '1,A,DE,EAR99,"open\n2,B,FR,EAR99,x\n').encode(), 2),
    ("open-header.csv", b'"part_number,destination\nA,DE\n', 1),
    ("bad.json", b'[{"part_number": "A", "destination": "DE"},\n]', 2),
    ("nan.json", b'[{"part_number": "A", "destination": NaN}]', None),
    ("two-lines-keys.json", b'{"lines": [], "lines": []}', None),
    ("dup.yaml", b"- part_number: A\n  destination: DE\n  destination: CN\n", 3),
    (
        "bomb.yaml",
        b"a: &a [x,x,x,x,x,x,x,x,x,x]\n"
        + b"".join(
            f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n".encode()
            for p, c in zip("abcdefghi", "bcdefghij", strict=True)
        ),
        7,
    ),
    ("nan.yaml", b"- part_number: A\n  destination: DE\n  tpp: !!float .nan\n", 3),
    ("python.yaml", b"- !!python/object/apply:os.system [echo hi]\n", 1),
    ("empty.csv", b"\n\n", None),
    ("binary.csv", bytes(range(256)), 1),
]


@pytest.mark.parametrize(("name", "raw", "line"), REFUSED, ids=[c[0] for c in REFUSED])
def test_unreadable_files_exit_2_naming_file_and_line(
    tmp_path: Path, name: str, raw: bytes, line: int | None
) -> None:
    path = tmp_path / name
    path.write_bytes(raw)
    for fmt in ("json", "csv", "table"):
        code, out, err = check(path, "--format", fmt)
        assert code == 2
        assert out == ""
        where = f"{path}:{line}" if line is not None else f"{path}"
        assert err.startswith(f"exportcheck: {where}"), err
        assert len(err.strip().splitlines()) == 1


# --- files that can be read: every data row is a report line, in order -------------------------


def test_malformed_csv_rows_all_reported(tmp_path: Path) -> None:
    rows = [
        "1,H20,CN,,",  # a real licence requirement
        "2,X,DE,EAR99",  # too few fields
        "3,X,DE,EAR99,a,b,c",  # too many
        "4,X,Atlantis,EAR99,x",  # unknown country
        "5,X,,EAR99,x",  # missing destination
        "6,X,DE,NOTANECCN,x",  # bad ECCN
        "7,X,DE,EAR99," + "y" * 1_100_000,  # over the field limit
        '8,X,DE,EAR99,"two\r\nlines"',  # quoted newline
        "9,X,DE,EAR99,ok",
    ]
    raw = ("\r\n" + HEADER.replace("\n", "\r\n") + "\r\n".join(rows) + "\r\n\r\n,,,,\r\n").encode()
    path = tmp_path / "m.csv"
    path.write_bytes(raw)
    code, doc = report(path)
    assert code == 1
    assert statuses(doc) == [
        ("1", "license_required"),
        ("2", "review"),
        ("3", "review"),
        ("4", "review"),
        ("5", "review"),
        ("6", "review"),
        ("7", "review"),
        ("8", "allowed"),
        ("9", "allowed"),
    ]
    assert doc["summary"]["lines"] == len(rows)  # type: ignore[index]
    lines = doc["lines"]
    assert isinstance(lines, list)
    assert lines[1]["findings"][0]["message"] == "columns: row has 4 fields, header has 5"
    assert lines[6]["fields"]["consignee"] == "y" * 80 + "… [cut: 1,100,000 characters]"


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("cp1252", b"")],
)
def test_encodings_give_the_same_report(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    text = HEADER + "1,A,DE,EAR99,Müller €\n2,B,FR,EAR99,Café\n"
    path = tmp_path / "m.csv"
    path.write_bytes(prefix + text.encode(encoding))
    code, doc = report(path)
    assert code == 0
    assert statuses(doc) == [("1", "allowed"), ("2", "allowed")]
    lines = doc["lines"]
    assert isinstance(lines, list)
    assert [ln["fields"]["consignee"] for ln in lines] == ["Müller €", "Café"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_delimiters_and_line_endings(tmp_path: Path, delimiter: str, eol: str) -> None:
    rows = [
        ["line_id", "part_number", "destination", "eccn"],
        ["1", "A", "DE", "EAR99"],
        ["2", "H20", "CN", ""],
    ]
    path = tmp_path / "m.csv"
    path.write_bytes(eol.join(delimiter.join(r) for r in rows).encode() + eol.encode())
    code, doc = report(path)
    assert code == 1
    assert statuses(doc) == [("1", "allowed"), ("2", "license_required")]


def test_jsonl_and_json_bad_rows_all_reported(tmp_path: Path) -> None:
    rows = [
        '{"line_id": "a", "part_number": "A", "destination": "DE", "eccn": "EAR99"}',
        "{broken",
        "null",
        '{"line_id": "d", "part_number": "A\\ud800", "destination": "DE", "eccn": "EAR99"}',
        '{"line_id": "e", "part_number": "A", "destination": "DE", "quantity": 1e999}',
    ]
    jsonl = tmp_path / "m.jsonl"
    jsonl.write_text("\n\n".join(rows) + "\n", encoding="utf-8")
    code, doc = report(jsonl)
    assert code == 1
    assert statuses(doc) == [
        ("a", "allowed"),
        ("2", "review"),
        ("3", "review"),
        ("d", "review"),
        ("e", "review"),
    ]
    as_json = tmp_path / "m.json"
    as_json.write_text("[" + ",".join(r for r in rows if r != "{broken") + "]", encoding="utf-8")
    code, doc = report(as_json)
    assert code == 1
    assert [s for _, s in statuses(doc)] == ["allowed", "review", "review", "review"]


def test_yaml_norway_and_types(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        "- {line_id: 1, part_number: 0123, destination: NO, eccn: EAR99, ship_date: 2025-01-02}\n"
        "- {line_id: 2, part_number: H20, destination: CN}\n",
        encoding="utf-8",
    )
    code, doc = report(path)
    assert code == 1
    assert statuses(doc) == [("1", "allowed"), ("2", "license_required")]
    lines = doc["lines"]
    assert isinstance(lines, list)
    assert lines[0]["fields"]["part_number"] == "0123"
    assert (lines[0]["destination"], lines[0]["date"]) == ("NO", "2025-01-02")


def test_csv_output_neutralises_formula_cells(tmp_path: Path) -> None:
    cells = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"]
    path = tmp_path / "m.csv"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # so the cell with a CR is quoted
    writer.writerow(["line_id", "part_number", "destination", "eccn", "=cmd"])
    writer.writerows([cell, cell, "DE", "EAR99", cell] for cell in cells)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    code, text, _ = check(path, "--format", "csv", "--fail-on", "never")
    assert code == 0
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0][-1] == "'=cmd"
    assert len(rows) == 1 + len(cells)
    for row, cell in zip(rows[1:], cells, strict=True):
        assert row[-1] == "'" + cell  # the carried input column, untouched but neutralised
        assert all(not c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in row)
    # line_id and part_number are trimmed of spaces, tabs and CRs before use
    assert [r[0] for r in rows[1:]] == ["'" + c for c in cells[:4]] + ["x", "x"]


def test_unquoted_carriage_return_in_a_value_is_one_review_line(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes(HEADER.encode() + b"1,A,DE,EAR99,a\rb\n2,B,FR,EAR99,ok\n")
    code, doc = report(path)
    assert code == 1
    assert statuses(doc) == [("1", "review"), ("2", "allowed")]
    lines = doc["lines"]
    assert isinstance(lines, list)
    assert [f["message"] for f in lines[0]["findings"] if f["rule_id"] == "exportcheck.input"] == [
        "line: a carriage return (CR) inside an unquoted value; quote the value"
    ]


# --- fail closed --------------------------------------------------------------------------------


def test_fault_in_the_engine_exits_2_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exportcheck.engine.judge import judge

    def boom(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("injected fault\nsecond line")

    monkeypatch.setattr(judge, "findings_for", boom)  # the core of every judgement
    path = tmp_path / "m.csv"
    path.write_text(HEADER + "1,A,DE,EAR99,x\n", encoding="utf-8")
    code, out, err = check(path, "--format", "json")
    assert code == 2
    assert out == ""
    assert err == (
        "exportcheck: internal error: ZeroDivisionError: injected fault (run with --debug for "
        "the traceback; please report it)\n"
    )
    result = runner.invoke(app, ["--debug", "check", str(path), "--format", "json"])
    assert result.exit_code == 2
    assert "Traceback" in result.stderr and "ZeroDivisionError" in result.stderr
