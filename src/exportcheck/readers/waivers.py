"""Read a waivers file (``check --waivers``): YAML or CSV.

YAML: ``waivers: [...]`` (or a bare list), each with ``id``, ``rule``, optional ``part``,
``destination`` and ``party``, ``reason``, ``approver``, ``approved``, ``expires`` and optional
``notes``. CSV: the same names as columns, one waiver per row. Errors name the file, line and
field; a duplicate waiver id is refused.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import ValidationError

from exportcheck.errors import InputError
from exportcheck.model.report import Source
from exportcheck.model.waivers import Waiver, WaiverSet
from exportcheck.readers.licenses import (
    csv_rows,
    is_csv,
    read_text,
    row_error,
    validate_yaml_entries,
)
from exportcheck.readers.yamlsafe import loads

WAIVER_CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "rule",
    "part",
    "destination",
    "party",
    "reason",
    "approver",
    "approved",
    "expires",
    "notes",
)


def load_waivers(path: Path) -> tuple[WaiverSet, Source]:
    """Load and validate a waivers file; returns it with its Source (sha256)."""
    text, name, raw = read_text(path, "waivers")
    waivers: list[Waiver] = []
    if is_csv(path):
        seen: dict[str, int] = {}
        for line, cells in csv_rows(text, name, WAIVER_CSV_COLUMNS, ("id", "rule")):
            try:
                waiver = Waiver.model_validate(cells)
            except ValidationError as exc:
                raise row_error(exc, name, line, cells) from None
            if waiver.id in seen:
                raise InputError(
                    f"duplicate id '{waiver.id}' (first on line {seen[waiver.id]})",
                    file=name,
                    line=line,
                    field="id",
                )
            seen[waiver.id] = line
            waivers.append(waiver)
    else:
        doc = loads(text, name)
        waivers = validate_yaml_entries(doc, Waiver, "waivers", "waivers", "id")
    source = Source(kind="waivers", path=name, sha256=hashlib.sha256(raw).hexdigest())
    return WaiverSet(waivers=tuple(waivers)), source
