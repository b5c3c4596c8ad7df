"""``exportcheck diff`` on the shipped rules and lists: what entered or left force, in words."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from _diff_helpers import ROOT, Run

from exportcheck.engine.diff import compare_versions, condition_text, diff_rulesets
from exportcheck.model.rules import RuleSet, RuleVersion


def by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {c["id"]: c for c in doc["changes"]}
    assert len(out) == len(doc["changes"]), "ids are unique within one diff"
    return out


def test_march_to_june_2025_names_h20_and_eda_letters(run: Run) -> None:
    doc = run.json("diff", "--from", "2025-03-01", "--to", "2025-06-15")
    assert doc["from"] == "2025-03-01" and doc["to"] == "2025-06-15"
    changes = by_id(doc)
    h20 = changes["bis.letters.2025.h20-mi308"]
    assert h20["kind"] == "added" and h20["reason"] == "entered-force"
    assert h20["before"] is None and h20["after"]["version"] == "2025-04-09"
    assert "2025-04-09" in h20["summary"]
    assert h20["citation"] == "Nvidia Corp. Form 8-K (2025-04-15)"
    eda = changes["bis.letters.2025.eda-china"]
    assert eda["kind"] == "added" and eda["after"]["version"] == "2025-05-23"
    assert "2025-05-23" in eda["summary"]
    # the AI Diffusion framework was rescinded in the window, before compliance
    ai = changes["ear.ai-diffusion.worldwide"]
    assert ai["kind"] == "removed" and ai["reason"] == "rescinded" and ai["after"] is None
    assert not any("compliance required" in e for e in ai["events"])
    assert "impact" not in doc


def test_june_to_august_2025_eda_lifted_and_h20_review_policy(run: Run) -> None:
    changes = by_id(run.json("diff", "--from", "2025-06-15", "--to", "2025-08-01"))
    eda = changes["bis.letters.2025.eda-china"]
    assert eda["kind"] == "removed" and eda["reason"] == "rescinded"
    assert "rescinded on 2025-07-02" in eda["summary"]
    assert eda["citation"].startswith("News reports of BIS letters rescinding")
    h20 = changes["bis.letters.2025.h20-mi308"]
    assert h20["kind"] == "changed" and h20["reason"] == "new-version"
    assert h20["before"]["version"] == "2025-04-09" and h20["after"]["version"] == "2025-07-14"
    assert "review_policy" in h20["fields"] and "status" not in h20["fields"]
    policy = next(d for d in h20["details"] if d.startswith("review policy:"))
    assert "presumption of denial" in policy and "→ Approval" in policy
    assert h20["citation"] == "Company and US government statements, 2025-07-14/15 (news)"
    assert set(changes) == {"bis.letters.2025.eda-china", "bis.letters.2025.h20-mi308"}


def test_reversed_window_reads_from_then_to(run: Run) -> None:
    doc = run.json("diff", "--from", "2025-08-01", "--to", "2025-06-15")
    changes = by_id(doc)
    eda = changes["bis.letters.2025.eda-china"]
    # in force on `to` (2025-06-15), not on `from`: added; the reason stays chronological
    assert eda["kind"] == "added" and eda["reason"] == "rescinded"
    assert eda["before"] is None and eda["after"]["version"] == "2025-05-23"
    h20 = changes["bis.letters.2025.h20-mi308"]
    assert h20["kind"] == "changed"
    assert h20["before"]["version"] == "2025-07-14" and h20["after"]["version"] == "2025-04-09"
    # the citation is that of the newer version, whichever side it is on
    assert h20["citation"] == "Company and US government statements, 2025-07-14/15 (news)"
    assert any("reversed" in n for n in doc["notes"])
    forward = by_id(run.json("diff", "--from", "2025-06-15", "--to", "2025-08-01"))
    assert set(forward) == set(changes)


def test_same_date_has_no_changes(run: Run) -> None:
    doc = run.json("diff", "--from", "2025-06-15", "--to", "2025-06-15")
    assert doc["changes"] == []


def test_list_entries_added_in_window(run: Run) -> None:
    changes = by_id(run.json("diff", "--from", "2023-06-01", "--to", "2024-06-01"))
    for eid in ("EL-shanghai-biren", "EL-beijing-biren", "EL-moore-threads"):
        c = changes[f"party:EL:{eid}"]
        assert c["what"] == "list-entry" and c["kind"] == "added" and c["reason"] == "listed"
        assert c["after"]["start_date"] == "2023-10-17" and c["before"] is None
        assert c["citation"] == "88 FR 71991"
        assert "listed on 2023-10-17: license_required" in c["summary"]
    # entries listed before the window are not changes
    assert "party:EL:EL-smic" not in changes
    # the 3A090 rule's destination scope moved to Country Groups on 2023-11-17
    scope = changes["ear.3a090-4a090.destinations"]
    assert scope["kind"] == "changed"
    assert "country groups added: D:1, D:4, D:5" in scope["details"]
    assert "excluded country groups added: A:5, A:6" in scope["details"]
    assert any(e.startswith("2023-11-17: new version") for e in scope["events"])


def test_list_entries_removed_going_backwards(run: Run) -> None:
    changes = by_id(run.json("diff", "--from", "2024-06-01", "--to", "2023-06-01"))
    c = changes["party:EL:EL-moore-threads"]
    assert c["kind"] == "removed" and c["reason"] == "listed" and c["after"] is None


def test_cambodia_leaves_d5(run: Run) -> None:
    changes = by_id(run.json("diff", "--from", "2025-11-01", "--to", "2026-03-01"))
    d5 = changes["D:5"]
    assert d5["what"] == "country-group" and d5["kind"] == "changed"
    assert "KH" in d5["before"]["members"] and "KH" not in d5["after"]["members"]
    assert d5["fields"] == ["members"]
    assert d5["details"][0].startswith("leaves: KH (Cambodia) (member until 2025-11-07")
    assert d5["events"] == ["2025-11-07: KH (Cambodia) left D:5"]
    # D:1 keeps Cambodia: no change
    assert "D:1" not in changes
    # and the H200-class review policy took effect in the same window
    assert changes["ear.advanced-computing.h200-class-review"]["kind"] == "added"


def test_compliance_date_in_window_is_a_change(run: Run) -> None:
    changes = by_id(run.json("diff", "--from", "2024-12-10", "--to", "2025-01-10"))
    hbm = changes["ear.3a090c.hbm"]
    assert hbm["kind"] == "changed" and hbm["reason"] == "compliance-required"
    assert hbm["fields"] == ["compliance"]
    assert "2024-12-31" in hbm["summary"]


def test_changes_are_sorted_deterministically(shipped_rules: RuleSet) -> None:
    a = diff_rulesets(shipped_rules, shipped_rules, date(2022, 1, 1), date(2026, 6, 1))
    b = diff_rulesets(shipped_rules, shipped_rules, date(2022, 1, 1), date(2026, 6, 1))
    assert [c.model_dump() for c in a] == [c.model_dump() for c in b]
    whats = [c.what for c in a]
    assert whats == sorted(
        whats,
        key=[
            "rule",
            "rule-version",
            "classification",
            "country-group",
            "treatment",
            "list-entry",
        ].index,
    )
    rule_ids = [c.id for c in a if c.what == "rule"]
    assert rule_ids == sorted(rule_ids)


def _version(**kw: Any) -> RuleVersion:
    base: dict[str, Any] = {
        "effective": "2023-11-17",
        "citation": "88 FR 73458",
        "status": "license_required",
        "when": {
            "eccn": ["3A090"],
            "params": [{"param": "tpp", "op": ">=", "value": 4800}],
            "destination": {"countries": ["CN"]},
        },
    }
    base.update(kw)
    return RuleVersion.model_validate(base)


def test_compare_versions_in_plain_words() -> None:
    old = _version()
    new = _version(
        effective="2024-04-04",
        citation="89 FR 23876",
        status="prohibited",
        review_policy="Presumption of denial.",
        compliance_from="2024-05-01",
        when={
            "all": [{"eccn": ["3A090", "4A090"]}, {"not": {"eccn": ["3A090.c"]}}],
            "params": [{"param": "tpp", "op": ">=", "value": 1600}],
            "destination": {"countries": ["CN", "MO"], "groups": ["D:5"]},
        },
    )
    fields, details = compare_versions(old, new)
    assert "tpp >= 4800 → tpp >= 1600" in details
    assert (
        "destinations added: MO (Macao)" in details or "destinations added: MO (Macau)" in details
    )
    assert "country groups added: D:5" in details
    assert "ECCN patterns added: 4A090" in details
    assert "ECCN patterns under 'not' added: 3A090.c" in details
    assert "outcome: license_required → prohibited" in details
    assert "review policy: not stated → Presumption of denial." in details
    assert "compliance required from: entry into force → 2024-05-01" in details
    assert "citation: 88 FR 73458 → 89 FR 23876" in details
    for f in (
        "version",
        "status",
        "params.tpp",
        "destination.countries",
        "eccn",
        "review_policy",
        "compliance_from",
        "citation",
    ):
        assert f in fields
    same_fields, same_details = compare_versions(old, old)
    assert same_fields == [] and same_details == []


def test_condition_text() -> None:
    v = _version()
    assert condition_text(v.when) == "ECCN 3A090 and tpp >= 4800 and destination CN"


# ---------------------------------------------------------------------------------------------
# Two rule-set versions (a rules pull request)
# ---------------------------------------------------------------------------------------------


def _edited_rules(tmp_path: Path) -> Path:
    """A copy of the shipped rules with an edit: the H200-class TPP limit moved, Singapore
    added to the 2024-12-02 version of the 3A090 rule, and the 2022 version's citation fixed."""
    out = tmp_path / "rules"
    out.mkdir()
    for src in (ROOT / "rules").glob("*.yaml"):
        (out / src.name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    path = out / "us-ear-advanced-computing.yaml"
    text = path.read_text(encoding="utf-8")
    old_limit = '{param: tpp, op: "<", value: 21000}'
    assert text.count(old_limit) == 1
    text = text.replace(old_limit, '{param: tpp, op: "<", value: 25000}')
    at = text.index("- effective: 2024-12-02")
    scope = "countries: [MO]"
    cut = text.index(scope, at)
    text = text[:cut] + "countries: [MO, SG]" + text[cut + len(scope) :]
    first = 'citation: "87 FR 62186"'
    assert first in text
    text = text.replace(first, 'citation: "87 FR 62186 (corrected)"', 1)
    path.write_text(text, encoding="utf-8")
    return out


def test_rule_set_versions_on_a_date(run: Run, tmp_path: Path) -> None:
    edited = _edited_rules(tmp_path)
    doc = run.json(
        "diff",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-01",
        "--rules-before",
        str(ROOT / "rules"),
        "--rules",
        str(edited),
    )
    assert doc["mode"] == "rule-sets"
    changes = {(c["what"], c["id"]): c for c in doc["changes"]}
    h200 = changes[("rule", "ear.advanced-computing.h200-class-review")]
    assert h200["kind"] == "changed" and h200["reason"] == "edited"
    assert h200["details"] == ["tpp < 21000 → tpp < 25000"]
    assert h200["fields"] == ["params.tpp"]
    scope = changes[("rule", "ear.3a090-4a090.destinations")]
    assert scope["details"] == ["destinations added: SG (Singapore)"]
    assert scope["fields"] == ["destination.countries"]
    # every edited version is listed, in force on the date or not
    old = changes[("rule-version", "ear.3a090-4a090.destinations@2022-10-21")]
    assert old["kind"] == "changed"
    assert old["details"] == ["citation: 87 FR 62186 → 87 FR 62186 (corrected)"]
    assert ("rule-version", "ear.3a090-4a090.destinations@2024-12-02") in changes
    # nothing else differs
    assert {k for k in changes if k[0] == "rule"} == {
        ("rule", "ear.advanced-computing.h200-class-review"),
        ("rule", "ear.3a090-4a090.destinations"),
    }
    assert not [k for k in changes if k[0] in ("country-group", "treatment", "list-entry")]


def test_rule_set_versions_impact(run: Run, tmp_path: Path) -> None:
    """Adding Singapore flips the L40S line to Singapore (examples/manifest.csv, L-3)."""
    edited = _edited_rules(tmp_path)
    doc = run.json(
        "diff",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-01",
        "--rules-before",
        str(ROOT / "rules"),
        "--rules",
        str(edited),
        "--manifest",
        str(ROOT / "examples" / "manifest.csv"),
    )
    assert [i["line_id"] for i in doc["impact"]] == ["L-3"]
    l3 = doc["impact"][0]
    assert (l3["before"], l3["after"]) == ("allowed", "license_required")
    assert l3["because"] == ["ear.3a090-4a090.destinations"]


def test_rules_without_before_is_a_dates_diff(run: Run, tmp_path: Path) -> None:
    edited = _edited_rules(tmp_path)
    doc = run.json("diff", "--from", "2026-03-01", "--to", "2026-03-01", "--rules", str(edited))
    assert doc["mode"] == "dates" and doc["changes"] == []


@pytest.mark.parametrize(
    "args, where",
    [
        (["--from", "2025-13-01", "--to", "2025-06-15"], "--from"),
        (["--from", "2025-01-01", "--to", "June"], "--to"),
        (["--from", "2025-01-01", "--to", "2025-06-15", "--manifest", "nope.csv"], "nope.csv"),
        (["--from", "2025-01-01", "--to", "2025-06-15", "--rules", "missing-dir"], "missing-dir"),
    ],
)
def test_bad_input_exits_2(run: Run, args: list[str], where: str) -> None:
    code, out, err = run("diff", *args)
    assert code == 2
    assert where in err and out == ""


def test_from_and_to_are_required(run: Run) -> None:
    code, _, _ = run("diff", "--from", "2025-01-01")
    assert code == 2


def test_bad_rule_file_names_file_and_line(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        'id: x\ntitle: t\nauthority: a\nversion: "1"\nrules:\n  - id: Bad Id\n', encoding="utf-8"
    )
    code, _, err = run(
        "diff", "--from", "2025-01-01", "--to", "2025-06-15", "--rules-before", str(bad)
    )
    assert code == 2 and "bad.yaml" in err
