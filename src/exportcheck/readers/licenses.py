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

import csv
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from exportcheck.errors import InputError
from exportcheck.model.licensing import Licence, LicenceSet
from exportcheck.model.report import Source
from exportcheck.readers.manifest import normalize_header, sniff_delimiter
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


def csv_rows(
    text: str, name: str, known: tuple[str, ...], required: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(physical line, {column: non-blank cell}) for each non-empty data row of a CSV file."""
    lines = list(io.StringIO(text, newline=""))
    start = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if start is None:
        raise InputError("file is empty: expected a header row", file=name)
    reader = csv.reader(lines[start:], delimiter=sniff_delimiter(lines[start]), strict=True)
    try:
        header = next(reader)
        columns: list[str] = []
        for col, cell in enumerate(header, start=1):
            norm = normalize_header(cell)
            if norm in columns:
                raise InputError(
                    f"duplicate column '{norm}'", file=name, line=start + 1, column=col, field=norm
                )
            if norm not in known:
                raise InputError(
                    f"unknown column '{cell.strip()}' (known: {', '.join(known)})",
                    file=name,
                    line=start + 1,
                    column=col,
                    field=norm or None,
                )
            columns.append(norm)
        for req in required:
            if req not in columns:
                raise InputError(
                    f"missing required column '{req}'", file=name, line=start + 1, field=req
                )
        while True:
            row_line = reader.line_num + 1 + start
            try:
                row = next(reader)
            except StopIteration:
                return
            if all(not cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                raise InputError(
                    f"row has {len(row)} fields, header has {len(columns)}",
                    file=name,
                    line=row_line,
                )
            yield row_line, {c: v.strip() for c, v in zip(columns, row, strict=True) if v.strip()}
    except csv.Error as exc:
        raise InputError(
            f"cannot parse CSV: {exc}", file=name, line=reader.line_num + start
        ) from None


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


def _licence_from_row(cells: dict[str, str]) -> dict[str, Any]:
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
    text, name, raw = read_text(path, "licences")
    licences: list[Licence] = []
    if is_csv(path):
        seen: dict[str, int] = {}
        for line, cells in csv_rows(text, name, LICENCE_CSV_COLUMNS, ("number",)):
            if "eccns" not in cells and "parts" not in cells:
                raise InputError(
                    "a licence needs 'eccns' or 'parts'", file=name, line=line, field="eccns"
                )
            try:
                lic = Licence.model_validate(_licence_from_row(cells))
            except ValidationError as exc:
                raise row_error(exc, name, line, cells) from None
            if lic.number in seen:
                raise InputError(
                    f"duplicate number '{lic.number}' (first on line {seen[lic.number]})",
                    file=name,
                    line=line,
                    field="number",
                )
            seen[lic.number] = line
            licences.append(lic)
    else:
        doc = loads(text, name)
        licences = validate_yaml_entries(doc, Licence, "licenses", "licences", "number")
    source = Source(kind="licenses", path=name, sha256=hashlib.sha256(raw).hexdigest())
    return LicenceSet(licences=tuple(licences)), source
