"""Output formats: each module turns a :class:`Report` into text (no printing, no exit)."""

from __future__ import annotations

from collections.abc import Callable

from exportcheck.errors import InputError
from exportcheck.formats import csv, json, jsonl, markdown, table
from exportcheck.model.report import Report

Renderer = Callable[[Report], str]

FORMATS: dict[str, Renderer] = {
    "table": table.render,
    "json": json.render,
    "jsonl": jsonl.render,
    "csv": csv.render,
    "markdown": markdown.render,
}


def render(report: Report, fmt: str) -> str:
    """Render ``report`` in format ``fmt`` (a key of :data:`FORMATS`)."""
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        names = ", ".join(FORMATS)
        raise InputError(
            f"unknown format '{fmt}' (expected one of: {names})", field="--format"
        ) from None
    return renderer(report)
