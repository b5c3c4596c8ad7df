"""The ownership file (``check --ownership``): YAML and CSV, and every way it can be wrong,
each an error naming the file, line and field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from exportcheck.errors import InputError
from exportcheck.model.ownership import party_key
from exportcheck.readers.ownership import load_ownership

ROOT = Path(__file__).resolve().parents[2]
HEADER = "entity,owner,share,as_of,source\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        load_ownership(path)
    return info.value


def test_the_example_and_the_test_data_load() -> None:
    csv_file, source = load_ownership(ROOT / "examples" / "ownership.csv")
    yaml_file, _ = load_ownership(ROOT / "tests" / "data" / "ownership.yaml")
    assert len(csv_file.records) == 8 and source.kind == "ownership" and len(source.sha256) == 64
    assert [r.share for r in csv_file.records[:3]] == [30.0, 25.0, 45.0]  # "25 %" reads as 25
    assert csv_file.records[0].owner == "Huawei Technologies Co., Ltd."
    assert csv_file.records[0].as_of == date(2025, 1, 1)
    assert csv_file.records[-1].owner_hq_country == "MO"
    assert {r.entity for r in yaml_file.records} >= {"Lotus Compute Sdn. Bhd."}


def test_party_keys_ignore_case_punctuation_and_spacing_not_words() -> None:
    assert party_key("Acme Ltd.") == party_key("ACME  LTD") == party_key("acme, ltd")
    assert party_key("Acme GmbH") != party_key("Acme Inc.")


@pytest.mark.parametrize(
    "rows, line, field, words",
    [
        ("A,B,sixty,2025-01-01,x\n", 2, "share", "not a percentage"),
        ("A,B,120,2025-01-01,x\n", 2, "share", "less than or equal to 100"),
        ("A,B,-5,2025-01-01,x\n", 2, "share", "greater than or equal to 0"),
        ("A,B,20,2025-13-01,x\n", 2, "as_of", "month"),
        ("A,A,20,2025-01-01,x\n", 2, "owner", "cannot own itself"),
        ("A,B,60,2025-01-01,x\nA,C,50,2025-01-01,x\n", 3, "share", "110 %"),
        ("A,B,20,2025-01-01,x\nA,B,30,2025-01-01,y\n", 3, "owner", "twice"),
        (
            "A,B,60,2025-01-01,x\nB,C,60,2025-01-01,x\nC,A,10,2025-02-01,x\n",
            4,
            "owner",
            "cycle: A ← B ← C ← A",
        ),
    ],
    ids=[
        "share-text",
        "share-over",
        "share-negative",
        "bad-date",
        "self",
        "over-100",
        "duplicate",
        "cycle",
    ],
)
def test_bad_csv_names_file_line_and_field(
    tmp_path: Path, rows: str, line: int, field: str, words: str
) -> None:
    path = write(tmp_path, "own.csv", HEADER + rows)
    err = error(path)
    assert (err.file, err.line, err.field) == (str(path), line, field)
    assert words in err.message


def test_holdings_over_100_percent_count_each_owners_latest_share(tmp_path: Path) -> None:
    # B's later record replaces its first: 40 + 50 is fine; then C's 20 % is too much.
    ok = "A,B,60,2025-01-01,x\nA,B,40,2025-06-01,x\nA,C,50,2025-06-01,x\n"
    assert len(load_ownership(write(tmp_path, "ok.csv", HEADER + ok))[0].records) == 3
    bad = ok + "A,D,20,2025-07-01,x\n"
    err = error(write(tmp_path, "bad.csv", HEADER + bad))
    assert err.line == 5 and "110 %" in err.message and "2025-07-01" in err.message


def test_csv_needs_its_columns_and_knows_no_others(tmp_path: Path) -> None:
    err = error(write(tmp_path, "a.csv", "entity,owner,share,as_of\nA,B,1,2025-01-01\n"))
    assert err.line == 1 and err.field == "source" and "missing required column" in err.message
    err = error(write(tmp_path, "b.csv", HEADER.strip() + ",stake\nA,B,1,2025-01-01,x,2\n"))
    assert err.field == "stake" and "unknown column" in err.message
    err = error(write(tmp_path, "c.csv", HEADER + "A,B,1,2025-01-01,\n"))
    assert err.line == 2 and err.field == "source"
    bad_country = HEADER.strip() + ",entity_hq_country\nA,B,1,2025-01-01,x,Narnia\n"
    err = error(write(tmp_path, "d.csv", bad_country))
    assert err.field == "entity_hq_country" and "Narnia" in err.message


def test_yaml_errors_name_the_line_and_field(tmp_path: Path) -> None:
    record = "  - entity: A\n    owner: B\n    share: 20 %\n    as_of: 2025-01-01\n    source: x\n"
    good = "ownership:\n" + record
    assert load_ownership(write(tmp_path, "ok.yaml", good))[0].records[0].share == 20
    err = error(write(tmp_path, "a.yaml", good.replace("share: 20 %", "share: 120")))
    assert (err.line, err.field) == (4, "ownership.0.share")
    err = error(write(tmp_path, "b.yaml", good + "    holder: y\n"))
    assert err.line == 7 and "unknown field 'holder'" in err.message
    err = error(write(tmp_path, "c.yaml", good.replace("    source: x\n", "")))
    assert "missing required field 'source'" in err.message
    cycle = good + record.replace("entity: A", "entity: B").replace("owner: B", "owner: A")
    err = error(write(tmp_path, "d.yaml", cycle))
    assert err.line == 7 and err.field == "owner" and "cycle" in err.message
    err = error(write(tmp_path, "e.yaml", "owners: []\n"))
    assert "unknown top-level key 'owners'" in err.message


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    err = error(tmp_path / "nope.yaml")
    assert "no such ownership file" in err.message
