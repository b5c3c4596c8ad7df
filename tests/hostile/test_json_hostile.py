"""Hostile JSON and JSON Lines manifests. Each case asserts the exact outcome."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exportcheck.errors import InputError
from exportcheck.model.manifest import ManifestLine
from exportcheck.readers.manifest import ReadStats, iter_manifest, structured

OK = '{"part_number": "A", "destination": "DE"}'


def write(tmp_path: Path, content: bytes | str, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def read(path: Path) -> tuple[list[ManifestLine], ReadStats]:
    stats = ReadStats()
    lines = list(iter_manifest(path, stats=stats))
    assert stats.records == len(lines)
    assert [ln.index for ln in lines] == list(range(1, len(lines) + 1))
    return lines, stats


def refused(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        list(iter_manifest(path))
    assert info.value.file == str(path)
    return info.value


def problems(line: ManifestLine) -> list[tuple[str, str]]:
    return [(p.field, p.message) for p in line.problems]


# --- whole-document JSON -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("", "invalid JSON: Expecting value", 1, 1),
        ("[\n" + OK + ",\n]", "invalid JSON: Expecting value", 3, 1),  # trailing comma
        ("[" + OK + "\n", "invalid JSON: Expecting ',' delimiter", 2, 1),  # truncated
        (
            '[{"part_number": "A", "destination": "D\nE"}]',
            "invalid JSON: Invalid control character at",
            1,
            40,
        ),
        (
            '[{"part_number": NaN, "destination": "DE"}]',
            "invalid JSON: NaN is not a valid JSON number",
            None,
            None,
        ),
        (
            '[{"tpp": -Infinity, "destination": "DE"}]',
            "invalid JSON: -Infinity is not a valid JSON number",
            None,
            None,
        ),
        ("[" * 100_000 + "]" * 100_000, "invalid JSON: nested too deeply", None, None),
        (
            '"just a string"',
            'a JSON manifest must be a list of objects or {"lines": [...]}',
            None,
            None,
        ),
        (OK, 'a JSON manifest must be a list of objects or {"lines": [...]}', None, None),
        (
            '{"lines": "x"}',
            'a JSON manifest must be a list of objects or {"lines": [...]}',
            None,
            None,
        ),
        (
            '{"lines": [' + OK + '], "lines": []}',
            "the key 'lines' appears 2 times; lines would be lost",
            None,
            None,
        ),
    ],
)
def test_unreadable_json_is_refused(
    tmp_path: Path, text: str, message: str, line: int | None, column: int | None
) -> None:
    err = refused(write(tmp_path, text, "m.json"))
    assert err.message.startswith(message)
    assert (err.line, err.column) == (line, column)


def test_json_over_the_size_limit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(structured, "MAX_JSON_BYTES", 50)
    err = refused(write(tmp_path, "[" + OK + ", " + OK + "]", "m.json"))
    assert err.message == (
        "file is 86 bytes, over the 50-byte limit for JSON; use JSON Lines or CSV for large "
        "manifests"
    )


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (("[" + OK + "]").encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + ("[" + OK + "]").encode("utf-8"), "utf-8-sig"),
        (("[" + OK + "]").encode("utf-16"), "utf-16-le"),
    ],
)
def test_json_encodings(tmp_path: Path, raw: bytes, encoding: str) -> None:
    lines, stats = read(write(tmp_path, raw, "m.json"))
    assert [(ln.item.part_number, ln.destination) for ln in lines] == [("A", "DE")]
    assert stats.encoding == encoding


def test_json_cp1252_is_refused_not_mojibake(tmp_path: Path) -> None:
    raw = '[{"part_number": "A", "destination": "DE",\n "consignee": "Müller"}]'.encode("cp1252")
    err = refused(write(tmp_path, raw, "m.json"))
    assert err.message == "not valid UTF-8 (byte 0xfc)"
    assert (err.line, err.column, err.hint) == (2, 17, "save the file as UTF-8")


def test_non_object_rows_are_review_lines_not_dropped(tmp_path: Path) -> None:
    rows = [OK, "null", "7", '"text"', "[1, 2]", "true", OK]
    lines, _ = read(write(tmp_path, "[" + ",".join(rows) + "]", "m.json"))
    assert len(lines) == len(rows)
    assert [problems(ln) for ln in lines] == [
        [],
        [("line", "expected a JSON object, got null")],
        [("line", "expected a JSON object, got int")],
        [("line", "expected a JSON object, got str")],
        [("line", "expected a JSON object, got list")],
        [("line", "expected a JSON object, got bool")],
        [],
    ]


def test_huge_numbers_stay_text_and_make_a_line_problem(tmp_path: Path) -> None:
    big = "9" * 5000
    text = (
        f'[{{"part_number": "A", "destination": "DE", "quantity": {big}, "order": {big}}},'
        '{"part_number": "B", "destination": "FR", "tpp": 1e999}]'
    )
    first, second = read(write(tmp_path, text, "m.json"))[0]
    assert first.fields["order"] == big and first.quantity is None
    assert [p.field for p in first.problems] == ["quantity"]
    assert first.problems[0].message.startswith("not a finite number: '9999")
    assert second.fields["tpp"] == "1e999"
    assert problems(second) == [("tpp", "not a finite number: '1e999'")]


def test_lone_surrogates_are_replaced_and_flagged(tmp_path: Path) -> None:
    text = '[{"part_number": "A\\ud800", "destination": "DE", "x\\udfff": "y"}]'
    (line,) = read(write(tmp_path, text, "m.json"))[0]
    assert line.fields == {"part_number": "A\ufffd", "destination": "DE", "x\ufffd": "y"}
    assert problems(line) == [
        (
            "part_number",
            "invalid Unicode (a lone surrogate escape such as \\ud800) in the value; replaced "
            "with U+FFFD",
        ),
        (
            "x\ufffd",
            "invalid Unicode (a lone surrogate escape such as \\ud800) in the name; replaced "
            "with U+FFFD",
        ),
    ]
    json.dumps(line.fields, ensure_ascii=False).encode("utf-8")  # writable as UTF-8


def test_nested_values_and_duplicate_keys(tmp_path: Path) -> None:
    text = (
        '[{"part_number": ["A", "B"], "destination": "DE", "Destination": "CN",'
        ' "meta": {"a": [1, {"b": null}]}}]'
    )
    (line,) = read(write(tmp_path, text, "m.json"))[0]
    assert line.fields == {
        "part_number": '["A", "B"]',
        "destination": "DE",
        "meta": '{"a": [1, {"b": null}]}',
    }
    assert line.destination == "DE"
    assert problems(line) == [
        ("part_number", "expected a single value"),
        (
            "destination",
            "duplicate key: 'destination' and 'Destination' are the same after normalising "
            "names; the first is used",
        ),
    ]


# --- JSON Lines ----------------------------------------------------------------------------------


def test_jsonl_every_bad_line_is_a_review_line(tmp_path: Path) -> None:
    rows = [
        OK,
        "{not json",
        "[" * 100_000,
        '{"part_number": "B", "destination": NaN}',
        "null",
        '{"part_number": "C", "destination": "FR"} trailing',
        OK,
    ]
    raw = "\r\n\r\n".join(rows) + "\r\n   \r\n"
    lines, stats = read(write(tmp_path, raw, "m.jsonl"))
    assert len(lines) == len(rows)
    assert [ln.source_line for ln in lines] == [1, 3, 5, 7, 9, 11, 13]
    assert stats.blank_skipped == len(rows)  # one between each pair, and the trailing one
    assert [problems(ln) for ln in lines] == [
        [],
        [("line", "invalid JSON: Expecting property name enclosed in double quotes at column 2")],
        [("line", "invalid JSON: nested too deeply")],
        [("line", "invalid JSON: NaN is not a valid JSON number")],
        [("line", "expected a JSON object, got null")],
        [("line", "invalid JSON: Extra data at column 43")],
        [],
    ]


def test_jsonl_cp1252_line_is_refused(tmp_path: Path) -> None:
    raw = (OK + "\n").encode() + '{"part_number": "Müller", "destination": "DE"}\n'.encode("cp1252")
    err = refused(write(tmp_path, raw, "m.jsonl"))
    assert err.message == "not valid UTF-8 (byte 0xfc at column 19)"
    assert (err.line, err.column) == (2, 19)


def test_jsonl_utf16_with_bom(tmp_path: Path) -> None:
    raw = (OK + "\n" + OK + "\n").encode("utf-16")
    lines, stats = read(write(tmp_path, raw, "m.jsonl"))
    assert len(lines) == 2 and stats.encoding == "utf-16-le"


def test_jsonl_utf16_without_bom_is_refused(tmp_path: Path) -> None:
    err = refused(write(tmp_path, (OK + "\n").encode("utf-16-le"), "m.jsonl"))
    assert (err.message, err.line, err.column) == ("contains a NUL character", 1, 2)
