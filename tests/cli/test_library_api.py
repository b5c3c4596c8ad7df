"""The library API of every command gives what the command prints: ``to_json`` of what
``exportcheck.screen/classify/diff/history/check`` return is the command's ``--format json``
byte for byte, and ``check_stream`` yields the lines (and summary) ``check`` reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import exportcheck
from exportcheck.cli.app import app
from exportcheck.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "examples" / "manifest.csv"
CATALOG = ROOT / "examples" / "catalog.yaml"
PARTIES = ROOT / "examples" / "manifest-parties.csv"


def cli_json(*args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def test_screen() -> None:
    names = ["Huawei Technologies", "Acme Widgets GmbH"]
    got = exportcheck.screen(names, country="CN", date="2025-06-15")
    assert [r.query for r in got] == names
    assert exportcheck.to_json(got) == cli_json(
        "screen", *names, "--country", "CN", "--date", "2025-06-15"
    )


def test_classify() -> None:
    got = exportcheck.classify(spec={"tpp": 4800, "die_area_mm2": 800}, start="2023-01-01")
    assert got.segments and got.end.isoformat() >= "2026-01-01"
    want = cli_json(
        "classify", "--spec", "tpp=4800", "--spec", "die_area_mm2=800", "--from", "2023-01-01"
    )
    assert exportcheck.to_json(got) == want


def test_diff_with_manifest() -> None:
    got = exportcheck.diff("2025-01-01", "2025-07-01", manifest=MANIFEST, catalog=CATALOG)
    want = cli_json(
        "diff", "--from", "2025-01-01", "--to", "2025-07-01", "--manifest", str(MANIFEST),
        "--catalog", str(CATALOG),
    )  # fmt: skip
    assert exportcheck.to_json(got) == want
    assert json.loads(want)["impact"], "the example manifest changes status between the dates"


def test_history() -> None:
    got = exportcheck.history(
        eccn="3A090.a", destination="CN", start="2023-01-01", end="2025-12-31"
    )
    want = cli_json(
        "history", "--eccn", "3A090.a", "--destination", "CN", "--from", "2023-01-01",
        "--to", "2025-12-31",
    )  # fmt: skip
    assert exportcheck.to_json(got) == want
    assert len(got.changes) >= 2


def test_check_and_check_stream() -> None:
    report = exportcheck.check(MANIFEST, date="2025-06-15", catalog=CATALOG)
    assert exportcheck.to_json(report) == cli_json(
        "check", str(MANIFEST), "--date", "2025-06-15", "--catalog", str(CATALOG)
    )
    stream = exportcheck.check_stream(MANIFEST, date="2025-06-15", catalog=CATALOG)
    lines = list(stream)
    assert [r.to_model().model_dump(mode="json") for r in lines] == [
        r.model_dump(mode="json") for r in report.lines
    ]
    assert stream.summary == report.summary


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: exportcheck.screen([" "]), "NAME"),
        (lambda: exportcheck.screen(["x"], country="Atlantis"), "--country"),
        (lambda: exportcheck.classify(), "PART"),
        (lambda: exportcheck.classify(spec={"bogus": 1}), "--spec"),
        (lambda: exportcheck.history(spec={"tpp": -1}, destination="CN"), "--spec"),
        (lambda: exportcheck.history(eccn="3A090"), "--destination"),
        (
            lambda: exportcheck.history(
                part="X", destination="CN", start="2025-02-01", end="2025-01-01"
            ),
            "--to",
        ),
        (lambda: exportcheck.diff("2025-13-01", "2025-01-01"), "--from"),
    ],
)
def test_bad_input_raises_input_error_naming_the_option(call: object, field: str) -> None:
    with pytest.raises(InputError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.field == field
