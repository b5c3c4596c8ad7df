"""The CSV → JSON Lines fast path (:mod:`exportcheck.pipeline`) writes the same bytes as the
general path, in every situation it must hand back to it or take its shortcuts in."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_streaming import CATALOG, DATE, generated
from typer.testing import CliRunner

from exportcheck import api
from exportcheck.cli.app import app
from exportcheck.formats import jsonl
from exportcheck.pipeline import CsvToJsonl
from exportcheck.pipeline import parts as pipeline_parts
from exportcheck.pipeline import stream as pipeline_stream
from exportcheck.pipeline import tables as pipeline_tables
from exportcheck.readers.manifest import FastLineBuilder
from exportcheck.readers.manifest import text as manifest_text

runner = CliRunner()


def _jsonl(*args: str) -> str:
    result = runner.invoke(app, ["check", *args, "-f", "jsonl", "--fail-on", "never"])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _both(path: Path, *args: str) -> tuple[str, str]:
    return _jsonl(str(path), *args), _jsonl(str(path), *args, "--no-cache")


def test_fast_path_is_taken_for_csv_to_jsonl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken: list[int] = []
    real = CsvToJsonl.chunks

    def spy(self: CsvToJsonl) -> object:
        taken.append(1)
        return real(self)

    monkeypatch.setattr(CsvToJsonl, "chunks", spy)
    fast, slow = _both(generated(tmp_path / "m.csv", n=200), "--date", DATE)
    assert taken == [1]  # only the cached run takes it
    assert fast == slow


@pytest.mark.parametrize("chunk", [97, 512, 4096])
def test_clean_and_escaped_chunks_give_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """Small chunks: some hold only cells that need no JSON escaping (the template path),
    others hold quotes, backslashes or control characters (the encoder path)."""
    monkeypatch.setattr(manifest_text, "CSV_CHUNK_BYTES", chunk)
    rng = random.Random(chunk)
    path = tmp_path / "m.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["line_id", "part_number", "eccn", "destination", "ship_date", "consignee",
                    "note", "quantity", "unit_value"])  # fmt: skip
        for i in range(400):
            note = rng.choice(["", "plain", "ünïcode", "50% off", 'say "hi"', "back\\slash",
                               "tab\there", "multi\nline", "%s %d"])  # fmt: skip
            w.writerow([
                f"L{i}" if rng.random() < 0.97 else "",
                rng.choice(["H100", "H20", "P-1", "RACK", ""]),
                rng.choice(["3A090.a", "3A991", "EAR99", "", "bad!"]),
                rng.choice(["CN", "China", "DE", "Atlantis", "ru"]),
                rng.choice(["2025-03-01", "2025-06-15", "", "2025-02-30"]),
                rng.choice(["Sugon", "Acme GmbH", "Huawei Technologies Co Ltd", ""]),
                note,
                rng.choice(["1", "12.50", "1,200", "²", "x", "", "7."]),
                rng.choice(["99.5", "", "1" * 400]),
            ])  # fmt: skip
    fast, slow = _both(path, "--date", DATE, "--catalog", str(CATALOG))
    assert fast == slow
    assert fast.count("\n") == 401


def test_only_some_lines_take_the_general_path(tmp_path: Path) -> None:
    m = tmp_path / "m.csv"
    m.write_text(
        "line_id,part_number,eccn,destination,ship_date,quantity\n"
        "1,H100,3A090.a,CN,2025-06-15,2\n"
        "2,H100,3A090.a,Atlantis,2025-06-15,2\n"  # unknown country: general path
        "3,H100,3A090.a,CN,2025-06-15,two\n"  # bad number: general path
        "4,H100,3A090.a,CN,2025-06-15\n"  # short row: general path
        ",H100,3A090.a,CN,,2\n",  # no line id, no date: index and as-of date
        encoding="utf-8",
    )
    fast, slow = _both(m, "--date", DATE)
    assert fast == slow
    lines = fast.splitlines()
    assert '"line_id":"5"' in lines[4] and f'"date":"{DATE}"' in lines[4]
    assert '"source_line":6' in lines[4]


RULES_WITHOUT_PARTY_RULES = """\
id: t
title: item rules only
authority: test
version: "1"
rules:
  - id: r0
    title: rule 0
    versions:
      - effective: 2023-01-01
        citation: c
        status: license_required
        when: {eccn: ["3A090"]}
"""


def test_a_headquarters_that_is_no_country_is_review_without_party_rules(
    tmp_path: Path,
) -> None:
    # Found by the differential test: the fast path checked headquarters cells only when
    # party rules were loaded, so an EAR99 line with a bad one was 'allowed', not 'review'.
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES_WITHOUT_PARTY_RULES, encoding="utf-8")
    m = tmp_path / "m.csv"
    m.write_text(
        "line_id,eccn,destination,consignee_hq_country\n1,EAR99,DE,Atlantis\n2,EAR99,DE,FR\n",
        encoding="utf-8",
    )
    fast, slow = _both(m, "--date", DATE, "--rules", str(rules))
    assert fast == slow
    first, second = fast.splitlines()[:2]
    assert '"status":"review"' in first and "Atlantis" in first
    assert '"status":"allowed"' in second


def test_records_of_the_general_path_come_in_chunks_of_a_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records the reader gives one by one (short rows) are judged by the general path and
    handed over :data:`~exportcheck.pipeline.stream.BATCH` lines at a time."""
    monkeypatch.setattr(pipeline_stream, "BATCH", 16)
    m = tmp_path / "m.csv"
    rows = ["line_id,part_number,eccn,destination,ship_date,quantity"]
    rows += [f"{i},H100,3A090.a,CN,2025-06-15" for i in range(40)]  # short rows
    rows += ["40,H100,3A090.a,CN,2025-06-15,2"]
    m.write_text("\n".join(rows) + "\n", encoding="utf-8")
    stream = api.check_stream(m, date=DATE)
    chunks = stream.jsonl_lines()
    assert chunks is not None
    sizes = [chunk.count("\n") for chunk in chunks]
    assert sizes[:2] == [16, 16] and sum(sizes) == 41
    fast, slow = _both(m, "--date", DATE)
    assert fast == slow


@pytest.mark.parametrize("engine_limit", [None, 4])
def test_many_items_empty_the_bounded_caches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine_limit: int | None
) -> None:
    """Every fast-path table (and with ``engine_limit`` every engine table: fact classes,
    survivors, signatures, item entries, rule results) emptied again and again: numbers are
    never reused, so nothing is mixed up."""
    from exportcheck.engine.judge import judge, memo

    monkeypatch.setattr(pipeline_tables, "CACHE_LIMIT", 8)
    monkeypatch.setattr(pipeline_tables, "ITEM_LIMIT", 8)
    monkeypatch.setattr(pipeline_stream, "BATCH", 16)
    if engine_limit is not None:
        monkeypatch.setattr(memo, "CACHE_LIMIT", engine_limit)
        monkeypatch.setattr(judge, "CACHE_LIMIT", engine_limit)
    path = generated(tmp_path / "m.csv", n=600, seed=3)
    fast, slow = _both(
        path, "--date", DATE, "--catalog", str(CATALOG), "--party-columns", "forwarder"
    )
    assert fast == slow


def test_stream_api_jsonl_lines_equal_rendering_the_results(tmp_path: Path) -> None:
    path = generated(tmp_path / "m.csv", n=300, seed=5)
    stream = api.check_stream(path, date=DATE, catalog=CATALOG)
    chunks = stream.jsonl_lines()
    assert chunks is not None
    text = "".join(chunks)
    report = api.check(path, date=DATE, catalog=CATALOG, cache=False)
    expected = jsonl.render(report)
    assert text == expected[: expected.rindex('{"summary"')]
    assert stream.summary == report.summary


def test_jsonl_lines_not_offered_where_the_fast_path_does_not_apply(tmp_path: Path) -> None:
    path = generated(tmp_path / "m.csv", n=20)
    assert api.check_stream(path, date=DATE, cache=False).jsonl_lines() is None
    waivers = Path(__file__).resolve().parents[2] / "examples" / "waivers.yaml"
    assert api.check_stream(path, date=DATE, waivers=waivers).jsonl_lines() is None
    js = tmp_path / "m.jsonl"
    js.write_text('{"part_number": "H100", "destination": "CN"}\n', encoding="utf-8")
    assert api.check_stream(js, date=DATE).jsonl_lines() is None


def test_a_bad_date_never_borrows_a_judged_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In one batch, rows of an item already judged in the earliest epoch, then the same
    item with a ship date that is not valid: those rows go to the general path (which says
    the date is bad), not to the earliest epoch's cached verdict."""
    monkeypatch.setattr(manifest_text, "CSV_CHUNK_BYTES", 4096)
    m = tmp_path / "m.csv"
    rows = ["line_id,part_number,eccn,destination,ship_date,quantity"]
    rows += [f"{i},H20,3A991,CN,2020-01-0{1 + i % 9},1" for i in range(40)]  # header chunk
    rows += [f"{i},H20,3A991,CN,{d},1" for i, d in enumerate(["2020-01-01", "2020-13-01"] * 60)]
    rows += ["x,H20,3A991,Atlantis,2020-01-01,1", "y,H20,3A991,CN,2020-01-01,1e9999"]
    m.write_text("\n".join(rows) + "\n", encoding="utf-8")
    fast, slow = _both(m, "--date", DATE)
    assert fast == slow
    assert fast.count("ship_date: not a date") == 60


@given(st.lists(st.text(alphabet="0123456789. \n,-e١", max_size=8), max_size=6))
def test_numbers_passed_in_bulk_are_valid_one_by_one(values: list[str]) -> None:
    if pipeline_parts.plain_numbers(values):
        assert all(FastLineBuilder.number_ok(v) for v in values)


def test_plain_numbers_in_bulk() -> None:
    assert pipeline_parts.plain_numbers(["1", "", "2.50", "7.", ".5"])
    for bad in (["1", "."], ["1.2.3"], ["1\n2"], ["1" * 300], ["x"], [" 1"]):
        assert not pipeline_parts.plain_numbers(bad)


def test_each_distinct_item_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The caches are hit: the item cells of a row are parsed only the first time they are
    seen (on rows split at once and on rows read one by one alike)."""
    monkeypatch.setattr(manifest_text, "CSV_CHUNK_BYTES", 2048)
    parsed: list[object] = []
    real = FastLineBuilder.item_of

    def spy(self: FastLineBuilder, fields: dict[str, object]) -> object:
        parsed.append(1)
        return real(self, fields)

    monkeypatch.setattr(FastLineBuilder, "item_of", spy)
    m = tmp_path / "m.csv"
    parts = [("H100", "3A090.a"), ("H20", "3A991"), ("RACK", "EAR99"), ("ACC-1", "")]
    rows = ["line_id,part_number,eccn,vendor,destination,ship_date"]
    rows += [f"L{i},{p},{e},Acme,DE,2025-06-15" for i in range(600) for p, e in [parts[i % 4]]]
    m.write_text("\n".join(rows) + "\n", encoding="utf-8")
    stream = api.check_stream(m, date=DATE)
    chunks = stream.jsonl_lines()
    assert chunks is not None
    assert "".join(chunks).count("\n") == 600
    assert len(parsed) <= 2 * len(parts)  # once per key kind (row by row, split at once)


def _bench_ownership(manifest: Path, out: Path) -> Path:
    """An ownership file for three consignees of a benchmark manifest: one owned 30 % + 25 %
    by listed parties (one through a holding), one whose parent is in Macau, one whose
    ownership leaves 60 % unaccounted."""
    with manifest.open(encoding="utf-8", newline="") as fh:
        names = list(dict.fromkeys(row["consignee"] for row in csv.DictReader(fh)))
    a, b, c = names[10], names[11], names[12]
    rows = [
        f'"{a}","Huawei Technologies Co., Ltd.",30,2025-01-01,test,CN',
        f'"{a}",Sugon Holdings (HK) Ltd.,25,2025-01-01,test,HK',
        "Sugon Holdings (HK) Ltd.,Sugon,60,2025-01-01,test,CN",
        f'"{b}",Macau Star Holdings Ltd.,80,2025-01-01,test,MO',
        f'"{c}",Inspur Group,40,2025-01-01,test,CN',
    ]
    out.write_text(
        "entity,owner,share,as_of,source,owner_hq_country\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    return out


@pytest.mark.parametrize("hq", [True, False], ids=["consignee-hq", "no-hq"])
def test_the_benchmark_manifest_gives_the_same_bytes(tmp_path: Path, hq: bool) -> None:
    """The manifests bench/bench_check.py generates (3,000 parts, declared and missing ECCNs,
    specifications, ship dates over 2025, listed parties, a few bad values; with and without
    the consignees' headquarters), with an ownership file, on a date when the Affiliates rule
    and the headquarters rule are in force: the fast path writes what the general path
    without caches writes."""
    import importlib.util

    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("bench_check", root / "bench" / "bench_check.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    path = bench.generate(tmp_path / "bench.csv", 3000, hq=hq)
    ownership = _bench_ownership(path, tmp_path / "ownership.csv")
    for args in (("--date", "2025-12-31"), ("--ownership", str(ownership))):
        fast, slow = _both(path, *args)
        assert fast == slow
        assert fast.count("\n") == 3001
        for needle in ('"kind":"classification"', '"kind":"unclassified"', '"kind":"party"',
                       '"status":"license_required"', "unknown country",
                       "ear.3a090-4a090.headquarters"):  # fmt: skip
            assert needle in fast, needle
    # The ownership file's parties: the Affiliates rule (in force from 2025-09-29 to 11-09 on
    # these ship dates) and the ultimate parent in Macau.
    assert "ear.affiliates-50-percent" in fast
    assert "ultimate parent 'Macau Star Holdings Ltd.'" in fast


NEGATED_RULES = """\
id: t
title: t
authority: t
version: "1"
rules:
  - id: t.not-a-known-part
    title: Not a known part
    versions:
      - effective: 2024-01-01
        citation: X
        status: review
        when:
          eccn: [3A090]
          destination: {countries: [CN]}
          not:
            any:
              - part_number: ["KNOWN-*"]
              - category: ["memory*"]
  - id: t.known-part
    title: Known part
    versions:
      - effective: 2024-01-01
        citation: X
        status: license_required
        when:
          part_number: ["KNOWN-*"]
          destination: {countries: [CN, RU]}
"""


def test_reasons_under_a_not_are_never_shared_between_values(tmp_path: Path) -> None:
    """A test under ``not`` that fails shows its reasons ("part_number P-1: not one of
    KNOWN-*") in the finding, so items whose part numbers fail it alike must not share a
    judgement; part numbers every other test treats alike do share theirs."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(NEGATED_RULES, encoding="utf-8")
    m = tmp_path / "m.csv"
    rows = ["line_id,part_number,eccn,category,destination,ship_date"]
    parts = ["P-1", "P-2", "KNOWN-1", "KNOWN-2", "Q-9"]
    for i in range(200):
        part = parts[i % len(parts)]
        category = "memory module" if i % 7 == 0 else "gpu"
        dest = ("CN", "RU", "DE")[i % 3]
        rows.append(f"L{i},{part},3A090.a,{category},{dest},2025-0{1 + i % 9}-15")
    m.write_text("\n".join(rows) + "\n", encoding="utf-8")
    fast, slow = _both(m, "--rules", str(rules))
    assert fast == slow
    for part in ("P-1", "P-2", "Q-9"):
        assert f"part_number {part}: not one of KNOWN-*" in fast
