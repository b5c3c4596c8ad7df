"""The findings a judgement builds besides the rules' own: the rules' findings for some facts
(:func:`findings_for`), the 'classification', 'unclassified' and 'input' findings, their
report order, and a cached item judgement (:class:`Judged`). Pure: no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from exportcheck.engine.conditions import Facts
from exportcheck.engine.findings import rule_result
from exportcheck.engine.judge.items import contradicted
from exportcheck.model.classification import Derivation
from exportcheck.model.fastline import LineLike
from exportcheck.model.report import Finding, ResolvedItem
from exportcheck.model.rules import Rule, RuleSet, RuleVersion
from exportcheck.model.status import Status, worst

if TYPE_CHECKING:
    from exportcheck.engine.judge.memo import JudgeMemo

UNCLASSIFIED_ID = "exportcheck.unclassified"
INPUT_ID = "exportcheck.input"
CLASSIFICATION_ID = "exportcheck.classification"


def findings_for(
    facts: Facts,
    ruleset: RuleSet,
    in_force: list[tuple[Rule, RuleVersion]],
    unclassified: bool,
    memo: JudgeMemo | None = None,
    fact_class: int | None = None,
) -> tuple[list[Finding], list[str]]:
    """Findings from every rule version in force that matches (or may match) ``facts``.

    Returns the findings and, for an unclassified item, the ids of rules that would apply
    depending on its ECCN (folded into the single 'unclassified' finding by the caller).
    With ``memo`` the results are cached (:meth:`JudgeMemo.findings`; ``fact_class`` is the
    facts' :meth:`JudgeMemo.fact_class`, if the caller knows it).
    """
    if memo is not None:
        return memo.findings(facts, in_force, memo.epoch(facts.on), unclassified, fact_class)
    findings: list[Finding] = []
    depends_on_eccn: list[str] = []
    for rule, version in in_force:
        finding, depends = rule_result(rule, version, facts, ruleset, unclassified)
        if finding is not None:
            findings.append(finding)
        elif depends is not None:
            depends_on_eccn.append(depends)
    return findings, depends_on_eccn


def classification_findings(
    item: ResolvedItem,
    derivation: Derivation,
    facts: Facts,
    ruleset: RuleSet,
    in_force: list[tuple[Rule, RuleVersion]],
    memo: JudgeMemo | None = None,
    made: dict[str, Finding] | None = None,
) -> list[Finding]:
    """What the parametric classification adds: the derived ECCN when it was used, or a
    review finding when the declared ECCN is more lenient than the specifications.
    ``made`` keeps the findings made for this item and derivation, by message."""
    version = derivation.version
    computed = f" ({'; '.join(item.derivations)})" if item.derivations else ""

    def finding(status: Status, message: str) -> Finding:
        if made is not None and message in made:
            return made[message]
        found = Finding(
            rule_id=CLASSIFICATION_ID,
            rule_version=f"{derivation.classification.id}@{version.label}",
            status=status,
            kind="classification",
            title=derivation.classification.title,
            message=message,
            citation=version.citation,
            source_url=version.source_url,
            confidence=version.confidence.value,
            because=derivation.because,
        )
        if memo is not None:
            found = memo.intern(found)
        if made is not None:
            made[message] = found
        return found

    if item.eccn_source == "derived":
        return [
            finding(
                Status.ALLOWED,
                f"ECCN {derivation.describe()}{computed}. The line declares no ECCN; "
                "the derived one is used.",
            )
        ]
    if not contradicted(item, derivation):
        return []
    assert derivation.eccn is not None  # contradicted
    stricter = replace(facts, eccn=derivation.eccn)
    would, _ = findings_for(stricter, ruleset, in_force, False, memo)
    applies = sorted({f.rule_id for f in would if f.status.severity > Status.REVIEW.severity})
    then = f" Under {derivation.eccn}: {', '.join(applies)}." if applies else ""
    return [
        finding(
            Status.REVIEW,
            f"Declared {item.eccn} ({item.eccn_source}) but the specifications give "
            f"{derivation.describe()}{computed}; check the classification.{then}",
        )
    ]


def sort_key(f: Finding) -> tuple[int, str, str, str]:
    return (-f.status.severity, f.rule_id, f.rule_version or "", f.message)


def unclassified_finding(message: str) -> Finding:
    return Finding(
        rule_id=UNCLASSIFIED_ID,
        status=Status.REVIEW,
        kind="unclassified",
        title="Unclassified item",
        message=message,
    )


def unclassified_message(
    item: ResolvedItem, depends: Sequence[str], derivation: Derivation | None
) -> str:
    """The message of the 'unclassified' finding of an item without an ECCN: why, and the
    rules that may apply once it is classified (``depends``, from :func:`findings_for`)."""
    if item.part_number is None:
        why = "the line has no ECCN and no part number"
    elif item.in_catalog:
        why = f"neither the line nor the catalog entry for '{item.part_number}' gives an ECCN"
    else:
        why = f"the line has no ECCN and part '{item.part_number}' is not in the catalog"
    could = f" Rules that may apply once classified: {', '.join(depends)}." if depends else ""
    if derivation is not None:
        could = f" Specifications: {derivation.describe()}.{could}"
    return f"Unclassified: {why}; classify the item (ECCN or EAR99).{could}"


def input_finding(field: str, message: str) -> Finding:
    return Finding(
        rule_id=INPUT_ID,
        status=Status.REVIEW,
        kind="input",
        title="Input problem",
        message=f"{field}: {message}",
    )


def input_findings(line: LineLike) -> list[Finding]:
    return [input_finding(p.field, p.message) for p in line.problems]


class Judged:
    """A cached item judgement: the resolved item, its findings in report order, and the
    status they give (so a line without other findings needs no sorting)."""

    __slots__ = ("findings", "item", "sorted", "status")

    def __init__(self, item: ResolvedItem, findings: tuple[Finding, ...]) -> None:
        self.item = item
        self.findings = findings
        self.sorted = tuple(sorted(findings, key=sort_key))
        self.status = worst([f.status for f in findings])
