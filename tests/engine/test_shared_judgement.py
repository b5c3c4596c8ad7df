"""Items without an ECCN, or with one derived from their specifications, share their rule
findings: LineJudge.shared_judgement plus the item's own finding ('unclassified' or
'classification') is item_judgement, and equal signatures share the rest."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

from exportcheck import api
from exportcheck.engine.evaluate import LineJudge, item_part_key
from exportcheck.readers.manifest import build_line

ROOT = Path(__file__).resolve().parents[2]
PARTS = ["H20", "MI308", "XR-7700", "ACC-1", "P-9", "RACK"]
VENDORS = ["Nvidia", "AMD", "Acme", ""]
DESTS = ["CN", "HK", "MO", "RU", "DE", "AE", "IN"]
DATES = ["2023-11-01", "2025-01-20", "2025-04-20", "2025-06-15", "2025-08-01"]
TPP = ["", "1200", "4992", "16000"]  # none, under every threshold, 3A090.b-ish, 3A090.a


def _dump(findings: tuple[object, ...]) -> list[object]:
    return [f.model_dump(mode="json") for f in findings]  # type: ignore[attr-defined]


def test_shared_judgement_plus_own_finding_is_the_judgement() -> None:
    prepared = api.check_stream(ROOT / "examples" / "manifest.csv").prepared
    judge = LineJudge(prepared.ruleset, prepared.as_of, prepared.catalog, prepared.parties)
    shared: dict[tuple[object, ...], tuple[list[object], list[str]]] = {}
    seen: dict[str, int] = {"unclassified": 0, "derived": 0}
    combos = itertools.product(PARTS, VENDORS, DESTS, DATES, TPP)
    for n, (part, vendor, dest, day, tpp) in enumerate(combos):
        fields = {"part_number": part, "eccn": "", "vendor": vendor, "destination": dest,
                  "ship_date": day, "tpp": tpp}  # fmt: skip
        line = build_line(n + 1, n + 2, dict(fields))
        on = date.fromisoformat(day)
        epoch = prepared.ruleset.epoch(on)
        key = item_part_key(line)
        _, sig = judge.profile(line, on, epoch, key)
        judged = judge.item_judgement(line, on, epoch, key)
        part_judged, depends = judge.shared_judgement(line, on, epoch, key)
        if sig[0] not in seen:
            assert depends is None
            assert _dump(part_judged.findings) == _dump(judged.findings)
            continue
        seen[str(sig[0])] += 1
        assert depends is not None
        own = judge.own_finding(line, on, epoch, key, depends)
        assert _dump((*part_judged.findings, own)) == _dump(judged.findings)
        # Equal signatures going to destinations with equal signatures: the same rest.
        group = (sig, judge.destination_signature(dest, on, epoch))
        got = (_dump(part_judged.findings), depends)
        assert shared.setdefault(group, got) == got
    assert seen["unclassified"] > 100 and seen["derived"] > 100
    assert len(shared) < sum(seen.values()) / 4  # shared indeed
