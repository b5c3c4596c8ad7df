"""The results of parametric classification: an item's specifications as given and derived
(:class:`Specs`), what they say under one classification version on one date
(:class:`Derivation`), and a span of dates with one classification (:class:`Segment`). Data
only: :mod:`exportcheck.engine.classify` computes them, :mod:`exportcheck.formats.classify`
renders them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from exportcheck.model.report import Because
from exportcheck.model.rules import Classification, ClassificationVersion

# Parameters that say nothing about performance on their own.
NOT_TECHNICAL = frozenset({"datacenter", "bit_length"})


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
        return any(k not in NOT_TECHNICAL for k in self.params)


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


@dataclass(frozen=True)
class ClassificationReport:
    """``exportcheck classify``: one item's classification timeline from ``start`` to ``end``."""

    item: str
    category: str | None
    specs: Specs
    start: date
    end: date
    segments: tuple[Segment, ...]
