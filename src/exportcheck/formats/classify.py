"""Text for ``exportcheck classify``: the classification timeline of one item."""

from __future__ import annotations

import json
from typing import Any

from rich import box
from rich.table import Table

from exportcheck.formats._console import text_console, without_trailing_blanks
from exportcheck.model.classification import ClassificationReport, Segment, fmt_number


def _segment_dict(seg: Segment) -> dict[str, Any]:
    d = seg.derivation
    return {
        "from": seg.start.isoformat(),
        "until": seg.until.isoformat() if seg.until else None,
        "state": seg.state,
        "eccn": seg.eccn,
        "summary": d.describe() if d else "no classification criteria in force",
        "classification": d.label if d else None,
        "citation": d.version.citation if d else None,
        "source_url": d.version.source_url if d else None,
        "missing": sorted(d.missing) if d else [],
        "because": [b.model_dump(mode="json") for b in d.because] if d else [],
    }


def render_json(report: ClassificationReport) -> str:
    doc = {
        "item": report.item,
        "category": report.category,
        "params": report.specs.params,
        "derivations": list(report.specs.derivations),
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "timeline": [_segment_dict(s) for s in report.segments],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _outcome(seg: Segment) -> str:
    if seg.state == "derived":
        return seg.eccn or ""
    if seg.state == "below":
        return "not 3A090/4A090"
    if seg.state == "undetermined":
        return "undetermined"
    return "—"


def render_table(report: ClassificationReport, *, color: bool = False, width: int = 120) -> str:
    label, category, specs = report.item, report.category, report.specs
    start, end, segments = report.start, report.end, report.segments
    console, buf = text_console(color=color, width=width, markup=True)
    shown = ", ".join(f"{k} {fmt_number(v)}" for k, v in specs.params.items())
    console.print(
        f"[bold]{label}[/bold] ({category or 'chip'}): {shown or 'no parameters'}", highlight=False
    )
    for note in specs.derivations:
        console.print(f"  {note}", highlight=False)
    table = Table(box=box.SIMPLE_HEAVY, title=f"Classification {start} → {end}")
    table.add_column("from", no_wrap=True)
    table.add_column("until", no_wrap=True)
    table.add_column("ECCN", no_wrap=True)
    table.add_column("why", overflow="fold")
    table.add_column("citation", overflow="fold")
    for seg in segments:
        d = seg.derivation
        why = "no classification criteria in force"
        if d is not None:
            why = f"needs {', '.join(sorted(d.missing))}" if d.missing else d.reasons()
        table.add_row(
            seg.start.isoformat(),
            seg.until.isoformat() if seg.until else "—",
            _outcome(seg),
            why,
            d.version.citation if d else "",
        )
    console.print(table)
    return without_trailing_blanks(buf)
