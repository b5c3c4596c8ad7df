"""The judgement and screening caches change speed, never output."""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

from exportcheck import api
from exportcheck.engine.judge.judge import judge_lines
from exportcheck.engine.parties import DEFAULT_PARTY_COLUMNS, PartyScreening
from exportcheck.formats.jsonl import stream
from exportcheck.model.rules import RuleSet
from exportcheck.readers.catalog import load_catalog
from exportcheck.readers.manifest import iter_manifest

ROOT = Path(__file__).resolve().parents[2]

PARTS = [
    ("H100", "3A090.a"),
    ("H20", "3A991"),
    ("H20", ""),
    ("VCS", "3D991"),
    ("RACK-42U", "EAR99"),
    ("XR-7700", ""),
    ("ACC-1", "3A991"),
    ("HBM3E", "3A090.c"),
    ("H200", "3A090.a"),
]
DESTS = ["CN", "HK", "MO", "DE", "JP", "IN", "RU", "KH", "AE", "IL", "Atlantis", ""]
NAMES = [
    "Shanghai Biren Intelligent Technology",
    "Moore Threads Intelligent Tech Beijing",
    "Nordic AI Compute GmbH",
    "Huawei Technologies Co Ltd",
    "Acme Trading Co",
    "",
]


def generated_manifest(path: Path, n: int = 1500, seed: int = 11) -> Path:
    rng = random.Random(seed)
    start = date(2022, 6, 1)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "line_id",
                "part_number",
                "eccn",
                "destination",
                "ship_date",
                "consignee",
                "end_user",
                "tpp",
                "memory_bandwidth_gbps",
                "interconnect_gbps",
            ]
        )
        for i in range(n):
            part, eccn = rng.choice(PARTS)
            day = start + timedelta(days=rng.randrange(0, 4 * 365))
            spec = rng.random() < 0.3
            w.writerow(
                [
                    f"G-{i}",
                    part,
                    eccn,
                    rng.choice(DESTS),
                    day.isoformat() if rng.random() < 0.9 else "not-a-date",
                    rng.choice(NAMES),
                    rng.choice(NAMES),
                    rng.choice(["15832", "2368", "4800"]) if spec else "",
                    rng.choice(["4000", "3999"]) if spec else "",
                    rng.choice(["900", "64"]) if spec else "",
                ]
            )
    return path


def _render(manifest: Path, rules: RuleSet, cache: bool) -> str:
    index, _ = api.load_screening(None)
    parties = PartyScreening(index=index, columns=DEFAULT_PARTY_COLUMNS, cache=cache)
    catalog, _ = load_catalog(ROOT / "examples" / "catalog.yaml")
    results = judge_lines(
        iter_manifest(manifest), rules, date(2025, 6, 15), catalog, parties, cache=cache
    )
    return "".join(stream(results, exportcheck="test", as_of="2025-06-15", rules_sha256="x"))


def test_output_identical_with_and_without_caches(tmp_path: Path, shipped_rules: RuleSet) -> None:
    manifest = generated_manifest(tmp_path / "generated.csv")
    cached = _render(manifest, shipped_rules, cache=True)
    uncached = _render(manifest, shipped_rules, cache=False)
    assert cached.count("\n") == 1501
    assert cached == uncached
    # The generated manifest exercises every kind of outcome.
    for status in ("allowed", "review", "license_required"):
        assert f'"status":"{status}"' in cached or f'"status": "{status}"' in cached
