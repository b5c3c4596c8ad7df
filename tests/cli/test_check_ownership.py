"""``check --ownership`` end to end: the Affiliates rule's path and the headquarters rules in
the table, JSON and SARIF; bad ownership input exits 2 naming the file, line and field; party
attribute cells; what the shipped data leaves out, in every report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exportcheck.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = str(ROOT / "examples" / "manifest-ownership.csv")
OWNERSHIP = str(ROOT / "examples" / "ownership.csv")
CATALOG = str(ROOT / "examples" / "catalog.yaml")

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def check(fmt: str, *more: str, date: str = "2026-12-02") -> tuple[int, str]:
    code, out, err = run(
        "check", MANIFEST, "--ownership", OWNERSHIP, "--catalog", CATALOG, "--date", date,
        "-f", fmt, *more,
    )  # fmt: skip
    assert code in (0, 1), err
    return code, out


def lines(date: str = "2026-12-02") -> dict[str, dict[str, object]]:
    _, out = check("json", date=date)
    return {line["line_id"]: line for line in json.loads(out)["lines"]}


def finding(line: dict[str, object], rule_id: str) -> dict[str, object]:
    findings = line["findings"]
    assert isinstance(findings, list)
    found: dict[str, object] = next(f for f in findings if f["rule_id"] == rule_id)
    return found


def test_json_explains_the_ownership_path_and_the_parents() -> None:
    found = lines()
    assert {k: v["status"] for k, v in found.items()} == {
        "O-1": "license_required",  # 30 % + 25 % (through a holding) of listed owners
        "O-2": "license_required",  # ultimate parent in Macau (ownership file)
        "O-3": "license_required",  # ultimate parent in Macau (manifest columns)
        "O-4": "review",  # ownership unknown, name close to a listed one
        "O-5": "allowed",
        "O-6": "allowed",  # 30 % only
    }
    o1 = finding(found["O-1"], "ear.affiliates-50-percent")
    assert o1["rule_version"] == "2026-11-10" and o1["confidence"] == "unconfirmed"
    why = next(b for b in o1["because"] if b["field"] == "end_user")
    assert why["value"] == "Lotus Compute Sdn. Bhd."
    assert "owned 55 % in aggregate" in why["test"]
    assert "25 % by 'Pearl River Holdings Ltd.'" in why["test"] and "owned 60 %" in why["test"]
    o3 = finding(found["O-3"], "ear.3a090-4a090.headquarters")
    assert {"field": "end_user_parent_hq_country", "value": "MO"}.items() <= next(
        b for b in o3["because"] if b["field"] == "end_user_parent_hq_country"
    ).items()


def test_the_affiliates_rule_follows_its_dates() -> None:
    assert lines("2025-09-28")["O-1"]["status"] == "allowed"
    assert lines("2025-09-29")["O-1"]["status"] == "license_required"
    assert lines("2025-11-10")["O-1"]["status"] == "allowed"  # suspended
    assert lines("2026-11-09")["O-1"]["status"] == "allowed"
    assert lines("2026-11-10")["O-1"]["status"] == "license_required"


def test_the_table_shows_the_path_and_the_scope() -> None:
    _, out = check("table")
    assert "ear.affiliates-50-percent @ 2026-11-10" in out
    flat = " ".join(out.split())
    assert "owned 55 % in aggregate by parties on EL/MEU" in flat
    assert "'Pearl River Holdings Ltd.'" in flat and "treated as listed" in flat
    assert "ultimate parent 'Pearl Delta Capital Ltd.' headquarters MO" in flat
    assert "Scope: the shipped rules are a modelled subset" in flat
    assert "the shipped restricted-party list is a subset of 11 entries" in flat


def test_sarif_explains_the_path() -> None:
    _, out = check("sarif")
    run_ = json.loads(out)["runs"][0]
    o1 = [r for r in run_["results"] if r["ruleId"] == "ear.affiliates-50-percent"]
    assert any("owned 55 % in aggregate" in r["message"]["text"] for r in o1)
    notes = [n["message"]["text"] for n in run_["invocations"][0]["toolExecutionNotifications"]]
    assert any(n.startswith("Scope: the shipped rules") for n in notes)
    assert any(s["kind"] == "ownership" for s in run_["properties"]["sources"])


def test_the_fast_path_gives_the_same_bytes_with_ownership(tmp_path: Path) -> None:
    fast = tmp_path / "fast.jsonl"
    slow = tmp_path / "slow.jsonl"
    check("jsonl", "-o", str(fast))
    check("jsonl", "-o", str(slow), "--no-cache")
    assert fast.read_bytes() == slow.read_bytes()
    last = json.loads(fast.read_text(encoding="utf-8").splitlines()[-1])
    assert [n[:7] for n in last["notices"]] == ["Scope: ", "Scope: "]


@pytest.mark.parametrize(
    "text, where",
    [
        (
            "entity,owner,share,as_of,source\nA,B,60,2025-01-01,x\nA,C,50,2025-01-01,x\n",
            ":3, field 'share'",
        ),
        (
            "entity,owner,share,as_of,source\nA,B,9,2025-01-01,x\nB,A,9,2025-01-01,x\n",
            ":3, field 'owner'",
        ),
        ("entity,owner,share,as_of\nA,B,9,2025-01-01\n", ":1, field 'source'"),
    ],
    ids=["over-100", "cycle", "no-source"],
)
def test_bad_ownership_exits_2_naming_file_line_and_field(
    tmp_path: Path, text: str, where: str
) -> None:
    bad = tmp_path / "own.csv"
    bad.write_text(text, encoding="utf-8")
    code, out, err = run("check", MANIFEST, "--ownership", str(bad))
    assert code == 2 and out == ""
    assert f"{bad}{where}" in err


def test_a_headquarters_that_is_not_a_country_is_an_input_problem(tmp_path: Path) -> None:
    m = tmp_path / "m.csv"
    m.write_text(
        "line_id,part_number,eccn,destination,end_user,end_user_hq_country\n"
        "A,H100,3A090.a,DE,Rhein Compute GmbH,DE\n"
        "B,H100,3A090.a,DE,Rhein Compute GmbH,Atlantis\n",
        encoding="utf-8",
    )
    code, out, _ = run("check", str(m), "--date", "2025-06-15", "-f", "json")
    assert code == 1
    found = {line["line_id"]: line for line in json.loads(out)["lines"]}
    assert found["A"]["status"] == "allowed"
    assert found["B"]["status"] == "review"
    problem = next(f for f in found["B"]["findings"] if f["kind"] == "input")
    assert "end_user_hq_country" in problem["message"] and "Atlantis" in problem["message"]
    fast, slow = tmp_path / "f.jsonl", tmp_path / "s.jsonl"
    for out_file, extra in ((fast, ()), (slow, ("--no-cache",))):
        run("check", str(m), "--date", "2025-06-15", "-f", "jsonl", "-o", str(out_file), *extra)
    assert fast.read_bytes() == slow.read_bytes()


def test_no_scope_notices_without_the_shipped_data(tmp_path: Path) -> None:
    rules = ROOT / "rules" / "us-ear-country-groups.yaml"
    lists = tmp_path / "lists.yaml"
    lists.write_text(
        "kind: party-list\nid: mine\ntitle: Mine\nversion: '1'\nentries:\n"
        "  - {source: Mine, list_code: EL, entry_id: X-1, name: Example Listed Co}\n",
        encoding="utf-8",
    )
    copy = tmp_path / "groups.yaml"
    copy.write_text(rules.read_text(encoding="utf-8"), encoding="utf-8")
    code, out, err = run(
        "check", MANIFEST, "--rules", str(copy), "--lists", str(lists), "-f", "json"
    )
    assert code == 0, err
    assert json.loads(out)["notices"] == []
    code, out, _ = run("check", MANIFEST, "-f", "json")
    assert len(json.loads(out)["notices"]) == 2


def test_diff_shows_the_affiliates_rule_and_its_impact_with_ownership() -> None:
    code, out, err = run(
        "diff", "--from", "2025-09-28", "--to", "2025-09-30", "--manifest", MANIFEST,
        "--ownership", OWNERSHIP, "--catalog", CATALOG, "-f", "json",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(out)
    assert [(c["kind"], c["id"]) for c in doc["changes"]] == [
        ("added", "ear.affiliates-50-percent")
    ]
    impact = {i["line_id"]: (i["before"], i["after"]) for i in doc["impact"]}
    assert impact == {"O-1": ("allowed", "license_required"), "O-4": ("allowed", "review")}
