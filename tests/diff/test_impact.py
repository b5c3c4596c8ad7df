"""``diff --manifest``: the impact is exactly the set of lines whose ``check`` status differs
between the two dates, each with the rules / list entries whose findings differ."""

from __future__ import annotations

from pathlib import Path

import pytest
from _diff_helpers import CATALOG, EXAMPLES, Run

import exportcheck
from exportcheck.model.report import LineResult

CASES = [
    ("manifest-china-2025.csv", "2025-03-01", "2025-06-15"),
    ("manifest-china-2025.csv", "2025-06-15", "2025-08-01"),
    ("manifest-china-2025.csv", "2025-08-01", "2025-03-01"),
    ("manifest.csv", "2022-01-01", "2026-06-01"),
    ("manifest.csv", "2025-06-15", "2025-08-01"),
    ("manifest.csv", "2026-03-01", "2023-06-01"),
    ("shipments-2025.json", "2025-03-01", "2025-08-01"),
    ("manifest-parties.csv", "2023-06-01", "2024-06-01"),
    ("manifest-parties.csv", "2019-01-01", "2026-01-01"),
]


def _check(manifest: Path, on: str) -> tuple[LineResult, ...]:
    return exportcheck.check(manifest, date=on, catalog=CATALOG).lines


@pytest.mark.parametrize("name, d1, d2", CASES)
def test_impact_equals_lines_whose_check_status_differs(
    run: Run, name: str, d1: str, d2: str
) -> None:
    manifest = EXAMPLES / name
    doc = run.json(
        "diff", "--from", d1, "--to", d2, "--manifest", str(manifest), "--catalog", str(CATALOG)
    )
    before, after = _check(manifest, d1), _check(manifest, d2)
    expected = [
        (b.line_id, b.status.value, a.status.value)
        for b, a in zip(before, after, strict=True)
        if b.status != a.status
    ]
    got = [(i["line_id"], i["before"], i["after"]) for i in doc["impact"]]
    assert got == expected
    for i, (b, a) in zip(
        doc["impact"],
        [(b, a) for b, a in zip(before, after, strict=True) if b.status != a.status],
        strict=True,
    ):
        assert i["because"], "every flip names its cause"
        # each cause is a rule / list entry whose findings differ between the two dates
        for rid in i["because"]:
            fb = {(f.status, f.rule_version) for f in b.findings if f.rule_id == rid}
            fa = {(f.status, f.rule_version) for f in a.findings if f.rule_id == rid}
            assert fb != fa, rid
        assert len(i["details"]) == len(i["because"])


def test_china_manifest_march_to_june(run: Run) -> None:
    doc = run.json(
        "diff",
        "--from",
        "2025-03-01",
        "--to",
        "2025-06-15",
        "--manifest",
        str(EXAMPLES / "manifest-china-2025.csv"),
    )
    impact = {i["line_id"]: i for i in doc["impact"]}
    assert set(impact) == {"CN-1", "CN-2", "CN-3", "CN-4", "CN-5", "CN-6", "CN-8"}
    assert impact["CN-1"]["before"] == "allowed"
    assert impact["CN-1"]["after"] == "license_required"
    assert impact["CN-1"]["because"] == ["bis.letters.2025.h20-mi308"]
    # MI308 has no ECCN: review (unclassified) before, the letter's licence after
    assert (impact["CN-2"]["before"], impact["CN-2"]["after"]) == ("review", "license_required")
    assert impact["CN-2"]["because"] == ["bis.letters.2025.h20-mi308"]
    # RTX 4090D without its bandwidths: the letter's bandwidth test cannot be decided
    assert (impact["CN-8"]["before"], impact["CN-8"]["after"]) == ("allowed", "review")
    assert impact["CN-8"]["because"] == ["bis.letters.2025.h20-mi308"]
    # Hong Kong is treated as China for the EDA letter
    assert impact["CN-6"]["destination"] == "HK"
    assert impact["CN-6"]["because"] == ["bis.letters.2025.eda-china"]


def test_china_manifest_june_to_august(run: Run) -> None:
    doc = run.json(
        "diff",
        "--from",
        "2025-06-15",
        "--to",
        "2025-08-01",
        "--manifest",
        str(EXAMPLES / "manifest-china-2025.csv"),
    )
    assert [i["line_id"] for i in doc["impact"]] == ["CN-3", "CN-4", "CN-5", "CN-6"]
    for i in doc["impact"]:
        assert (i["before"], i["after"]) == ("license_required", "allowed")
        assert i["because"] == ["bis.letters.2025.eda-china"]
    # H20 stays license_required: only its review policy changed, so it is not listed
    assert "CN-1" not in {i["line_id"] for i in doc["impact"]}


def test_party_listing_flips_a_line(run: Run) -> None:
    doc = run.json(
        "diff",
        "--from",
        "2023-06-01",
        "--to",
        "2024-06-01",
        "--manifest",
        str(EXAMPLES / "manifest-parties.csv"),
    )
    p1 = next(i for i in doc["impact"] if i["line_id"] == "P-1")
    assert (p1["before"], p1["after"]) == ("allowed", "license_required")
    assert p1["because"] == ["party:EL:EL-shanghai-biren"]


def test_dated_lines_are_judged_on_their_own_date(run: Run) -> None:
    doc = run.json(
        "diff",
        "--from",
        "2025-03-01",
        "--to",
        "2025-08-01",
        "--manifest",
        str(EXAMPLES / "shipments-2025.json"),
        "--catalog",
        str(CATALOG),
    )
    assert doc["impact"] == []
    assert any("ship_date" in n and "8 of 8" in n for n in doc["notes"])
