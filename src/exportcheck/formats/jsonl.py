"""JSON Lines: one line object per manifest line, in order, then one summary object.

:func:`stream` takes the lines as an iterable, so a caller can write each line as it is judged;
the summary is counted on the way and written last.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from exportcheck.model.report import LineResult, Report, Source, Summary
from exportcheck.model.status import Status


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"


def stream(
    lines: Iterable[LineResult],
    *,
    exportcheck: str,
    as_of: str,
    rules_sha256: str,
    sources: Iterable[Source] = (),
    summary: Summary | None = None,
) -> Iterator[str]:
    """Each output line (with its ``\\n``): the line objects, then the final summary object.

    Without ``summary`` the summary is counted from the lines as they pass.
    """
    counts: dict[Status, int] = {}
    total = 0
    for line in lines:
        counts[line.status] = counts.get(line.status, 0) + 1
        total += 1
        yield _dumps(line.model_dump(mode="json"))
    if summary is None:
        present = [s for s in Status if s in counts]
        summary = Summary(
            lines=total,
            by_status={s.value: counts[s] for s in present},
            worst=present[-1] if present else Status.ALLOWED,
        )
    yield _dumps(
        {
            "summary": summary.model_dump(mode="json"),
            "exportcheck": exportcheck,
            "as_of": as_of,
            "rules_sha256": rules_sha256,
            "sources": [s.model_dump(mode="json") for s in sources],
        }
    )


def render(report: Report) -> str:
    return "".join(
        stream(
            report.lines,
            exportcheck=report.exportcheck,
            as_of=report.as_of,
            rules_sha256=report.rules_sha256,
            sources=report.sources,
            summary=report.summary,
        )
    )
