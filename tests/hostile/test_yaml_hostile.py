"""Hostile YAML: rules, catalogs and manifests. Each case asserts the exact outcome."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from exportcheck.errors import InputError
from exportcheck.readers import yamlsafe
from exportcheck.readers.catalog import load_catalog
from exportcheck.readers.manifest import ReadStats, iter_manifest
from exportcheck.readers.rules import load_rules
from exportcheck.readers.yamlsafe import decode_text, load_path, loads

RULE_FILE = """\
id: hostile
title: Hostile
authority: Test
version: "1"
rules:
  - id: r.one
    title: One
    versions:
      - effective: 2024-01-01
        citation: "1 FR 1"
        status: license_required
        when:
          eccn: [3A090]
          destination:
            countries: [CN]
{extra}"""


def error(text: str) -> InputError:
    with pytest.raises(InputError) as info:
        loads(text, "f.yaml")
    return info.value


# --- the Norway problem and other implicit typing ----------------------------------------------


@pytest.mark.parametrize(
    ("scalar", "expected"),
    [
        ("NO", "NO"),
        ("no", "no"),
        ("YES", "YES"),
        ("ON", "ON"),
        ("OFF", "OFF"),
        ("y", "y"),
        ("n", "n"),
        ("true", True),
        ("False", False),
        ("~", None),
        ("null", None),
        ("2025-01-01", "2025-01-01"),  # a date stays text; pydantic parses ISO dates
        ("2025-01-01T10:00:00Z", "2025-01-01T10:00:00Z"),
        ("3E991", "3E991"),  # an ECCN, not 3×10^991
        ("5E002", "5E002"),
        ("1e3", "1e3"),  # floats need a decimal point
        ("1.5", 1.5),
        ("-2.5e3", -2500.0),
        ("12", 12),
        ("-7", -7),
        ("0", 0),
        ("0123", "0123"),  # leading zero: a part number, not octal 83
        ("09", "09"),  # used to raise ValueError (invalid octal)
        ("0x1F", "0x1F"),
        ("1_000", "1_000"),
        ("1:30", "1:30"),  # no sexagesimal
        ("1.0e999", "1.0e999"),  # too large for a float: text, never inf
        ("=", "="),
        ("<<", "<<"),
        (".inf", ".inf"),
        (".nan", ".nan"),
    ],
)
def test_plain_scalars_keep_their_text(scalar: str, expected: object) -> None:
    value = loads(f"v: {scalar}\n").data["v"]
    assert value == expected
    assert type(value) is type(expected)


def test_integer_with_more_digits_than_python_converts_stays_text() -> None:
    digits = "7" * 5000
    assert loads(f"v: {digits}\n").data == {"v": digits}


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("a: 1\nb: !!float .nan\n", "'.nan' is not a finite number", 2, 4),
        ("a: 1\nb: !!float .inf\n", "'.inf' is not a finite number", 2, 4),
        ("b: !!float 1e999\n", "'1e999' is not a finite number", 1, 4),
        ("b: !!float abc\n", "not a number: 'abc'", 1, 4),
        ("b: !!int zz\n", "not an integer: 'zz'", 1, 4),
        ("b: !!python/object:os.system x\n", "could not determine a constructor", 1, 4),
        ("b: !!python/name:os.system ''\n", "could not determine a constructor", 1, 4),
        ("b: !custom x\n", "could not determine a constructor", 1, 4),
    ],
)
def test_explicit_tags_that_would_smuggle_values_are_refused(
    text: str, message: str, line: int, column: int
) -> None:
    err = error(text)
    assert message in err.message
    assert (err.file, err.line, err.column) == ("f.yaml", line, column)


def test_explicit_int_forms_are_allowed() -> None:
    assert loads("a: !!int 0x1F\nb: !!int '012'\n").data == {"a": 31, "b": 12}


# --- duplicate keys, aliases, size ---------------------------------------------------------------


def test_duplicate_key_names_both_lines() -> None:
    err = error("a:\n  countries: [CN]\n  countries: [RU]\n")
    assert err.message == "duplicate key 'countries' (first defined on line 2)"
    assert (err.line, err.column, err.field) == (3, 3, "countries")


def test_duplicate_key_in_a_rule_file_stops_loading(tmp_path: Path) -> None:
    text = RULE_FILE.format(extra="").replace(
        "            countries: [CN]\n",
        "            countries: [CN]\n            countries: [RU]\n",
    )
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_rules([path])
    assert info.value.message == "duplicate key 'countries' (first defined on line 15)"
    assert (info.value.file, info.value.line, info.value.field) == (str(path), 16, "countries")


def _bomb(levels: int) -> str:
    text = 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for i in range(1, levels + 1):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        text += f"a{i}: &a{i} [{refs}]\n"
    return text


def test_billion_laughs_is_refused_fast() -> None:
    started = time.perf_counter()
    err = error(_bomb(9))  # 10^10 nodes if expanded
    assert time.perf_counter() - started < 1.0
    assert "expand to more than 2,000,000 nodes" in err.message
    assert err.line == 7  # the first anchor whose expansion is over the budget


def test_aliases_within_budget_load() -> None:
    data = loads(_bomb(3)).data
    assert len(data["a3"]) == 10 and data["a3"][0][0][0][0] == "lol"


def test_recursive_alias_is_refused() -> None:
    err = error("a: &x [1, *x]\n")
    assert err.message in ("recursive YAML alias", "invalid YAML: found undefined alias")


def test_deep_nesting_is_refused() -> None:
    err = error("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "nesting depth" in err.message
    assert err.line == 1


def test_multiple_documents_are_refused() -> None:
    err = error("a: 1\n---\nb: 2\n")
    assert err.message == "invalid YAML: but found another document"
    assert err.line == 2


def test_text_over_the_size_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlsafe, "MAX_YAML_BYTES", 100)
    err = error("a: " + "x" * 200)
    assert err.message == "YAML text is 203 characters, over the 100 limit"


def test_file_over_the_size_cap_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * 5000)
    with pytest.raises(InputError) as info:
        load_path(path, max_bytes=1000)
    assert info.value.message == "file is 5,003 bytes, over the 1,000-byte limit for YAML"
    assert info.value.file == str(path)


# --- encodings -----------------------------------------------------------------------------------


def test_utf16_with_bom_and_utf8_bom_are_read() -> None:
    assert decode_text("a: Müller\n".encode("utf-16"), "f") == ("a: Müller\n", "utf-16-le")
    assert decode_text(b"\xef\xbb\xbfa: 1\n", "f") == ("a: 1\n", "utf-8-sig")
    assert decode_text(b"\xfe\xff\x00a", "f") == ("a", "utf-16-be")


@pytest.mark.parametrize(
    ("raw", "message", "line", "column"),
    [
        (b"a: 1\nb: M\xfcller\n", "not valid UTF-8 (byte 0xfc)", 2, 5),
        ("a: 1\n".encode("utf-16-le"), "contains a NUL character", 1, 2),
        (b"a: 1\nb: \x00\n", "contains a NUL character", 2, 4),
        (b"\xff\xfea\x00\x00", "not valid UTF-16-LE: truncated data", 1, None),
    ],
)
def test_undecodable_yaml_names_line_and_column(
    raw: bytes, message: str, line: int, column: int | None
) -> None:
    with pytest.raises(InputError) as info:
        decode_text(raw, "f.yaml")
    assert info.value.message == message
    assert (info.value.line, info.value.column) == (line, column)
    assert info.value.hint is not None and "UTF-8" in info.value.hint


# --- through the readers -----------------------------------------------------------------------


def test_yaml_manifest_types(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        "- part_number: 0123\n"
        "  destination: NO\n"
        "  ship_date: 2025-02-03\n"
        "  quantity: 09\n"
        "  eccn: 3A090\n"
        "  order: 1.0e999\n"
        "- part_number: H20\n"
        "  destination: ON\n",  # not a country: a line problem, not a boolean
        encoding="utf-8",
    )
    stats = ReadStats()
    first, second = iter_manifest(path, stats=stats)
    assert first.item.part_number == "0123"
    assert first.destination == "NO"
    assert first.ship_date == date(2025, 2, 3)
    assert first.quantity == 9.0
    assert first.item.eccn == "3A090"
    assert first.fields["order"] == "1.0e999"
    assert first.problems == ()
    assert second.destination is None
    assert [(p.field, p.value) for p in second.problems] == [("destination", "ON")]
    assert (stats.records, stats.encoding, stats.format) == (2, "utf-8", "yaml")


def test_yaml_manifest_with_nan_tag_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("- part_number: A\n  destination: CN\n  tpp: !!float .nan\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        list(iter_manifest(path))
    assert (info.value.file, info.value.line, info.value.column) == (str(path), 3, 8)


def test_rule_threshold_nan_is_refused(tmp_path: Path) -> None:
    text = RULE_FILE.format(
        extra="          params:\n            - {param: tpp, op: '>=', value: !!float .nan}\n"
    )
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_rules([path])
    assert "'.nan' is not a finite number" in info.value.message
    assert info.value.line == 17


def test_catalog_yaml_duplicate_key_and_bad_bytes(tmp_path: Path) -> None:
    path = tmp_path / "cat.yaml"
    path.write_text("- part_number: A\n  tpp: 1.0\n  tpp: 2.0\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_catalog(path)
    assert (info.value.line, info.value.field) == (3, "tpp")
    path.write_bytes(b"- part_number: M\xfcller\n")
    with pytest.raises(InputError) as info:
        load_catalog(path)
    assert (info.value.line, info.value.column) == (1, 17)
    assert info.value.message == "not valid UTF-8 (byte 0xfc)"


def test_catalog_yaml_utf16_is_read(tmp_path: Path) -> None:
    path = tmp_path / "cat.yaml"
    path.write_bytes("- part_number: Müller-1\n  eccn: 3a090\n".encode("utf-16"))
    catalog, _ = load_catalog(path)
    entry = catalog.get("müller-1")
    assert entry is not None and entry.eccn == "3A090"
