"""Benchmark: screen 10,000 distinct synthetic names against the OFAC SDN files.

Prints, in one run: the time to screen the names, beside rapidfuzz ``cdist`` brute force on
2 workers over the same names and every listed name (with aliases); the false-flag rate on
10,000 names that are not listed; matches found and peak memory. Figures only; correctness is
checked by the tests. Usage::

    python bench/bench_screening.py [--lists-dir ../shared/data/lists] [--names 10000]
                                    [--repeat 3] [--no-cdist]

``cdist`` needs numpy (``pip install -e '.[bench]'``). Brute force here is
``cdist(names, listed, scorer=token_sort_ratio, processor=default_process, workers=2,
score_cutoff=review threshold)``: word order does not matter to it, as it does not to the
matcher; plain ``ratio`` (faster, order-sensitive) is timed too. Each repetition screens with
a fresh index (no cached screenings) and runs both brute forces, alternating; the best and
the range are printed.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from exportcheck.engine.screening import ScreeningIndex  # noqa: E402
from exportcheck.model.parties import ScreenResult  # noqa: E402
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


def _person(rng: random.Random) -> str:
    name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    if rng.random() < 0.3:
        name = f"{rng.choice(_FIRST)} {rng.choice('ABCDEFGHJKLMNPRSTW')}. {rng.choice(_LAST)}"
    return name


def _company(rng: random.Random) -> str:
    parts = [rng.choice(_WORDS)]
    if rng.random() < 0.5:
        parts.append(rng.choice(_WORDS))
    parts.append(rng.choice(_KINDS))
    form = rng.choice(_FORMS)
    name = " ".join(parts + ([form] if form else []))
    if rng.random() < 0.3:
        name += f" {rng.randrange(1, 999)}"
    return name


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
            name = _person(rng)
        else:
            name = _company(rng)
        out.setdefault(name, None)
    return list(out)


def unrelated_names(n: int, listed: list[str], seed: int = 20250502) -> list[str]:
    """``n`` distinct person and company names built from the word lists above, none of
    them a listed name: a name whose words (legal forms aside, in any order) are those of a
    listed name is left out (the lists hold a "PIONEER LOGISTICS" and a "HERNANDEZ, John")."""
    forms = {w.casefold() for f in _FORMS for w in re.findall(r"\w+", f)}

    def key(name: str) -> tuple[str, ...]:
        return tuple(sorted(w for w in re.findall(r"\w+", name.casefold()) if w not in forms))

    taken = {key(x) for x in listed}
    rng = random.Random(seed)
    out: dict[str, None] = {}
    while len(out) < n:
        name = _person(rng) if rng.random() < 0.4 else _company(rng)
        if key(name) not in taken:
            out.setdefault(name, None)
    return list(out)


def _hit(r: ScreenResult) -> bool:
    return r.status.value in ("prohibited", "license_required")


def _span(values: list[float]) -> str:
    return f"best {min(values):.2f} s (range {min(values):.2f}-{max(values):.2f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lists-dir", type=Path, default=DEFAULT_LISTS)
    ap.add_argument("--names", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3, help="timed repetitions (best is shown)")
    ap.add_argument("--no-cdist", action="store_true", help="skip the rapidfuzz brute force")
    ap.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also trace Python allocations (slows the run several times)",
    )
    args = ap.parse_args()
    sdn = args.lists_dir / "ofac-sdn.csv"
    if not sdn.is_file():
        sys.exit(f"no {sdn}; pass --lists-dir")
    cdist = None
    if not args.no_cdist:
        try:
            import numpy  # noqa: F401  (cdist needs it)
            from rapidfuzz import fuzz, process, utils
        except ImportError:
            print("(numpy is not installed: no cdist comparison; pip install -e '.[bench]')")
        else:
            cdist = (process.cdist, fuzz, utils)

    if args.tracemalloc:
        tracemalloc.start()
    t0 = time.perf_counter()
    entries, _ = load_lists([sdn])  # picks up ofac-alt.csv / ofac-add.csv beside it
    t1 = time.perf_counter()
    index = ScreeningIndex.build(entries)
    t2 = time.perf_counter()
    names = synthetic_names([e.name for e in entries], args.names)
    listed = [n for e in entries for n in e.all_names]
    day = date(2025, 5, 1)

    screen_s: list[float] = []
    brute: dict[str, list[float]] = {"token_sort_ratio": [], "ratio": []}
    brute_found: dict[str, int] = {}
    results: list[ScreenResult] = []
    rss_mb = 0.0
    for rep in range(max(1, args.repeat)):
        fresh = index.with_config(index.config)  # same prepared names, empty caches
        t = time.perf_counter()
        results = fresh.screen_many(names, on=day)
        screen_s.append(time.perf_counter() - t)
        if rep == 0:
            rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        if cdist is None:
            continue
        run_cdist, fuzz_mod, utils_mod = cdist
        order = ("token_sort_ratio", "ratio")
        for label in order if rep % 2 == 0 else order[::-1]:
            t = time.perf_counter()
            matrix = run_cdist(
                names,
                listed,
                scorer=getattr(fuzz_mod, label),
                processor=utils_mod.default_process,
                score_cutoff=index.config.review_threshold,
                dtype="uint8",
                workers=2,
            )
            brute[label].append(time.perf_counter() - t)
            brute_found[label] = int((matrix.max(axis=1) > 0).sum())
            del matrix
    traced_peak = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
    tracemalloc.stop()

    unrelated = unrelated_names(args.names, listed)
    clean = index.with_config(index.config).screen_many(unrelated, on=day)
    false_flags = [r for r in clean if r.matches]
    false_hits = [r for r in false_flags if _hit(r)]

    n_listed = len(listed)
    flagged = sum(1 for r in results if r.matches)
    hits = sum(1 for r in results if _hit(r))
    total_matches = sum(len(r.matches) for r in results)
    best = min(screen_s)
    print(
        f"entries: {len(entries):,}   listed names incl. aliases: {n_listed:,}   "
        f"indexed name forms: {index.name_count:,}"
    )
    print(f"load lists:   {t1 - t0:6.2f} s")
    print(f"build index:  {t2 - t1:6.2f} s")
    print(
        f"screen {len(names):,} names: {_span(screen_s)}  ({len(names) / best:,.0f} names/s; "
        f"{args.repeat} runs, fresh caches)"
    )
    print(f"total (load + build + best screen): {t2 - t0 + best:6.2f} s")
    print(
        f"names with matches: {flagged:,}  (hits: {hits:,}; review only: {flagged - hits:,}); "
        f"matches: {total_matches:,}"
    )
    for label, times in brute.items():
        if times:
            print(
                f"rapidfuzz cdist {label}, 2 workers, {len(names):,} x {n_listed:,}: "
                f"{_span(times)}; names with a pair >= {index.config.review_threshold:g}: "
                f"{brute_found[label]:,}"
            )
            print(
                f"  screen / cdist {label}: best {best / min(times):.2f}  (build included: "
                f"{(best + t2 - t1) / min(times):.2f})"
            )
    print(
        f"false flags on {len(unrelated):,} names not listed: {len(false_flags):,} "
        f"({len(false_flags) / len(unrelated):.2%}) at review or above, {len(false_hits):,} "
        f"({len(false_hits) / len(unrelated):.2%}) hits"
    )
    for r in false_hits[:5]:
        m = r.matches[0]
        print(f"  hit: {r.query!r} -> {m.matched_name!r} ({m.list_code} {m.entry_id}) {m.score}")
    print(f"peak RSS after the first screening: {rss_mb:,.0f} MiB")
    if traced_peak is not None:
        print(f"peak traced Python allocations: {traced_peak / 2**20:,.1f} MiB")


if __name__ == "__main__":
    main()
