"""The ``check`` command as a user runs it: formats, exit codes, errors on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import exportcheck
from exportcheck.cli.app import app
from exportcheck.formats.json import render as render_json

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "examples" / "manifest.csv"
CATALOG = ROOT / "examples" / "catalog.yaml"

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_table_default_lists_every_line_and_summary() -> None:
    code, out, _ = run("check", str(MANIFEST), "--date", "2025-06-15")
    assert code == 1
    for i in range(1, 13):
        assert f"L-{i} " in out
    assert "bis.letters.2025.eda-china" in out
    assert "12 lines" in out and "worst: license_required" in out


def test_json_matches_contract_and_api() -> None:
    code, out, _ = run("check", str(MANIFEST), "--date", "2025-06-15", "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["exportcheck"] == exportcheck.__version__
    assert doc["as_of"] == "2025-06-15"
    assert [line["line_id"] for line in doc["lines"]] == [f"L-{i}" for i in range(1, 13)]
    assert doc["summary"]["lines"] == 12
    for line in doc["lines"]:
        assert set(line) >= {"line_id", "status", "date", "findings", "fields"}
        for f in line["findings"]:
            assert set(f) >= {
                "rule_id",
                "rule_version",
                "status",
                "message",
                "citation",
                "source_url",
            }
    eda = next(line for line in doc["lines"] if line["line_id"] == "L-4")
    assert eda["status"] == "license_required"
    assert eda["findings"][0]["rule_id"] == "bis.letters.2025.eda-china"
    assert eda["findings"][0]["rule_version"] == "2025-05-23"
    assert "eccn 3D991" in eda["findings"][0]["message"]
    assert {s["kind"] for s in doc["sources"]} == {"rules", "lists", "manifest"}
    # The CLI's JSON is what the public API returns.
    report = exportcheck.check(MANIFEST, date="2025-06-15")
    assert doc == report.model_dump(mode="json")
    assert out == render_json(report)


def test_json_is_byte_identical_across_runs() -> None:
    args = ("check", str(MANIFEST), "--date", "2025-06-15", "--catalog", str(CATALOG), "-f", "json")
    assert run(*args)[1] == run(*args)[1]


def test_catalog_fills_eccn() -> None:
    _, out, _ = run(
        "check", str(MANIFEST), "--date", "2025-06-15", "--catalog", str(CATALOG), "-f", "json"
    )
    lines = {line["line_id"]: line for line in json.loads(out)["lines"]}
    assert lines["L-5"]["item"]["eccn"] == "3A991"
    assert lines["L-5"]["item"]["eccn_source"] == "catalog"
    assert lines["L-5"]["status"] == "allowed"
    assert lines["L-9"]["status"] == "review"  # XR-7700 is in no catalog


@pytest.mark.parametrize(
    "date, expected",
    [("2025-03-01", "allowed"), ("2025-06-15", "license_required"), ("2025-08-01", "allowed")],
)
def test_eda_reversal_across_2025(date: str, expected: str) -> None:
    manifest = ROOT / "examples" / "manifest-china-2025.csv"
    _, out, _ = run("check", str(manifest), "--date", date, "-f", "json")
    lines = {line["line_id"]: line for line in json.loads(out)["lines"]}
    assert lines["CN-3"]["status"] == expected
    assert lines["CN-6"]["status"] == expected  # Hong Kong treated as China


def test_ship_date_overrides_date() -> None:
    manifest = ROOT / "examples" / "shipments-2025.json"
    _, out, _ = run(
        "check", str(manifest), "--catalog", str(CATALOG), "-f", "json", "--date", "2024-01-01"
    )
    status = {line["line_id"]: (line["date"], line["status"]) for line in json.loads(out)["lines"]}
    assert status["S-1"] == ("2025-03-03", "allowed")
    assert status["S-2"] == ("2025-04-22", "license_required")
    assert status["S-5"] == ("2025-06-15", "license_required")
    assert status["S-6"] == ("2025-08-01", "allowed")


@pytest.mark.parametrize(
    "fail_on, expected",
    [("review", 1), ("license_required", 1), ("prohibited", 0), ("never", 0), ("allowed", 1)],
)
def test_fail_on_gate(fail_on: str, expected: int) -> None:
    code, _, _ = run(
        "check", str(MANIFEST), "--date", "2025-06-15", "--fail-on", fail_on, "-f", "json"
    )
    assert code == expected


def test_exit_zero_when_nothing_flagged(tmp_path: Path) -> None:
    m = tmp_path / "m.csv"
    m.write_text(
        "part_number,eccn,destination,end_user,end_user_hq_country\n"
        "H100,3A090.a,DE,Rhein Compute GmbH,DE\nRACK,EAR99,CN,,\n",
        encoding="utf-8",
    )
    code, out, _ = run("check", str(m), "--date", "2025-06-15", "-f", "json")
    assert code == 0
    assert json.loads(out)["summary"]["worst"] == "allowed"


def test_bad_fail_on_is_usage_error() -> None:
    code, _, err = run("check", str(MANIFEST), "--fail-on", "sometimes")
    assert code == 2
    assert "sometimes" in err


def test_jsonl_one_object_per_line_then_summary() -> None:
    _, out, _ = run("check", str(MANIFEST), "--date", "2025-06-15", "-f", "jsonl")
    rows = [json.loads(x) for x in out.splitlines()]
    assert [r["line_id"] for r in rows[:-1]] == [f"L-{i}" for i in range(1, 13)]
    assert rows[-1]["summary"]["lines"] == 12


def test_csv_and_markdown_cover_every_line() -> None:
    _, out, _ = run("check", str(MANIFEST), "--date", "2025-06-15", "-f", "csv")
    assert len(out.strip().splitlines()) == 13
    _, md, _ = run("check", str(MANIFEST), "--date", "2025-06-15", "-f", "markdown")
    assert md.count("| L-") >= 12


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code, out, _ = run(
        "check", str(MANIFEST), "--date", "2025-06-15", "-f", "json", "-o", str(target)
    )
    assert code == 1 and out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["lines"] == 12


def test_output_into_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    for fmt in ("json", "jsonl", "table"):
        target = tmp_path / "missing" / f"report.{fmt}"
        code, out, err = run(
            "check", str(MANIFEST), "--date", "2025-06-15", "-f", fmt, "-o", str(target)
        )
        assert code == 2 and out == ""
        assert "missing" in err and "does not exist" in err
        assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "table", "markdown", "sarif"])
def test_output_files_get_the_same_permissions_whatever_the_format(
    tmp_path: Path, fmt: str
) -> None:
    import os

    old = os.umask(0o027)
    try:
        target = tmp_path / f"report.{fmt}"
        code, _, _ = run(
            "check", str(MANIFEST), "--date", "2025-06-15", "-f", fmt, "-o", str(target)
        )
        reference = tmp_path / "reference"
        reference.write_text("x")
    finally:
        os.umask(old)
    assert code == 1
    assert target.stat().st_mode & 0o777 == reference.stat().st_mode & 0o777 == 0o640


# --- bad input: exit 2, message names file, line and field --------------------------------


def test_missing_required_column(tmp_path: Path) -> None:
    m = tmp_path / "m.csv"
    m.write_text("part_number,eccn,country_of_origin\nH100,3A090.a,US\n", encoding="utf-8")
    code, out, err = run("check", str(m))
    assert code == 2 and out == ""
    assert str(m) in err and "destination" in err


def test_unknown_country_in_a_line_is_review_not_dropped(tmp_path: Path) -> None:
    m = tmp_path / "m.csv"
    m.write_text(
        "part_number,eccn,destination\nH100,3A090.a,Atlantis\nH100,3A090.a,DE\n", encoding="utf-8"
    )
    code, out, _ = run("check", str(m), "--date", "2025-06-15", "-f", "json")
    lines = json.loads(out)["lines"]
    assert code == 1 and len(lines) == 2
    assert lines[0]["status"] == "review"
    assert any(
        "destination" in f["message"] and "Atlantis" in f["message"] for f in lines[0]["findings"]
    )


def test_unknown_country_in_rules_exits_2(tmp_path: Path) -> None:
    rules = tmp_path / "r.yaml"
    rules.write_text(
        'id: t\ntitle: t\nauthority: t\nversion: "1"\nrules:\n  - id: r\n    title: r\n'
        "    versions:\n      - effective: 2024-01-01\n        citation: X\n"
        "        status: review\n        when:\n          destination: {countries: [ZZ]}\n",
        encoding="utf-8",
    )
    code, _, err = run("check", str(MANIFEST), "--rules", str(rules))
    assert code == 2
    assert f"{rules}:13" in err and "unknown country 'ZZ'" in err and "countries" in err


@pytest.mark.parametrize("bad", ["2025-13-01", "15/06/2025", "yesterday"])
def test_bad_date_option(bad: str) -> None:
    code, out, err = run("check", str(MANIFEST), "--date", bad)
    assert code == 2 and out == ""
    assert "--date" in err and bad in err


def test_bad_date_in_rule_file(tmp_path: Path) -> None:
    rules = tmp_path / "r.yaml"
    rules.write_text(
        'id: t\ntitle: t\nauthority: t\nversion: "1"\nrules:\n  - id: r\n    title: r\n'
        "    versions:\n      - effective: 2024-02-30\n        citation: X\n"
        "        status: review\n        when: {eccn: [3A090]}\n",
        encoding="utf-8",
    )
    code, _, err = run("check", str(MANIFEST), "--rules", str(rules))
    assert code == 2
    assert f"{rules}:9" in err and "effective" in err


def test_malformed_yaml_rule(tmp_path: Path) -> None:
    rules = tmp_path / "r.yaml"
    rules.write_text("id: t\ntitle: [unclosed\nrules: []\n", encoding="utf-8")
    code, _, err = run("check", str(MANIFEST), "--rules", str(rules))
    assert code == 2
    assert str(rules) in err and "invalid YAML" in err


def test_missing_manifest() -> None:
    code, _, err = run("check", "no-such-file.csv")
    assert code == 2 and "no-such-file.csv" in err


def test_internal_error_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("injected fault")

    monkeypatch.setattr("exportcheck.api.report.judge_lines", boom)
    code, out, err = run("check", str(MANIFEST), "-f", "json")
    assert code == 2 and out == ""
    assert "internal error" in err and "injected fault" in err
    assert "Traceback" not in err


# --- rules commands ------------------------------------------------------------------------


def test_rules_list_on_date() -> None:
    code, out, _ = run("rules", "list", "--date", "2025-06-15", "-f", "json")
    assert code == 0
    ids = {r["id"]: r["rule_version"] for r in json.loads(out)["rules"]}
    assert ids["bis.letters.2025.eda-china"] == "2025-05-23"
    assert "ear.ai-diffusion.worldwide" not in ids
    _, out, _ = run("rules", "list", "--date", "2025-08-01", "-f", "json")
    assert "bis.letters.2025.eda-china" not in {r["id"] for r in json.loads(out)["rules"]}


def test_rules_show_timeline() -> None:
    code, out, _ = run("rules", "show", "ear.3a090-4a090.destinations", "-f", "json")
    assert code == 0
    doc = json.loads(out)
    assert [v["effective"] for v in doc["versions"]] == [
        "2022-10-21",
        "2023-01-18",
        "2023-11-17",
        "2024-04-04",
        "2024-12-02",
    ]
    code, out, _ = run("rules", "show", "bis.letters.2025.eda-china")
    assert code == 0 and "rescinded" in out
    code, _, err = run("rules", "show", "no.such.rule")
    assert code == 2 and "no.such.rule" in err


def test_rules_validate(tmp_path: Path) -> None:
    code, out, _ = run("rules", "validate")
    assert code == 0 and out.startswith("OK: 5 file(s), 9 rule(s)")
    bad = tmp_path / "bad.yaml"
    bad.write_text('id: t\ntitle: t\nauthority: t\nversion: "1"\nbogus: 1\n', encoding="utf-8")
    code, _, err = run("rules", "validate", str(bad))
    assert code == 2 and f"{bad}:5" in err and "bogus" in err


def test_version_and_module_entry_point(tmp_path: Path) -> None:
    code, out, _ = run("--version")
    first, rules, listed = out.strip().splitlines()
    assert code == 0 and first == f"exportcheck {exportcheck.__version__}"
    assert rules.startswith("rules data 2026.12.1 (5 files, newest rule version effective 20")
    assert "us-ear-advanced-computing" in rules
    assert listed.startswith("restricted-party list entity-list-ai-chips 20")
    # From another directory, with no flags: the shipped rules are found.
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "exportcheck",
            "check",
            str(MANIFEST),
            "--date",
            "2025-06-15",
            "-f",
            "json",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["summary"]["lines"] == 12


def test_lines_read_equals_lines_judged_and_notices(tmp_path: Path) -> None:
    m = tmp_path / "m.csv"
    m.write_bytes(b"part_number,eccn,destination,description\nRACK,EAR99,DE,Caf\xe9 rack\n\n")
    result = runner.invoke(app, ["check", str(m), "--date", "2025-01-01", "-f", "json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["summary"]["lines"] == doc["summary"]["lines_read"] == 1
    assert doc["lines"][0]["fields"]["description"] == "Café rack"
    assert "cp1252" in doc["notices"][0]
    assert result.stderr.startswith("exportcheck: notice: ") and "cp1252" in result.stderr


def test_a_dropped_line_is_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import exportcheck.api.report as api_module

    real = api_module.judge_held

    def drop_first(*args: object, **kwargs: object) -> object:
        results = real(*args, **kwargs)  # type: ignore[arg-type]
        next(results)
        return results

    monkeypatch.setattr(api_module, "judge_held", drop_first)
    code, out, err = run("check", str(MANIFEST), "-f", "json")
    assert code == 2 and out == ""
    assert "read 12 manifest records but judged 11 lines" in err


def test_help_shows_plain_words_for_types() -> None:
    code, out, _ = run("check", "--help")
    assert code == 0
    options = out[out.index("Options") :]  # (typer shows an argument's type its own way)
    assert "list[" not in options and "<path>" not in options and "<str>" not in options
    assert "FILE|DIR" in out and "YYYY-MM-DD" in out and "STATUS" in out


def test_shell_completion_is_offered() -> None:
    code, out, _ = run("--help")
    assert code == 0 and "--install-completion" in out and "--show-completion" in out
    # What the installed bash completion asks the program: the options that fit.
    script = Path(sys.executable).parent / "exportcheck"
    if not script.exists():
        pytest.skip("the exportcheck console script is not installed beside this Python")
    proc = subprocess.run(
        [str(script)],
        env={
            "_EXPORTCHECK_COMPLETE": "complete_bash",
            "COMP_WORDS": "exportcheck check --fo",
            "COMP_CWORD": "2",
            "PATH": "",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stdout.split() == ["--format"]


def test_a_long_table_shows_the_flagged_lines_and_the_summary(tmp_path: Path) -> None:
    manifest = tmp_path / "long.csv"
    rows = ["line_id,part_number,eccn,destination,consignee_hq_country"]
    for i in range(1, 2102):
        flagged = i % 700 == 0
        rows.append(f"R-{i},H100,3A090.a,{'CN' if flagged else 'DE'},DE")
    manifest.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out, _ = run("check", str(manifest), "--date", "2025-06-15")
    assert code == 1
    assert "More than 2,000 lines: only the flagged ones" in out
    shown = [ln.split()[0] for ln in out.splitlines() if ln.startswith("R-")]
    assert shown == ["R-700", "R-1400", "R-2100"]
    words = " ".join(out.split())
    assert "2,101 lines: 3 license_required, 2,098 allowed" in words
    assert "3 flagged lines shown, 2,098 others left out" in words
    # The same lines through a file: the table, whole, as the report says.
    target = tmp_path / "table.txt"
    code, _, _ = run("check", str(manifest), "--date", "2025-06-15", "-o", str(target))
    assert code == 1 and "3 flagged lines shown" in target.read_text(encoding="utf-8")
