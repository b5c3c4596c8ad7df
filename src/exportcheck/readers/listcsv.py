"""The official CSV formats of restricted-party lists (see :mod:`exportcheck.readers.lists`):
the Consolidated Screening List (trade.gov) and OFAC's legacy SDN files; how their bytes are
decoded and which of them a file is."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from exportcheck.errors import InputError
from exportcheck.model.countries import normalize_country
from exportcheck.model.parties import ListEntry, PartyType, list_code_for

SDN_SOURCE = "Specially Designated Nationals (SDN) - Treasury Department"
MAX_CSV_BYTES = 512 * 1024 * 1024

# OFAC country spellings that are not ISO English short names.
_OFAC_COUNTRIES = {
    "bahamas, the": "BS",
    "congo, democratic republic of the": "CD",
    "congo, republic of the": "CG",
    "man, isle of": "IM",
    "palestinian": "PS",
    "west bank": "PS",
    "region: gaza": "PS",
    "region: crimea": "UA",
    "region: northern mali": "ML",
    "region: kafia kingi": "SD",
    "burma": "MM",
    "korea, north": "KP",
    "korea, south": "KR",
}


def _country_code(text: str) -> str | None:
    t = " ".join(text.split())
    if not t or t == "-0-":
        return None
    return _OFAC_COUNTRIES.get(t.casefold()) or normalize_country(t)


# --------------------------------------------------------------------------------------------
# Decoding and format detection
# --------------------------------------------------------------------------------------------


def read_bytes(path: Path, display: str, limit: int = MAX_CSV_BYTES) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(f"file is {size:,} bytes, over the {limit:,}-byte limit", file=display)
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", file=display) from None


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(1-based line where the row starts, fields), skipping blank lines."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    start = 1
    for row in reader:
        line = start
        start = reader.line_num + 1
        if not row or all(not f.strip() for f in row):
            continue
        if len(row) == 1 and row[0].strip() == "\x1a":  # DOS end-of-file mark in old OFAC files
            continue
        yield line, row


def detect_format(path: Path, text: str | None = None) -> str:
    """``yaml``, ``csl``, ``ofac-sdn``, ``ofac-alt`` or ``ofac-add`` (raises when unknown)."""
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if text is None:
        text = decode(read_bytes(path, str(path)))
    first = next(_csv_rows(text[:65536]), None)
    if first is not None:
        header = [h.strip().lower().lstrip("\ufeff") for h in first[1]]
        if "source" in header and "name" in header:
            return "csl"
        row = [f.strip() for f in first[1]]
        if row and row[0].isdigit():
            if len(row) == 12:
                return "ofac-sdn"
            if len(row) == 5 and row[2].strip('"').lower() in ("aka", "fka", "nka", "-0-"):
                return "ofac-alt"
            if len(row) == 6:
                return "ofac-add"
    raise InputError(
        "unknown list format: expected a YAML party list, a Consolidated Screening List CSV "
        "(header with 'source' and 'name') or an OFAC SDN/ALT/ADD CSV",
        file=str(path),
        line=first[0] if first else None,
    )


# --------------------------------------------------------------------------------------------
# Helpers shared by the CSV readers
# --------------------------------------------------------------------------------------------


def _split(value: str, sep: str = ";") -> list[str]:
    out: list[str] = []
    for part in value.split(sep):
        p = " ".join(part.split())
        if p and p != "-0-" and p not in out:
            out.append(p)
    return out


def _parse_date(value: str, file: str, line: int, field_name: str) -> date | None:
    v = value.strip()
    if not v:
        return None
    try:
        return date.fromisoformat(v[:10])
    except ValueError:
        raise InputError(
            f"not a date: '{v}' (expected YYYY-MM-DD)", file=file, line=line, field=field_name
        ) from None


def _party_type(value: str) -> PartyType:
    v = value.strip().lower()
    if v in ("", "-0-"):
        return PartyType.UNKNOWN
    try:
        return PartyType(v)
    except ValueError:
        return PartyType.UNKNOWN


def _entry(data: dict[str, Any], file: str, line: int) -> ListEntry:
    try:
        return ListEntry.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or None
        raise InputError(err["msg"], file=file, line=line, field=loc) from None


# --------------------------------------------------------------------------------------------
# Consolidated Screening List
# --------------------------------------------------------------------------------------------

_CSL_REQUIRED = ("source", "name")
# ISN names end with "; and any successor, sub-unit, or subsidiary thereof": not part of a name.
_SUCCESSOR_CLAUSE = re.compile(r"[;,]?\s*and any successors?\b.*$", re.IGNORECASE)


def read_csl_csv(text: str, file: str) -> list[ListEntry]:
    """Entries of a trade.gov Consolidated Screening List CSV (2019 or 2025 schema)."""
    rows = _csv_rows(text)
    first = next(rows, None)
    if first is None:
        return []
    header = [h.strip().lower().lstrip("\ufeff") for h in first[1]]
    for required in _CSL_REQUIRED:
        if required not in header:
            raise InputError(
                f"missing column '{required}'", file=file, line=first[0], field=required
            )
    idx = {h: i for i, h in enumerate(header)}
    entries: list[ListEntry] = []
    used_ids: set[tuple[str, str]] = set()
    for line, row in rows:
        if len(row) > len(header):
            raise InputError(
                f"row has {len(row)} fields, the header {len(header)}", file=file, line=line
            )

        def col(name: str, row: list[str] = row) -> str:
            i = idx.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        entries.append(_csl_entry(col, file, line, used_ids))
    return entries


def _csl_entry(
    col: Callable[[str], str], file: str, line: int, used_ids: set[tuple[str, str]]
) -> ListEntry:
    """The entry of one CSL row (``col``: its cell of a column, stripped); its id is made
    unique among ``used_ids`` (list code, entry id), which it joins."""
    source = col("source")
    name = " ".join(col("name").split())
    name = _SUCCESSOR_CLAUSE.sub("", name).strip()
    if not source:
        raise InputError("empty source", file=file, line=line, field="source")
    if not name:
        raise InputError("empty name", file=file, line=line, field="name")
    code = list_code_for(source) or "CSL"
    addresses = _split(col("addresses"))
    countries: list[str] = []
    for a in addresses:
        cc = _country_code(a.rsplit(",", 1)[-1])
        if cc and cc not in countries:
            countries.append(cc)
    for extra in ("nationalities", "citizenships"):
        for c in _split(col(extra), ","):
            cc = _country_code(c)
            if cc and cc not in countries:
                countries.append(cc)
    entry_id = col("entity_number") or col("_id")
    if not entry_id:
        digest = hashlib.sha256(
            "\x1f".join([source, name, col("addresses"), col("start_date")]).encode()
        ).hexdigest()[:10]
        entry_id = f"{code}-{digest}"
    base_id, n = entry_id, 2
    while (code, entry_id) in used_ids:
        entry_id = f"{base_id}-{n}"
        n += 1
    used_ids.add((code, entry_id))
    return _entry(
        {
            "source": source,
            "list_code": code,
            "entry_id": entry_id,
            "name": name,
            "aliases": _split(col("alt_names")),
            "type": _party_type(col("type")),
            "country": countries[0] if countries else None,
            "countries": countries,
            "addresses": addresses,
            "programs": _split(col("programs")),
            "citation": col("federal_register_notice") or None,
            "start_date": _parse_date(col("start_date"), file, line, "start_date"),
            "end_date": _parse_date(col("end_date"), file, line, "end_date"),
            "license_requirement": col("license_requirement") or None,
            "license_policy": col("license_policy") or None,
            "source_url": col("source_list_url") or col("source_information_url") or None,
            "remarks": col("remarks") or None,
        },
        file,
        line,
    )


# --------------------------------------------------------------------------------------------
# OFAC legacy CSV
# --------------------------------------------------------------------------------------------

_AKA_IN_REMARKS = re.compile(r"\b[afn]\.k\.a\.,?\s*'(.+?)'(?=\s*[;.)]|\s*$)", re.IGNORECASE)


def _ofac(value: str) -> str:
    v = " ".join(value.split())
    return "" if v == "-0-" else v


def _ofac_int(value: str, file: str, line: int, field_name: str) -> int:
    v = value.strip()
    if not v.isdigit():
        raise InputError(
            f"expected an entry number, got '{v}'", file=file, line=line, field=field_name
        )
    return int(v)


def _companion_rows(
    companion: tuple[str, str], what: str, fields: int, records: dict[int, dict[str, Any]]
) -> Iterator[tuple[dict[str, Any], list[str]]]:
    """(SDN record, row) for each row of ``alt.csv`` or ``add.csv`` ((text, file name)).

    Each row must have ``fields`` fields and name, in its first, an SDN entry already read.
    """
    text, file = companion
    for line, row in _csv_rows(text):
        if len(row) != fields:
            raise InputError(
                f"{what} row has {len(row)} fields, expected {fields}", file=file, line=line
            )
        num = _ofac_int(row[0], file, line, "ent_num")
        rec = records.get(num)
        if rec is None:
            raise InputError(
                f"{what} for unknown SDN entry {num}", file=file, line=line, field="ent_num"
            )
        yield rec, row


def read_ofac(
    sdn_text: str,
    sdn_file: str,
    alt: tuple[str, str] | None = None,
    add: tuple[str, str] | None = None,
) -> list[ListEntry]:
    """Entries of the OFAC legacy SDN CSV, with aliases and addresses when given.

    ``alt`` and ``add`` are (text, file name) of ``alt.csv`` and ``add.csv``.
    """
    records: dict[int, dict[str, Any]] = {}
    lines: dict[int, int] = {}
    for line, row in _csv_rows(sdn_text):
        if len(row) != 12:
            raise InputError(
                f"SDN row has {len(row)} fields, expected 12", file=sdn_file, line=line
            )
        num = _ofac_int(row[0], sdn_file, line, "ent_num")
        if num in records:
            raise InputError(f"duplicate ent_num {num}", file=sdn_file, line=line, field="ent_num")
        name = _ofac(row[1])
        if not name:
            raise InputError("empty name", file=sdn_file, line=line, field="name")
        remarks = _ofac(row[11])
        aliases = [m.strip() for m in _AKA_IN_REMARKS.findall(remarks)]
        ptype = _party_type(row[2]) if _ofac(row[2]) else PartyType.ENTITY
        countries: list[str] = []
        flag = _country_code(row[9])
        if flag:
            countries.append(flag)
        programs = [p.strip("[] ") for p in _ofac(row[3]).split("] [")]
        records[num] = {
            "source": SDN_SOURCE,
            "list_code": "SDN",
            "entry_id": str(num),
            "name": name,
            "aliases": aliases,
            "type": ptype,
            "countries": countries,
            "addresses": [],
            "programs": [p for p in programs if p],
            "remarks": remarks or None,
        }
        lines[num] = line
    if alt is not None:
        for rec, row in _companion_rows(alt, "alias", 5, records):
            alias = _ofac(row[3])
            if alias:
                rec["aliases"].append(alias)
    if add is not None:
        for rec, row in _companion_rows(add, "address", 6, records):
            parts = [_ofac(row[2]), _ofac(row[3]), _ofac(row[4])]
            text = ", ".join(p for p in parts if p)
            if text:
                rec["addresses"].append(text)
            cc = _country_code(row[4])
            if cc and cc not in rec["countries"]:
                rec["countries"].append(cc)
    entries: list[ListEntry] = []
    for num, rec in records.items():
        countries = rec["countries"]
        rec["country"] = countries[0] if countries else None
        entries.append(_entry(rec, sdn_file, lines[num]))
    return entries


def companion_path(sdn_path: Path, kind: str) -> Path | None:
    """``ofac-sdn.csv`` → ``ofac-alt.csv`` (``kind`` = alt/add), if the file exists."""
    name = sdn_path.name
    m = re.search(r"sdn", name, re.IGNORECASE)
    if not m:
        return None
    repl = kind.upper() if m.group(0).isupper() else kind
    candidate = sdn_path.with_name(name[: m.start()] + repl + name[m.end() :])
    return candidate if candidate.is_file() else None
