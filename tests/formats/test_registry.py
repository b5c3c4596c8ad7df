"""The format registry is where the CLI's --format choices come from: each command offers
exactly the registry's formats, refuses the others, and each check format renders."""

from __future__ import annotations

import importlib
import re

import pytest
from typer.testing import CliRunner

from exportcheck.cli.app import app
from exportcheck.errors import InputError
from exportcheck.formats import FORMATS, GATED, registry

COMMANDS = {
    registry.CHECK: ["check", "MANIFEST"],
    registry.SCREEN: ["screen", "Acme"],
    registry.CLASSIFY: ["classify", "--spec", "tpp=1"],
    registry.DIFF: ["diff", "--from", "2025-01-01", "--to", "2025-02-01"],
    registry.HISTORY: ["history", "--eccn", "3A090.a", "--destination", "CN"],
    registry.RULES: ["rules", "list"],
}


def _choices(command: str) -> list[str]:
    where = COMMANDS[command][:2] if command == registry.RULES else COMMANDS[command][:1]
    result = CliRunner().invoke(app, [*where, "--help"], env={"COLUMNS": "400"})
    assert result.exit_code == 0
    found = re.search(r"--format\s+-f\s+<([a-z|]+)>", result.stdout)
    assert found, result.stdout
    return found.group(1).split("|")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_lists_the_registry_formats(command: str) -> None:
    extra = [registry.AUTO] if command == registry.CHECK else []
    assert _choices(command) == [*registry.names(command), *extra]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_format_the_command_does_not_offer_is_refused(command: str) -> None:
    other = next((f.name for f in registry.FORMATS if command not in f.commands), "xml")
    args = [*COMMANDS[command], "--format", other]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "--format" in result.output


def test_check_formats_have_a_renderer_and_flags_are_consistent() -> None:
    for spec in registry.FORMATS:
        if spec.module is not None:
            assert callable(importlib.import_module(f"exportcheck.formats.{spec.module}").render)
        assert not (spec.file_only and spec.streams), spec.name
    check = set(registry.names(registry.CHECK))
    assert set(FORMATS) == {f.name for f in registry.FORMATS if f.module} <= check
    assert set(GATED) == {"junit"}
    assert {f.name for f in registry.FORMATS if f.dataset} == {"jsonl", "parquet"}


def test_unknown_format_names_the_choices() -> None:
    with pytest.raises(InputError, match="expected one of: table, json, markdown"):
        registry.get("sarif", registry.DIFF)
