"""The one table of a manifest line's fields: what each is, where it lives, who reads it.

Every list of field names elsewhere is derived from :data:`FIELDS` (the reader's known
columns and text fields, the catalog's columns, the rule conditions' leaf tests, the item
cache keys of the engine and of the streaming pipeline), so a new field is one entry here
plus its tests. ``tests/model/test_fields.py`` checks, for every field a rule can test, that
two lines differing only in it are judged apart on every path (fast, cached, uncached): a
cache key that forgot it fails there.

Technical parameters (``tpp``, ``die_area_mm2``, ...) are not rows of the table: they are
:data:`exportcheck.model.params.PARAMS`, read as numbers into ``Item.params``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from exportcheck.model.params import PARAMS

#: ``item``: what is shipped (an :class:`~exportcheck.model.manifest.Item` attribute, which a
#: catalog entry can give); ``line``: about this shipment; ``party``: a party's name or where
#: it (or its parent) is based.
Scope = Literal["item", "line", "party"]
#: ``text``: free text, trimmed (blank is absent); ``code``: normalised on reading (ECCN,
#: country); ``number``; ``date``; ``id``: the line id.
Kind = Literal["text", "code", "number", "date", "id"]
#: How a rule condition tests the field: ``eccn`` (ECCN families and paragraphs),
#: ``pattern`` (text patterns, case-insensitive), ``place`` (countries, groups, treatments).
Test = Literal["eccn", "pattern", "place"]


@dataclass(frozen=True)
class FieldSpec:
    """One manifest field."""

    name: str
    scope: Scope
    kind: Kind
    #: how a rule condition tests it (a leaf of ``when:``, see ``model/rules.py``
    #: ``Condition``), or None: a tested field is a fact of the judgement and part of every
    #: cache key
    test: Test | None = None
    description: str = ""
    #: what a list of its tested values is called in words ("vendors added: ...")
    plural: str = ""
    #: its name in a condition in words ("vendor Acme or Globex"; default: the name)
    label: str = ""

    @property
    def words(self) -> str:
        return self.label or self.name.replace("_", " ")

    @property
    def tested(self) -> bool:
        return self.test is not None


# fmt: off
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("line_id", "line", "id", None, "the line's id (default: its data row number)"),
    FieldSpec("part_number", "item", "code", "pattern", "the part number (catalog key)",
              plural="part numbers", label="part"),
    FieldSpec("eccn", "item", "code", "eccn", "Export Control Classification Number, or EAR99",
              plural="ECCN patterns"),
    FieldSpec("vendor", "item", "text", "pattern", "who makes the item", plural="vendors"),
    FieldSpec("category", "item", "text", "pattern", "kind of item: gpu, server, hbm, eda, ...",
              plural="categories"),
    FieldSpec("description", "item", "text", None, "what the item is, in words"),
    FieldSpec("destination", "line", "code", "place", "country of destination (ISO alpha-2)"),
    FieldSpec("quantity", "line", "number", None, "how many"),
    FieldSpec("unit_value", "line", "number", None, "value of one, in currency"),
    FieldSpec("currency", "line", "text", None, "currency of unit_value"),
    FieldSpec("consignee", "party", "text", None, "who receives the shipment"),
    FieldSpec("end_user", "party", "text", None, "who uses the item in the end"),
    FieldSpec("ship_date", "line", "date", None, "the day judged (default: --date)"),
    FieldSpec("end_use", "line", "text", "pattern", "what the item is for, e.g. military",
              plural="end uses"),
)
# fmt: on

BY_NAME: dict[str, FieldSpec] = {f.name: f for f in FIELDS}

#: The item's fields, in table order (``Item`` attributes, catalog text columns).
ITEM_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.scope == "item")
#: The fields a rule condition tests, in table order (the leaf tests of a condition).
TESTED_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.tested)
#: The fields tested by text patterns, in table order (the order of a condition's tests).
PATTERN_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.test == "pattern")
#: The line's tested fields an item's judgement reads beside its destination (the end use).
LINE_ITEM_KEY_FIELDS: tuple[str, ...] = tuple(
    f.name for f in FIELDS if f.test is not None and f.scope == "line" and f.test != "place"
)
#: The item fields a judgement reads: with the parameters, an item's cache key.
ITEM_KEY_FIELDS: tuple[str, ...] = tuple(f for f in ITEM_FIELDS if BY_NAME[f].tested)
#: The line fields a judgement of the item reads beside the item (destination first).
LINE_KEY_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.tested and f.scope == "line")
#: Free-text fields, trimmed on reading (blank is absent).
TEXT_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.kind == "text")
#: Fields that hold one value: a list there (JSON, YAML) is a problem of the line.
SINGLE_VALUED: frozenset[str] = frozenset(
    (*(f.name for f in FIELDS if f.kind in ("code", "number", "date", "id")), *PARAMS)
)
