"""The fast path: CSV rows to light lines (:class:`FastLineBuilder`) through small caches."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from datetime import date
from typing import Any

from exportcheck.model.countries import normalize_country
from exportcheck.model.eccn import normalize_eccn
from exportcheck.model.fastline import LightLine
from exportcheck.model.fields import ITEM_FIELDS, ITEM_KEY_FIELDS
from exportcheck.model.manifest import Item, default_line_id, is_country_column
from exportcheck.model.params import PARAMS
from exportcheck.readers.manifest.build import ITEM_TEXT_FIELDS
from exportcheck.readers.manifest.values import ISO_DATE, parse_number, parse_param

_CACHE_LIMIT = 1 << 16  # entries per value cache; a cache that fills up is emptied (bounded)
_BAD = object()  # cached: the raw value is a problem (the line takes the full path)


def _quick_number(text: str) -> bool:
    """True for plain ``123`` / ``123.45`` cells, which :func:`parse_number` always accepts
    (ASCII digits only; short enough to stay finite). Others go to :func:`parse_number`."""
    whole, _, frac = text.partition(".")
    return (
        len(whole) < 300
        and whole.isascii()
        and whole.isdigit()
        and (not frac or (frac.isascii() and frac.isdigit()))
    )


class FastLineBuilder:
    """Builds :class:`LightLine` objects from full-width CSV rows, exactly as :func:`build_line`
    would parse them, but through small caches (destination, ECCN, ship date, parameters, the
    item). Returns None for any row with a problem, which then takes :func:`build_line`.

    Every value that decides anything is parsed by the same functions as in
    :func:`build_line`; only the repetition is saved.
    """

    def __init__(self, columns: Sequence[str]) -> None:
        self.ncols = len(columns)
        present = set(columns)
        self.has = {name: name in present for name in ("line_id", "ship_date", "eccn")}
        self.number_columns: tuple[str, ...] = tuple(
            n for n in ("quantity", "unit_value") if n in present
        )
        self.param_columns = tuple(n for n in PARAMS if n in present)
        self.country_columns = tuple(n for n in columns if is_country_column(n))
        self._dest: dict[str, object] = {}
        self._eccn: dict[str, object] = {}
        self._date: dict[str, object] = {}
        self._param: dict[tuple[str, str], object] = {}
        self._items: dict[tuple[object, ...], tuple[Item, tuple[object, ...]]] = {}
        # The item's raw cells, as one tuple: its item (or _BAD) without re-parsing them.
        item_columns = tuple(n for n in (*ITEM_FIELDS, *PARAMS) if n in present)
        self._item_cells = operator.itemgetter(*item_columns) if len(item_columns) > 1 else None
        self._raw_items: dict[object, object] = {}

    BAD: Any = _BAD  # what the value parsers below return for a value with a problem

    @staticmethod
    def _bounded(cache: dict[Any, Any]) -> None:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()

    def destination(self, raw: str) -> object:
        """The country code of a raw destination cell, or :attr:`BAD`."""
        return self._destination(raw)

    def ship_date(self, raw: str) -> object:
        """The date of a raw ship_date cell, ``""`` when blank, or :attr:`BAD`."""
        return self._ship_date(raw)

    def item_of(self, fields: dict[str, Any]) -> object:
        """The row's (item, item key), or :attr:`BAD` when its item cells have a problem."""
        return self._item(fields)

    def country_ok(self, raw: str) -> bool:
        """Whether a raw country cell (a party's headquarters) is blank or a country."""
        return not raw.strip() or self._destination(raw) is not _BAD

    @staticmethod
    def number_ok(raw: str) -> bool:
        """Whether a raw quantity / unit_value cell is blank or a valid number."""
        if _quick_number(raw) or not raw.strip():
            return True
        try:
            parse_number(raw)
        except ValueError:
            return False
        return True

    def _destination(self, raw: str) -> object:
        found = self._dest.get(raw)
        if found is None:
            text = raw.strip()
            code = normalize_country(text) if text else None
            found = code if code is not None else _BAD
            self._bounded(self._dest)
            self._dest[raw] = found
        return found

    def _eccn_of(self, raw: str) -> object:
        found = self._eccn.get(raw)
        if found is None:
            text = raw.strip()
            if not text:
                found = ""
            else:
                eccn = normalize_eccn(text)
                found = eccn if eccn is not None else _BAD
            self._bounded(self._eccn)
            self._eccn[raw] = found
        return found

    def _ship_date(self, raw: str) -> object:
        found = self._date.get(raw)
        if found is None:
            text = raw.strip()
            if not text:
                found = ""
            else:
                try:
                    if not ISO_DATE.match(text):
                        raise ValueError
                    found = date.fromisoformat(text)
                except ValueError:
                    found = _BAD
            self._bounded(self._date)
            self._date[raw] = found
        return found

    def _param_of(self, name: str, raw: str) -> object:
        key = (name, raw)
        found = self._param.get(key)
        if found is None:
            try:
                found = parse_param(name, raw)
            except ValueError:
                found = _BAD
            self._bounded(self._param)
            self._param[key] = found
        return found

    def build(self, index: int, source_line: int, fields: dict[str, Any]) -> LightLine | None:
        """The line for a CSV record without reader problems, or None (use build_line)."""
        if len(fields) != self.ncols:
            return None
        own = fields["line_id"].strip() if self.has["line_id"] else ""
        line_id = own or default_line_id(index)
        destination = self._destination(fields["destination"])
        if destination is _BAD:
            return None
        if self._item_cells is None:
            hit = self._item(fields)
        else:
            cells = self._item_cells(fields)
            hit = self._raw_items.get(cells)
            if hit is None:
                hit = self._item(fields)
                self._bounded(self._raw_items)
                self._raw_items[cells] = hit
        if hit is _BAD:
            return None
        ship_date: object = ""
        if self.has["ship_date"]:
            ship_date = self._ship_date(fields["ship_date"])
            if ship_date is _BAD:
                return None
        for column in self.number_columns:
            raw = fields[column]
            if not _quick_number(raw) and raw.strip():
                try:
                    parse_number(raw)
                except ValueError:
                    return None
        for column in self.country_columns:
            if not self.country_ok(fields[column]):
                return None
        raw_end_use = fields.get("end_use")
        assert isinstance(hit, tuple)
        return LightLine(
            index,
            source_line,
            line_id,
            fields,
            hit[0],
            hit[1],
            destination,  # type: ignore[arg-type]
            ship_date or None,  # type: ignore[arg-type]
            (raw_end_use.strip() or None) if raw_end_use is not None else None,
        )

    def _item(self, fields: dict[str, Any]) -> object:
        """The row's (item, item key), or _BAD when its item cells have a problem."""
        raw_part = fields.get("part_number")
        part_number = raw_part.strip() or None if raw_part is not None else None
        eccn: object = ""
        if self.has["eccn"]:
            eccn = self._eccn_of(fields["eccn"])
            if eccn is _BAD:
                return _BAD
        if part_number is None and eccn == "":
            return _BAD
        params: list[tuple[str, float]] = []
        for name in self.param_columns:
            raw = fields[name]
            if raw and not raw.isspace():
                value = self._param_of(name, raw)
                if value is _BAD:
                    return _BAD
                assert isinstance(value, float)
                params.append((name, value))
        texts = [
            raw.strip() if raw is not None else None for raw in map(fields.get, ITEM_TEXT_FIELDS)
        ]
        item_raw = (part_number, eccn, *texts, tuple(params))
        hit = self._items.get(item_raw)
        if hit is None:
            item = Item(
                part_number=part_number,
                eccn=eccn or None,
                **{name: text or None for name, text in zip(ITEM_TEXT_FIELDS, texts, strict=True)},
                params=dict(params),
            )
            # the item's tested fields and its params, as the engine's item_part_key
            key = (
                *(getattr(item, name) for name in ITEM_KEY_FIELDS),
                tuple(sorted(item.params.items())),
            )
            self._bounded(self._items)
            hit = self._items[item_raw] = (item, key)
        return hit
