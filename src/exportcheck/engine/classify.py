"""Parametric classification: derive an item's ECCN from its specifications, under the
classification criteria in force on a date (rule data, see ``classifications:`` in rule files).

Pure: no I/O. TPP and performance density are computed when not given:

* ``tpp`` = ``dense_tops`` × ``bit_length``, or the highest ``tops_<precision>`` × its bit
  length (TPP = 2 × MacTOPS × bit length, and dense TOPS count two operations per MAC);
* ``performance_density`` = ``tpp`` ÷ ``die_area_mm2``;
* ``datacenter`` absent is taken as 1 (designed for data centres), the conservative reading.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from exportcheck.engine.conditions import Facts, Tri, evaluate
from exportcheck.engine.inforce import classifications_in_force
from exportcheck.model.eccn import eccn_matches
from exportcheck.model.params import PRECISION_BITS
from exportcheck.model.report import Because
from exportcheck.model.rules import Classification, ClassificationVersion, RuleSet

# Parameters that say nothing about performance on their own.
_NOT_TECHNICAL = frozenset({"datacenter", "bit_length"})
# Category used for classification when the item has none: tested as a chip.
UNSPECIFIED_CATEGORY = "unspecified"


def fmt_number(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.4g}" if abs(value) >= 100 else f"{value:.4g}"


@dataclass(frozen=True)
class Specs:
    """Technical parameters as given, plus the derived ones and how they were derived."""

    params: dict[str, float]
    derivations: tuple[str, ...] = ()

    @property
    def technical(self) -> bool:
        return any(k not in _NOT_TECHNICAL for k in self.params)


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
    technical = any(k not in _NOT_TECHNICAL for k in params)
    if technical and "datacenter" not in params:
        params["datacenter"] = 1.0
        notes.append("datacenter not given: treated as designed for data centres (1)")
    return Specs(params=dict(sorted(params.items())), derivations=tuple(notes))


@dataclass(frozen=True)
class Derivation:
    """What the specs say on one date under one classification version."""

    classification: Classification
    version: ClassificationVersion
    eccn: str | None  # None: no outcome holds (below the tests) or undetermined
    because: tuple[Because, ...] = ()
    missing: frozenset[str] = field(default_factory=frozenset)

    @property
    def undetermined(self) -> bool:
        return self.eccn is None and bool(self.missing)

    @property
    def label(self) -> str:
        return f"{self.classification.id}@{self.version.label}"

    def reasons(self) -> str:
        """The figures that decided, in words; "is not HBM / a computer" clauses are left out."""
        parts = []
        for b in self.because:
            if b.field == "category" and b.test.startswith("not one of"):
                continue
            if isinstance(b.value, float | int) and not isinstance(b.value, bool):
                parts.append(f"{b.field} {fmt_number(float(b.value))} {b.test}")
            else:
                parts.append(f"{b.field} {b.value} {b.test}")
        return ", ".join(parts)

    def describe(self) -> str:
        cite = self.version.citation
        if self.eccn is not None:
            return f"{self.eccn} under {cite}: {self.reasons()}"
        if self.missing:
            return f"undetermined under {cite}: needs {', '.join(sorted(self.missing))}"
        why = self.reasons()
        return f"not 3A090/4A090 under {cite}" + (f": {why}" if why else "")


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


@dataclass(frozen=True)
class Segment:
    """A span of dates over which the specs give the same classification."""

    start: date
    until: date | None  # first date of the next segment; None = open
    derivation: Derivation | None

    @property
    def eccn(self) -> str | None:
        return self.derivation.eccn if self.derivation else None

    @property
    def state(self) -> str:
        d = self.derivation
        if d is None:
            return "no-criteria"
        if d.eccn is not None:
            return "derived"
        return "undetermined" if d.undetermined else "below"

    def key(self) -> tuple[str, str | None, frozenset[str]]:
        d = self.derivation
        return (self.state, self.eccn, d.missing if d else frozenset())


def classification_timeline(
    specs: Specs, category: str | None, ruleset: RuleSet, start: date, end: date
) -> list[Segment]:
    """The classification of one item from ``start`` to ``end``: one segment per change."""
    dates = {start}
    for cls in ruleset.classifications.values():
        for v in cls.versions:
            for d in (v.effective, v.until):
                if d is not None and start < d <= end:
                    dates.add(d)
    segments: list[Segment] = []
    for d in sorted(dates):
        seg = Segment(d, None, classify(specs, category, ruleset, d))
        if segments and segments[-1].key() == seg.key():
            continue
        if segments:
            segments[-1] = replace(segments[-1], until=d)
        segments.append(seg)
    return segments
