"""Judge manifest lines against the rules in force on their date. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date

from exportcheck.engine.classify import Derivation, Specs, classify, contradicts, derive_specs
from exportcheck.engine.conditions import Facts, Tri, evaluate
from exportcheck.engine.inforce import rules_in_force
from exportcheck.engine.parties import PartyScreening
from exportcheck.model.manifest import Catalog, ManifestLine
from exportcheck.model.report import Because, Finding, LineResult, ResolvedItem
from exportcheck.model.rules import Rule, RuleSet, RuleVersion
from exportcheck.model.status import Status, worst

UNCLASSIFIED_ID = "exportcheck.unclassified"
INPUT_ID = "exportcheck.input"


def resolve_item(line: ManifestLine, catalog: Catalog | None) -> ResolvedItem:
    """The line's item with empty values filled from the catalog entry for its part number,
    and TPP / performance density computed from the specs when not given."""
    item = line.item
    entry = catalog.get(item.part_number) if catalog is not None else None
    given = {**entry.params, **item.params} if entry is not None else dict(item.params)
    specs = derive_specs(given)
    eccn = item.eccn or (entry.eccn if entry is not None else None)
    source = None
    if eccn:
        source = "line" if item.eccn else "catalog"
    return ResolvedItem(
        part_number=item.part_number,
        eccn=eccn,
        eccn_source=source,
        vendor=item.vendor or (entry.vendor if entry is not None else None),
        category=item.category or (entry.category if entry is not None else None),
        params=specs.params,
        in_catalog=entry is not None,
        derivations=specs.derivations,
    )


def classify_item(
    item: ResolvedItem, ruleset: RuleSet, on: date
) -> tuple[ResolvedItem, Derivation | None]:
    """Apply the classification criteria in force on ``on`` to the item's specs. The derived
    ECCN is used when the item has no ECCN of its own."""
    derivation = classify(Specs(item.params, item.derivations), item.category, ruleset, on)
    if derivation is None:
        return item, None
    update: dict[str, object] = {
        "derived_eccn": derivation.eccn,
        "classification": derivation.describe(),
    }
    if item.eccn is None and derivation.eccn is not None:
        update["eccn"] = derivation.eccn
        update["eccn_source"] = "derived"
    return item.model_copy(update=update), derivation


def _because_text(because: Iterable[Because]) -> str:
    parts = []
    for b in because:
        if b.value is None:
            shown = "(none)"
        elif isinstance(b.value, float):
            shown = f"{b.value:g}"
        else:
            shown = str(b.value)
        parts.append(f"{b.field} {shown}: {b.test}")
    return "; ".join(parts)


def _rule_finding(
    rule: Rule,
    version: RuleVersion,
    status: Status,
    kind: str,
    message: str,
    because: tuple[Because, ...],
) -> Finding:
    return Finding(
        rule_id=rule.id,
        rule_version=version.label,
        status=status,
        kind=kind,
        title=rule.title,
        message=message,
        citation=version.citation,
        source_url=version.source_url,
        confidence=version.confidence.value,
        review_policy=version.review_policy,
        because=because,
    )


def findings_for(
    facts: Facts, ruleset: RuleSet, in_force: list[tuple[Rule, RuleVersion]], unclassified: bool
) -> tuple[list[Finding], list[str]]:
    """Findings from every rule version in force that matches (or may match) ``facts``.

    Returns the findings and, for an unclassified item, the ids of rules that would apply
    depending on its ECCN (folded into the single 'unclassified' finding by the caller).
    """
    findings: list[Finding] = []
    depends_on_eccn: list[str] = []
    for rule, version in in_force:
        assert version.when is not None and version.status is not None  # validated
        outcome = evaluate(version.when, facts, ruleset)
        if outcome.value is Tri.FALSE:
            continue
        why = _because_text(outcome.because)
        if outcome.value is Tri.TRUE:
            if version.compliance_from is not None and facts.on < version.compliance_from:
                findings.append(
                    _rule_finding(
                        rule,
                        version,
                        Status.ALLOWED,
                        "rule-pending",
                        f"{rule.title}: in force from {version.effective} but compliance is "
                        f"required only from {version.compliance_from}; then "
                        f"{version.status.value} ({version.citation}). Because {why}.",
                        outcome.because,
                    )
                )
                continue
            policy = (
                f" Review policy: {version.review_policy.rstrip('.')}."
                if version.review_policy
                else ""
            )
            findings.append(
                _rule_finding(
                    rule,
                    version,
                    version.status,
                    "rule",
                    f"{rule.title}: {version.status.value} ({version.citation}). "
                    f"Because {why}.{policy}",
                    outcome.because,
                )
            )
            continue
        # UNKNOWN: the rule may apply; a person must look.
        if unclassified and outcome.missing <= {"eccn"}:
            depends_on_eccn.append(rule.id)
            continue
        missing = ", ".join(sorted(outcome.missing))
        findings.append(
            _rule_finding(
                rule,
                version,
                Status.REVIEW,
                "rule-undetermined",
                f"{rule.title} ({version.citation}) may apply ({version.status.value}); cannot "
                f"decide without {missing}. Known: {why}.",
                outcome.because,
            )
        )
    return findings, depends_on_eccn


CLASSIFICATION_ID = "exportcheck.classification"


def _classification_findings(
    item: ResolvedItem,
    derivation: Derivation,
    facts: Facts,
    ruleset: RuleSet,
    in_force: list[tuple[Rule, RuleVersion]],
) -> list[Finding]:
    """What the parametric classification adds: the derived ECCN when it was used, or a
    review finding when the declared ECCN is more lenient than the specifications."""
    version = derivation.version
    computed = f" ({'; '.join(item.derivations)})" if item.derivations else ""

    def finding(status: Status, message: str) -> Finding:
        return Finding(
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

    if item.eccn_source == "derived":
        return [
            finding(
                Status.ALLOWED,
                f"ECCN {derivation.describe()}{computed}. The line declares no ECCN; "
                "the derived one is used.",
            )
        ]
    declared = item.eccn
    if declared is None or derivation.eccn is None:
        return []
    if not contradicts(declared, derivation.eccn, version):
        return []
    stricter = replace(facts, eccn=derivation.eccn)
    would, _ = findings_for(stricter, ruleset, in_force, unclassified=False)
    applies = sorted({f.rule_id for f in would if f.status.severity > Status.REVIEW.severity})
    then = f" Under {derivation.eccn}: {', '.join(applies)}." if applies else ""
    return [
        finding(
            Status.REVIEW,
            f"Declared {declared} ({item.eccn_source}) but the specifications give "
            f"{derivation.describe()}{computed}; check the classification.{then}",
        )
    ]


def _sort_key(f: Finding) -> tuple[int, str, str, str]:
    return (-f.status.severity, f.rule_id, f.rule_version or "", f.message)


def judge_item(
    line: ManifestLine,
    ruleset: RuleSet,
    on: date,
    catalog: Catalog | None,
    in_force: list[tuple[Rule, RuleVersion]],
) -> tuple[ResolvedItem, tuple[Finding, ...]]:
    """What the rules say about the line's item going to its destination on ``on``: the
    resolved item and the rule, classification and 'unclassified' findings. Depends only on
    :func:`item_key` of the line and the rule-set epoch of ``on``."""
    item, derivation = classify_item(resolve_item(line, catalog), ruleset, on)
    facts = Facts(
        on=on,
        eccn=item.eccn,
        part_number=item.part_number,
        vendor=item.vendor,
        category=item.category,
        destination=line.destination,
        end_use=line.end_use,
        params=item.params,
    )
    unclassified = item.eccn is None
    findings, depends = findings_for(facts, ruleset, in_force, unclassified)
    if derivation is not None:
        findings.extend(_classification_findings(item, derivation, facts, ruleset, in_force))
    if unclassified:
        if item.part_number is None:
            why = "the line has no ECCN and no part number"
        elif item.in_catalog:
            why = f"neither the line nor the catalog entry for '{item.part_number}' gives an ECCN"
        else:
            why = f"the line has no ECCN and part '{item.part_number}' is not in the catalog"
        could = f" Rules that may apply once classified: {', '.join(depends)}." if depends else ""
        if derivation is not None:
            could = f" Specifications: {derivation.describe()}.{could}"
        findings.append(
            Finding(
                rule_id=UNCLASSIFIED_ID,
                status=Status.REVIEW,
                kind="unclassified",
                title="Unclassified item",
                message=f"Unclassified: {why}; classify the item (ECCN or EAR99).{could}",
            )
        )
    return item, tuple(findings)


ItemKey = tuple[object, ...]


def item_key(line: ManifestLine, ruleset: RuleSet, on: date) -> ItemKey:
    """Everything :func:`judge_item` depends on: the item, destination, end use and the
    rule-set epoch of the date (dates in one epoch have the same rules in force)."""
    item = line.item
    return (
        item.part_number,
        item.eccn,
        item.vendor,
        item.category,
        tuple(sorted(item.params.items())),
        line.destination,
        line.end_use,
        ruleset.epoch(on),
    )


def _input_findings(line: ManifestLine) -> list[Finding]:
    return [
        Finding(
            rule_id=INPUT_ID,
            status=Status.REVIEW,
            kind="input",
            title="Input problem",
            message=f"{p.field}: {p.message}",
        )
        for p in line.problems
    ]


def _line_result(
    line: ManifestLine, on: date, item: ResolvedItem, findings: list[Finding]
) -> LineResult:
    findings.sort(key=_sort_key)
    return LineResult(
        line_id=line.line_id,
        status=worst([f.status for f in findings]),
        date=on.isoformat(),
        destination=line.destination,
        findings=tuple(findings),
        fields=line.fields,
        item=item,
        source_line=line.source_line,
    )


def judge_line(
    line: ManifestLine,
    ruleset: RuleSet,
    as_of: date,
    catalog: Catalog | None = None,
    in_force: list[tuple[Rule, RuleVersion]] | None = None,
    parties: PartyScreening | None = None,
) -> LineResult:
    """Judge one line. Its date is its own ``ship_date`` when given, else ``as_of``."""
    on = line.ship_date or as_of
    if in_force is None:
        in_force = rules_in_force(ruleset, on)
    item, item_findings = judge_item(line, ruleset, on, catalog, in_force)
    findings = _input_findings(line)
    findings.extend(item_findings)
    if parties is not None:
        findings.extend(parties.findings(line, on))
    return _line_result(line, on, item, findings)


def judge_lines(
    lines: Iterable[ManifestLine],
    ruleset: RuleSet,
    as_of: date,
    catalog: Catalog | None = None,
    parties: PartyScreening | None = None,
    *,
    cache: bool = True,
) -> Iterator[LineResult]:
    """Judge lines in input order (streaming).

    With ``cache`` (the default) each distinct item judgement — same :func:`item_key` — is
    computed once and reused, and the rules in force are computed once per epoch; the results
    are the same as with ``cache=False``, which judges every line from scratch.
    """
    in_force_by_epoch: dict[int, list[tuple[Rule, RuleVersion]]] = {}
    judged: dict[ItemKey, tuple[ResolvedItem, tuple[Finding, ...]]] = {}
    for line in lines:
        on = line.ship_date or as_of
        if not cache:
            yield judge_line(line, ruleset, as_of, catalog, None, parties)
            continue
        epoch = ruleset.epoch(on)
        in_force = in_force_by_epoch.get(epoch)
        if in_force is None:
            in_force = in_force_by_epoch[epoch] = rules_in_force(ruleset, on)
        key = item_key(line, ruleset, on)
        hit = judged.get(key)
        if hit is None:
            hit = judged[key] = judge_item(line, ruleset, on, catalog, in_force)
        findings = _input_findings(line)
        findings.extend(hit[1])
        if parties is not None:
            findings.extend(parties.findings(line, on))
        yield _line_result(line, on, hit[0], findings)
