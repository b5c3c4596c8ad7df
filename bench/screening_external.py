"""Screening quality on labelled name pairs written by others (tests/screening/external/).

For each file prints precision, recall and F1 at the review and hit thresholds, ROC AUC, the
same for plain rapidfuzz ``WRatio`` as a reference, and the pairs that went wrong (``--wrong
N``: with the words each matched and left over). Usage::

    python bench/screening_external.py [--lists-dir ../shared/data/lists] [--no-lists]
                                       [--wrong 40] [--file PATH ...]

How a pair (name1, name2) is scored: name2 is the listed side, name1 the query (as in
nomenklatura's harness). Every distinct name2 becomes one entry of a list of its own, added
to the real lists (OFAC SDN with its aliases and our shipped lists; ``--no-lists`` leaves
them out), so token weights are those a real screening uses. Then:

- **P/R/F1** come from ``ScreeningIndex.screen(name1)``, exactly as ``exportcheck screen``
  runs it (candidate search, scoring, thresholds; no country): the score of name2's entry
  among the matches, 0 when it is not among them. A pair counts as found at a threshold when
  that score reaches it.
- **AUC** needs a score for every pair, also below the review threshold, where ``screen``
  reports nothing: it uses ``ScreeningIndex.name_score(name1, entry)``, the same scoring
  applied to that one entry without candidate search or thresholds. The script also counts
  pairs whose ``name_score`` reaches the review threshold but that ``screen`` does not report
  (candidates lost by the search; there should be none).
- The entry's type follows the file's ``schema`` column (Person → individual, Vessel →
  vessel, others → entity); the query has no type, as in a manifest.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rapidfuzz import fuzz, utils

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from exportcheck.engine.screening import ScreeningConfig, ScreeningIndex  # noqa: E402
from exportcheck.model.parties import ListEntry, PartyType  # noqa: E402
from exportcheck.readers.lists import load_lists  # noqa: E402

DEFAULT_LISTS = ROOT.parent / "shared" / "data" / "lists"
EXTERNAL = ROOT / "tests" / "screening" / "external"
FILES = (
    EXTERNAL / "nomenklatura-name-bench-cases.csv",
    EXTERNAL / "watchman-cascade-name-pairs.csv",
)
DAY = date(2025, 6, 1)
BENCH_SOURCE = "Labelled name pairs (BENCH)"
_TYPES = {"person": PartyType.INDIVIDUAL, "vessel": PartyType.VESSEL}


@dataclass(frozen=True)
class Pair:
    query: str
    listed: str
    schema: str
    match: bool
    category: str


@dataclass
class Scored:
    pair: Pair
    screened: float  # score of the listed entry in screen(), 0 when not reported
    raw: float  # name_score: the same scoring without candidate search or thresholds
    wratio: float
    why: str = ""  # for wrong pairs: words matched and left over (see explain)


def read_pairs(path: Path) -> list[Pair]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            Pair(
                r["name1"],
                r["name2"],
                r["schema"],
                r["is_match"].strip().lower() == "true",
                r.get("category") or "",
            )
            for r in csv.DictReader(fh)
        ]


def auc(scored: list[tuple[float, bool]]) -> float:
    """ROC AUC (Mann-Whitney): the chance a random match outscores a random non-match,
    ties counting half."""
    ordered = sorted(scored, key=lambda p: p[0])
    pos = sum(1 for _, m in ordered if m)
    neg = len(ordered) - pos
    if not pos or not neg:
        return float("nan")
    rank_sum = 0.0
    i = 0
    while i < len(ordered):
        j = i
        while j < len(ordered) and ordered[j][0] == ordered[i][0]:
            j += 1
        mid_rank = (i + 1 + j) / 2.0  # 1-based ranks i+1..j share their mean
        rank_sum += mid_rank * sum(1 for _, m in ordered[i:j] if m)
        i = j
    return (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg)


def prf(scored: list[tuple[float, bool]], threshold: float) -> tuple[float, float, float, int]:
    tp = sum(1 for s, m in scored if m and s >= threshold)
    fp = sum(1 for s, m in scored if not m and s >= threshold)
    fn = sum(1 for s, m in scored if m and s < threshold)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f1, fp


def score_file(
    path: Path, base: list[ListEntry], config: ScreeningConfig
) -> tuple[list[Scored], float]:
    pairs = read_pairs(path)
    ids: dict[tuple[str, str], str] = {}
    extra: list[ListEntry] = []
    for p in pairs:
        key = (p.listed, p.schema)
        if key not in ids:
            ids[key] = f"B{len(ids) + 1}"
            extra.append(
                ListEntry(
                    source=BENCH_SOURCE,
                    list_code="BENCH",
                    entry_id=ids[key],
                    name=p.listed,
                    type=_TYPES.get(p.schema.lower(), PartyType.ENTITY),
                )
            )
    t0 = time.perf_counter()
    index = ScreeningIndex.build([*base, *extra], config)
    position = {e.entry_id: i for i, e in enumerate(index.entries) if e.list_code == "BENCH"}
    out: list[Scored] = []
    for p in pairs:
        eid = ids[(p.listed, p.schema)]
        result = index.screen(p.query, on=DAY)
        screened = max(
            (m.score for m in result.matches if m.list_code == "BENCH" and m.entry_id == eid),
            default=0.0,
        )
        raw = index.name_score(p.query, position[eid])
        wr = fuzz.WRatio(p.query, p.listed, processor=utils.default_process)
        out.append(Scored(p, screened, raw, wr))
    seconds = time.perf_counter() - t0
    explain(index, out, ids, config)
    return out, seconds


def explain(
    index: ScreeningIndex,
    scored: list[Scored],
    ids: dict[tuple[str, str], str],
    config: ScreeningConfig,
) -> None:
    """For each pair wrong at the review threshold, the words matched and left over, as
    ``screen`` explains them; below the threshold with an index that reports every score."""
    everything = index.with_config(
        ScreeningConfig(review_threshold=0, hit_threshold=0, max_matches=100_000)
    )
    for s in scored:
        if (s.screened >= config.review_threshold) == s.pair.match:
            continue
        eid = ids[(s.pair.listed, s.pair.schema)]
        found = [
            m
            for m in everything.screen(s.pair.query, on=DAY).matches
            if m.list_code == "BENCH" and m.entry_id == eid
        ]
        if not found:
            s.why = "no word matched"
            continue
        e = found[0].explanation
        pairs = " ".join(q if q == c else f"{q}~{c}" for q, c in e.matched_tokens)
        s.why = (
            f"matched [{pairs}] query only {list(e.query_only)} listed only {list(e.listed_only)}"
        )


def report(path: Path, scored: list[Scored], seconds: float, cfg: ScreeningConfig, wrong: int):
    n_match = sum(1 for s in scored if s.pair.match)
    print(f"\n== {path.name}: {len(scored)} pairs ({n_match} match, {len(scored) - n_match} not)")
    ours = [(s.screened, s.pair.match) for s in scored]
    raw = [(s.raw, s.pair.match) for s in scored]
    wr = [(s.wratio, s.pair.match) for s in scored]
    for label, rows, auc_rows in (("exportcheck", ours, raw), ("rapidfuzz WRatio", wr, wr)):
        print(f"  {label}: ROC AUC {auc(auc_rows):.3f}")
        for level, t in (("review", cfg.review_threshold), ("hit", cfg.hit_threshold)):
            p, r, f1, fp = prf(rows, t)
            print(f"    at {level} threshold {t:g}: P {p:.3f}  R {r:.3f}  F1 {f1:.3f}  (fp {fp})")
    lost = [s for s in scored if s.raw >= cfg.review_threshold > s.screened]
    print(f"  accepted by the scorer but not reported by screen (lost candidates): {len(lost)}")
    for s in lost[:10]:
        print(f"    {s.pair.query!r} vs {s.pair.listed!r}: name_score {s.raw:.1f}")
    print(f"  ({seconds:.1f} s for the index and the screenings)")
    if wrong:
        bad = [s for s in scored if (s.screened >= cfg.review_threshold) != s.pair.match]
        bad.sort(key=lambda s: (s.pair.match, s.pair.category, s.pair.query))
        print(f"  wrong at the review threshold ({len(bad)}; first {min(wrong, len(bad))}):")
        for s in bad[:wrong]:
            kind = "missed" if s.pair.match else "false flag"
            print(
                f"    {kind}: {s.pair.query!r} vs {s.pair.listed!r} "
                f"screen {s.screened:.1f} name_score {s.raw:.1f} [{s.pair.category}]"
            )
            print(f"      {s.why}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lists-dir", type=Path, default=DEFAULT_LISTS)
    ap.add_argument("--no-lists", action="store_true", help="index only the pairs' names")
    ap.add_argument("--wrong", type=int, default=0, help="print this many wrong pairs per file")
    ap.add_argument("--file", type=Path, action="append", help="a pairs file (default: both)")
    args = ap.parse_args()

    base: list[ListEntry] = []
    if not args.no_lists:
        sources: list[Path] = [ROOT / "rules" / "lists"]
        if (args.lists_dir / "ofac-sdn.csv").is_file():
            sources.append(args.lists_dir / "ofac-sdn.csv")
        else:
            print(f"(no {args.lists_dir / 'ofac-sdn.csv'}: shipped lists only)")
        base, _ = load_lists(sources)
    config = ScreeningConfig(max_matches=100_000)
    print(
        f"lists beside the pairs: {len(base):,} entries; review threshold "
        f"{config.review_threshold:g}, hit threshold {config.hit_threshold:g}"
    )
    for path in args.file or FILES:
        scored, seconds = score_file(path, base, config)
        report(path, scored, seconds, config, args.wrong)


if __name__ == "__main__":
    main()
