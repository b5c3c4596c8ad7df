"""Properties every shipped rule file must keep."""

from __future__ import annotations

import json
from pathlib import Path

from exportcheck.cli.rules import ruleset_schema
from exportcheck.model.rules import Confidence, RuleSet


def test_every_version_cites_a_source(shipped_rules: RuleSet) -> None:
    for rule in shipped_rules.rules.values():
        for v in rule.versions:
            assert v.citation.strip(), f"{rule.id}@{v.label} has no citation"
            assert v.summary, f"{rule.id}@{v.label} should say what it does"


def test_news_sourced_versions_are_marked(shipped_rules: RuleSet) -> None:
    letters = [r for r in shipped_rules.rules.values() if r.id.startswith("bis.letters.")]
    assert letters
    for rule in letters:
        for v in rule.versions:
            assert v.confidence in (Confidence.NEWS, Confidence.UNCONFIRMED)


def test_hong_kong_treatment_cites_the_2020_rule(shipped_rules: RuleSet) -> None:
    (hk,) = [t for t in shipped_rules.treatments if t.country == "HK"]
    assert hk.treated_as == "CN"
    assert hk.citation == "85 FR 83765"
    assert hk.confidence is Confidence.SECONDARY  # checked in summaries of the FR notice


def test_every_shipped_file_points_at_the_schema(root: Path) -> None:
    for path in sorted((root / "rules").glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=./ruleset.schema.json", path


def test_committed_schema_is_current(root: Path) -> None:
    committed = (root / "rules" / "ruleset.schema.json").read_text(encoding="utf-8")
    assert json.loads(committed) == json.loads(ruleset_schema()), (
        "run: exportcheck rules schema -o rules/ruleset.schema.json"
    )
