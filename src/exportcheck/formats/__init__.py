"""Output formats: each module turns a :class:`Report` into text (no printing, no exit)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from exportcheck.errors import InputError
from exportcheck.formats import csv, github, json, jsonl, junit, markdown, sarif, table
from exportcheck.model.report import Report
from exportcheck.model.status import Status

Renderer = Callable[[Report], str]


class GatedRenderer(Protocol):
    def __call__(self, report: Report, *, fail_on: Status | None = ...) -> str: ...


FORMATS: dict[str, Renderer] = {
    "table": table.render,
    "json": json.render,
    "jsonl": jsonl.render,
    "csv": csv.render,
    "markdown": markdown.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "github": github.render,
}

# Formats whose output depends on the --fail-on threshold (passed as ``fail_on=``).
GATED: dict[str, GatedRenderer] = {"junit": junit.render}


def render(report: Report, fmt: str, *, fail_on: Status | None = Status.REVIEW) -> str:
    """Render ``report`` in format ``fmt`` (a key of :data:`FORMATS`). ``fail_on`` is the
    ``--fail-on`` threshold (None for ``never``), used by the formats in :data:`GATED`."""
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        names = ", ".join(FORMATS)
        raise InputError(
            f"unknown format '{fmt}' (expected one of: {names})", field="--format"
        ) from None
    gated = GATED.get(fmt)
    if gated is not None:
        return gated(report, fail_on=fail_on)
    return renderer(report)
