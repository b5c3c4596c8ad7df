"""Read a licences-held file (``check --licenses``): YAML or CSV.

YAML: ``licenses: [...]`` (or a bare list), each entry with ``number``, ``holder``, ``items``
(a list of ``{eccn: ..., part: ...}``), ``destinations``, optional ``parties``, ``valid_from``,
``valid_to``, optional ``quantity``, ``value`` + ``currency``, ``rules`` and ``notes``.

CSV (one licence per row; header names normalised as for manifests): ``number``, ``holder``,
``eccns`` and/or ``parts``, ``destinations``, ``parties``, ``valid_from``, ``valid_to``,
``quantity``, ``value``, ``currency``, ``rules``, ``notes``. List cells separate values with
``;``. Each ECCN and each part becomes an item of its own.

Reference data is checked strictly: an unknown key or column, a bad date, country or ECCN, or a
duplicate licence number stops the run with the file, line and field.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from exportcheck.errors import InputError
from exportcheck.model.licensing import Licence, LicenceSet
from exportcheck.model.report import Source
from exportcheck.readers.csvrows import csv_records
from exportcheck.readers.rules import validation_error
from exportcheck.readers.shipped import display_path
from exportcheck.readers.yamlsafe import YamlDocument, decode_text, loads, read_capped

MAX_FILE_BYTES = 16 * 1024 * 1024

M = TypeVar("M", bound=BaseModel)

LICENCE_CSV_COLUMNS: tuple[str, ...] = (
    "number",
    "holder",
    "eccns",
    "parts",
    "destinations",
    "parties",
    "valid_from",
    "valid_to",
    "quantity",
    "value",
    "currency",
    "rules",
    "notes",
)
_LIST_COLUMNS = ("destinations", "parties", "rules")


def read_text(path: Path, what: str) -> tuple[str, str, bytes]:
    """(text, display name, raw bytes) of a reference file, refusing oversized files."""
    name = display_path(path)
    if not path.is_file():
        raise InputError(f"no such {what} file", file=name)
    raw = read_capped(path, MAX_FILE_BYTES, name, what)
    text, _ = decode_text(raw, name)
    return text, name, raw


def is_csv(path: Path) -> bool:
    return path.suffix.lower() in (".csv", ".tsv", ".txt")


def yaml_entries(doc: YamlDocument, key: str, what: str) -> tuple[list[Any], tuple[str | int, ...]]:
    """The entries of a YAML reference file: a bare list, or ``{key: [...]}``."""
    data = doc.data
    if data is None:
        return [], ()
    if isinstance(data, list):
        return data, ()
    if isinstance(data, dict):
        for k in data:
            if k != key:
                raise doc.error(
                    f"unknown top-level key '{k}' (expected '{key}')", (str(k),), str(k)
                )
        entries = data.get(key)
        if entries is None:
            return [], (key,)
        if not isinstance(entries, list):
            raise doc.error(f"'{key}' must be a list of {what}", (key,), key)
        return entries, (key,)
    raise doc.error(f"a {what} file must be a list, or a mapping with '{key}: [...]'")


def split_cell(value: str) -> list[str]:
    return [x.strip() for x in value.split(";") if x.strip()]


def row_error(exc: ValidationError, name: str, line: int, columns: dict[str, str]) -> InputError:
    """A pydantic error on a CSV row, as an InputError naming the file, line and column."""
    first = exc.errors(include_url=False)[0]
    loc = [str(p) for p in first["loc"]]
    field = loc[0] if loc else None
    if field == "items":
        field = "eccns" if "eccns" in columns else "parts"
    msg = first["msg"].removeprefix("Value error, ")
    if first["type"] == "missing":
        msg = f"missing required field '{loc[-1]}'"
    return InputError(msg, file=name, line=line, field=field)


def validate_yaml_entries(
    doc: YamlDocument,
    model: type[M],
    key: str,
    what: str,
    id_field: str,
) -> list[M]:
    """Validate each YAML entry with ``model``; refuse duplicate ``id_field`` values."""
    entries, base = yaml_entries(doc, key, what)
    out: list[M] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        loc = (*base, i)
        if not isinstance(entry, dict):
            raise doc.error(f"each entry of '{key}' must be a mapping", loc)
        try:
            obj = model.model_validate(entry)
        except ValidationError as exc:
            raise validation_error(doc, exc, loc) from None
        ident = str(getattr(obj, id_field))
        if ident in seen:
            first, _ = doc.locate((*base, seen[ident]))
            raise doc.error(
                f"duplicate {id_field} '{ident}' (first on line {first})",
                (*loc, id_field),
                id_field,
            )
        seen[ident] = i
        out.append(obj)
    return out


def load_held_file(
    path: Path,
    model: type[M],
    *,
    kind: str,
    what: str,
    id_field: str,
    columns: tuple[str, ...],
    required: tuple[str, ...],
    from_row: Callable[[dict[str, str], str, int], dict[str, Any]] | None = None,
) -> tuple[list[M], Source]:
    """Load a held reference file: YAML (``{kind: [...]}`` or a bare list) or CSV ``columns``.

    Each entry is validated with ``model``; a repeated ``id_field`` is refused. A CSV row's
    non-blank cells go through ``from_row(cells, file, line)``, when given, before validation.
    Returns the entries with the file's Source (sha256).
    """
    text, name, raw = read_text(path, what)
    if is_csv(path):
        entries: list[M] = []
        seen: dict[str, int] = {}
        for row in csv_records(text, name, known=columns, required=required, strict=True):
            cells = row.named()
            data = from_row(cells, name, row.line) if from_row else cells
            try:
                obj = model.model_validate(data)
            except ValidationError as exc:
                raise row_error(exc, name, row.line, cells) from None
            ident = str(getattr(obj, id_field))
            if ident in seen:
                raise InputError(
                    f"duplicate {id_field} '{ident}' (first on line {seen[ident]})",
                    file=name,
                    line=row.line,
                    field=id_field,
                )
            seen[ident] = row.line
            entries.append(obj)
    else:
        entries = validate_yaml_entries(loads(text, name), model, kind, what, id_field)
    source = Source(kind=kind, path=name, sha256=hashlib.sha256(raw).hexdigest())
    return entries, source


def _licence_from_row(cells: dict[str, str], name: str, line: int) -> dict[str, Any]:
    if "eccns" not in cells and "parts" not in cells:
        raise InputError("a licence needs 'eccns' or 'parts'", file=name, line=line, field="eccns")
    data: dict[str, Any] = {k: v for k, v in cells.items() if k not in ("eccns", "parts")}
    for col in _LIST_COLUMNS:
        if col in data:
            data[col] = split_cell(data[col])
    items = [{"eccn": e} for e in split_cell(cells.get("eccns", ""))]
    items += [{"part": p} for p in split_cell(cells.get("parts", ""))]
    data["items"] = items
    return data


def load_licenses(path: Path) -> tuple[LicenceSet, Source]:
    """Load and validate a licences-held file; returns it with its Source (sha256)."""
    licences, source = load_held_file(
        path,
        Licence,
        kind="licenses",
        what="licences",
        id_field="number",
        columns=LICENCE_CSV_COLUMNS,
        required=("number",),
        from_row=_licence_from_row,
    )
    return LicenceSet(licences=tuple(licences)), source
