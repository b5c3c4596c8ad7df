"""Read a product catalog (YAML or CSV) into a :class:`Catalog` keyed by part number.

YAML: a list of items, or ``items: [...]``. Each item has ``part_number`` (required), ``eccn``,
``vendor``, ``category``, ``description`` and technical parameters, either flat
(``tpp: 4800``) or under ``params:``. CSV: the same keys as columns (header names normalised
as for manifests). A catalog is reference data, so it is checked strictly: unknown keys, a bad
ECCN, a negative or non-numeric parameter or a duplicate part number stop the run with the
file, line and field.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from exportcheck.errors import InputError
from exportcheck.model.eccn import normalize_eccn
from exportcheck.model.fields import ITEM_FIELDS
from exportcheck.model.manifest import Catalog, CatalogEntry, Scalar
from exportcheck.model.params import PARAMS
from exportcheck.model.report import Source
from exportcheck.readers.csvrows import csv_records
from exportcheck.readers.manifest import detect_format, is_blank, normalize_header, parse_param
from exportcheck.readers.shipped import display_path
from exportcheck.readers.yamlsafe import YamlDocument, decode_text, loads, read_capped

MAX_CATALOG_BYTES = 64 * 1024 * 1024
TEXT_KEYS: tuple[str, ...] = ITEM_FIELDS
_KNOWN = ", ".join((*TEXT_KEYS, "params", *PARAMS))
_CSV_COLUMNS: tuple[str, ...] = (*TEXT_KEYS, *PARAMS)


class _Where:
    """Builds errors at a place in the file (YAML node path, or CSV line and column)."""

    def __init__(self, name: str, doc: YamlDocument | None = None) -> None:
        self.name = name
        self.doc = doc

    def error(
        self,
        message: str,
        *,
        loc: tuple[str | int, ...] = (),
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
    ) -> InputError:
        if self.doc is not None:
            return self.doc.error(message, loc, field=field)
        return InputError(message, file=self.name, line=line, column=column, field=field)


def _text(value: Scalar) -> str | None:
    if value is None or isinstance(value, bool):
        return None if value is None else str(value).lower()
    text = " ".join(str(value).split())
    return text or None


def _entry(
    raw: list[tuple[str, Any, tuple[str | int, ...], int | None]],
    where: _Where,
    line: int | None,
) -> CatalogEntry:
    """One entry from (original key, value, YAML path, CSV column) tuples."""
    texts: dict[str, str | None] = {}
    params: dict[str, float] = {}
    seen: dict[str, str] = {}
    for key, value, loc, column in raw:
        norm = normalize_header(key)
        if norm in seen:
            raise where.error(
                f"duplicate key: '{seen[norm]}' and '{key}' are the same after normalising names",
                loc=loc,
                line=line,
                column=column,
                field=norm,
            )
        seen[norm] = key
        if isinstance(value, dict | list):
            raise where.error(
                f"'{key}' must be a single value", loc=loc, line=line, column=column, field=norm
            )
        if norm in TEXT_KEYS:
            texts[norm] = _text(value)
        elif norm in PARAMS:
            if is_blank(value):
                continue
            try:
                params[norm] = parse_param(norm, value)
            except ValueError as exc:
                raise where.error(
                    f"{norm}: {exc}", loc=loc, line=line, column=column, field=norm
                ) from None
        else:
            raise where.error(
                f"unknown field '{key}' (known: {_KNOWN})",
                loc=loc,
                line=line,
                column=column,
                field=norm,
            )
    part_number = texts.get("part_number")
    if part_number is None:
        raise where.error(
            "missing part_number", loc=raw[0][2][:-1] if raw else (), line=line, field="part_number"
        )
    eccn_text = texts.get("eccn")
    eccn = normalize_eccn(eccn_text) if eccn_text is not None else None
    if eccn_text is not None and eccn is None:
        loc, column = next((r[2], r[3]) for r in raw if normalize_header(r[0]) == "eccn")
        raise where.error(
            f"not a valid ECCN: '{eccn_text}' (e.g. 3A090.a or EAR99)",
            loc=loc,
            line=line,
            column=column,
            field="eccn",
        )
    try:
        others = {n: texts.get(n) for n in TEXT_KEYS if n not in ("part_number", "eccn")}
        return CatalogEntry(part_number=part_number, eccn=eccn, params=params, **others)
    except ValidationError as exc:  # pragma: no cover - values are checked above
        raise where.error(str(exc), line=line) from None


def _yaml_items(doc: YamlDocument) -> tuple[list[Any], tuple[str | int, ...]]:
    data = doc.data
    if isinstance(data, list):
        return data, ()
    if isinstance(data, dict):
        for key in data:
            if key != "items":
                raise doc.error(
                    f"unknown top-level key '{key}' (expected 'items')", (str(key),), str(key)
                )
        items = data.get("items")
        if isinstance(items, list):
            return items, ("items",)
        if items is None:
            return [], ("items",)
        raise doc.error("'items' must be a list", ("items",), "items")
    raise doc.error("a catalog must be a list of items or a mapping with 'items: [...]'")


def _yaml_entries(doc: YamlDocument) -> Iterator[tuple[CatalogEntry, tuple[str | int, ...]]]:
    where = _Where(doc.file, doc)
    items, base = _yaml_items(doc)
    for i, item in enumerate(items):
        loc = (*base, i)
        if not isinstance(item, dict):
            raise doc.error(
                "each catalog item must be a mapping (part_number: ..., eccn: ...)", loc
            )
        raw: list[tuple[str, Any, tuple[str | int, ...], int | None]] = []
        for key, value in item.items():
            if str(key) == "params":
                if value is None:
                    continue
                if not isinstance(value, dict):
                    raise doc.error("'params' must be a mapping", (*loc, "params"), "params")
                for pkey, pvalue in value.items():
                    if normalize_header(str(pkey)) not in PARAMS:
                        known = ", ".join(PARAMS)
                        raise doc.error(
                            f"unknown technical parameter '{pkey}' (known: {known})",
                            (*loc, "params", str(pkey)),
                            f"params.{pkey}",
                        )
                    raw.append((str(pkey), pvalue, (*loc, "params", str(pkey)), None))
            else:
                raw.append((str(key), value, (*loc, str(key)), None))
        if not raw:
            raise doc.error("empty catalog item: part_number is required", loc, "part_number")
        yield _entry(raw, where, None), loc


def _csv_entries(text: str, name: str) -> Iterator[tuple[CatalogEntry, int]]:
    where = _Where(name)
    rows = csv_records(
        text, name, known=_CSV_COLUMNS, required=("part_number",), strict=False, what="catalog file"
    )
    for row in rows:
        raw: list[tuple[str, Any, tuple[str | int, ...], int | None]] = [
            (row.header[i], cell, (), i + 1) for i, cell in enumerate(row.cells)
        ]
        yield _entry(raw, where, row.line), row.line


def load_catalog(path: Path) -> tuple[Catalog, Source]:
    """Load and validate a catalog file; returns it with its :class:`Source` (content hash)."""
    name = display_path(path)
    raw = read_capped(path, MAX_CATALOG_BYTES, name, "a catalog")
    text, _ = decode_text(raw, name)

    entries: dict[str, CatalogEntry] = {}
    first_seen: dict[str, str] = {}
    if detect_format(path) == "csv":
        for entry, row_line in _csv_entries(text, name):
            key = Catalog.key(entry.part_number)
            if key in entries:
                raise InputError(
                    f"duplicate part number '{entry.part_number}' (first on {first_seen[key]})",
                    file=name,
                    line=row_line,
                    field="part_number",
                )
            entries[key] = entry
            first_seen[key] = f"line {row_line}"
    else:
        doc = loads(text, name)
        for entry, loc in _yaml_entries(doc):
            key = Catalog.key(entry.part_number)
            if key in entries:
                raise doc.error(
                    f"duplicate part number '{entry.part_number}' (first on {first_seen[key]})",
                    (*loc, "part_number"),
                    "part_number",
                )
            entries[key] = entry
            first_line, _ = doc.locate(loc)
            first_seen[key] = f"line {first_line}"
    catalog = Catalog(entries=entries)
    source = Source(kind="catalog", path=name, sha256=hashlib.sha256(raw).hexdigest())
    return catalog, source
