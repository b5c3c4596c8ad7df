"""Catalog reader: YAML and CSV product masters, validated strictly."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from exportcheck.errors import InputError
from exportcheck.model.manifest import Catalog, CatalogEntry
from exportcheck.readers.catalog import load_catalog

YAML = """\
items:
  - part_number: H20
    eccn: 3a090.A
    vendor: Nvidia
    category: gpu
    description: Data-centre GPU
    tpp: 2368
    die-area-mm2: 814
    params:
      memory_bandwidth_gbps: "4,000"
      datacenter: yes
  - part_number: RTX 4090D
    eccn: EAR99
  - part_number: Unclassified-1
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_yaml_catalog(tmp_path: Path) -> None:
    path = write(tmp_path, "catalog.yaml", YAML)
    catalog, source = load_catalog(path)
    assert list(catalog.entries) == ["h20", "rtx 4090d", "unclassified-1"]
    assert catalog.get(" h20 ") == CatalogEntry(
        part_number="H20",
        eccn="3A090.a",
        vendor="Nvidia",
        category="gpu",
        description="Data-centre GPU",
        params={
            "tpp": 2368.0,
            "die_area_mm2": 814.0,
            "memory_bandwidth_gbps": 4000.0,
            "datacenter": 1.0,
        },
    )
    entry = catalog.get("RTX  4090D")
    assert entry is not None and entry.eccn == "EAR99"
    entry = catalog.get("unclassified-1")
    assert entry is not None and entry.eccn is None and entry.params == {}
    assert source.kind == "catalog"
    assert source.path == str(path)
    assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_yaml_plain_list(tmp_path: Path) -> None:
    catalog, _ = load_catalog(write(tmp_path, "c.yml", "- part_number: A\n  eccn: 5A992.c\n"))
    assert catalog == Catalog(entries={"a": CatalogEntry(part_number="A", eccn="5A992.c")})


def test_csv_catalog(tmp_path: Path) -> None:
    text = (
        "\ufeffPart Number;ECCN;TPP;Die Area mm2;Vendor;Datacenter\r\n"
        "H100;3A090.a;15832;814;Nvidia;yes\r\n"
        "\r\n"
        'X;;;;"Acme; Inc";\r\n'
    )
    catalog, source = load_catalog(write(tmp_path, "c.csv", text))
    h100 = catalog.get("h100")
    assert h100 == CatalogEntry(
        part_number="H100",
        eccn="3A090.a",
        vendor="Nvidia",
        params={"tpp": 15832.0, "die_area_mm2": 814.0, "datacenter": 1.0},
    )
    x = catalog.get("X")
    assert x == CatalogEntry(part_number="X", vendor="Acme; Inc")
    assert source.kind == "catalog"


@pytest.mark.parametrize(
    ("text", "line", "field", "fragment"),
    [
        ("- part_number: A\n  eccn: 3Z090\n", 2, "eccn", "not a valid ECCN: '3Z090'"),
        ("- part_number: A\n  colour: red\n", 2, "colour", "unknown field 'colour'"),
        ("- part_number: A\n  tpp: -1\n", 2, "tpp", "must not be negative"),
        ("- part_number: A\n  tpp: lots\n", 2, "tpp", "not a number"),
        ("- part_number: A\n  datacenter: maybe\n", 2, "datacenter", "expected yes/no"),
        (
            "- part_number: A\n  params:\n    speed: 3\n",
            3,
            "params.speed",
            "unknown technical parameter 'speed'",
        ),
        ("- part_number: A\n  tpp: 1\n  params:\n    TPP: 2\n", 4, "tpp", "duplicate key"),
        ("- eccn: EAR99\n", 1, "part_number", "missing part_number"),
        ("- part_number: A\n- part_number: ' a '\n", 2, "part_number", "duplicate part number"),
        ("- part_number: A\n- just text\n", 2, None, "must be a mapping"),
        ("items:\n  - part_number: A\nversion: 2\n", 3, "version", "unknown top-level key"),
        ("- part_number: A\n  eccn: [EAR99]\n", 2, "eccn", "single value"),
    ],
)
def test_yaml_errors(
    tmp_path: Path, text: str, line: int, field: str | None, fragment: str
) -> None:
    path = write(tmp_path, "c.yaml", text)
    with pytest.raises(InputError) as info:
        load_catalog(path)
    err = info.value
    assert fragment in err.message
    assert err.file == str(path)
    assert err.line == line
    assert err.field == field


@pytest.mark.parametrize(
    ("text", "line", "column", "field", "fragment"),
    [
        ("part_number,eccn\nA,3A090.a\nB,nope\n", 3, 2, "eccn", "not a valid ECCN"),
        ("part_number,price\nA,3\n", 1, 2, "price", "unknown column 'price'"),
        ("part_number,tpp\nA,-5\n", 2, 2, "tpp", "must not be negative"),
        ('part_number,tpp\nA,"1,5"\n', 2, 2, "tpp", "not a number"),
        ("part_number,Part-Number\nA,B\n", 1, 2, "part_number", "duplicate column"),
        ("eccn,tpp\nEAR99,1\n", 1, None, "part_number", "missing required column"),
        ("part_number\nA\nB\n a\n", 4, None, "part_number", "duplicate part number 'a'"),
        ("part_number,eccn\nA\n", 2, None, None, "row has 1 fields, header has 2"),
    ],
)
def test_csv_errors(
    tmp_path: Path, text: str, line: int, column: int | None, field: str | None, fragment: str
) -> None:
    path = write(tmp_path, "c.csv", text)
    with pytest.raises(InputError) as info:
        load_catalog(path)
    err = info.value
    assert fragment in err.message
    assert (err.file, err.line, err.column, err.field) == (str(path), line, column, field)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_catalog(tmp_path / "missing.yaml")
    path = tmp_path / "bad.csv"
    path.write_bytes(b"part_number\nA\n\xff\n")
    with pytest.raises(InputError) as info:
        load_catalog(path)
    assert info.value.line == 3
    with pytest.raises(InputError, match="empty"):
        load_catalog(write(tmp_path, "empty.csv", "\n"))
    with pytest.raises(InputError, match="duplicate key"):
        load_catalog(write(tmp_path, "dup.yaml", "- part_number: A\n  part_number: B\n"))


def test_empty_items_is_an_empty_catalog(tmp_path: Path) -> None:
    catalog, _ = load_catalog(write(tmp_path, "c.yaml", "items: []\n"))
    assert catalog.entries == {}
