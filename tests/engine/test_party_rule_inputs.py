"""A rule that tests the parties and the line together (here its end use) judges each line by
all it reads, on every path: lines that differ only in end use, or only in the party's
headquarters, get their own answer (a signature or cache keyed without one of them would
give the first line's answer to the rest)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exportcheck.cli.app import app

RULES = """\
id: t
title: party rule with an end use
authority: test
version: "1"
country_groups:
  - {id: "D:5", title: "D:5", citation: c, members: [CN]}
rules:
  - id: hq-military
    title: military end use by a D:5-headquartered party
    versions:
      - effective: 2023-01-01
        citation: c-hq
        status: prohibited
        when:
          eccn: ["3A090"]
          end_use: ["military*"]
          party:
            roles: [consignee]
            headquarters:
              groups: ["D:5"]
"""
ROWS = [
    ("1", "military radar", "CN", "prohibited"),
    ("2", "civil research", "CN", "allowed"),
    ("3", "military radar", "FR", "allowed"),
    ("4", "civil research", "CN", "allowed"),
    ("5", "military radar", "CN", "prohibited"),
]


def _manifest(tmp_path: Path, kind: str) -> Path:
    records = [
        {"line_id": i, "eccn": "3A090.a", "destination": "DE", "end_use": use,
         "consignee": "Acme", "consignee_hq_country": hq}
        for i, use, hq, _ in ROWS
    ]  # fmt: skip
    path = tmp_path / f"m.{kind}"
    if kind == "json":
        path.write_text(json.dumps({"lines": records}), encoding="utf-8")
    else:
        head = ",".join(records[0])
        body = "".join(",".join(r.values()) + "\n" for r in records)
        path.write_text(head + "\n" + body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        ("csv", ["-f", "jsonl"]),  # the fast path
        ("csv", ["-f", "json"]),  # the cached general path
        ("csv", ["-f", "jsonl", "--no-cache"]),
        ("json", ["-f", "jsonl"]),
    ],
)
def test_each_line_by_its_end_use_and_headquarters(
    tmp_path: Path, kind: str, extra: list[str]
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    manifest = _manifest(tmp_path, kind)
    args = ["check", str(manifest), "--rules", str(rules), "--date", "2025-06-01"]
    result = CliRunner().invoke(app, [*args, "--fail-on", "never", *extra])
    assert result.exit_code == 0, result.output
    if "json" in extra:
        lines = json.loads(result.stdout)["lines"]
    else:
        lines = [json.loads(t) for t in result.stdout.splitlines()][:-1]
    assert [(d["line_id"], d["status"]) for d in lines] == [(i, s) for i, _, _, s in ROWS]
    flagged = [d for d in lines if d["status"] == "prohibited"]
    assert all([f["rule_id"] for f in d["findings"]] == ["hq-military"] for d in flagged)
