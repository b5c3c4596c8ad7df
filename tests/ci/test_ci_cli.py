"""``check`` as CI runs it: the exit-code contract in every format, --format auto, licences and
waivers end to end (drawdown exhausted mid-manifest, waived and expired-waiver lines), the
integration examples."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import exportcheck
from exportcheck.cli.app import app
from exportcheck.cli.check import resolve_format

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"
HELD = DATA / "manifest-held.csv"
LICENSES = DATA / "licenses.yaml"
WAIVERS = DATA / "waivers.yaml"
DATE = "2025-06-15"

ALL_FORMATS = ["table", "json", "jsonl", "csv", "markdown", "sarif", "junit", "github"]

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def clean(tmp_path: Path) -> Path:
    path = tmp_path / "clean.csv"
    path.write_text(
        "line_id,part_number,eccn,destination\nC-1,RACK-42U,EAR99,DE\nC-2,PSU,EAR99,JP\n",
        encoding="utf-8",
    )
    return path


# --- exit codes: 0 / 1 / 2 in every format ---------------------------------------------------


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_exit_1_when_a_line_is_at_or_above_fail_on(fmt: str) -> None:
    code, out, _ = run("check", str(HELD), "--date", DATE, "--format", fmt)
    assert code == 1
    assert out  # the report is written before the gate


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_exit_0_with_fail_on_never(fmt: str) -> None:
    code, out, _ = run("check", str(HELD), "--date", DATE, "--format", fmt, "--fail-on", "never")
    assert code == 0 and out


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_exit_0_for_a_clean_manifest(fmt: str, clean: Path) -> None:
    code, out, _ = run("check", str(clean), "--date", DATE, "--format", fmt)
    assert code == 0 and out


@pytest.mark.parametrize("fmt", ALL_FORMATS)
@pytest.mark.parametrize("bad", ["manifest", "licenses", "waivers"])
def test_exit_2_for_bad_input_with_nothing_on_stdout(fmt: str, bad: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("licenses: [\n", encoding="utf-8")
    manifest = str(tmp_path / "missing.csv") if bad == "manifest" else str(HELD)
    extra = {"licenses": ["--licenses", str(broken)], "waivers": ["--waivers", str(broken)]}
    code, out, err = run("check", manifest, "--date", DATE, "--format", fmt, *extra.get(bad, []))
    assert code == 2
    assert out == ""
    assert err.startswith("exportcheck: ")
    assert ("missing.csv" if bad == "manifest" else "broken.yaml") in err


def test_licensed_lines_pass_a_review_gate_and_fail_an_allowed_gate(tmp_path: Path) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        "line_id,part_number,eccn,quantity,destination,consignee,consignee_hq_country\n"
        "H-1,MI300X,3A090.a,10,AE,Gulf Sovereign AI LLC,AE\n",
        encoding="utf-8",
    )
    args = ("check", str(manifest), "--date", DATE, "--licenses", str(LICENSES), "-f", "json")
    code, out, _ = run(*args)
    assert json.loads(out)["summary"]["worst"] == "licensed"
    assert code == 0
    assert run(*args, "--fail-on", "licensed")[0] == 1


def test_junit_follows_fail_on() -> None:
    def failures(*extra: str) -> tuple[int, str | None]:
        code, out, _ = run("check", str(HELD), "--date", DATE, "-f", "junit", *extra)
        return code, ET.fromstring(out.split("\n", 1)[1]).get("failures")

    held = ("--licenses", str(LICENSES), "--waivers", str(WAIVERS))
    assert failures() == (1, "8")  # H-1..H-6 need a licence, H-7 and H-8 are unclassified
    assert failures("--fail-on", "license_required") == (1, "6")
    assert failures(*held) == (1, "4")  # H-3, H-5, H-6, and H-8 (expired waiver)
    assert failures(*held, "--fail-on", "license_required") == (1, "3")
    assert failures(*held, "--fail-on", "never") == (0, "0")


# --- --format auto ---------------------------------------------------------------------------


def test_auto_is_github_inside_github_actions() -> None:
    assert resolve_format("auto", {"GITHUB_ACTIONS": "true"}) == "github"
    assert resolve_format("auto", {"GITHUB_ACTIONS": "false"}) == "table"
    assert resolve_format("auto", {}) == "table"
    assert resolve_format("json", {"GITHUB_ACTIONS": "true"}) == "json"
    code, out, _ = run(
        "check", str(HELD), "--date", DATE, "-f", "auto", env={"GITHUB_ACTIONS": "true"}
    )
    assert code == 1 and out.startswith("::error file=")
    code, out, _ = run("check", str(HELD), "--date", DATE, "-f", "auto", env={"GITHUB_ACTIONS": ""})
    assert code == 1 and "::error" not in out and "H-1" in out


# --- licences and waivers end to end -----------------------------------------------------------


def held_report_json(licenses: Path = LICENSES, waivers: Path = WAIVERS) -> dict[str, object]:
    code, out, err = run(
        "check",
        str(HELD),
        "--date",
        DATE,
        "--licenses",
        str(licenses),
        "--waivers",
        str(waivers),
        "-f",
        "json",
    )
    assert code == 1, err
    doc: dict[str, object] = json.loads(out)
    return doc


def test_licences_and_waivers_end_to_end() -> None:
    doc = held_report_json()
    lines = {line["line_id"]: line for line in doc["lines"]}  # type: ignore[attr-defined]
    status = {k: v["status"] for k, v in lines.items()}
    assert status == {
        "H-1": "licensed",  # draws 100 of 200
        "H-2": "licensed",  # draws 60: 40 left
        "H-3": "license_required",  # 50 > 40 left
        "H-4": "licensed",  # 40: exhausted exactly
        "H-5": "license_required",  # 1 > 0 left
        "H-6": "license_required",  # consignee not on the licence
        "H-7": "allowed",  # unclassified, waived
        "H-8": "review",  # unclassified, waiver expired
        "H-9": "allowed",
    }

    def messages(line_id: str, kind: str) -> list[str]:
        return [f["message"] for f in lines[line_id]["findings"] if f["kind"] == kind]

    assert "quantity 40 drawn, 0 of 200 remaining" in messages("H-4", "licence")[0]
    assert messages("H-3", "licence-not-covered") == [
        "Not covered: licence L-200: quantity 50 exceeds remaining 40 of 200."
    ]
    assert messages("H-5", "licence-not-covered") == [
        "Not covered: licence L-200: quantity 1 exceeds remaining 0 of 200."
    ]
    [waived] = lines["H-7"]["findings"]
    assert waived["status"] == "review" and waived["waiver"]["id"] == "W-VALID"
    [expired] = messages("H-8", "waiver-expired")
    assert "Waiver W-EXPIRED for exportcheck.unclassified expired on 2025-03-31" in expired
    assert doc["summary"] == {  # type: ignore[comparison-overlap]
        "lines": 9,
        "by_status": {"allowed": 2, "licensed": 3, "review": 1, "license_required": 3},
        "worst": "license_required",
        "lines_read": 9,
    }


def test_csv_licence_and_waiver_files_give_the_same_report_lines() -> None:
    a = held_report_json()
    b = held_report_json(DATA / "licenses.csv", DATA / "waivers.csv")
    assert a["lines"] == b["lines"] and a["summary"] == b["summary"]


def test_report_records_every_input_with_its_sha256() -> None:
    doc = held_report_json()
    sources = doc["sources"]
    by_kind: dict[str, list[dict[str, str]]] = {}
    for s in sources:  # type: ignore[attr-defined]
        by_kind.setdefault(s["kind"], []).append(s)
    assert {"rules", "lists", "licenses", "waivers", "manifest"} <= set(by_kind)
    for kind, path in (("licenses", LICENSES), ("waivers", WAIVERS), ("manifest", HELD)):
        [s] = by_kind[kind]
        assert s["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert doc["exportcheck"] == exportcheck.__version__ and doc["as_of"] == DATE


def test_cli_json_equals_the_api_with_licences_and_waivers() -> None:
    doc = held_report_json()
    report = exportcheck.check(HELD, date=DATE, licenses=LICENSES, waivers=WAIVERS)
    assert doc == report.model_dump(mode="json")


def test_without_licences_or_waivers_findings_keep_their_keys() -> None:
    _, out, _ = run("check", str(HELD), "--date", DATE, "-f", "json")
    for line in json.loads(out)["lines"]:
        for f in line["findings"]:
            assert "waiver" not in f and "licence" not in f


def test_bad_licence_file_names_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "licenses.yaml"
    bad.write_text(LICENSES.read_text(encoding="utf-8").replace("[AE]", "[Atlantis]"), "utf-8")
    code, out, err = run("check", str(HELD), "--date", DATE, "--licenses", str(bad))
    assert code == 2 and out == ""
    assert f"{bad}:6:" in err and "licenses.0.destinations" in err and "Atlantis" in err


def test_output_file_for_sarif(tmp_path: Path) -> None:
    target = tmp_path / "r.sarif"
    code, out, _ = run("check", str(HELD), "--date", DATE, "-f", "sarif", "-o", str(target))
    assert code == 1 and out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["version"] == "2.1.0"


# --- the shipped examples ---------------------------------------------------------------------


def example(manifest: str) -> dict[str, dict[str, object]]:
    report = exportcheck.check(
        ROOT / "examples" / manifest,
        date=DATE,
        licenses=ROOT / "examples" / "licenses.yaml",
        waivers=ROOT / "examples" / "waivers.yaml",
    )
    return {line.line_id: line.model_dump(mode="json") for line in report.lines}


def test_example_licence_runs_out_mid_manifest() -> None:
    lines = example("manifest-china-2025.csv")
    assert [lines[i]["status"] for i in ("CN-3", "CN-4", "CN-5", "CN-6")] == [
        "licensed",
        "license_required",
        "licensed",
        "license_required",
    ]
    notes = [f["message"] for f in lines["CN-4"]["findings"]]  # type: ignore[attr-defined]
    assert "Not covered: licence D1180342: quantity 6 exceeds remaining 2 of 12." in notes
    cn1 = [f["message"] for f in lines["CN-1"]["findings"]]  # type: ignore[attr-defined]
    expired = "Not covered: licence D1093377 expired on 2025-06-10; the line's date is 2025-06-15."
    assert expired in cn1


def test_example_waivers_valid_and_expired() -> None:
    lines = example("manifest.csv")
    assert lines["L-9"]["status"] == "allowed"
    assert lines["L-9"]["findings"][0]["waiver"]["id"] == "WV-2025-014"  # type: ignore[index]
    assert lines["L-5"]["status"] == "review"
    kinds = [f["kind"] for f in lines["L-5"]["findings"]]  # type: ignore[attr-defined]
    assert "waiver-expired" in kinds
    assert lines["L-8"]["status"] == "licensed"


def test_ci_examples_are_wired_as_documented() -> None:
    gh = yaml.safe_load((ROOT / "examples/ci/github-actions.yml").read_text(encoding="utf-8"))
    steps = gh["jobs"]["exportcheck"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert any(u.startswith("actions/upload-artifact@") for u in uses)
    script = "\n".join(s.get("run", "") for s in steps)
    assert "--format sarif --output exportcheck.sarif" in script
    assert '>> "$GITHUB_STEP_SUMMARY"' in script and "--format markdown" in script
    assert "--format junit" in script and "--format auto" in script
    assert gh["permissions"]["security-events"] == "write"
    gl = yaml.safe_load((ROOT / "examples/ci/gitlab-ci.yml").read_text(encoding="utf-8"))
    job = gl["exportcheck"]
    assert job["artifacts"]["reports"]["junit"] == "exportcheck-junit.xml"
    assert job["artifacts"]["when"] == "always"
    assert any("--format junit --output exportcheck-junit.xml" in s for s in job["script"])


@pytest.mark.skipif(shutil.which("sh") is None, reason="the hook needs a POSIX shell")
def test_pre_commit_hook_runs_each_file_and_returns_the_worst_exit(
    tmp_path: Path, clean: Path
) -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "exportcheck" and hook["language"] == "python"
    bindir = Path(sys.executable).parent  # the venv's bin, where the exportcheck script is
    assert (bindir / "exportcheck").exists()
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"}
    entry = shlex.split(hook["entry"])

    def hook_run(*args: str) -> int:
        return subprocess.run([*entry, *args], env=env, capture_output=True).returncode

    assert hook_run("--date=2025-06-15", str(clean)) == 0
    assert hook_run("--date=2025-06-15", str(clean), str(HELD)) == 1
    assert hook_run("--date=2025-06-15", "--fail-on=never", str(clean), str(HELD)) == 0
    assert hook_run("--date=2025-06-15", str(HELD), str(tmp_path / "missing.csv")) == 2
