"""Golden files of ``diff`` (JSON and Markdown) over the shipped rules and lists: windows with
rule versions added, changed and ended, classification and country-group changes, list
entries, a window read backwards, and a rule-set comparison (a rules pull request). The
words of every change are the report: any change to them shows here. After a deliberate
change (or a rules update), regenerate with ``UPDATE_GOLDEN=1 python -m pytest tests/diff``
and read the diff of the golden files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _diff_helpers import Run
from test_diff import _edited_rules

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

WINDOWS = [
    ("2024-11-01", "2025-02-01"),  # Dec 2024 and Jan 2025 rules: versions changed
    ("2025-03-01", "2025-08-01"),  # the EDA letters in and out, H20
    ("2025-08-01", "2025-03-01"),  # the same window read backwards
    ("2024-01-01", "2026-06-01"),  # country groups, classification criteria
]


def _golden(name: str, produced: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(produced, encoding="utf-8")
    assert path.exists(), f"missing golden {path}; run with UPDATE_GOLDEN=1"
    assert produced == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


@pytest.mark.parametrize(("start", "end"), WINDOWS)
@pytest.mark.parametrize("fmt", ["json", "markdown"])
def test_dates_golden(run: Run, start: str, end: str, fmt: str) -> None:
    code, out, _ = run("diff", "--from", start, "--to", end, "--format", fmt)
    assert code == 0
    _golden(f"diff-{start}-{end}.{'md' if fmt == 'markdown' else 'json'}", out)


@pytest.mark.parametrize("fmt", ["json", "markdown"])
def test_rule_sets_golden(run: Run, tmp_path: Path, fmt: str) -> None:
    edited = _edited_rules(tmp_path)
    code, out, _ = run(
        "diff", "--rules-before", str(Path(__file__).resolve().parents[2] / "rules"),
        "--rules", str(edited), "--from", "2025-06-01", "--to", "2025-06-01", "--format", fmt,
    )  # fmt: skip
    assert code == 0
    _golden(f"diff-rule-sets.{'md' if fmt == 'markdown' else 'json'}", out)
