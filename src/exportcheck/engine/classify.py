"""Parametric classification: derive an item's ECCN from its specifications, under the
classification criteria in force on a date (rule data, see ``classifications:`` in rule files).

Pure: no I/O. TPP and performance density are computed when not given:

* ``tpp`` = ``dense_tops`` × ``bit_length``, or the highest ``tops_<precision>`` × its bit
  length (TPP = 2 × MacTOPS × bit length, and dense TOPS count two operations per MAC);
* ``performance_density`` = ``tpp`` ÷ ``die_area_mm2``;
* ``datacenter`` absent is taken as 1 (designed for data centres), the conservative reading.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from exportcheck.engine.conditions import Facts, Tri, evaluate
from exportcheck.engine.inforce import classifications_in_force
from exportcheck.model.classification import (
    NOT_TECHNICAL,
    Derivation,
    Segment,
    Specs,
    fmt_number,
)
from exportcheck.model.eccn import eccn_matches
from exportcheck.model.params import PRECISION_BITS
from exportcheck.model.report import Because
from exportcheck.model.rules import ClassificationVersion, RuleSet

# Category used for classification when the item has none: tested as a chip.
UNSPECIFIED_CATEGORY = "unspecified"


def derive_specs(given: dict[str, float]) -> Specs:
    params = dict(given)
    notes: list[str] = []
    if "tpp" not in params:
        candidates: list[tuple[float, str]] = []
        if "dense_tops" in params and "bit_length" in params:
            tpp = params["dense_tops"] * params["bit_length"]
            candidates.append(
                (
                    tpp,
                    f"tpp = dense_tops {fmt_number(params['dense_tops'])} × bit_length "
                    f"{fmt_number(params['bit_length'])} = {fmt_number(tpp)}",
                )
            )
        for name, bits in PRECISION_BITS.items():
            if name in params:
                tpp = params[name] * bits
                candidates.append(
                    (tpp, f"tpp = {name} {fmt_number(params[name])} × {bits} = {fmt_number(tpp)}")
                )
        if candidates:
            best = max(candidates, key=lambda c: (c[0], c[1]))
            params["tpp"] = round(best[0], 6)
            notes.append(best[1] + (" (highest precision product)" if len(candidates) > 1 else ""))
    if "performance_density" not in params and "tpp" in params and params.get("die_area_mm2"):
        pd = params["tpp"] / params["die_area_mm2"]
        params["performance_density"] = round(pd, 4)
        notes.append(
            f"performance_density = tpp {fmt_number(params['tpp'])} ÷ die_area_mm2 "
            f"{fmt_number(params['die_area_mm2'])} = {pd:.2f}"
        )
    technical = any(k not in NOT_TECHNICAL for k in params)
    if technical and "datacenter" not in params:
        params["datacenter"] = 1.0
        notes.append("datacenter not given: treated as designed for data centres (1)")
    return Specs(params=dict(sorted(params.items())), derivations=tuple(notes))


def classify(specs: Specs, category: str | None, ruleset: RuleSet, on: date) -> Derivation | None:
    """The ECCN the specs derive on ``on``; None when there is nothing to classify (no
    technical parameters, or no classification criteria in force)."""
    if not specs.technical:
        return None
    facts = Facts(on=on, category=category or UNSPECIFIED_CATEGORY, params=specs.params)
    below: Derivation | None = None
    for cls, version in classifications_in_force(ruleset, on):
        last: tuple[Because, ...] = ()
        for outcome in version.outcomes:
            result = evaluate(outcome.when, facts, ruleset)
            if result.value is Tri.TRUE:
                return Derivation(cls, version, outcome.eccn, result.because)
            if result.value is Tri.UNKNOWN:
                return Derivation(cls, version, None, result.because, result.missing)
            last = result.because
        if below is None:
            # The reasons the last (most general) test failed say why the item is below.
            below = Derivation(cls, version, None, last)
    return below


def contradicts(declared: str, derived: str, version: ClassificationVersion) -> bool:
    """Does a derived ECCN make a declared one too lenient?

    The declared ECCN is flagged when it lies outside every ECCN the criteria can derive
    (``3A991`` declared, specs give ``3A090.a``), or names the ``.b`` paragraph where the specs
    give ``.a`` of the same entry.
    """
    families = {o.eccn.split(".")[0] for o in version.outcomes}
    if not any(eccn_matches(declared, fam) for fam in families):
        return True
    base, _, para = derived.partition(".")
    return para.startswith("a") and eccn_matches(declared, f"{base}.b") is True


def classification_timeline(
    specs: Specs, category: str | None, ruleset: RuleSet, start: date, end: date
) -> list[Segment]:
    """The classification of one item from ``start`` to ``end``: one segment per change."""
    dates = {start, *(d for d in ruleset.change_dates() if start < d <= end)}
    segments: list[Segment] = []
    for d in sorted(dates):
        seg = Segment(d, None, classify(specs, category, ruleset, d))
        if segments and segments[-1].key() == seg.key():
            continue
        if segments:
            segments[-1] = replace(segments[-1], until=d)
        segments.append(seg)
    return segments
