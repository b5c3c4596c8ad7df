from __future__ import annotations

from pathlib import Path

import pytest

from exportcheck.model.rules import RuleSet
from exportcheck.readers.rules import load_rules

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shipped_rules() -> RuleSet:
    ruleset, _ = load_rules([ROOT / "rules"])
    return ruleset


@pytest.fixture()
def root() -> Path:
    return ROOT
