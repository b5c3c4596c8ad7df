"""The HTML report: self-contained, escaped, and rendered by a real browser.

The browser test runs Debian's Chromium headless (``/usr/bin/chromium``; ``.ci/run``
installs it) and is skipped, saying why, where it is absent.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

import exportcheck
from exportcheck.cli.app import app
from exportcheck.formats import html as html_format

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def hostile_manifest(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.csv"
    path.write_text(
        "line_id,part_number,eccn,destination,consignee,note\n"
        f'"{HOSTILE}",H100,3A090.a,CN,"Evil ""Corp"" <b>",x\n'
        "OK-1,RACK-42U,EAR99,DE,Nordic GmbH,\n",
        encoding="utf-8",
    )
    return path


def render_page(tmp_path: Path) -> Path:
    out = tmp_path / "report.html"
    result = runner.invoke(
        app,
        ["check", str(hostile_manifest(tmp_path)), "--date", "2025-06-15", "-f", "html",
         "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 1, result.stderr
    return out


def test_every_cell_is_escaped(tmp_path: Path) -> None:
    page = render_page(tmp_path).read_text(encoding="utf-8")
    assert HOSTILE not in page and "Evil" not in page.replace("Evil &quot;Corp&quot; &lt;b&gt;", "")
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert page.count("<script>") == 1  # ours, the filter


def test_the_page_is_self_contained(tmp_path: Path) -> None:
    page = render_page(tmp_path).read_text(encoding="utf-8")
    assert "default-src 'none'" in page
    # No resource is loaded from anywhere: no src= and no stylesheet or script links.
    assert not re.search(r"<(?:img|script|link|iframe)[^>]*\s(?:src|href)=", page)
    assert "@import" not in page and "url(" not in page


def test_the_page_holds_summary_timeline_and_reproducibility(tmp_path: Path) -> None:
    page = render_page(tmp_path).read_text(encoding="utf-8")
    assert "Status of the flagged items over the year around 2025-06-15" in page
    assert "H100 · ECCN 3A090.a → CN" in page and "<svg" in page
    assert "2024-12-15" in page and "2025-12-14" in page  # 182 days either side
    assert "Reproducibility" in page and "rules data us-bis-informed-letters 2026.12.1" in page
    manifest_sha = re.search(r"hostile\.csv</td><td class=\"mono\">([0-9a-f]{64})", page)
    assert manifest_sha is not None
    assert "Scope: the shipped rules are a modelled subset" in page  # the notices


def test_render_is_deterministic(tmp_path: Path) -> None:
    report = exportcheck.check(hostile_manifest(tmp_path), date="2025-06-15")
    page = html_format.render(report)
    assert page == html_format.render(report)
    assert "No flagged items." in page  # no timelines given
    assert render_page(tmp_path).read_bytes() == render_page(tmp_path).read_bytes()


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.mark.skipif(
    _chromium() is None,
    reason="Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)",
)
def test_chromium_renders_the_report(tmp_path: Path) -> None:
    page = render_page(tmp_path)
    browser = _chromium()
    assert browser is not None
    profile = tmp_path / "profile"
    profile.mkdir()
    shot = tmp_path / "report.png"
    base = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1280,1400"]
    subprocess.run(
        [*base, f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    dom = subprocess.run(
        [*base, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "Export-control check · as of 2025-06-15" in dom
    assert "license_required" in dom and "Reproducibility" in dom
    # The filter script ran: it counted the rows it shows.
    assert re.search(r'<span id="shown">2</span> of 2 lines shown', dom)
    # The hostile cell is text in the page, never an element.
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in dom
    assert '<img src="x"' not in dom and "onerror" not in dom.replace("onerror=alert(1)&gt;", "")
