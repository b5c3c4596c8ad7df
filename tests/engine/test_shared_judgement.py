"""Items share their rule findings: LineJudge.shared_judgement plus the item's own findings
('unclassified' or 'classification') is what judge_item gives without any cache, and equal
signatures going to destinations of equal signatures share the rest."""

from __future__ import annotations

import itertools
import random
from datetime import date
from pathlib import Path

from exportcheck import api
from exportcheck.engine.inforce import rules_in_force
from exportcheck.engine.judge.items import item_part_key
from exportcheck.engine.judge.judge import LineJudge, judge_item
from exportcheck.readers.manifest import build_line

ROOT = Path(__file__).resolve().parents[2]
PARTS = ["H20", "MI308", "XR-7700", "ACC-1", "P-9", "RACK", "H100-SXM"]
VENDORS = ["Nvidia", "AMD", ""]
# None declared; lenient or strict ones the specifications may contradict; not a chip.
ECCNS = ["", "3A991", "3A090.a", "5A992.c", "EAR99"]
DESTS = ["CN", "HK", "MO", "RU", "DE", "AE", "IN"]
DATES = ["2023-11-01", "2025-01-20", "2025-04-20", "2025-06-15", "2025-08-01"]
TPP = ["", "1200", "4992", "16000"]  # none, under every threshold, 3A090.b-ish, 3A090.a
BANDWIDTH = ["", "4000"]


def _dump(findings: tuple[object, ...]) -> list[object]:
    return [f.model_dump(mode="json") for f in findings]  # type: ignore[attr-defined]


def test_shared_judgement_plus_own_findings_is_the_judgement() -> None:
    prepared = api.check_stream(ROOT / "examples" / "manifest.csv").prepared
    ruleset = prepared.ruleset
    judge = LineJudge(ruleset, prepared.as_of, prepared.catalog, prepared.parties)
    shared: dict[tuple[object, ...], tuple[list[object], list[str] | None]] = {}
    seen = dict.fromkeys(("rules", "unclassified", "derived", "declared"), 0)
    owned = 0
    combos = list(itertools.product(PARTS, VENDORS, ECCNS, DESTS, DATES, TPP, BANDWIDTH))
    picked = random.Random(5).sample(combos, 4000)  # of ~29k: the reference is slow
    for n, (part, vendor, eccn, dest, day, tpp, bw) in enumerate(picked):
        fields = {"part_number": part, "eccn": eccn, "vendor": vendor, "destination": dest,
                  "ship_date": day, "tpp": tpp, "memory_bandwidth_gbps": bw}  # fmt: skip
        line = build_line(n + 1, n + 2, dict(fields))
        on = date.fromisoformat(day)
        epoch = ruleset.epoch(on)
        key = item_part_key(line)
        _, sig = judge.profile(line, on, epoch, key)
        # The reference: judge_item without any cache.
        _, expected = judge_item(line, ruleset, on, prepared.catalog, rules_in_force(ruleset, on))
        assert _dump(judge.item_judgement(line, on, epoch, key).findings) == _dump(expected)
        part_judged, depends = judge.shared_judgement(line, on, epoch, key)
        kind = str(sig[0])
        seen[kind] += 1
        if kind == "rules":
            assert depends is None
            assert _dump(part_judged.findings) == _dump(expected)
        else:
            assert depends is not None
            own = judge.own_findings(line, on, epoch, key, depends)
            owned += len(own)
            assert _dump((*part_judged.findings, *own)) == _dump(expected)
        # Equal signatures going to destinations with equal signatures: the same rest.
        group = (sig, judge.destination_signature(dest, on, epoch))
        got = (_dump(part_judged.findings), depends)
        assert shared.setdefault(group, got) == got
    assert all(count > 100 for count in seen.values()), seen
    assert owned > 1000
    assert len(shared) < sum(seen.values()) / 4  # shared indeed
