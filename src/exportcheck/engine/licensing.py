"""Apply the licences held to judged lines, drawing down their limits in manifest order.
Pure: no I/O (the ledger's balances are its only state).

A line is a candidate when its status is ``license_required`` and every counting
``license_required`` finding comes from a rule (never from a restricted-party match; a
``prohibited`` line is never a candidate). The first licence, in file order, whose item,
destination, parties, validity dates, answered rules and remaining quantity/value cover the line
answers it: the rule findings are marked with the licence number, a ``licensed`` finding names
the licence, what it covers and the balance left, and the line's status is recomputed (so it is
``licensed`` unless another finding, e.g. an unclassified item, keeps it higher). The limits
are drawn down by the line's quantity and value. When licences for the item exist but none
covers the line, each says exactly why in an informational finding and nothing is drawn.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from exportcheck.engine.waivers import with_findings
from exportcheck.model.licensing import Licence, LicenceItem, LicenceSet, name_key
from exportcheck.model.manifest import ManifestLine
from exportcheck.model.report import Because, Finding, LineResult
from exportcheck.model.status import Status

LICENCE_KIND = "licence"
NOT_COVERED_KIND = "licence-not-covered"


def amount(value: Decimal | float) -> str:
    """A quantity or value as text: no trailing zeros, thousands separated (``1,250.5``)."""
    d = Decimal(str(value)).normalize()
    if d == d.to_integral_value():
        return f"{int(d):,}"
    whole, _, frac = f"{d:f}".partition(".")
    return f"{int(whole):,}.{frac}" if whole not in ("", "-") else f"{d:f}"


def _line_value(line: ManifestLine) -> Decimal | None:
    if line.quantity is None or line.unit_value is None:
        return None
    return Decimal(str(line.quantity)) * Decimal(str(line.unit_value))


def _line_currency(line: ManifestLine) -> str | None:
    raw = line.fields.get("currency")
    if raw is None or isinstance(raw, bool):
        return None
    text = str(raw).strip().upper()
    return text or None


@dataclass
class _Balance:
    quantity: Decimal | None
    value: Decimal | None


@dataclass(frozen=True)
class _Draw:
    quantity: Decimal | None
    value: Decimal | None


def _out_of_scope(
    n: str, lic: Licence, line: ManifestLine, on: date, required: list[Finding]
) -> str | None:
    """Why the line is outside what ``lic`` (named ``n``) covers, its limits aside: the
    requirements it answers, its destinations, its dates and its parties (None: inside)."""
    party_hits = [f for f in required if f.kind != "rule"]
    if party_hits:
        ids = ", ".join(f.rule_id for f in party_hits)
        return (
            f"{n} does not answer a restricted-party match ({ids}); only rule "
            "requirements are covered by licences held"
        )
    if lic.rules:
        unanswered = [f.rule_id for f in required if f.rule_id not in lic.rules]
        if unanswered:
            return f"{n} answers {', '.join(lic.rules)}, not {', '.join(unanswered)}"
    if line.destination is None:
        return f"{n}: the line has no valid destination"
    if line.destination not in lic.destinations:
        return (
            f"{n}: destination {line.destination} is not on the licence "
            f"({', '.join(lic.destinations)})"
        )
    if on < lic.valid_from:
        return f"{n} is valid from {lic.valid_from}; the line's date {on} is before that"
    if on > lic.valid_to:
        return f"{n} expired on {lic.valid_to}; the line's date is {on}"
    if lic.parties:
        return _not_a_named_party(n, lic.parties, line)
    return None


def _not_a_named_party(n: str, parties: Sequence[str], line: ManifestLine) -> str | None:
    """Why the line's parties are not among the licence's named ``parties`` (None: they are)."""
    named = {name_key(p) for p in parties}
    listed = "; ".join(parties)
    present = [
        (col, name)
        for col, name in (("consignee", line.consignee), ("end_user", line.end_user))
        if name
    ]
    if not present:
        return (
            f"{n} is limited to named parties ({listed}); the line names no consignee or end user"
        )
    for col, name in present:
        if name_key(name) not in named:
            return f"{n}: {col} '{name}' is not named on it ({listed})"
    return None


class LicenceLedger:
    """The licences held and what is left of their limits; apply it to lines in order."""

    def __init__(self, licences: LicenceSet) -> None:
        self.licences = licences.licences
        self._left: dict[str, _Balance] = {
            lic.number: _Balance(
                None if lic.quantity is None else Decimal(str(lic.quantity)),
                None if lic.value is None else Decimal(str(lic.value)),
            )
            for lic in self.licences
        }

    def remaining(self, number: str) -> tuple[Decimal | None, Decimal | None]:
        """(quantity, value) left on licence ``number``; None where it has no such limit."""
        b = self._left[number]
        return b.quantity, b.value

    # -- checks -------------------------------------------------------------------------------

    def _why_not(
        self,
        lic: Licence,
        line: ManifestLine,
        on: date,
        required: list[Finding],
    ) -> tuple[str | None, _Draw]:
        """Why ``lic`` does not cover the line (None when it does), and what it would draw."""
        n = f"licence {lic.number}"
        why = _out_of_scope(n, lic, line, on, required)
        if why is not None:
            return why, _Draw(None, None)
        return self._over_limits(n, lic, line)

    def _over_limits(self, n: str, lic: Licence, line: ManifestLine) -> tuple[str | None, _Draw]:
        """Why the line exceeds what is left of ``lic``'s limits (None when it does not; ``n``
        names the licence), and what it would draw."""
        balance = self._left[lic.number]
        qty: Decimal | None = None
        if lic.quantity is not None:
            assert balance.quantity is not None
            if line.quantity is None:
                return (
                    f"{n} has a quantity limit ({amount(lic.quantity)}) and the line gives no "
                    "quantity",
                    _Draw(None, None),
                )
            qty = Decimal(str(line.quantity))
            if qty > balance.quantity:
                return (
                    f"{n}: quantity {amount(qty)} exceeds remaining {amount(balance.quantity)} "
                    f"of {amount(lic.quantity)}",
                    _Draw(None, None),
                )
        val: Decimal | None = None
        if lic.value is not None:
            assert balance.value is not None and lic.currency is not None
            val = _line_value(line)
            if val is None:
                return (
                    f"{n} has a value limit ({amount(lic.value)} {lic.currency}) and the line "
                    "gives no quantity and unit_value",
                    _Draw(None, None),
                )
            currency = _line_currency(line)
            if currency != lic.currency:
                shown = f"currency {currency}" if currency else "no currency"
                return (
                    f"{n}: the line has {shown}; the licence's value limit is in {lic.currency}",
                    _Draw(None, None),
                )
            if val > balance.value:
                return (
                    f"{n}: value {amount(val)} {lic.currency} exceeds remaining "
                    f"{amount(balance.value)} of {amount(lic.value)} {lic.currency}",
                    _Draw(None, None),
                )
        return None, _Draw(qty, val)

    # -- results ------------------------------------------------------------------------------

    def _covered(
        self,
        lic: Licence,
        item: LicenceItem,
        line: ManifestLine,
        on: date,
        draw: _Draw,
        required: list[Finding],
    ) -> Finding:
        balance = self._left[lic.number]
        because: list[Because] = [
            Because(field="item", value=item.describe(), test=f"on licence {lic.number}"),
            Because(
                field="destination",
                value=line.destination,
                test=f"in [{', '.join(lic.destinations)}]",
            ),
            Because(field="date", value=on.isoformat(), test=f"{lic.valid_from} to {lic.valid_to}"),
        ]
        drawn: list[str] = []
        if draw.quantity is not None and balance.quantity is not None:
            assert lic.quantity is not None
            balance.quantity -= draw.quantity
            drawn.append(
                f"quantity {amount(draw.quantity)} drawn, {amount(balance.quantity)} of "
                f"{amount(lic.quantity)} remaining"
            )
            because.append(
                Because(
                    field="quantity",
                    value=float(draw.quantity),
                    test=f"<= {amount(balance.quantity + draw.quantity)} remaining",
                )
            )
        if draw.value is not None and balance.value is not None:
            assert lic.value is not None
            balance.value -= draw.value
            drawn.append(
                f"value {amount(draw.value)} {lic.currency} drawn, {amount(balance.value)} of "
                f"{amount(lic.value)} {lic.currency} remaining"
            )
        balance_text = "; ".join(drawn) if drawn else "no quantity or value limit"
        parties = f" for {'; '.join(lic.parties)}" if lic.parties else ""
        answers = ", ".join(dict.fromkeys(f.rule_id for f in required))
        return Finding(
            rule_id=f"licence:{lic.number}",
            status=Status.LICENSED,
            kind=LICENCE_KIND,
            title=f"Licence {lic.number} ({lic.holder})",
            message=(
                f"Licence {lic.number} held by {lic.holder} covers this line: {item.describe()} "
                f"to {', '.join(lic.destinations)}{parties}, valid {lic.valid_from} to "
                f"{lic.valid_to}; answers {answers}. Balance: {balance_text}."
            ),
            because=tuple(because),
        )

    def apply(self, line: ManifestLine, result: LineResult) -> LineResult:
        """``result`` answered by the first licence that covers it (drawing it down), or with
        notes on why the licences for its item do not; unchanged when no licence is relevant."""
        if result.status is not Status.LICENSE_REQUIRED or not self.licences:
            return result
        eccn, part = result.item.eccn, result.item.part_number
        relevant = [
            (lic, item)
            for lic in self.licences
            if (item := lic.covering_item(eccn, part)) is not None
        ]
        if not relevant:
            return result
        on = date.fromisoformat(result.date)
        required = [f for f in result.findings if f.counts and f.status is Status.LICENSE_REQUIRED]
        reasons: list[tuple[Licence, str]] = []
        for lic, item in relevant:
            why, draw = self._why_not(lic, line, on, required)
            if why is not None:
                reasons.append((lic, why))
                continue
            held = self._covered(lic, item, line, on, draw, required)
            findings = [
                f.model_copy(
                    update={
                        "licence": lic.number,
                        "message": f"{f.message} Answered by licence {lic.number}.",
                    }
                )
                if f in required
                else f
                for f in result.findings
            ]
            return with_findings(result, [*findings, held])
        notes = [
            Finding(
                rule_id=f"licence:{lic.number}",
                status=Status.ALLOWED,
                kind=NOT_COVERED_KIND,
                title=f"Licence {lic.number} does not cover this line",
                message=f"Not covered: {why}.",
            )
            for lic, why in reasons
        ]
        return with_findings(result, [*result.findings, *notes])

    def apply_all(self, pairs: Iterable[tuple[ManifestLine, LineResult]]) -> Iterator[LineResult]:
        """Apply to lines in order (the order decides who draws first)."""
        for line, result in pairs:
            yield self.apply(line, result)
