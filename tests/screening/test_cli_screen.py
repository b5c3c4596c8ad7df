"""The screen and lists commands, on a Typer app of their own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from exportcheck.cli import lists as lists_cli
from exportcheck.cli import screen as screen_cli


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """Test app."""

    screen_cli.register(app)
    lists_cli.register(app)
    return app


runner = CliRunner()


def test_screen_hit_exits_1_with_json(app: typer.Typer) -> None:
    res = runner.invoke(app, ["screen", "SMIC", "--date", "2024-01-01", "--format", "json"])
    assert res.exit_code == 1, res.output
    data = json.loads(res.stdout)
    assert set(data) >= {"query", "date", "status", "matches"}
    assert data["status"] == "license_required" and data["date"] == "2024-01-01"
    m = data["matches"][0]
    assert m["name"] == "Semiconductor Manufacturing International Corporation"
    assert m["matched_name"] == "SMIC" and m["score"] == 100.0
    assert m["list_code"] == "EL" and m["citation"] == "85 FR 83416"


def test_screen_several_names_gives_array_and_fail_on(app: typer.Typer) -> None:
    args = ["screen", "Acme Bakery", "Moore Threads", "--date", "2024-01-01", "--format", "json"]
    res = runner.invoke(app, args)
    data = json.loads(res.stdout)
    assert [d["status"] for d in data] == ["allowed", "license_required"]
    assert res.exit_code == 1
    assert runner.invoke(app, [*args, "--fail-on", "prohibited"]).exit_code == 0
    assert runner.invoke(app, [*args, "--fail-on", "never"]).exit_code == 0


def test_screen_before_listing_is_allowed(app: typer.Typer) -> None:
    res = runner.invoke(app, ["screen", "Moore Threads", "--date", "2023-10-16"])
    assert res.exit_code == 0, res.output
    assert "allowed" in res.stdout


def test_screen_table(app: typer.Typer) -> None:
    res = runner.invoke(app, ["screen", "Huawei Technologies Co Ltd", "--date", "2024-01-01"])
    assert res.exit_code == 1
    assert "license_required" in res.stdout and "84 FR 22961" in res.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["screen", "X", "--date", "2024-13-01"],
        ["screen", "X", "--country", "Atlantis"],
        ["screen", "X", "--format", "xml"],
        ["screen", "X", "--fail-on", "bad"],
        ["screen", "X", "--hit-threshold", "70", "--review-threshold", "80"],
        ["screen", "X", "--lists", "/nonexistent/lists"],
    ],
)
def test_screen_bad_input_exits_2(app: typer.Typer, args: list[str]) -> None:
    res = runner.invoke(app, args)
    assert res.exit_code == 2, res.output


def test_screen_bad_list_file_names_file_and_line(app: typer.Typer, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: party-list\nid: t\ntitle: T\nversion: '1'\nentries: 3\n")
    res = runner.invoke(app, ["screen", "X", "--lists", str(bad)])
    assert res.exit_code == 2
    assert f"{bad}:5" in res.stderr and "entries" in res.stderr


def test_lists_import_then_screen(app: typer.Typer, tmp_path: Path, lists_dir: Path) -> None:
    out = tmp_path / "imported.yaml"
    res = runner.invoke(
        app,
        [
            "lists",
            "import",
            str(lists_dir / "csl-sample-2025.csv"),
            "--output",
            str(out),
            "--list-version",
            "2025-05-01",
        ],
    )
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert "kind: party-list" in text and "id: imported" in text
    res = runner.invoke(
        app,
        [
            "screen",
            "Atlas Sanatgaran",
            "--lists",
            str(out),
            "--format",
            "json",
            "--date",
            "2025-05-01",
        ],
    )
    assert res.exit_code == 1
    assert json.loads(res.stdout)["matches"][0]["list_code"] == "UVL"


def test_lists_import_ofac(app: typer.Typer, tmp_path: Path, lists_dir: Path) -> None:
    out = tmp_path / "sdn.yaml"
    res = runner.invoke(app, ["lists", "import", str(lists_dir / "ofac-sdn.csv"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "wrote 7379 entries" in res.stderr
