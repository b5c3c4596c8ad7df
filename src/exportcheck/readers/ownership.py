"""Read an ownership file (``check --ownership``): YAML or CSV.

YAML: ``ownership: [...]`` (or a bare list) of records; CSV: one record per row (header names
normalised as for manifests). Each record has ``entity``, ``owner``, ``share`` (per cent:
``30``, ``30.5`` or ``30 %``), ``as_of`` (YYYY-MM-DD: the holding is known from that date) and
``source`` (where the fact comes from), and may give ``entity_hq_country`` and
``owner_hq_country``.

Reference data is checked strictly: an unknown key or column, a bad share, date or country, the
same entity, owner and date twice, holdings of one entity above 100 % on a date, or owners that
come back round to the entity (a cycle) stop the run with the file, line and field.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import ValidationError

from exportcheck.errors import InputError
from exportcheck.model.ownership import Ownership, OwnershipRecord, ownership_problem
from exportcheck.model.report import Source
from exportcheck.readers.csvrows import csv_records
from exportcheck.readers.licenses import is_csv, read_text, row_error, yaml_entries
from exportcheck.readers.rules import validation_error
from exportcheck.readers.yamlsafe import loads

OWNERSHIP_CSV_COLUMNS: tuple[str, ...] = (
    "entity",
    "owner",
    "share",
    "as_of",
    "source",
    "entity_hq_country",
    "owner_hq_country",
)
_REQUIRED = ("entity", "owner", "share", "as_of", "source")


def load_ownership(path: Path) -> tuple[Ownership, Source]:
    """Load and validate an ownership file; returns it with its Source (sha256)."""
    text, name, raw = read_text(path, "ownership")
    records: list[OwnershipRecord] = []
    lines: list[int | None] = []
    seen: dict[str, int | None] = {}

    def add(record: OwnershipRecord, line: int | None) -> None:
        if record.key in seen:
            first = seen[record.key]
            where = f" (first on line {first})" if first is not None else ""
            raise InputError(
                f"the same entity, owner and as_of date twice{where}: {record.key}",
                file=name,
                line=line,
                field="owner",
            )
        seen[record.key] = line
        records.append(record)
        lines.append(line)

    if is_csv(path):
        for row in csv_records(
            text, name, known=OWNERSHIP_CSV_COLUMNS, required=_REQUIRED, strict=True
        ):
            cells = row.named()
            for column in _REQUIRED:
                if column not in cells:
                    raise InputError(
                        f"missing required field '{column}'", file=name, line=row.line, field=column
                    )
            try:
                record = OwnershipRecord.model_validate(cells)
            except ValidationError as exc:
                raise row_error(exc, name, row.line, cells) from None
            add(record, row.line)
    else:
        doc = loads(text, name)
        entries, base = yaml_entries(doc, "ownership", "ownership records")
        for i, entry in enumerate(entries):
            loc = (*base, i)
            if not isinstance(entry, dict):
                raise doc.error("each ownership record must be a mapping", loc)
            try:
                record = OwnershipRecord.model_validate(entry)
            except ValidationError as exc:
                raise validation_error(doc, exc, loc) from None
            add(record, doc.locate(loc)[0])
    problem = ownership_problem(records)
    if problem is not None:
        index, field, message = problem
        raise InputError(message, file=name, line=lines[index], field=field)
    source = Source(kind="ownership", path=name, sha256=hashlib.sha256(raw).hexdigest())
    return Ownership(records=tuple(records)), source
