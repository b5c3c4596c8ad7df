"""``--fail-on`` takes a status spelled with a hyphen as with an underscore, on every
command that gates: the example manifest's worst line is ``license_required``, so a gate at
``license-required`` fails the run (1) and one at ``prohibited`` passes it (0)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from exportcheck.cli.app import app

EXAMPLE = str(Path(__file__).resolve().parents[2] / "examples" / "manifest.csv")
runner = CliRunner()


@pytest.mark.parametrize(
    ("fail_on", "code"),
    [
        ("license-required", 1),
        ("license_required", 1),
        ("License-Required", 1),
        ("prohibited", 0),
        ("review", 1),
        ("never", 0),
    ],
)
def test_check_fail_on_spellings(fail_on: str, code: int) -> None:
    result = runner.invoke(
        app, ["check", EXAMPLE, "--date", "2025-06-15", "--format", "json", "--fail-on", fail_on]
    )
    assert result.exit_code == code, result.output


def test_screen_fail_on_with_a_hyphen() -> None:
    # the shipped list's Huawei entry is an Entity List hit: license_required
    hyphen = runner.invoke(app, ["screen", "Huawei", "--fail-on", "license-required"])
    above = runner.invoke(app, ["screen", "Huawei", "--fail-on", "prohibited"])
    assert (hyphen.exit_code, above.exit_code) == (1, 0), hyphen.output + above.output


def test_a_misspelt_status_is_a_usage_error() -> None:
    result = runner.invoke(app, ["check", EXAMPLE, "--fail-on", "license-requird"])
    assert result.exit_code == 2
    assert "license_required" in result.output
