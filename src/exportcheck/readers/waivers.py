"""Read a waivers file (``check --waivers``): YAML or CSV.

YAML: ``waivers: [...]`` (or a bare list), each with ``id``, ``rule``, optional ``part``,
``destination`` and ``party``, ``reason``, ``approver``, ``approved``, ``expires`` and optional
``notes``. CSV: the same names as columns, one waiver per row. Errors name the file, line and
field; a duplicate waiver id is refused.
"""

from __future__ import annotations

from pathlib import Path

from exportcheck.model.report import Source
from exportcheck.model.waivers import Waiver, WaiverSet
from exportcheck.readers.licenses import load_held_file

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
    waivers, source = load_held_file(
        path,
        Waiver,
        kind="waivers",
        what="waivers",
        id_field="id",
        columns=WAIVER_CSV_COLUMNS,
        required=("id", "rule"),
    )
    return WaiverSet(waivers=tuple(waivers)), source
