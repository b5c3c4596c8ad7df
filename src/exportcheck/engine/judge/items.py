"""The item of a manifest line as the rules see it: resolved from the catalog, classified by
its specifications, its facts, the keys judgements are cached by, and the per-item entry the
line judge keeps (its kind and signatures). Pure: no I/O."""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from exportcheck.engine.classify import classify, contradicts, derive_specs
from exportcheck.engine.conditions import Facts
from exportcheck.engine.partyfacts import PartySet
from exportcheck.model.classification import Derivation, Specs
from exportcheck.model.fastline import LightLine, LineLike
from exportcheck.model.fields import ITEM_KEY_FIELDS, LINE_ITEM_KEY_FIELDS, LINE_KEY_FIELDS
from exportcheck.model.manifest import Catalog, Item
from exportcheck.model.report import Finding, ResolvedItem
from exportcheck.model.rules import RuleSet

if TYPE_CHECKING:
    from exportcheck.engine.judge.findings import Judged


def resolve_item(line: LineLike, catalog: Catalog | None) -> ResolvedItem:
    """The line's item with empty values filled from the catalog entry for its part number,
    and TPP / performance density computed from the specs when not given."""
    return resolve(line.item, catalog)


def resolve(item: Item, catalog: Catalog | None) -> ResolvedItem:
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


def contradicted(item: ResolvedItem, derivation: Derivation) -> bool:
    """Whether the item's declared ECCN is more lenient than the one its specifications give
    (then :func:`classification_findings` depends on the destination)."""
    declared = item.eccn
    if item.eccn_source == "derived" or declared is None or derivation.eccn is None:
        return False
    return contradicts(declared, derivation.eccn, derivation.version)


ItemKey = tuple[object, ...]


def item_facts(
    item: ResolvedItem,
    on: date,
    destination: str | None,
    end_use: str | None,
    parties: PartySet | None = None,
) -> Facts:
    """The facts the rules read about a classified item going to ``destination`` on ``on``
    (and, for the rules that test them, the line's ``parties``)."""
    return Facts(
        on=on,
        eccn=item.eccn,
        part_number=item.part_number,
        vendor=item.vendor,
        category=item.category,
        destination=destination,
        end_use=end_use,
        params=item.params,
        parties=parties,
    )


def _values(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving the values of ``names`` of an object, as a tuple."""
    get = operator.attrgetter(*names)
    return get if len(names) > 1 else lambda obj: (get(obj),)


# The fields a judgement reads (model/fields.py): of the item, and of the line beside it.
_ITEM_KEY = _values(ITEM_KEY_FIELDS)
#: the line's tested fields but the destination (its end use), as a tuple: with the item's
#: :func:`item_part_key`, what an item's judgement without the destination depends on
line_item_key = _values(LINE_ITEM_KEY_FIELDS)
#: the line's tested fields (destination, end use), as a tuple
line_key = _values(LINE_KEY_FIELDS)


def item_part_key(line: LineLike) -> ItemKey:
    """The item part of a judgement's key: the item's tested fields (part number, ECCN,
    vendor, category; ``ITEM_KEY_FIELDS``) and its params."""
    if isinstance(line, LightLine):
        return line.item_key
    item = line.item
    return (*_ITEM_KEY(item), tuple(sorted(item.params.items())))


class ItemEntry:
    """Per (item, end use, classification span, see :meth:`JudgeMemo.classified`): the
    classified item and its derivation, its ``kind``, its :meth:`JudgeMemo.fact_class`
    (once known), once needed its judgement without findings, its :meth:`LineJudge.profile`
    signature per epoch, its own 'classification' findings (``own``, when they do not
    depend on the destination; ``made``: those made, by message) and its 'unclassified'
    finding per list of rules that may apply.

    The kinds: 'rules' (an ECCN and no derived classification: its findings come from the
    rules only); 'unclassified' (no ECCN, none derived: the rules' findings and one
    'unclassified' finding, which names the specifications' classification if there is
    one); 'derived' (no ECCN declared, one derived and used: the rules' findings and one
    'classification' finding); 'declared' (an ECCN declared, and one
    derived from its specifications: the rules' findings and, if the two disagree, a
    'classification' finding)."""

    __slots__ = (
        "derivation", "empty", "fact_class", "item", "kind", "made", "own", "sigs", "unclassified",
    )  # fmt: skip

    def __init__(self, item: ResolvedItem, derivation: Derivation | None) -> None:
        self.item = item
        self.derivation = derivation
        if item.eccn is None:
            self.kind = "unclassified"
        elif derivation is None:
            self.kind = "rules"
        else:
            self.kind = "derived" if item.eccn_source == "derived" else "declared"
        self.fact_class: int | None = None
        self.empty: Judged | None = None
        self.sigs: dict[int, tuple[object, ...]] = {}
        self.own: tuple[Finding, ...] | None = None
        self.made: dict[str, Finding] = {}
        self.unclassified: dict[tuple[str, ...], Finding] = {}
