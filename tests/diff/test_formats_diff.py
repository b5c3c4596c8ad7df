"""Diff output formats: the JSON contract shape, the rich table, Markdown for a PR comment."""

from __future__ import annotations

import json
import re

from _diff_helpers import EXAMPLES, Run

CHANGE_KEYS = {
    "kind",
    "what",
    "id",
    "title",
    "before",
    "after",
    "fields",
    "details",
    "summary",
    "reason",
    "events",
    "citation",
    "source_url",
}
IMPACT_KEYS = {
    "line_id",
    "before",
    "after",
    "because",
    "details",
    "part_number",
    "destination",
    "before_date",
    "after_date",
}


def test_json_shape_matches_contract(run: Run) -> None:
    code, out, err = run(
        "diff",
        "--from",
        "2025-03-01",
        "--to",
        "2025-06-15",
        "--manifest",
        str(EXAMPLES / "manifest-china-2025.csv"),
        "--format",
        "json",
    )
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert list(doc)[:3] == ["from", "to", "mode"]
    assert {"from", "to", "changes", "impact"} <= set(doc)
    for c in doc["changes"]:
        assert set(c) == CHANGE_KEYS
        assert c["kind"] in ("added", "removed", "changed")
        assert (c["before"] is None) == (c["kind"] == "added")
        assert (c["after"] is None) == (c["kind"] == "removed")
        assert isinstance(c["fields"], list)
    for i in doc["impact"]:
        assert set(i) == IMPACT_KEYS
        assert all(isinstance(b, str) for b in i["because"])
    # byte-identical on a second run (deterministic)
    assert (
        run(
            "diff",
            "--from",
            "2025-03-01",
            "--to",
            "2025-06-15",
            "--manifest",
            str(EXAMPLES / "manifest-china-2025.csv"),
            "--format",
            "json",
        )[1]
        == out
    )


def test_table_names_changes_and_impact(run: Run) -> None:
    code, out, _ = run(
        "diff",
        "--from",
        "2025-06-15",
        "--to",
        "2025-08-01",
        "--manifest",
        str(EXAMPLES / "manifest-china-2025.csv"),
    )
    assert code == 0
    assert out.startswith("exportcheck diff 2025-06-15 → 2025-08-01\n")
    assert "removed rule" in out and "bis.letters.2025.eda-china" in out
    assert "changed rule" in out and "review policy:" in out
    assert "license_required → allowed" in out
    assert "2 changes (1 removed, 1 changed) · 4 manifest lines change status" in out
    assert "\x1b[" not in out


def test_table_without_differences(run: Run) -> None:
    code, out, _ = run(
        "diff",
        "--from",
        "2025-06-15",
        "--to",
        "2025-06-16",
        "--manifest",
        str(EXAMPLES / "manifest.csv"),
    )
    assert code == 0
    assert "No differences." in out and "No manifest line changes status." in out


def test_markdown_for_a_pull_request_comment(run: Run) -> None:
    code, out, _ = run(
        "diff",
        "--from",
        "2025-03-01",
        "--to",
        "2025-08-01",
        "--manifest",
        str(EXAMPLES / "manifest-china-2025.csv"),
        "--format",
        "markdown",
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "## exportcheck diff 2025-03-01 → 2025-08-01"
    assert "| | Change | Id | What happened | Citation |" in lines
    assert "### Details" in lines and "### Impact on the manifest" in lines
    # every table row has the header's number of cells (no stray pipes from the content)
    for header in (
        "| | Change | Id | What happened | Citation |",
        "| Line | Part | Destination | Before | After | Because |",
    ):
        start = lines.index(header)
        cells = len(re.split(r"(?<!\\)\|", header))
        row = start + 2
        while row < len(lines) and lines[row].startswith("|"):
            assert len(re.split(r"(?<!\\)\|", lines[row])) == cells, lines[row]
            row += 1
    assert "`bis.letters.2025.h20-mi308`" in out
    assert "[89 FR 96790]" not in out  # only rules in the diff are cited
    assert "| CN-3 | FUSION-COMPILER | CN | allowed | **allowed** |" not in out
    assert "| CN-1 | H20 | CN | allowed | **license_required** |" in out
    assert "<script" not in out and out.endswith("\n") and not out.endswith("\n\n")
