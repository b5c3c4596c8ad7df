"""Items without an ECCN share their rule findings: LineJudge.shared_judgement plus the
item's own 'unclassified' finding is item_judgement, and equal signatures share the rest."""

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


def _dump(findings: tuple[object, ...]) -> list[object]:
    return [f.model_dump(mode="json") for f in findings]  # type: ignore[attr-defined]


def test_shared_judgement_plus_unclassified_is_the_judgement() -> None:
    prepared = api.check_stream(ROOT / "examples" / "manifest.csv").prepared
    judge = LineJudge(prepared.ruleset, prepared.as_of, prepared.catalog, prepared.parties)
    shared: dict[tuple[object, ...], tuple[list[object], list[str]]] = {}
    seen_bare = 0
    for n, (part, vendor, dest, day) in enumerate(itertools.product(PARTS, VENDORS, DESTS, DATES)):
        fields = {"part_number": part, "eccn": "", "vendor": vendor, "destination": dest,
                  "ship_date": day}  # fmt: skip
        line = build_line(n + 1, n + 2, dict(fields))
        on = date.fromisoformat(day)
        epoch = prepared.ruleset.epoch(on)
        key = item_part_key(line)
        item, sig = judge.profile(line, on, epoch, key)
        judged = judge.item_judgement(line, on, epoch, key)
        part_judged, depends = judge.shared_judgement(line, on, epoch, key)
        if sig[0] != "unclassified":
            assert depends is None
            assert _dump(part_judged.findings) == _dump(judged.findings)
            continue
        seen_bare += 1
        assert depends is not None
        own = judge.unclassified_finding(item, depends)
        assert _dump((*part_judged.findings, own)) == _dump(judged.findings)
        # Equal signatures going to destinations with equal signatures: the same rest.
        group = (sig, judge.destination_signature(dest, on, epoch))
        got = (_dump(part_judged.findings), depends)
        assert shared.setdefault(group, got) == got
    assert seen_bare > 100
    assert len(shared) < seen_bare / 4  # shared indeed
