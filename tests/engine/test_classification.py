"""Parametric classification under the criteria in force on each date (REFERENCE.md §2–3).
The cases are data: tests/data/classification_cases.csv."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from exportcheck.engine.classify import classify, derive_specs
from exportcheck.engine.judge.judge import judge_line
from exportcheck.model.classification import Specs
from exportcheck.model.manifest import Catalog, Item, ManifestLine
from exportcheck.model.rules import RuleSet
from exportcheck.model.status import Status
from exportcheck.readers.catalog import load_catalog

DATA = Path(__file__).resolve().parents[1] / "data" / "classification_cases.csv"
ROOT = Path(__file__).resolve().parents[2]
PARAM_COLUMNS = (
    "tpp",
    "performance_density",
    "die_area_mm2",
    "interconnect_gbps",
    "datacenter",
    "memory_bandwidth_density",
    "tops_fp8",
    "tops_fp16",
    "dense_tops",
    "bit_length",
)

with DATA.open(newline="", encoding="utf-8") as fh:
    CASES = list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(ROOT / "examples" / "catalog.yaml")[0]


def test_every_reference_chip_on_three_dates() -> None:
    chips = {"A100", "A800", "H100", "H800", "H20", "L20", "L40S", "H200", "B200", "RTX 4090"}
    chips |= {"RTX 4090D", "MI250X", "MI300X"}
    for chip in chips:
        dates = {c["date"] for c in CASES if c["part_number"] == chip}
        assert {"2023-06-01", "2024-06-01", "2025-06-01"} <= dates, chip


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_classification(case: dict[str, str], shipped_rules: RuleSet, catalog: Catalog) -> None:
    params = {k: float(case[k]) for k in PARAM_COLUMNS if case[k].strip()}
    category = case["category"] or None
    if case["part_number"]:
        entry = catalog.get(case["part_number"])
        assert entry is not None, case["part_number"]
        params = {**entry.params, **params}
        category = category or entry.category
    derivation = classify(
        derive_specs(params), category, shipped_rules, date.fromisoformat(case["date"])
    )
    expected = case["expected_eccn"]
    if expected == "unclassifiable":
        assert derivation is None
        return
    assert derivation is not None
    if expected == "none":
        assert derivation.eccn is None and not derivation.undetermined, derivation.describe()
    elif expected == "undetermined":
        assert derivation.undetermined, derivation.describe()
    else:
        assert derivation.eccn == expected, derivation.describe()


def test_derived_tpp_and_pd() -> None:
    specs = derive_specs({"tops_fp8": 1979, "tops_fp16": 989, "die_area_mm2": 814})
    assert specs.params["tpp"] == 15832
    assert specs.params["performance_density"] == pytest.approx(19.45, abs=0.01)
    assert specs.params["datacenter"] == 1.0
    assert any("1,979 × 8" in d for d in specs.derivations)
    assert derive_specs({}).params == {}
    assert not Specs({"datacenter": 0.0}).technical


def line(part: str | None, eccn: str | None, dest: str, **params: float) -> ManifestLine:
    """A line to a customer headquartered at its destination (so the headquarters rules can
    be decided)."""
    return ManifestLine(
        index=1,
        line_id="1",
        fields={"end_user": "Customer Ltd.", "end_user_hq_country": dest},
        item=Item(part_number=part, eccn=eccn, params=params),
        destination=dest,
        end_user="Customer Ltd.",
    )


def test_line_without_eccn_is_judged_by_the_derived_eccn(shipped_rules: RuleSet) -> None:
    result = judge_line(
        line("ACC-1", None, "CN", tpp=15832, performance_density=19.4),
        shipped_rules,
        date(2025, 6, 1),
    )
    assert result.item.eccn == "3A090.a" and result.item.eccn_source == "derived"
    assert result.status is Status.LICENSE_REQUIRED
    ids = [f.rule_id for f in result.findings]
    assert "ear.3a090-4a090.destinations" in ids
    assert "exportcheck.unclassified" not in ids
    note = next(f for f in result.findings if f.kind == "classification")
    assert note.citation == "89 FR 96790"  # the criteria in force on 2025-06-01
    assert "3A090.a" in note.message and "15,832" in note.message


def test_declared_eccn_contradicted_by_specs_is_review(shipped_rules: RuleSet) -> None:
    result = judge_line(
        line("ACC-2", "3A991", "DE", tpp=15832, performance_density=19.4),
        shipped_rules,
        date(2024, 6, 1),
    )
    assert result.status is Status.REVIEW
    f = next(f for f in result.findings if f.kind == "classification")
    assert f.status is Status.REVIEW
    assert "Declared 3A991" in f.message
    assert "tpp 15,832 >= 4,800" in f.message and "3A090.a under 89 FR 23876" in f.message
    assert result.item.derived_eccn == "3A090.a"


def test_contradiction_names_rules_that_would_apply(shipped_rules: RuleSet) -> None:
    result = judge_line(
        line("ACC-3", "EAR99", "CN", tpp=5000, performance_density=6),
        shipped_rules,
        date(2024, 6, 1),
    )
    f = next(f for f in result.findings if f.kind == "classification")
    assert "ear.3a090-4a090.destinations" in f.message
    assert result.status is Status.REVIEW


def test_consistent_declaration_is_not_flagged(shipped_rules: RuleSet) -> None:
    result = judge_line(
        line("ACC-4", "3A090.a", "DE", tpp=15832, performance_density=19.4),
        shipped_rules,
        date(2024, 6, 1),
    )
    assert result.status is Status.ALLOWED
    assert not [f for f in result.findings if f.kind == "classification"]


def test_unclassified_line_reports_what_specs_say(shipped_rules: RuleSet) -> None:
    result = judge_line(line("ACC-5", None, "CN", tpp=2000), shipped_rules, date(2024, 6, 1))
    assert result.status is Status.REVIEW
    msg = next(f for f in result.findings if f.kind == "unclassified").message
    assert "undetermined" in msg and "performance_density" in msg
