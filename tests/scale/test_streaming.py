"""Streaming check: the caches and fast paths change speed, never a byte of output; jsonl and
csv stream; the streaming API equals the report API; progress never writes to a non-terminal."""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

import exportcheck.cli.progress as progress
from exportcheck import api
from exportcheck.cli.app import app
from exportcheck.formats import csv as csv_format
from exportcheck.formats import jsonl
from exportcheck.model.report import Report
from exportcheck.pipeline import CsvToJsonl

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "examples" / "catalog.yaml"
DATE = "2025-06-15"

runner = CliRunner()

PARTS = [
    ("H100", "3A090.a", "", ""),
    ("H20", "3A991", "", ""),
    ("H20", "", "", ""),  # catalog gives the ECCN
    ("A800", "", "", ""),
    ("L40S", "", "", ""),
    ("VCS", "3D991", "", ""),
    ("RACK-42U", "EAR99", "", ""),
    ("XR-7700", "", "4992", "4000"),  # classified from specs
    ("ACC-1", "3A991", "15832", "900"),  # declared ECCN contradicted by specs
    ("HBM3E", "3A090.c", "", ""),
    ("MI308", "", "", ""),
    ("P-1", "3A090", "", ""),  # without the paragraph
    ("", "", "", ""),  # neither part nor ECCN
    ("BAD", "3Q999", "", ""),  # not an ECCN
]
DESTS = ["CN", "CHN", "China", "HK", "MO", "DE", "Germany", "JP", "IN", "RU", "AE", "Atlantis", ""]
NAMES = [
    "Shanghai Biren Intelligent Technology",
    "Moore Threads Intelligent Tech Beijing",
    "Huawei Technologies Co Ltd",
    "Sugon",
    "Nordic AI Compute GmbH",
    "Acme Trading Co",
    "=cmd|' /C calc'!A0",  # a formula, neutralised in csv
    'Quote "and", comma',
    "",
]
DAYS = ["2023-10-01", "2024-12-15", "2025-01-13", "2025-04-10", "2025-06-01", "2025-07-20"]


def generated(path: Path, n: int = 1500, seed: int = 8) -> Path:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(
            ["line_id", "part_number", "eccn", "destination", "ship_date", "consignee",
             "end_user", "forwarder", "quantity", "unit_value", "tpp", "memory_bandwidth_gbps"]
        )  # fmt: skip
        for i in range(n):
            part, eccn, tpp, bw = rng.choice(PARTS)
            r = rng.random()
            day = rng.choice(DAYS) if r < 0.8 else "" if r < 0.97 else "2025-02-30"
            if rng.random() < 0.05:
                day = (date(2025, 1, 1) + timedelta(days=rng.randrange(365))).isoformat()
            row = [
                f"G-{i}" if rng.random() < 0.95 else "",
                part,
                eccn,
                rng.choice(DESTS),
                day,
                rng.choice(NAMES),
                rng.choice(NAMES),
                rng.choice(NAMES),
                rng.choice(["10", "1,200", "-3", "x", ""]),
                rng.choice(["99.5", "12000", "", "1e3"]),
                tpp if rng.random() < 0.9 else "lots",
                bw,
            ]
            if rng.random() < 0.01:
                row = row[:5]  # a short row: review, not dropped
            w.writerow(row)
        fh.write("\n,,,,,,,,,,,\n")  # blank rows are skipped
    return path


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated(tmp_path_factory.mktemp("scale") / "generated.csv")


@pytest.fixture(scope="module")
def uncached(manifest: Path) -> Report:
    return api.check(manifest, date=DATE, catalog=CATALOG, party_columns=["forwarder"], cache=False)


def _cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json"])
def test_output_byte_identical_with_and_without_caches(
    manifest: Path, uncached: Report, fmt: str
) -> None:
    common = ["check", str(manifest), "--date", DATE, "--catalog", str(CATALOG),
              "--party-columns", "forwarder", "-f", fmt, "--fail-on", "never"]  # fmt: skip
    code, cached, err = _cli(*common)
    assert code == 0, err
    code, no_cache, err = _cli(*common, "--no-cache")
    assert code == 0, err
    assert cached == no_cache
    # ... and the streamed formats equal rendering the full report.
    report = uncached
    if fmt == "jsonl":
        assert cached == jsonl.render(report)
    elif fmt == "csv":
        assert cached == csv_format.render(report)
    # The manifest exercises every kind of outcome.
    if fmt == "jsonl":
        text = cached
        for needle in ('"kind":"input"', '"kind":"party"', '"kind":"classification"',
                       '"kind":"unclassified"', '"kind":"rule-undetermined"', "unknown country",
                       '"status":"license_required"',
                       '"eccn_source":"catalog"', '"eccn_source":"derived"'):  # fmt: skip
            assert needle in text, needle
        assert text.count("\n") == 1501


def test_stream_api_equals_report_api(manifest: Path) -> None:
    report = api.check(manifest, date=DATE, catalog=CATALOG)
    stream = api.check_stream(manifest, date=DATE, catalog=CATALOG)
    lines = list(stream.models())
    assert tuple(lines) == report.lines
    assert stream.summary == report.summary
    assert stream.summary.lines_read == stream.summary.lines == 1500
    assert stream.sources == report.sources and stream.rules_sha256 == report.rules_sha256


def test_csv_stream_waits_for_columns_met_late(tmp_path: Path) -> None:
    """JSON Lines input: keys differ per line, so the header is known only at the end."""
    m = tmp_path / "m.jsonl"
    rows = [
        {"part_number": "H100", "destination": "DE"},
        {"part_number": "H20", "destination": "CN", "order": "=1+1"},
        {"part_number": "RACK", "eccn": "EAR99", "destination": "JP", "extra": "x,y"},
    ]
    m.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    code, out, err = _cli("check", str(m), "--date", DATE, "-f", "csv", "--fail-on", "never")
    assert code == 0, err
    assert out == csv_format.render(api.check(m, date=DATE))
    assert out.splitlines()[1].endswith(",,")  # padded for the two columns met later


def test_csv_stream_every_row_short(tmp_path: Path) -> None:
    m = tmp_path / "m.csv"
    m.write_text("part_number,destination,note\nH100,DE\nRACK,JP\n", encoding="utf-8")
    code, out, _ = _cli("check", str(m), "--date", DATE, "-f", "csv", "--fail-on", "never")
    assert code == 0
    assert out == csv_format.render(api.check(m, date=DATE))
    assert ",note" not in out.splitlines()[0]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_dropped_line_in_stream_is_an_internal_error(
    manifest: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    if fmt == "jsonl":  # the CSV → JSON Lines fast path
        real_chunks = CsvToJsonl.chunks

        def drop_in_chunk(self: CsvToJsonl) -> Iterator[str]:
            chunks = real_chunks(self)
            first = next(chunks)
            self.judged -= 1
            yield first.split("\n", 1)[1]
            yield from chunks

        monkeypatch.setattr(CsvToJsonl, "chunks", drop_in_chunk)
    else:
        real = api.CheckStream._results

        def drop_first(self: api.CheckStream) -> object:
            results = real(self)
            next(results)
            return results

        monkeypatch.setattr(api.CheckStream, "_results", drop_first)
    out = tmp_path / f"out.{fmt}"
    code, stdout, err = _cli("check", str(manifest), "--date", DATE, "-f", fmt, "-o", str(out))
    assert code == 2 and stdout == ""
    assert "read 1500 manifest records but judged 1499 lines" in err
    assert "nothing was written to" in err
    assert not out.exists() and not list(tmp_path.glob(f".out.{fmt}.*"))


def test_unknown_party_column_refused_before_any_output(manifest: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    code, _, err = _cli(
        "check", str(manifest), "-f", "csv", "-o", str(out), "--party-columns", "carrier"
    )
    assert code == 2 and "party column 'carrier' is not in the manifest" in err
    assert not out.exists()


def test_no_progress_on_stderr_when_not_a_terminal(
    manifest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress, "DELAY_SECONDS", 0.0)
    monkeypatch.setattr(progress, "EVERY", 1)
    for fmt in ("jsonl", "csv"):
        code, out, err = _cli("check", str(manifest), "--date", DATE, "-f", fmt)
        assert code == 1 and out
        assert err == ""


class _FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_for_long_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "DELAY_SECONDS", 0.0)
    monkeypatch.setattr(progress, "EVERY", 10)
    monkeypatch.delenv("TERM", raising=False)
    term = _FakeTerminal()
    assert list(progress.with_progress(range(100), stream=term)) == list(range(100))
    assert "lines" in term.getvalue()
    quiet = io.StringIO()
    assert list(progress.with_progress(range(100), stream=quiet)) == list(range(100))
    assert quiet.getvalue() == ""
