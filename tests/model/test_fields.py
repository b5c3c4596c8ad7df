"""The field table (``model/fields.py``) and what is derived from it.

The cache-key test is the one that matters: for every field a rule can test, lines that
differ only in that field, interleaved so that every cache sees the second after the first,
must be judged apart on every path (the streaming fast path, the cached general path,
``--no-cache``). A cache key that leaves the field out gives them one answer and fails here.
It is built from the table, so a new tested field is covered by its entry alone.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from exportcheck.cli.app import app
from exportcheck.engine.conditions import Facts
from exportcheck.model import fields
from exportcheck.model.manifest import KNOWN_FIELDS, Item
from exportcheck.model.rules import Condition

BASE = {
    "part_number": "P-1",
    "eccn": "3A090.a",
    "vendor": "Acme",
    "category": "gpu",
    "description": "a chip",
    "destination": "DE",
    "end_use": "civil",
}
# Per tested field: the rule's test, a value it matches and one it does not.
TESTS: dict[str, tuple[Any, str, str]] = {
    "part_number": (["P-9*"], "P-9000", "P-1"),
    "eccn": (["3A090"], "3A090.a", "EAR99"),
    "vendor": (["Globex"], "Globex", "Acme"),
    "category": (["hbm"], "hbm", "gpu"),
    "destination": ({"countries": ["CN"]}, "CN", "DE"),
    "end_use": (["military*"], "military", "civil"),
}


def test_every_tested_field_has_a_case_here() -> None:
    assert set(TESTS) == set(fields.TESTED_FIELDS)


def test_the_types_hold_the_table_s_fields() -> None:
    assert set(fields.ITEM_FIELDS) <= set(Item.model_fields)
    assert set(fields.TESTED_FIELDS) <= {f.name for f in dataclasses.fields(Facts)}
    assert set(fields.TESTED_FIELDS) <= set(Condition.model_fields)
    assert [f.name for f in fields.FIELDS] == list(KNOWN_FIELDS[: len(fields.FIELDS)])
    assert set(fields.ITEM_KEY_FIELDS) | set(fields.LINE_KEY_FIELDS) == set(fields.TESTED_FIELDS)


def _write(folder: Path, name: str, changed: str) -> tuple[Path, Path]:
    test, yes, no = TESTS[name]
    rule = {
        "id": f"t.{name}",
        "title": f"tests {name}",
        "versions": [
            {
                "effective": "2020-01-01",
                "citation": "T FR 1",
                "status": "license_required",
                "when": {name: test},
            }
        ],
    }
    doc = {"id": "t", "title": "t", "authority": "t", "version": "1", "rules": [rule]}
    rules = folder / "rules.yaml"
    rules.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    rows = [{**BASE, name: value} for value in (yes, no, yes, no, no, yes)]
    for k, row in enumerate(rows, 1):
        row["line_id"] = f"L{k}"
    if changed == "json":
        manifest = folder / "m.json"
        manifest.write_text(json.dumps(rows), encoding="utf-8")
    else:
        columns = list(rows[0])
        text = (
            ",".join(columns) + "\n" + "".join(",".join(r[c] for c in columns) + "\n" for r in rows)
        )
        manifest = folder / "m.csv"
        manifest.write_text(text, encoding="utf-8")
    return rules, manifest


def _statuses(rules: Path, manifest: Path, *extra: str) -> list[str]:
    args = ["check", str(manifest), "--rules", str(rules), "--lists", str(rules.parent / "none")]
    args += ["--date", "2025-01-01", "--fail-on", "never", *extra]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    if "jsonl" in extra:
        lines = [json.loads(t) for t in result.stdout.splitlines()][:-1]
    else:
        lines = json.loads(result.stdout)["lines"]
    return [line["status"] for line in lines]


PATHS = {
    "fast": ("--format", "jsonl"),
    "cached": ("--format", "json"),
    "uncached": ("--format", "json", "--no-cache"),
    "uncached-jsonl": ("--format", "jsonl", "--no-cache"),
}


@pytest.mark.parametrize("path", sorted(PATHS))
@pytest.mark.parametrize("form", ["csv", "json"])
@pytest.mark.parametrize("name", fields.TESTED_FIELDS)
def test_lines_differing_in_one_tested_field_are_judged_apart(
    tmp_path: Path, name: str, form: str, path: str
) -> None:
    (tmp_path / "none").mkdir()
    rules, manifest = _write(tmp_path, name, form)
    want = ["license_required", "allowed", "license_required", "allowed", "allowed"]
    assert _statuses(rules, manifest, *PATHS[path]) == [*want, "license_required"]
