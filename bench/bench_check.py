"""Benchmark: ``exportcheck check`` on generated manifests against a bare CSV pass.

For each size, generates a realistic, seeded manifest (3,000 distinct parts, 2,000 consignees
each based in one of 16 countries where most of its lines go, ship dates spread over 2025,
destinations as alpha-2, alpha-3 and English names, some listed parties, technical specs on
some parts, a few bad values), then in the same run:

* times a bare ``csv.DictReader`` pass over the file (the floor: merely reading the CSV);
* runs ``exportcheck check FILE --format jsonl -o OUT --fail-on never`` as a subprocess with
  the shipped rules and lists (OUT not there before: a run never replaces the last one's
  output), and measures its wall time and peak RSS
  (``resource.getrusage(RUSAGE_CHILDREN)``, one fresh child interpreter per size);

and prints lines/s, wall time, peak RSS and the ratio of the check to the bare pass.
With ``--repeat N`` the bare pass and the check run N times each, alternately (so that both
meet the same moods of a shared machine), and the best time of each is reported; the peak
RSS is the largest seen. Figures only; correctness is checked by the tests. Usage::

    python bench/bench_check.py [--sizes 10000,100000,1000000] [--repeat N] [--keep]
                                [--out-dir DIR] [--parts N] [--names N]

``--parts`` and ``--names`` change how many distinct parts and party names the manifests
have (3,000 and 2,000): with many more than the caches hold, the check slows down (misses
cost classifications and screenings) while its memory stays bounded.
"""

from __future__ import annotations

import argparse
import csv
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

COLUMNS = (
    "line_id",
    "order_no",
    "part_number",
    "eccn",
    "description",
    "vendor",
    "quantity",
    "unit_value",
    "currency",
    "destination",
    "consignee",
    "end_user",
    "ship_date",
    "tpp",
    "memory_bandwidth_gbps",
    "consignee_hq_country",
)

# Destination spellings: alpha-2, alpha-3 and English names (16 countries).
DESTINATIONS = (
    ("CN", "CHN", "China"),
    ("HK", "HKG", "Hong Kong"),
    ("DE", "DEU", "Germany"),
    ("JP", "JPN", "Japan"),
    ("US", "USA", "United States"),
    ("GB", "GBR", "United Kingdom"),
    ("FR", "FRA", "France"),
    ("IN", "IND", "India"),
    ("SG", "SGP", "Singapore"),
    ("AE", "ARE", "United Arab Emirates"),
    ("RU", "RUS", "Russia"),
    ("IL", "ISR", "Israel"),
    ("KR", "KOR", "Korea, Republic of"),
    ("TW", "TWN", "Taiwan"),
    ("BR", "BRA", "Brazil"),
    ("MY", "MYS", "Malaysia"),
)
# Shipped-list names (some exact, some with a different legal form): party hits and reviews.
LISTED = (
    "Huawei Technologies Co., Ltd.",
    "Sugon",
    "Inspur Group Co Ltd",
    "Shanghai Biren Intelligent Technology Co., Ltd.",
    "Moore Threads Intelligent Technology (Beijing) Co., Ltd.",
    "Yangtze Memory Technologies",
    "Semiconductor Manufacturing International Corp",
)
ECCNS = ("3A090.a", "3A090.c", "3A991", "3A991.p", "4A090.a", "5A992.c", "3D991", "EAR99", "")
KNOWN_CHIPS = (("H100", "3A090.a"), ("H20", "3A991"), ("A100", "3A090.a"), ("L40S", "3A090.a"))
_WORDS = (
    "Nordic", "Pacific", "Lion", "Harbor", "Delta", "Summit", "Apex", "River", "Golden",
    "Blue", "Star", "Orient", "Alpine", "Silver", "Crescent", "Cedar", "Falcon", "Jade",
)  # fmt: skip
_KINDS = ("Compute", "Cloud", "Systems", "Trading", "Logistics", "Render", "Data", "Labs")
_FORMS = ("GmbH", "Ltd.", "Co. Ltd.", "Inc.", "Pte. Ltd.", "S.A.", "LLC", "")


def _parts(rng: random.Random, n: int) -> list[tuple[str, str, str, str, str]]:
    """(part_number, eccn, vendor, tpp, memory_bandwidth) for ``n`` distinct parts."""
    out = [(p, e, "Nvidia", "", "") for p, e in KNOWN_CHIPS]
    vendors = ("Nvidia", "AMD", "Intel", "Cisco", "Dell", "Supermicro", "Synopsys", "Acme")
    while len(out) < n:
        i = len(out)
        eccn = rng.choice(ECCNS)
        spec = rng.random() < 0.08
        tpp = str(rng.choice((1200, 2368, 4800, 4992, 15832))) if spec else ""
        bw = str(rng.choice((900, 3999, 4000))) if spec else ""
        out.append((f"P{i:05d}-{rng.choice('ABCDEFGH')}", eccn, rng.choice(vendors), tpp, bw))
    return out


def _names(rng: random.Random, n: int) -> list[str]:
    out: dict[str, None] = dict.fromkeys(LISTED)
    while len(out) < n:
        form = rng.choice(_FORMS)
        name = f"{rng.choice(_WORDS)} {rng.choice(_WORDS)} {rng.choice(_KINDS)}"
        name += f" {rng.randrange(1, 400)}" if rng.random() < 0.6 else ""
        out.setdefault(f"{name} {form}".strip(), None)
    return list(out)


def generate(
    path: Path,
    lines: int,
    seed: int = 20250101,
    *,
    parts: int = 3000,
    names: int = 2000,
    hq: bool = True,
) -> Path:
    """A seeded manifest of ``lines`` data rows with ``parts`` distinct parts and ``names``
    distinct party names (same arguments → same bytes). With ``hq`` each row says where its
    consignee is headquartered (its home country), as an order book fed from a customer
    master does; without it the column is left out (and the headquarters rules cannot be
    decided: 3A090 lines are reviews)."""
    rng = random.Random(seed)
    catalogue = _parts(rng, parts)
    party_names = _names(rng, names)
    # A consignee is based somewhere: most of its lines go to its own country.
    home = {name: rng.choice(DESTINATIONS) for name in party_names}
    start = date(2025, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS if hq else COLUMNS[:-1])
        for i in range(1, lines + 1):
            part, eccn, vendor, tpp, bw = rng.choice(catalogue)
            consignee = rng.choice(party_names)
            end_user = consignee if rng.random() < 0.7 else rng.choice(party_names)
            spelled = home[consignee] if rng.random() < 0.9 else rng.choice(DESTINATIONS)
            r = rng.random()
            dest = spelled[0] if r < 0.8 else spelled[1] if r < 0.9 else spelled[2]
            day = start + timedelta(days=rng.randrange(365))
            ship = day.isoformat()
            bad = rng.random()
            if bad < 0.001:
                dest = "Atlantis"
            elif bad < 0.002:
                ship = "2025-13-01"
            elif bad < 0.003:
                tpp = "n/a"
            row = (
                f"L-{i}",
                f"SO-{100000 + i // 3}",
                part,
                eccn,
                f"{vendor} item {part}",
                vendor,
                rng.randrange(1, 500),
                f"{rng.randrange(5, 40000)}.{rng.randrange(100):02d}",
                "USD",
                dest,
                consignee,
                end_user,
                ship,
                tpp,
                bw,
                home[consignee][0],
            )
            w.writerow(row if hq else row[:-1])
    return path


def bare_pass(path: Path) -> tuple[float, int]:
    """Seconds for a bare ``csv.DictReader`` pass over ``path``, and the rows seen."""
    t0 = time.perf_counter()
    n = 0
    with path.open(newline="", encoding="utf-8") as fh:
        for _row in csv.DictReader(fh):
            n += 1
    return time.perf_counter() - t0, n


def run_check(path: Path, out: Path, fmt: str = "jsonl") -> tuple[float, float, int]:
    """(wall seconds, peak RSS MiB, exit code) of ``exportcheck check`` in a child process.

    Each size runs in a fresh ``bench`` child that itself runs the check, so the
    RUSAGE_CHILDREN maximum seen by that child is this check's alone.
    """
    code = (
        "import resource, subprocess, sys, time\n"
        "t0 = time.perf_counter()\n"
        "rc = subprocess.call(sys.argv[1:])\n"
        "wall = time.perf_counter() - t0\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(wall, rss, rc)\n"
    )
    cmd = [
        sys.executable,
        "-c",
        code,
        sys.executable,
        "-m",
        "exportcheck",
        "check",
        str(path),
        "--format",
        fmt,
        "-o",
        str(out),
        "--fail-on",
        "never",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    wall, rss, rc = done.stdout.split()
    if int(rc) != 0:
        sys.stderr.write(done.stderr)
    return float(wall), float(rss), int(rc)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated line counts")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    ap.add_argument("--out-dir", type=Path, default=None, help="where to write (default: tmp)")
    ap.add_argument("--format", default="jsonl", help="output format of the check (jsonl)")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each; the best is reported")
    ap.add_argument("--parts", type=int, default=3000, help="distinct parts (3000)")
    ap.add_argument("--names", type=int, default=2000, help="distinct party names (2000)")
    ap.add_argument(
        "--no-hq",
        action="store_true",
        help="leave out the consignee_hq_country column (the manifests before 2026-12)",
    )
    args = ap.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    tmp = None
    if args.out_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="exportcheck-bench-")
        out_dir = Path(tmp.name)
    else:
        out_dir = args.out_dir
        out_dir.mkdir(parents=True, exist_ok=True)
    repeat = max(1, args.repeat)
    best = f"; best of {repeat}" if repeat > 1 else ""
    print(
        f"python {sys.version.split()[0]}; format {args.format}; shipped rules and lists; "
        f"{args.parts:,} parts, {args.names:,} names"
        f"{'' if args.no_hq else ', consignee headquarters'}{best}"
    )
    head = (
        f"{'lines':>10} {'MB':>7} {'bare s':>8} {'check s':>8} {'lines/s':>10} "
        f"{'ratio':>6} {'RSS MiB':>8} {'exit':>4}"
    )
    print(head)
    wide = (args.parts, args.names) != (3000, 2000)
    shape = f"-{args.parts}x{args.names}" if wide else ""
    if args.no_hq:
        shape += "-nohq"
    try:
        for n in sizes:
            manifest = out_dir / f"manifest-{n}{shape}.csv"
            if not manifest.is_file():
                generate(manifest, n, parts=args.parts, names=args.names, hq=not args.no_hq)
            out = out_dir / f"out-{n}.{args.format}"
            bare = wall = float("inf")
            rss, rc = 0.0, 0
            for _ in range(repeat):
                seconds, rows = bare_pass(manifest)
                assert rows == n, (rows, n)
                bare = min(bare, seconds)
                # Each check writes a new file: replacing the last run's output would add the
                # kernel's freeing of it (0.5-1.5 s for the 1 GB of a 1M-line run) to the check.
                out.unlink(missing_ok=True)
                seconds, peak, rc = run_check(manifest, out, args.format)
                wall, rss = min(wall, seconds), max(rss, peak)
            mb = manifest.stat().st_size / 1e6
            print(
                f"{n:>10,} {mb:>7.1f} {bare:>8.2f} {wall:>8.2f} {n / wall:>10,.0f} "
                f"{wall / bare:>6.2f} {rss:>8.0f} {rc:>4}",
                flush=True,
            )
            if not args.keep:
                manifest.unlink()
                out.unlink(missing_ok=True)
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    main()
