"""What one rule version in force says about a line's facts, as a finding. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from exportcheck.engine.conditions import Facts, Outcome, Tri, evaluate
from exportcheck.model.report import Because, Finding
from exportcheck.model.rules import Rule, RuleSet, RuleVersion
from exportcheck.model.status import Status


def because_text(because: Iterable[Because]) -> str:
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


def rule_finding(
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


def ended_before_compliance(rule: Rule, version: RuleVersion) -> tuple[date, bool] | None:
    """When a version with a compliance date stops being in force before that date: the day
    it ends and whether the rule was rescinded then (else replaced, or its ``until``); None
    when it is still in force on its compliance date (or has none)."""
    due = version.compliance_from
    if due is None:
        return None
    versions = rule.versions
    at = next(i for i, v in enumerate(versions) if v is version)
    end, rescinded = version.until, False
    if at + 1 < len(versions):
        nxt = versions[at + 1]
        if end is None or nxt.effective < end:
            end, rescinded = nxt.effective, nxt.rescinded
    if end is not None and end <= due:
        return end, rescinded
    return None


def rule_result(
    rule: Rule,
    version: RuleVersion,
    facts: Facts,
    ruleset: RuleSet,
    unclassified: bool,
    outcome: Outcome | None = None,
) -> tuple[Finding | None, str | None]:
    """What one rule version in force says about ``facts``: a finding, or (for an unclassified
    item whose outcome depends only on its ECCN) the rule id to fold into the 'unclassified'
    finding, or neither (the rule does not apply). ``outcome``, when given, is
    ``evaluate(version.when, facts, ruleset)`` computed by the caller."""
    assert version.when is not None and version.status is not None  # validated
    if outcome is None:
        outcome = evaluate(version.when, facts, ruleset)
    if outcome.value is Tri.FALSE:
        return None, None
    why = because_text(outcome.because)
    if outcome.value is Tri.TRUE:
        if version.compliance_from is not None and facts.on < version.compliance_from:
            ended = ended_before_compliance(rule, version)
            if ended is None:
                then = f"then {version.status.value} ({version.citation})"
            else:
                how = "rescinded" if ended[1] else "replaced"
                then = (
                    f"{how} on {ended[0]}, before compliance was required, so it never bound "
                    f"({version.citation})"
                )
            return (
                rule_finding(
                    rule,
                    version,
                    Status.ALLOWED,
                    "rule-pending",
                    f"{rule.title}: in force from {version.effective} but compliance is "
                    f"required only from {version.compliance_from}; {then}. Because {why}.",
                    outcome.because,
                ),
                None,
            )
        policy = (
            f" Review policy: {version.review_policy.rstrip('.')}." if version.review_policy else ""
        )
        return (
            rule_finding(
                rule,
                version,
                version.status,
                "rule",
                f"{rule.title}: {version.status.value} ({version.citation}). "
                f"Because {why}.{policy}",
                outcome.because,
            ),
            None,
        )
    # UNKNOWN: the rule may apply; a person must look.
    if unclassified and outcome.missing <= {"eccn"}:
        return None, rule.id
    missing = ", ".join(sorted(outcome.missing))
    return (
        rule_finding(
            rule,
            version,
            Status.REVIEW,
            "rule-undetermined",
            f"{rule.title} ({version.citation}) may apply ({version.status.value}); cannot "
            f"decide without {missing}. Known: {why}.",
            outcome.because,
        ),
        None,
    )
