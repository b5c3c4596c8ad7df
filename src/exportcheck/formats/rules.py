"""Text for ``rules list`` and ``rules show`` (table and JSON)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from rich.table import Table

from exportcheck.formats._console import text_console
from exportcheck.model.rules import Rule, RuleSet, RuleVersion


def _version_dict(v: RuleVersion) -> dict[str, Any]:
    return {
        "effective": v.effective.isoformat(),
        "until": v.until.isoformat() if v.until else None,
        "rescinded": v.rescinded,
        "compliance_from": v.compliance_from.isoformat() if v.compliance_from else None,
        "status": v.status.value if v.status else None,
        "citation": v.citation,
        "source_url": v.source_url,
        "confidence": v.confidence.value,
        "review_policy": v.review_policy,
        "summary": v.summary,
    }


def in_force_json(pairs: list[tuple[Rule, RuleVersion]], on: date) -> str:
    doc = {
        "date": on.isoformat(),
        "rules": [
            {"id": r.id, "title": r.title, "rule_version": v.label, **_version_dict(v)}
            for r, v in pairs
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def in_force_table(
    pairs: list[tuple[Rule, RuleVersion]], on: date, *, color: bool = False, width: int = 120
) -> str:
    console, buf = text_console(color=color, width=width, markup=True)
    table = Table(title=f"Rules in force on {on.isoformat()}", show_lines=False)
    table.add_column("rule", no_wrap=True)
    table.add_column("version", no_wrap=True)
    for col in ("status", "citation", "confidence", "title"):
        table.add_column(col, overflow="fold")
    for r, v in pairs:
        table.add_row(
            r.id,
            v.label,
            v.status.value if v.status else "",
            v.citation,
            v.confidence.value,
            r.title,
        )
    console.print(table)
    console.print(f"{len(pairs)} rule(s) in force.")
    return buf.getvalue()


def timeline_json(rule: Rule, current: RuleVersion | None) -> str:
    """The rule's versions; ``current`` is the one in force today (the caller's to find)."""
    doc = {
        "id": rule.id,
        "title": rule.title,
        "description": rule.description,
        "in_force_today": current.label if current else None,
        "versions": [_version_dict(v) for v in rule.versions],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def timeline_table(
    rule: Rule, current: RuleVersion | None, *, color: bool = False, width: int = 120
) -> str:
    """The rule's versions as a table, ``current`` (in force today) marked."""
    console, buf = text_console(color=color, width=width, markup=True)
    console.print(f"[bold]{rule.id}[/bold] — {rule.title}", highlight=False)
    if rule.description:
        console.print(rule.description, highlight=False)
    table = Table(show_lines=True)
    for col in ("from", "until", "outcome", "citation", "confidence", "what it does"):
        table.add_column(col, overflow="fold")
    for i, v in enumerate(rule.versions):
        nxt = rule.versions[i + 1].effective if i + 1 < len(rule.versions) else None
        end = v.until or nxt
        outcome = "rescinded" if v.rescinded else (v.status.value if v.status else "")
        if v.compliance_from:
            outcome += f" (compliance from {v.compliance_from})"
        mark = " ◀ today" if current is v else ""
        what = v.summary or ""
        if v.review_policy:
            what += f"\nReview policy: {v.review_policy}"
        table.add_row(
            v.label + mark,
            end.isoformat() if end else "—",
            outcome,
            v.citation,
            v.confidence.value,
            what,
        )
    console.print(table)
    return buf.getvalue()


def validate_summary(ruleset: RuleSet) -> str:
    n_versions = sum(len(r.versions) for r in ruleset.rules.values())
    return (
        f"OK: {len(ruleset.files)} file(s), {len(ruleset.rules)} rule(s) with {n_versions} "
        f"version(s), {len(ruleset.classifications)} classification(s), "
        f"{len(ruleset.groups)} country group(s), "
        f"{len(ruleset.treatments)} destination treatment(s)\n"
    )
