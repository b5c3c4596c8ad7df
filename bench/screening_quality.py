"""Screening quality on the labelled corpus (tests/screening/corpus.csv).

Prints precision, recall and false-flag rate at the review threshold (any match reported) and
at the hit threshold (a match scoring as a hit), plus the pairs that went wrong. Usage::

    python bench/screening_quality.py [--lists-dir ../shared/data/lists] [--date 2025-06-01]
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from exportcheck.engine.screening import ScreeningIndex  # noqa: E402
from exportcheck.readers.lists import load_lists  # noqa: E402

DEFAULT_LISTS = ROOT.parent / "shared" / "data" / "lists"
CORPUS = ROOT / "tests" / "screening" / "corpus.csv"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lists-dir", type=Path, default=DEFAULT_LISTS)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--date", type=date.fromisoformat, default=date(2025, 6, 1))
    args = ap.parse_args()

    entries, _ = load_lists([ROOT / "rules" / "lists", args.lists_dir])
    index = ScreeningIndex.build(entries)
    cfg = index.config
    ids: dict[tuple[str, str], set[str]] = {}
    for e in entries:
        ids.setdefault((e.list_code, e.name), set()).add(e.entry_id)
    with args.corpus.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))

    counts = {"review": [0, 0, 0, 0], "hit": [0, 0, 0, 0]}  # tp, fn, fp, tn
    wrong: list[str] = []
    for row in rows:
        want = row["expected"].strip() == "yes"
        keys = ids.get((row["list_code"], row["listed_name"]), set())
        result = index.screen(row["query"], on=args.date)
        scores = [
            m.score
            for m in result.matches
            if m.list_code == row["list_code"] and m.entry_id in keys
        ]
        best = max(scores, default=0.0)
        for level, threshold in (("review", cfg.review_threshold), ("hit", cfg.hit_threshold)):
            found = best >= threshold
            c = counts[level]
            c[0 if want and found else 1 if want else 2 if found else 3] += 1
        if (best >= cfg.review_threshold) != want:
            wrong.append(
                f"  {'missed' if want else 'false flag'}: {row['query']!r} vs "
                f"{row['listed_name']!r} score {best:.1f} ({row['note']})"
            )

    yes = sum(1 for r in rows if r["expected"].strip() == "yes")
    print(
        f"corpus: {len(rows)} pairs ({yes} should match, {len(rows) - yes} should not); "
        f"lists: {len(entries):,} entries; date {args.date}"
    )
    for level, threshold in (("review", cfg.review_threshold), ("hit", cfg.hit_threshold)):
        tp, fn, fp, tn = counts[level]
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        ffr = fp / (fp + tn) if fp + tn else 0.0
        print(
            f"at {level} threshold {threshold:g}: precision {precision:.3f}  recall "
            f"{recall:.3f}  false-flag rate {ffr:.3f}  (tp {tp}, fn {fn}, fp {fp}, tn {tn})"
        )
    if wrong:
        print("wrong at the review threshold:")
        print("\n".join(wrong))


if __name__ == "__main__":
    main()
