"""Output formats: each module turns a :class:`Report` into text (no printing, no exit).

A format's module is imported when it is first used (importing this package does not load
them all: the table format alone pulls in rich)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Protocol

from exportcheck.errors import InputError
from exportcheck.formats import registry
from exportcheck.model.report import Report
from exportcheck.model.status import Status

Renderer = Callable[[Report], str]


class GatedRenderer(Protocol):
    def __call__(self, report: Report, *, fail_on: Status | None = ...) -> str: ...


# Format name -> the module (in this package) whose ``render`` writes a check report.
FORMATS: dict[str, str] = {f.name: f.module for f in registry.FORMATS if f.module is not None}

# Formats whose output depends on the --fail-on threshold (passed as ``fail_on=``).
GATED = frozenset(f.name for f in registry.FORMATS if f.gates)


def render(report: Report, fmt: str, *, fail_on: Status | None = Status.REVIEW) -> str:
    """Render ``report`` in format ``fmt`` (a key of :data:`FORMATS`). ``fail_on`` is the
    ``--fail-on`` threshold (None for ``never``), used by the formats in :data:`GATED`."""
    try:
        module = FORMATS[fmt]
    except KeyError:
        names = ", ".join(FORMATS)
        raise InputError(
            f"unknown format '{fmt}' (expected one of: {names})", field="--format"
        ) from None
    renderer = importlib.import_module(f"{__name__}.{module}").render
    if fmt in GATED:
        gated: GatedRenderer = renderer
        return gated(report, fail_on=fail_on)
    plain: Renderer = renderer
    return plain(report)
