"""Fuzz the manifest readers (CSV, JSON, JSON Lines, YAML), the rule reader and the catalog
reader for a bounded time. Any exception other than :class:`InputError` is a bug.

    .venv/bin/python fuzz/fuzz_readers.py --seconds 120                 # every target
    .venv/bin/python fuzz/fuzz_readers.py --target csv --seconds 300

Hypothesis drives it (no extra dependency): each example takes a seed file (the shipped
examples and rules, plus small hand-written hostile seeds), applies a list of mutations
(insert a token from a dictionary of troublesome bytes, delete, duplicate or overwrite a range,
flip a byte, truncate, add a BOM or re-encode) and reads the result. A failure is shrunk by
Hypothesis to a small input and printed; the script then exits 1 and writes the input to
``fuzz/crashes/``. Not part of the default test run.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from exportcheck.errors import InputError  # noqa: E402
from exportcheck.readers.catalog import load_catalog  # noqa: E402
from exportcheck.readers.manifest import ReadStats, iter_manifest  # noqa: E402
from exportcheck.readers.rules import load_rules  # noqa: E402

TOKENS: list[bytes] = [
    b'"',
    b'""',
    b",",
    b";",
    b"\t",
    b"\r",
    b"\n",
    b"\r\n",
    b"\x00",
    b"\xff",
    b"\xfe",
    b"\x81",
    b"\xc3",
    b"\xc3\xa9",
    b"\xe9",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xed\xa0\x80",
    b"\\ud800",
    b"[",
    b"]",
    b"{",
    b"}",
    b":",
    b"- ",
    b"&a ",
    b"*a",
    b"<<: *a",
    b"!!float .nan",
    b"!!int 09",
    b"!!python/object:os.system",
    b"!!binary",
    b"!!set",
    b"? ",
    b"---\n",
    b"...\n",
    b"%YAML 1.1\n",
    b"NaN",
    b"-Infinity",
    b"1e999",
    b"9" * 5000,
    b"0123",
    b"09",
    b"NO",
    b"2025-02-30",
    b"=cmd",
    b'{"lines": []}',
    b"null",
    b"true",
    b"~",
    b"#",
    b"'",
    b"\\",
    b"\x85",
    b"\xe2\x80\xa8",
    b"part_number",
    b"destination",
    b"eccn",
    b"tpp",
    b"ship_date",
    b"line_id",
    b"Part Number",
    b"EAR99",
    b"3A090.a",
    b"CN",
    b"  ",
    b"\x1a",
    b"\x0b\x0c",
]

HOSTILE_SEEDS: dict[str, list[bytes]] = {
    "csv": [
        b"part_number,destination\r\nA,CN\r\n",
        b'part_number;destination;note\nA;DE;"x\ny"\n',
        b"\xef\xbb\xbfpart_number\tdestination\nA\tDE\n",
        "part_number,destination,c\nA,DE,Müller\n".encode("cp1252"),
        "part_number,destination\nA,DE\n".encode("utf-16"),
    ],
    "json": [
        b'[{"part_number": "A", "destination": "CN", "tpp": 4800.0}]',
        b'{"lines": [{"eccn": "3A090", "destination": "DE"}, null, 7]}',
    ],
    "jsonl": [
        b'{"part_number": "A", "destination": "CN"}\n\n{"eccn": "EAR99", "destination": "DE"}\n',
    ],
    "yaml": [
        b"- part_number: H20\n  destination: NO\n  ship_date: 2025-01-01\n",
        b"lines:\n  - &x {part_number: A, destination: CN}\n  - *x\n",
    ],
    "rules": [],
    "catalog": [
        b"- part_number: H20\n  eccn: 3A090.a\n  params: {tpp: 2400}\n",
        b"part_number,eccn,tpp\nH20,3A090.a,2400\n",
    ],
}


def _seeds() -> dict[str, list[tuple[str, bytes]]]:
    """(file suffix, bytes) seeds per target."""
    out: dict[str, list[tuple[str, bytes]]] = {k: [] for k in HOSTILE_SEEDS}
    for target, items in HOSTILE_SEEDS.items():
        suffix = {"rules": ".yaml"}.get(target, f".{target}")
        for raw in items:
            if target == "catalog":
                suffix = ".csv" if raw.startswith(b"part_number,") else ".yaml"
            out[target].append((suffix, raw))
    for path in sorted((ROOT / "examples").iterdir()):
        kind = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".yaml": "yaml"}.get(path.suffix)
        if path.name.startswith("catalog"):
            out["catalog"].append((path.suffix, path.read_bytes()))
        elif kind is not None:
            out[kind].append((path.suffix, path.read_bytes()))
    for path in sorted((ROOT / "rules").glob("*.yaml")):
        out["rules"].append((".yaml", path.read_bytes()))
    return out


SEEDS = _seeds()


@st.composite
def mutated(draw: st.DrawFn, target: str) -> tuple[str, bytes]:
    suffix, data = draw(st.sampled_from(SEEDS[target]))
    buf = bytearray(data)
    for _ in range(draw(st.integers(0, 8))):
        op = draw(st.sampled_from(["insert", "delete", "dup", "flip", "overwrite", "truncate"]))
        pos = draw(st.integers(0, len(buf)))
        if op == "insert":
            buf[pos:pos] = draw(st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del buf[pos : pos + draw(st.integers(1, 64))]
        elif op == "dup":
            end = min(len(buf), pos + draw(st.integers(1, 200)))
            buf[pos:pos] = buf[pos:end] * draw(st.integers(1, 5))
        elif op == "flip" and buf:
            i = min(pos, len(buf) - 1)
            buf[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "overwrite":
            token = draw(st.sampled_from(TOKENS))
            buf[pos : pos + len(token)] = token
        elif op == "truncate":
            del buf[pos:]
    out = bytes(buf)
    wrap = draw(st.sampled_from(["none", "none", "none", "bom8", "utf16", "cp1252"]))
    if wrap == "bom8":
        out = b"\xef\xbb\xbf" + out
    elif wrap in ("utf16", "cp1252"):
        text = out.decode("utf-8", errors="replace")
        out = text.encode("utf-16") if wrap == "utf16" else text.encode("cp1252", "replace")
    if target in ("csv", "json", "jsonl", "yaml") and draw(st.integers(0, 9)) == 0:
        suffix = ".dat"  # exercise format sniffing
    return suffix, out


def _run_manifest(path: Path) -> None:
    stats = ReadStats()
    count = 0
    for _ in iter_manifest(path, stats=stats):
        count += 1
    assert stats.records == count, (stats, count)


def _run_rules(path: Path) -> None:
    load_rules([path])


def _run_catalog(path: Path) -> None:
    load_catalog(path)


RUNNERS: dict[str, Callable[[Path], None]] = {
    "csv": _run_manifest,
    "json": _run_manifest,
    "jsonl": _run_manifest,
    "yaml": _run_manifest,
    "rules": _run_rules,
    "catalog": _run_catalog,
}


def fuzz(target: str, seconds: float, batch: int, rng: random.Random) -> int:
    """Run batches until the time is up; returns the number of inputs tried."""
    deadline = time.monotonic() + seconds
    tried = 0
    workdir = Path(tempfile.mkdtemp(prefix=f"fuzz-{target}-"))
    last: list[bytes] = [b""]

    def one(case: tuple[str, bytes]) -> None:
        suffix, data = case
        last[0] = data
        path = workdir / f"input{suffix}"
        path.write_bytes(data)
        try:
            RUNNERS[target](path)
        except InputError as exc:
            exc.render()  # the message the CLI prints must itself be printable

    while time.monotonic() < deadline:

        @seed(rng.getrandbits(64))
        @settings(
            max_examples=batch,
            deadline=None,
            database=None,
            phases=[Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=mutated(target))
        def prop(case: tuple[str, bytes]) -> None:
            one(case)

        try:
            prop()
        except Exception:
            crashes = ROOT / "fuzz" / "crashes"
            crashes.mkdir(exist_ok=True)
            out = crashes / f"{target}-{int(time.time())}.bin"
            out.write_bytes(last[0])
            traceback.print_exc()
            print(f"[{target}] CRASH after {tried} inputs; last input saved to {out}")
            raise
        tried += batch
    return tried


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", choices=[*RUNNERS, "all"], default="all")
    parser.add_argument("--seconds", type=float, default=60.0, help="per target")
    parser.add_argument("--batch", type=int, default=300, help="examples per Hypothesis run")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    targets = list(RUNNERS) if args.target == "all" else [args.target]
    failed = False
    for target in targets:
        started = time.monotonic()
        try:
            tried = fuzz(target, args.seconds, args.batch, rng)
        except Exception:
            failed = True
            continue
        took = time.monotonic() - started
        print(f"[{target}] {tried} inputs in {took:.0f} s: no exception other than InputError")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
