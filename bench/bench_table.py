"""Benchmark: ``exportcheck check`` in the default table format on a large manifest.

The table streams like jsonl and csv: over ``FULL_LIMIT`` lines it shows the flagged lines
only, so neither its memory nor its text grows with the allowed lines. This generates the
same seeded manifest as ``bench_check.py`` (300,000 lines by default), runs
``exportcheck check FILE -o OUT.txt --fail-on never`` (the table) in a child process and
prints its wall time, peak RSS and how many lines of table it wrote. Figures only; the
tests check correctness. Usage::

    python bench/bench_table.py [--lines 300000] [--keep] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_check import generate, run_check


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=300_000, help="manifest lines (300000)")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    ap.add_argument("--out-dir", type=Path, default=None, help="where to write (default: tmp)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="exportcheck-bench-") as tmp:
        out_dir = args.out_dir or Path(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        manifest = out_dir / f"manifest-{args.lines}.csv"
        if not manifest.is_file():
            generate(manifest, args.lines, parts=3000, names=2000, hq=True)
        out = out_dir / f"out-{args.lines}.txt"
        out.unlink(missing_ok=True)
        wall, rss, rc = run_check(manifest, out, "table")
        text = out.read_text(encoding="utf-8")
        print(f"python {sys.version.split()[0]}; table format; shipped rules and lists")
        print(
            f"{args.lines:,} lines: {wall:.1f} s, peak RSS {rss:.0f} MiB, exit {rc}; "
            f"table {len(text.splitlines()):,} lines ({len(text) / 1e6:.1f} MB)"
        )
        rows = text.splitlines()
        print(rows[2] if len(rows) > 2 else "")
        print(next((ln for ln in rows if re.match(r"^[0-9][0-9,]* lines?: ", ln)), ""))
        if not args.keep:
            manifest.unlink(missing_ok=True)
            out.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
