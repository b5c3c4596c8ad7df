"""Party screening inside ``check``: consignee, end user and --party-columns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exportcheck.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "examples" / "manifest-parties.csv"
SHARED_LISTS = ROOT.parent / "shared" / "data" / "lists"

runner = CliRunner()


def lines(*args: str) -> tuple[int, dict[str, dict[str, object]]]:
    result = runner.invoke(app, ["check", *args, "-f", "json"])
    assert result.exit_code in (0, 1), result.stderr
    doc = json.loads(result.stdout)
    return result.exit_code, {line["line_id"]: line for line in doc["lines"]}


def test_entity_list_variant_is_date_aware() -> None:
    # Shanghai Biren was added to the Entity List on 2023-10-17 (88 FR 71991).
    code, before = lines(str(MANIFEST), "--date", "2023-06-01")
    assert before["P-1"]["status"] == "allowed"
    assert code == 0
    code, after = lines(str(MANIFEST), "--date", "2024-06-01")
    assert code == 1
    p1 = after["P-1"]
    assert p1["status"] == "license_required"
    findings = p1["findings"]
    assert isinstance(findings, list)
    consignee = next(f for f in findings if f["because"][0]["field"] == "consignee")
    assert consignee["kind"] == "party"
    assert consignee["rule_id"].startswith("party:EL:")
    assert consignee["citation"] == "88 FR 71991"
    assert "Shanghai Biren Intelligent Technology" in consignee["message"]
    assert "score" in consignee["because"][0]["test"]
    # Unrelated names sharing only generic words are not flagged.
    assert after["P-4"]["status"] == "allowed"


def test_party_columns_are_screened_too() -> None:
    _, without = lines(str(MANIFEST), "--date", "2024-06-01")
    assert without["P-2"]["status"] == "allowed"
    _, with_col = lines(
        str(MANIFEST), "--date", "2024-06-01", "--party-columns", "Freight Forwarder"
    )
    assert with_col["P-2"]["status"] == "license_required"
    assert "freight_forwarder" in json.dumps(with_col["P-2"]["findings"])


def test_unknown_party_column_exits_2() -> None:
    result = runner.invoke(app, ["check", str(MANIFEST), "--party-columns", "broker"])
    assert result.exit_code == 2
    assert "broker" in result.stderr and "--party-columns" in result.stderr


def test_report_records_list_sources() -> None:
    result = runner.invoke(app, ["check", str(MANIFEST), "--date", "2024-06-01", "-f", "json"])
    sources = json.loads(result.stdout)["sources"]
    lists_ = [s for s in sources if s["kind"] == "lists"]
    assert lists_ and lists_[0]["id"] == "entity-list-ai-chips" and len(lists_[0]["sha256"]) == 64


@pytest.mark.skipif(not (SHARED_LISTS / "ofac-sdn.csv").exists(), reason="shared data absent")
def test_sdn_hit_is_prohibited(tmp_path: Path) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        "part_number,eccn,destination,consignee\n"
        "RACK-42U,EAR99,CU,Banco Nacional de Cuba\n"
        "RACK-42U,EAR99,DE,Rhein Logistik GmbH\n",
        encoding="utf-8",
    )
    code, result = lines(
        str(manifest), "--date", "2025-06-15", "--lists", str(SHARED_LISTS / "ofac-sdn.csv")
    )
    assert code == 1
    assert result["1"]["status"] == "prohibited"
    assert result["2"]["status"] == "allowed"
