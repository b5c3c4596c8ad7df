"""List readers: the official CSV formats, our YAML format, sources and errors."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest
from _screening_data import SHIPPED_LISTS

from exportcheck.engine.screening import ScreeningIndex
from exportcheck.errors import InputError
from exportcheck.model.parties import PartyType
from exportcheck.model.status import Status
from exportcheck.readers.lists import detect_format, load_lists, read_yaml_list, write_yaml_list


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [r for r in csv.reader(fh) if r]


@pytest.mark.parametrize("name", ["csl-sample-2019.csv", "csl-sample-2025.csv"])
def test_csl_samples(lists_dir: Path, name: str) -> None:
    path = lists_dir / name
    rows = csv_rows(path)
    header, data = rows[0], rows[1:]
    entries, sources = load_lists([path])
    assert len(entries) == len(data)  # one entry per data row
    assert detect_format(path) == "csl"
    assert [s.id for s in sources] == ["csl"] and len(sources[0].sha256) == 64
    src = header.index("source")
    by_code: dict[str, int] = {}
    for e in entries:
        by_code[e.list_code] = by_code.get(e.list_code, 0) + 1
    expected: dict[str, int] = {}
    for r in data:
        code = r[src].split("(")[1].split(")")[0]
        expected[code] = expected.get(code, 0) + 1
    assert by_code == expected


def test_csl_2019_fields(lists_dir: Path) -> None:
    entries, _ = load_lists([lists_dir / "csl-sample-2019.csv"])
    adrian = next(e for e in entries if e.name == "ADRIAN MANUEL HERNANDEZ")  # leading space
    assert adrian.list_code == "DPL"
    assert adrian.start_date == date(2017, 10, 16) and adrian.end_date == date(2020, 10, 13)
    assert adrian.citation == "82 F.R. 48792 10/20/2017"
    assert adrian.in_force(date(2019, 1, 1)) and not adrian.in_force(date(2020, 10, 13))
    group = next(e for e in entries if e.name == "32 Group China Ltd.")
    assert group.countries == ("HK",) and group.license_policy == "Presumption of denial."
    canada = next(e for e in entries if e.name == "2904977 CANADA, INC.")
    assert canada.aliases == ("CARIBE SOL", "HAVANTUR CANADA INC.")
    assert canada.entry_id == "8124" and canada.type is PartyType.ENTITY


def test_csl_2025_fields(lists_dir: Path) -> None:
    entries, _ = load_lists([lists_dir / "csl-sample-2025.csv"])
    meu = next(e for e in entries if e.list_code == "MEU")
    assert meu.entry_id == "66f6ab3f26234b75a9093fce79ef0ce0"
    assert meu.country == "CN" and meu.start_date == date(2020, 12, 23)
    isn = next(e for e in entries if e.list_code == "ISN")
    assert isn.name == "Sinobright Import and Export Company"  # successor clause dropped
    plc = next(e for e in entries if e.name == "Mohammed ABU JHEISHEH")
    assert plc.aliases == ("Mohammad Mutlaq ABU JHESHEH", "Mohammed ABU JEHEISHA")


def test_ofac_files(lists_dir: Path) -> None:
    sdn_rows = csv_rows(lists_dir / "ofac-sdn.csv")
    alt_rows = csv_rows(lists_dir / "ofac-alt.csv")
    add_rows = csv_rows(lists_dir / "ofac-add.csv")
    # REFERENCE.md says 7,378 entries and 9,681 aliases: that is `wc -l`, which misses the last
    # row of each file (no final newline). The files hold 7,379 and 9,682 rows.
    assert (len(sdn_rows), len(alt_rows)) == (7379, 9682)
    entries, sources = load_lists([lists_dir / "ofac-sdn.csv"])  # companions found beside it
    assert len(entries) == len(sdn_rows)
    assert sorted(s.id or "" for s in sources) == ["ofac-add", "ofac-alt", "ofac-sdn"]
    by_id = {e.entry_id: e for e in entries}
    for r in alt_rows:
        assert " ".join(r[3].split()) in by_id[r[0]].aliases
    with_address = {r[0] for r in add_rows if r[2].strip() != "-0-" or r[4].strip() != "-0-"}
    assert sum(1 for e in entries if e.addresses) == len(with_address)
    bnc = by_id["306"]
    assert bnc.aliases[0] == "BNC"  # a.k.a. in the remarks
    assert "NATIONAL BANK OF CUBA" in bnc.aliases
    assert set(bnc.countries) == {"CH", "ES", "JP", "PA"}
    assert bnc.hit_status is Status.PROHIBITED
    assert by_id["26235"].type is PartyType.INDIVIDUAL
    assert all(e.list_code == "SDN" for e in entries)


def test_ofac_companions_given_explicitly(lists_dir: Path, tmp_path: Path) -> None:
    for name in ("ofac-sdn.csv", "ofac-alt.csv", "ofac-add.csv"):
        shutil.copy(lists_dir / name, tmp_path / name.replace("ofac-", "x"))
    (tmp_path / "xalt.csv").rename(tmp_path / "aliases.csv")
    entries, sources = load_lists([tmp_path / "xsdn.csv", tmp_path / "aliases.csv"])
    assert "NATIONAL BANK OF CUBA" in next(e for e in entries if e.entry_id == "306").aliases
    assert {s.id for s in sources} == {"ofac-sdn", "ofac-alt", "ofac-add"}


def test_ofac_alias_file_alone_is_an_error(lists_dir: Path, tmp_path: Path) -> None:
    shutil.copy(lists_dir / "ofac-alt.csv", tmp_path / "alt.csv")
    with pytest.raises(InputError, match="without a matching SDN"):
        load_lists([tmp_path / "alt.csv"])


def test_ofac_cp1252(tmp_path: Path) -> None:
    line = '1,"MÜLLER, Jörg",individual,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    (tmp_path / "sdn.csv").write_bytes(line.encode("cp1252"))
    entries, _ = load_lists([tmp_path / "sdn.csv"])
    assert entries[0].name == "MÜLLER, Jörg"


def test_directory_loading_and_shipped_list(lists_dir: Path) -> None:
    entries, sources = load_lists([SHIPPED_LISTS, lists_dir])
    ids = [s.id for s in sources]
    assert ids.count("csl") == 2 and "entity-list-ai-chips" in ids
    shipped_ids = {
        e.entry_id for e in read_yaml_list(SHIPPED_LISTS / "entity-list-ai-chips.yaml").entries
    }
    shipped = [e for e in entries if e.entry_id in shipped_ids]
    assert len(shipped) == len(shipped_ids) >= 10
    assert all(e.country == "CN" and e.hit_status is Status.LICENSE_REQUIRED for e in shipped)
    huawei = next(e for e in shipped if e.entry_id == "EL-huawei-technologies")
    assert huawei.confidence.value == "secondary"  # checked in summaries of 84 FR 22961


def test_date_awareness_of_the_shipped_list() -> None:
    entries, _ = load_lists([SHIPPED_LISTS])
    index = ScreeningIndex.build(entries)
    assert index.screen("Moore Threads", on=date(2023, 10, 16)).status is Status.ALLOWED
    assert index.screen("Moore Threads", on=date(2023, 10, 17)).status is Status.LICENSE_REQUIRED
    assert index.screen("SMIC", on=date(2020, 12, 17)).status is Status.ALLOWED
    assert index.screen("SMIC", on=date(2020, 12, 18)).status is Status.LICENSE_REQUIRED


def test_end_date_is_exclusive(tmp_path: Path) -> None:
    (tmp_path / "l.yaml").write_text(
        "kind: party-list\nid: t\ntitle: T\nversion: '1'\nentries:\n"
        "  - {source: 'Denied Persons List (DPL) - BIS', list_code: DPL, entry_id: d1,\n"
        "     name: Acme Widgets, start_date: '2020-01-01', end_date: '2021-01-01'}\n",
        encoding="utf-8",
    )
    index = ScreeningIndex.build(load_lists([tmp_path]).entries)
    assert index.screen("Acme Widgets", on=date(2019, 12, 31)).matches == ()
    assert index.screen("Acme Widgets", on=date(2020, 1, 1)).status is Status.PROHIBITED
    assert index.screen("Acme Widgets", on=date(2020, 12, 31)).status is Status.PROHIBITED
    assert index.screen("Acme Widgets", on=date(2021, 1, 1)).matches == ()


def test_yaml_roundtrip(lists_dir: Path, tmp_path: Path) -> None:
    entries, _ = load_lists([lists_dir / "csl-sample-2019.csv"])
    text = write_yaml_list(
        entries, list_id="csl-2019", title="CSL 2019", version="2019-06-01", comment="test"
    )
    assert text.startswith("# test\n")
    out = tmp_path / "csl.yaml"
    out.write_text(text, encoding="utf-8")
    again = read_yaml_list(out)
    assert again.entries == tuple(entries)
    assert (
        write_yaml_list(
            list(again.entries),
            list_id="csl-2019",
            title="CSL 2019",
            version="2019-06-01",
            comment="test",
        )
        == text
    )


@pytest.mark.parametrize(
    ("body", "line", "field", "message"),
    [
        ("entries:\n  - {entry_id: a, name: X}\n", None, "kind", "not a party list"),
        (
            "kind: party-list\nid: t\ntitle: T\nversion: '1'\nentries:\n"
            "  - entry_id: a\n    source: S\n    list_code: EL\n    name: X\n"
            "    start_date: '2020-13-01'\n",
            10,
            "entries.0.start_date",
            "date",
        ),
        (
            "kind: party-list\nid: t\ntitle: T\nversion: '1'\nentries:\n"
            "  - entry_id: a\n    source: S\n    list_code: EL\n    name: X\n"
            "    country: Atlantis\n",
            10,
            "entries.0.country",
            "unknown country",
        ),
        (
            "kind: party-list\nid: t\ntitle: T\nversion: '1'\nentries:\n"
            "  - entry_id: a\n    source: S\n    list_code: EL\n    nam: X\n",
            6,
            "entries.0",
            "",
        ),
    ],
)
def test_yaml_errors_name_file_line_field(
    tmp_path: Path, body: str, line: int | None, field: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_lists([path])
    err = info.value
    assert err.file == str(path)
    assert err.field is not None and err.field.startswith(field)
    if line is not None:
        assert err.line == line
    assert message in err.message


def test_csv_errors(tmp_path: Path) -> None:
    bad = tmp_path / "csl.csv"
    bad.write_text("source,name,start_date\nEntity List (EL) - BIS,Acme,2020-99-01\n")
    with pytest.raises(InputError) as info:
        load_lists([bad])
    assert (info.value.line, info.value.field) == (2, "start_date")
    unknown = tmp_path / "other.csv"
    unknown.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="unknown list format"):
        load_lists([unknown])
    with pytest.raises(InputError, match="no such file"):
        load_lists([tmp_path / "missing.csv"])
