from __future__ import annotations

from pathlib import Path

import pytest

from exportcheck.errors import InputError
from exportcheck.readers.rules import load_rules

HEADER = """\
id: test-rules
title: Test rules
authority: Test
version: "1"
"""

GROUPS = """\
country_groups:
  - id: "G:1"
    title: group
    citation: X
    members: [CN, "NO"]
"""

RULE = """\
rules:
  - id: r.one
    title: One
    versions:
      - effective: 2024-01-01
        citation: "1 FR 1"
        status: license_required
        when:
          eccn: [3A090]
          destination: {groups: ["G:1"]}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def error_for(tmp_path: Path, text: str) -> InputError:
    p = write(tmp_path, "bad.yaml", text)
    with pytest.raises(InputError) as info:
        load_rules([p])
    return info.value


def test_valid_file_loads(tmp_path: Path) -> None:
    ruleset, sources = load_rules([write(tmp_path, "ok.yaml", HEADER + GROUPS + RULE)])
    assert list(ruleset.rules) == ["r.one"]
    # Norway stays a country code, not a boolean.
    assert "NO" in ruleset.groups["G:1"].members_on(__import__("datetime").date(2024, 1, 1))
    assert sources[0].id == "test-rules" and len(sources[0].sha256) == 64


def test_unknown_field_names_line_and_field(tmp_path: Path) -> None:
    text = HEADER + GROUPS + RULE.replace("        status:", "        statsu: x\n        status:")
    err = error_for(tmp_path, text)
    assert err.file and err.file.endswith("bad.yaml")
    assert err.line == 16
    assert "statsu" in (err.field or "")
    assert "unknown field 'statsu'" in err.message


def test_missing_citation(tmp_path: Path) -> None:
    err = error_for(tmp_path, HEADER + GROUPS + RULE.replace('        citation: "1 FR 1"\n', ""))
    assert "citation" in err.render()
    assert err.line is not None


def test_bad_status(tmp_path: Path) -> None:
    err = error_for(tmp_path, HEADER + GROUPS + RULE.replace("license_required", "maybe"))
    assert err.field is not None and err.field.endswith("status")
    assert err.line == 16


def test_unknown_country(tmp_path: Path) -> None:
    err = error_for(tmp_path, HEADER + GROUPS.replace("CN,", "XX,") + RULE)
    assert "unknown country 'XX'" in err.message
    assert err.line == 9


def test_unknown_group(tmp_path: Path) -> None:
    err = error_for(tmp_path, HEADER + GROUPS + RULE.replace('["G:1"]', '["G:9"]'))
    assert "unknown country group 'G:9'" in err.message


def test_duplicate_key(tmp_path: Path) -> None:
    err = error_for(tmp_path, HEADER + "title: again\n" + GROUPS + RULE)
    assert "duplicate key 'title'" in err.message
    assert err.line == 5


def test_malformed_yaml(tmp_path: Path) -> None:
    err = error_for(tmp_path, HEADER + "rules: [\n  - id: x\n")
    assert err.message.startswith("invalid YAML")
    assert err.line is not None and err.column is not None


def test_overlapping_versions_are_an_error(tmp_path: Path) -> None:
    text = (
        HEADER
        + GROUPS
        + RULE
        + RULE.split("    versions:\n")[1]
        .replace("2024-01-01", "2023-06-01")
        .replace("      - effective", "      - effective", 1)
    )
    err = error_for(tmp_path, text)
    assert "not after" in err.message or "duplicate" in err.message


def test_out_of_order_versions(tmp_path: Path) -> None:
    second = """\
      - effective: 2023-01-01
        citation: "2 FR 2"
        status: review
        when: {eccn: [3A090]}
"""
    err = error_for(tmp_path, HEADER + GROUPS + RULE + second)
    assert "is not after" in err.message
    assert err.field is not None and "versions" in err.field


def test_unquoted_version_number_is_refused(tmp_path: Path) -> None:
    err = error_for(tmp_path, HEADER.replace('"1"', "1.10") + RULE.replace('["G:1"]', "[]"))
    assert err.field == "version"


def test_duplicate_rule_across_files(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", HEADER + GROUPS + RULE)
    write(tmp_path, "b.yaml", HEADER.replace("test-rules", "other") + RULE)
    with pytest.raises(InputError, match=r"duplicate rule id 'r\.one'"):
        load_rules([tmp_path])


def test_split_rule_set_over_files_and_directory(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write(tmp_path, "groups.yaml", HEADER + GROUPS)
    write(tmp_path / "sub", "rules.yaml", HEADER + RULE)
    ruleset, sources = load_rules([tmp_path])
    assert "r.one" in ruleset.rules and "G:1" in ruleset.groups
    assert len(sources) == 2


def test_split_files_must_agree_on_version(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", HEADER + GROUPS)
    write(tmp_path, "b.yaml", HEADER.replace('"1"', '"2"') + RULE)
    with pytest.raises(InputError, match="disagree on version"):
        load_rules([tmp_path])


def test_missing_path() -> None:
    with pytest.raises(InputError, match="no such file"):
        load_rules([Path("/nonexistent/rules.yaml")])
