"""Benchmark: screen 10,000 distinct synthetic names against the OFAC SDN files.

Prints names/s, total time, matches found and peak memory. Figures only; correctness is
checked by the tests. Usage::

    python bench/bench_screening.py [--lists-dir ../shared/data/lists] [--names 10000]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from exportcheck.engine.screening import ScreeningIndex  # noqa: E402
from exportcheck.readers.lists import load_lists  # noqa: E402

DEFAULT_LISTS = ROOT.parent / "shared" / "data" / "lists"

_FIRST = [
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Wei",
    "Li",
    "Fang",
    "Jing",
    "Hiroshi",
    "Yuki",
    "Sofia",
    "Mateo",
    "Lucas",
    "Emma",
    "Olga",
    "Ivan",
    "Anna",
    "Pierre",
    "Claire",
    "Hans",
    "Greta",
    "Priya",
    "Arjun",
    "Chen",
    "Min",
]
_LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
    "Hill",
    "Zhang",
    "Wang",
    "Liu",
    "Yamamoto",
    "Tanaka",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Dubois",
    "Moreau",
    "Rossi",
    "Bianchi",
]
_WORDS = [
    "Apex",
    "Blue",
    "River",
    "Summit",
    "Northern",
    "Coastal",
    "Pioneer",
    "Quantum",
    "Silver",
    "Harbor",
    "Maple",
    "Eagle",
    "Nova",
    "Vertex",
    "Atlas",
    "Orion",
    "Crescent",
    "Granite",
    "Cedar",
    "Falcon",
    "Lumen",
    "Polar",
    "Sterling",
    "Horizon",
    "Bright",
    "Meridian",
    "Keystone",
    "Redwood",
    "Evergreen",
    "Sunrise",
    "Vista",
    "Titan",
    "Zenith",
    "Alpine",
    "Beacon",
    "Cobalt",
    "Delta",
    "Ember",
    "Frontier",
    "Glacier",
    "Ironwood",
    "Juniper",
    "Kestrel",
    "Lakeside",
    "Monarch",
    "Oakridge",
]
_KINDS = [
    "Trading",
    "Technologies",
    "Logistics",
    "Electronics",
    "Industries",
    "Systems",
    "Solutions",
    "Holdings",
    "Components",
    "Manufacturing",
    "Consulting",
    "Engineering",
    "Imports",
    "Supply",
    "Devices",
    "Networks",
]
_FORMS = ("Co., Ltd.", "Ltd", "LLC", "Inc.", "GmbH", "S.A.", "Corp.", "PLC", "", "", "")


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 6:
        return text
    i = rng.randrange(1, len(text) - 1)
    op = rng.randrange(3)
    if op == 0:
        return text[:i] + text[i + 1 :]
    if op == 1:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice("aeioun") + text[i + 1 :]


def synthetic_names(sdn_names: list[str], n: int, seed: int = 20250501) -> list[str]:
    """``n`` distinct names: ~10 % variants of listed names, the rest unrelated."""
    rng = random.Random(seed)
    out: dict[str, None] = {}
    while len(out) < n:
        r = rng.random()
        if r < 0.10:
            base = rng.choice(sdn_names)
            words = base.replace(",", "").split()
            if len(words) > 1 and rng.random() < 0.5:
                rng.shuffle(words)
            name = _typo(rng, " ".join(words)) if rng.random() < 0.6 else " ".join(words)
        elif r < 0.45:
            name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
            if rng.random() < 0.3:
                name = (
                    f"{rng.choice(_FIRST)} {rng.choice('ABCDEFGHJKLMNPRSTW')}. {rng.choice(_LAST)}"
                )
        else:
            parts = [rng.choice(_WORDS)]
            if rng.random() < 0.5:
                parts.append(rng.choice(_WORDS))
            parts.append(rng.choice(_KINDS))
            form = rng.choice(_FORMS)
            name = " ".join(parts + ([form] if form else []))
            if rng.random() < 0.3:
                name += f" {rng.randrange(1, 999)}"
        out.setdefault(name, None)
    return list(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lists-dir", type=Path, default=DEFAULT_LISTS)
    ap.add_argument("--names", type=int, default=10_000)
    ap.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also trace Python allocations (slows the run several times)",
    )
    args = ap.parse_args()
    sdn = args.lists_dir / "ofac-sdn.csv"
    if not sdn.is_file():
        sys.exit(f"no {sdn}; pass --lists-dir")

    if args.tracemalloc:
        tracemalloc.start()
    t0 = time.perf_counter()
    entries, _ = load_lists([sdn])  # picks up ofac-alt.csv / ofac-add.csv beside it
    t1 = time.perf_counter()
    index = ScreeningIndex.build(entries)
    t2 = time.perf_counter()
    names = synthetic_names([e.name for e in entries], args.names)
    t3 = time.perf_counter()
    results = index.screen_many(names, on=date(2025, 5, 1))
    t4 = time.perf_counter()
    traced_peak = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    listed = sum(1 + len(e.aliases) for e in entries)
    flagged = sum(1 for r in results if r.matches)
    hits = sum(1 for r in results if r.status.value in ("prohibited", "license_required"))
    total_matches = sum(len(r.matches) for r in results)
    screen_s = t4 - t3
    print(
        f"entries: {len(entries):,}   listed names incl. aliases: {listed:,}   "
        f"indexed name forms: {index.name_count:,}"
    )
    print(f"load lists:   {t1 - t0:6.2f} s")
    print(f"build index:  {t2 - t1:6.2f} s")
    print(f"screen {len(names):,} names: {screen_s:6.2f} s  ({len(names) / screen_s:,.0f} names/s)")
    print(f"total (load + build + screen): {t4 - t0 - (t3 - t2):6.2f} s")
    print(
        f"names with matches: {flagged:,}  (hits: {hits:,}; review only: {flagged - hits:,}); "
        f"matches: {total_matches:,}"
    )
    print(f"peak RSS of the process: {rss_mb:,.0f} MiB")
    if traced_peak is not None:
        print(f"peak traced Python allocations: {traced_peak / 2**20:,.1f} MiB")


if __name__ == "__main__":
    main()
