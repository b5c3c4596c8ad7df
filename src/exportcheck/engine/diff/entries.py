"""Restricted-party list entries listed on one side of a diff and not the other."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from exportcheck.engine.diff.rules import in_window
from exportcheck.model.diff import Change, Snapshot
from exportcheck.model.parties import ListEntry


def entry_id(entry: ListEntry) -> str:
    """The id a list entry has in findings and diffs: ``party:EL:EL-smic``."""
    return f"party:{entry.list_code}:{entry.entry_id}"


def entry_snapshot(entry: ListEntry) -> Snapshot:
    return {
        "name": entry.name,
        "list": entry.source,
        "list_code": entry.list_code,
        "entry_id": entry.entry_id,
        "country": entry.country,
        "start_date": entry.start_date.isoformat() if entry.start_date else None,
        "end_date": entry.end_date.isoformat() if entry.end_date else None,
        "status": entry.hit_status.value,
        "license_policy": entry.license_policy,
        "citation": entry.citation,
    }


def list_changes(entries: Iterable[ListEntry], d_from: date, d_to: date) -> list[Change]:
    """Entries listed on one date and not the other (by their start and end dates)."""
    lo, hi = min(d_from, d_to), max(d_from, d_to)
    out: list[Change] = []
    seen: set[str] = set()
    for e in entries:
        on_from, on_to = e.in_force(d_from), e.in_force(d_to)
        if on_from == on_to:
            continue
        key = entry_id(e)
        if key in seen:
            continue
        seen.add(key)
        events: list[str] = []
        if in_window(e.start_date, lo, hi):
            events.append(f"{e.start_date}: listed")
        if in_window(e.end_date, lo, hi):
            events.append(f"{e.end_date}: delisted")
        listed_later = e.in_force(hi)
        reason = "listed" if listed_later else "delisted"
        when = e.start_date if listed_later else e.end_date
        snap = entry_snapshot(e)
        out.append(
            Change(
                kind="added" if on_to else "removed",
                what="list-entry",
                id=key,
                title=f"{e.name} ({e.list_code})",
                before=snap if on_from else None,
                after=snap if on_to else None,
                summary=f"{reason} on {when}: {e.hit_status.value}"
                + (f" ({e.license_policy.rstrip('.')})" if e.license_policy else ""),
                reason=reason,
                events=events,
                citation=e.citation,
                source_url=e.source_url,
            )
        )
    return out
