"""The console entry point ends the process at once, with the command's exit code and all
of its output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "examples" / "manifest.csv"


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "exportcheck", *args], cwd=cwd, capture_output=True, text=True
    )


def test_exit_codes_and_output_survive_the_quick_exit(tmp_path: Path) -> None:
    ok = _run("--version", cwd=tmp_path)
    assert ok.returncode == 0 and ok.stdout.startswith("exportcheck ")
    gated = _run("check", str(MANIFEST), "--date", "2025-06-15", "-f", "jsonl", cwd=tmp_path)
    assert gated.returncode == 1  # lines at or above review: the default gate
    lines = gated.stdout.splitlines()
    assert len(lines) > 1 and "summary" in json.loads(lines[-1])  # stdout complete
    out = tmp_path / "r.jsonl"
    written = _run("check", str(MANIFEST), "-f", "jsonl", "-o", str(out), "--fail-on", "never",
                   cwd=tmp_path)  # fmt: skip
    assert written.returncode == 0
    assert "summary" in json.loads(out.read_text(encoding="utf-8").splitlines()[-1])
    bad = _run("check", str(tmp_path / "missing.csv"), cwd=tmp_path)
    assert bad.returncode == 2 and "no such manifest file" in bad.stderr
    usage = _run("check", cwd=tmp_path)
    assert usage.returncode == 2 and "Missing argument" in usage.stderr
