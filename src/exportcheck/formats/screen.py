"""Output of ``exportcheck screen``: JSON (the contract) and a rich table."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.text import Text

from exportcheck.formats._console import report_table, text_console
from exportcheck.model.parties import ScreenResult, match_sort_key
from exportcheck.model.status import Status

_STYLES: dict[Status, str] = {
    Status.ALLOWED: "green",
    Status.LICENSED: "cyan",
    Status.REVIEW: "yellow",
    Status.LICENSE_REQUIRED: "red",
    Status.PROHIBITED: "bold white on red",
}


def screen_result_dict(result: ScreenResult) -> dict[str, Any]:
    """The contract's object for one screened name (matches best first, stable order)."""
    data = result.model_dump(mode="json")
    ordered = sorted(result.matches, key=match_sort_key)
    data["matches"] = [m.model_dump(mode="json") for m in ordered]
    return data


def render_screen_json(results: Sequence[ScreenResult]) -> str:
    """One JSON object for one name, an array for several; keys sorted, 2-space indent."""
    items = [screen_result_dict(r) for r in results]
    payload: Any = items[0] if len(items) == 1 else items
    return json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_screen_table(
    results: Sequence[ScreenResult], *, color: bool = False, width: int = 120
) -> str:
    """A table: one row per match (or one row for a name without matches)."""
    console, buffer = text_console(color=color, width=width)
    table = report_table()
    for title, kw in (
        ("Query", {"overflow": "fold"}),
        ("Status", {"no_wrap": True}),
        ("List", {"no_wrap": True}),
        ("Entry", {"overflow": "fold"}),
        ("Matched name", {"overflow": "fold"}),
        ("Score", {"justify": "right", "no_wrap": True}),
        ("Citation", {"overflow": "fold"}),
    ):
        table.add_column(title, **kw)
    for r in results:
        if not r.matches:
            table.add_row(
                r.query, Text(r.status.value, style=_STYLES[r.status]), "—", "", "", "", ""
            )
            continue
        for i, m in enumerate(sorted(r.matches, key=match_sort_key)):
            table.add_row(
                r.query if i == 0 else "",
                Text(m.status.value, style=_STYLES[m.status]),
                m.list_code,
                f"{m.name} [{m.entry_id}]",
                m.matched_name,
                f"{m.score:.1f}",
                m.citation or "",
            )
    console.print(table)
    flagged = sum(1 for r in results if r.matches)
    day = results[0].date.isoformat() if results else ""
    console.print(
        f"{len(results)} name(s) screened on {day}; {flagged} with possible matches. "
        "A match is a lead to review, not a finding of fact."
    )
    return buffer.getvalue()
