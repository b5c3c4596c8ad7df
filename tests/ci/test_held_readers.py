"""Licence and waiver files: YAML and CSV read the same; errors name the file, line and field."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from exportcheck.errors import InputError
from exportcheck.readers.licenses import load_licenses
from exportcheck.readers.waivers import load_waivers

DATA = Path(__file__).parent / "data"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_licence_yaml_and_csv_read_the_same() -> None:
    from_yaml, ysrc = load_licenses(DATA / "licenses.yaml")
    from_csv, csrc = load_licenses(DATA / "licenses.csv")
    [a] = from_yaml.licences
    [b] = from_csv.licences
    assert a.model_dump(exclude={"notes"}) == b.model_dump(exclude={"notes"})
    assert a.number == "L-200" and a.destinations == ("AE",) and a.quantity == 200
    assert ysrc.kind == csrc.kind == "licenses"
    raw = (DATA / "licenses.yaml").read_bytes()
    assert ysrc.sha256 == hashlib.sha256(raw).hexdigest()


def test_waiver_yaml_and_csv_read_the_same() -> None:
    from_yaml, ysrc = load_waivers(DATA / "waivers.yaml")
    from_csv, csrc = load_waivers(DATA / "waivers.csv")
    assert from_yaml == from_csv
    assert [w.id for w in from_yaml.waivers] == ["W-VALID", "W-EXPIRED"]
    assert ysrc.kind == csrc.kind == "waivers"


def test_csv_list_cells_and_items(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "l.csv",
        "Number;Holder;ECCNs;Parts;Destinations;Parties;Valid From;Valid To\n"
        'D1;Exp;3D991, 3E991;;CN;"A Co., Ltd.";2025-01-01;2025-12-31\n',
    )
    # ';' is the delimiter here (sniffed), so list cells use... a comma is not a separator:
    with pytest.raises(InputError, match="not a valid ECCN"):
        load_licenses(path)
    path = write(
        tmp_path,
        "l2.csv",
        "number,holder,eccns,parts,destinations,parties,valid_from,valid_to\n"
        'D1,Exp,3D991; 3E991,H20,CN; Hong Kong,"A Co., Ltd.; B Ltd",2025-01-01,2025-12-31\n',
    )
    [lic] = load_licenses(path)[0].licences
    assert [(i.eccn, i.part) for i in lic.items] == [
        ("3D991", None),
        ("3E991", None),
        (None, "H20"),
    ]
    assert lic.destinations == ("CN", "HK")
    assert lic.parties == ("A Co., Ltd.", "B Ltd")


LICENCE_YAML = """\
licenses:
  - number: D1
    holder: Exporter
    items:
      - eccn: 3A090
    destinations: [AE]
    valid_from: 2025-01-01
    valid_to: 2025-12-31
"""


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        (LICENCE_YAML + "    quantiy: 5\n", 9, "licenses.0.quantiy", "unknown field 'quantiy'"),
        (
            LICENCE_YAML.replace("[AE]", "[AE, Atlantis]"),
            6,
            "licenses.0.destinations",
            "unknown country 'Atlantis'",
        ),
        (
            LICENCE_YAML.replace("2025-12-31", "2024-12-31"),
            2,
            "licenses.0",
            "valid_to 2024-12-31 is before valid_from 2025-01-01",
        ),
        (
            LICENCE_YAML.replace("2025-12-31", "31/12/2025"),
            8,
            "licenses.0.valid_to",
            "date",
        ),
        (LICENCE_YAML.replace("eccn: 3A090", "eccn: 3Z999"), 5, None, "not a valid ECCN"),
        (LICENCE_YAML + "    value: 100\n", 2, "licenses.0", "a value limit needs a currency"),
        (LICENCE_YAML + LICENCE_YAML.split("\n", 1)[1], 9, "number", "duplicate number 'D1'"),
        ("licences:\n  - number: D1\n", 2, "licences", "unknown top-level key 'licences'"),
        (LICENCE_YAML.replace("      - eccn: 3A090", "      - {}"), 5, None, "needs 'eccn'"),
    ],
)
def test_licence_yaml_errors_name_line_and_field(
    tmp_path: Path, text: str, line: int, field: str | None, message: str
) -> None:
    path = write(tmp_path, "licenses.yaml", text)
    with pytest.raises(InputError) as err:
        load_licenses(path)
    e = err.value
    assert e.file == str(path)
    assert e.line == line
    if field is not None:
        assert e.field == field
    assert message in e.message


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        ("number,holder,color\n", 1, "color", "unknown column 'color'"),
        ("holder,eccns\nX,3A090\n", 1, "number", "missing required column 'number'"),
        ("number,holder,Number\n", 1, "number", "duplicate column 'number' (columns 1 and 3)"),
        (
            "number,holder,eccns,destinations,valid_from,valid_to\n"
            "D1,X,3A090,AE,2025-01-01,2025-12-31\n"
            "D2,X,3A090,AE,2025-01-01,not-a-date\n",
            3,
            "valid_to",
            "date",
        ),
        (
            "number,holder,destinations,valid_from,valid_to\nD1,X,AE,2025-01-01,2025-12-31\n",
            2,
            "eccns",
            "needs 'eccns' or 'parts'",
        ),
        (
            "number,holder,eccns,destinations,valid_from,valid_to\n"
            "D1,X,3A090,AE,2025-01-01,2025-12-31\n\n"
            "D1,X,3A090,AE,2025-01-01,2025-12-31\n",
            4,
            "number",
            "duplicate number 'D1' (first on line 2)",
        ),
        (
            "number,holder,eccns,destinations,valid_from,valid_to\nD1,X,3A090,AE,2025-01-01\n",
            2,
            None,
            "row has 5 fields, header has 6",
        ),
    ],
)
def test_licence_csv_errors_name_line_and_field(
    tmp_path: Path, text: str, line: int, field: str | None, message: str
) -> None:
    path = write(tmp_path, "licenses.csv", text)
    with pytest.raises(InputError) as err:
        load_licenses(path)
    assert err.value.line == line
    assert err.value.field == field
    assert message in err.value.message


WAIVER_YAML = """\
waivers:
  - id: W-1
    rule: exportcheck.unclassified
    reason: r
    approver: a
    approved: 2025-01-01
    expires: 2025-12-31
"""


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        (WAIVER_YAML.replace("    approver: a\n", ""), 2, "waivers.0.approver", "missing required"),
        (WAIVER_YAML + "    expiry: 2026-01-01\n", 8, "waivers.0.expiry", "unknown field 'expiry'"),
        (WAIVER_YAML + WAIVER_YAML.split("\n", 1)[1], 8, "id", "duplicate id 'W-1'"),
        (WAIVER_YAML + "    destination: Narnia\n", 8, "waivers.0.destination", "unknown country"),
        (WAIVER_YAML.replace("reason: r", "reason: '  '"), 4, "waivers.0.reason", "empty"),
        ("waivers: {}\n", 1, "waivers", "'waivers' must be a list"),
    ],
)
def test_waiver_yaml_errors_name_line_and_field(
    tmp_path: Path, text: str, line: int, field: str, message: str
) -> None:
    path = write(tmp_path, "waivers.yaml", text)
    with pytest.raises(InputError) as err:
        load_waivers(path)
    assert (err.value.line, err.value.field) == (line, field)
    assert message in err.value.message


def test_waiver_csv_error_names_line_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "w.csv",
        "id,rule,reason,approver,approved,expires\n"
        "W-1,r,x,a,2025-01-01,2025-12-31\n"
        "W-2,r,x,a,2025-06-01,2025-01-01\n",
    )
    with pytest.raises(InputError) as err:
        load_waivers(path)
    assert err.value.line == 3
    assert "expires 2025-01-01 is before approved 2025-06-01" in err.value.message


def test_strict_yaml_still_applies(tmp_path: Path) -> None:
    path = write(tmp_path, "w.yaml", WAIVER_YAML.replace("    reason: r\n", "    reason: r\n" * 2))
    with pytest.raises(InputError, match="duplicate key 'reason'"):
        load_waivers(path)


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such licences file"):
        load_licenses(tmp_path / "nope.yaml")
    assert load_waivers(write(tmp_path, "empty.yaml", ""))[0].waivers == ()
    with pytest.raises(InputError, match="empty"):
        load_waivers(write(tmp_path, "empty.csv", "\n"))
