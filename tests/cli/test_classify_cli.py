"""``exportcheck classify``: the classification timeline of one item."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from exportcheck.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
CATALOG = str(ROOT / "examples" / "catalog.yaml")
runner = CliRunner()


def timeline(*args: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["classify", *args, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    segments: list[dict[str, object]] = json.loads(result.stdout)["timeline"]
    return segments


def test_a800_escapes_2022_and_is_caught_2023() -> None:
    segs = timeline("A800", "--catalog", CATALOG, "--to", "2026-11-26")
    assert [(s["from"], s["state"], s["eccn"]) for s in segs] == [
        ("2022-10-20", "no-criteria", None),
        ("2022-10-21", "below", None),
        ("2023-11-17", "derived", "3A090.a"),
    ]
    assert segs[1]["citation"] == "87 FR 62186"
    assert "interconnect_gbps 400 not >= 600" in str(segs[1]["summary"])
    assert segs[2]["citation"] == "88 FR 73458"


def test_table_output_names_dates_and_reasons() -> None:
    result = runner.invoke(app, ["classify", "A800", "--catalog", CATALOG, "--to", "2026-11-26"])
    assert result.exit_code == 0
    assert "2023-11-17" in result.stdout and "3A090.a" in result.stdout
    assert "tpp 4,992 >= 4,800" in result.stdout


def test_specs_only_with_tpp_computed() -> None:
    result = runner.invoke(
        app,
        [
            "classify",
            "--spec",
            "tops_fp8=1979",
            "--spec",
            "die_area_mm2=814",
            "--from",
            "2024-01-01",
            "--to",
            "2025-01-01",
            "--format",
            "json",
        ],
    )
    doc = json.loads(result.stdout)
    assert doc["params"]["tpp"] == 15832
    assert [s["eccn"] for s in doc["timeline"]] == ["3A090.a"]


def test_hbm_becomes_3a090c_on_2024_12_02() -> None:
    segs = timeline(
        "--spec",
        "memory_bandwidth_density=2.5",
        "--category",
        "hbm",
        "--from",
        "2024-06-01",
        "--to",
        "2025-06-01",
    )
    assert [(s["from"], s["eccn"]) for s in segs] == [
        ("2024-06-01", None),
        ("2024-12-02", "3A090.c"),
    ]


def test_bad_input_exits_2() -> None:
    for args, needle in [
        (["A800"], "--catalog"),
        (["NOPE", "--catalog", CATALOG], "not in the catalog"),
        (["--spec", "tpp=lots"], "not a number"),
        (["--spec", "speed=5"], "unknown parameter"),
        (["--spec", "tpp=-1"], "non-negative"),
        ([], "PART"),
        (["--spec", "tpp=1", "--from", "2025-01-01", "--to", "2024-01-01"], "before"),
    ]:
        result = runner.invoke(app, ["classify", *args])
        assert result.exit_code == 2, args
        assert needle in result.stderr, (args, result.stderr)
