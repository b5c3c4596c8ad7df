"""Statuses of a line or finding, in ascending severity (the external contract)."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    ALLOWED = "allowed"
    LICENSED = "licensed"
    REVIEW = "review"
    LICENSE_REQUIRED = "license_required"
    PROHIBITED = "prohibited"

    @property
    def severity(self) -> int:
        return _ORDER[self]


_ORDER = {s: i for i, s in enumerate(Status)}


def worst(statuses: list[Status] | tuple[Status, ...], default: Status = Status.ALLOWED) -> Status:
    """The most severe status, or ``default`` when there is none."""
    best = default
    for s in statuses:
        if s.severity > best.severity:
            best = s
    return best


def parse_fail_on(value: str) -> Status | None:
    """``--fail-on`` value: a status name, or ``never`` (returns None)."""
    v = value.strip().lower().replace("-", "_")
    if v == "never":
        return None
    try:
        return Status(v)
    except ValueError:
        names = ", ".join([s.value for s in Status] + ["never"])
        raise ValueError(f"unknown status '{value}'; expected one of: {names}") from None
