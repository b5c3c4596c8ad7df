"""Shared by the diff/history tests: paths, a Typer app with both commands, a runner."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from exportcheck.cli import diff as diff_cli
from exportcheck.cli import history as history_cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CATALOG = EXAMPLES / "catalog.yaml"


def make_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """Test app with the diff and history commands."""

    diff_cli.register(app)
    history_cli.register(app)
    return app


class Run:
    def __init__(self, app: typer.Typer) -> None:
        self.app = app
        self.runner = CliRunner()

    def __call__(self, *args: str) -> tuple[int, str, str]:
        res = self.runner.invoke(self.app, list(args), env={"COLUMNS": "120", "NO_COLOR": "1"})
        return res.exit_code, res.stdout, res.stderr

    def json(self, *args: str) -> dict:  # type: ignore[type-arg]
        code, out, err = self(*args, "--format", "json")
        assert code == 0, err
        return json.loads(out)  # type: ignore[no-any-return]
