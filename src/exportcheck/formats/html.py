"""A self-contained HTML report: one file, no network (inline CSS, SVG and a little script).

It holds the summary by status, the report's notices, a table of every line with its
findings and citations (filtered by status and by text in the page), the status timeline
of the flagged items over the year around the as-of date (computed by the engine, see
:func:`exportcheck.api.flagged_timelines`; this module only draws them), and what makes the
report reproducible: versions, the as-of date and the sha256 of every input.

Every value is escaped (manifest cells are untrusted), links are kept only for http(s)
addresses, and a Content-Security-Policy forbids the page any request at all.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date

from exportcheck.formats._common import eccn_text, part_of, scalar_text
from exportcheck.model.history import HistoryReport
from exportcheck.model.report import Finding, LineResult, Report
from exportcheck.model.status import Status

COLORS: dict[Status, str] = {
    Status.ALLOWED: "#2e7d32",
    Status.LICENSED: "#00838f",
    Status.REVIEW: "#b26a00",
    Status.LICENSE_REQUIRED: "#c62828",
    Status.PROHIBITED: "#6a1b9a",
}

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#1b1b1b}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.muted{color:#555}.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.cards{display:flex;gap:10px;flex-wrap:wrap;margin:12px 0}
.card{border:1px solid #ddd;border-radius:8px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:22px}
.st{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;
white-space:nowrap}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e5e5e5;
padding:5px 8px;text-align:left;vertical-align:top}th{background:#f6f6f6;position:sticky;top:0}
td.id{overflow-wrap:anywhere;min-width:6em}td.d{white-space:nowrap}
.finding{margin:0 0 6px}.finding:last-child{margin:0}
.notice{background:#fff8e1;border-left:4px solid #b26a00;padding:6px 10px;margin:6px 0}
.filters{display:flex;gap:12px;align-items:center;flex-wrap:wrap;margin:8px 0}
.filters label{white-space:nowrap}input[type=search]{padding:4px 8px;min-width:16em}
svg text{font:11px system-ui,sans-serif;fill:#333}
"""

_SCRIPT = """
(function(){
  var boxes=document.querySelectorAll('input[data-status]');
  var search=document.getElementById('q');
  var rows=document.querySelectorAll('#lines tbody tr');
  var count=document.getElementById('shown');
  function apply(){
    var on={};boxes.forEach(function(b){on[b.getAttribute('data-status')]=b.checked;});
    var q=search.value.toLowerCase();var n=0;
    rows.forEach(function(r){
      var ok=on[r.getAttribute('data-status')]&&(!q||r.textContent.toLowerCase().indexOf(q)>=0);
      r.style.display=ok?'':'none';if(ok){n++;}
    });
    count.textContent=n;
  }
  boxes.forEach(function(b){b.addEventListener('change',apply);});
  search.addEventListener('input',apply);apply();
})();
"""

_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)


def e(value: object) -> str:
    """Escaped text of any value (quotes too: safe in attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def _badge(status: Status) -> str:
    return f'<span class="st" style="background:{COLORS[status]}">{e(status.value)}</span>'


def _link(url: str | None, text: str) -> str:
    if url and url.startswith(("https://", "http://")):
        return f'<a href="{e(url)}" rel="noreferrer noopener">{e(text)}</a>'
    return e(text)


def _finding(f: Finding) -> str:
    head = f"<b>{e(f.rule_id)}</b>"
    if f.rule_version:
        head += f' <span class="muted">@ {e(f.rule_version)}</span>'
    parts = [f'<div class="finding">{_badge(f.status)} {head}']
    if f.title:
        parts.append(f"<br>{e(f.title)}")
    parts.append(f'<br><span class="muted">{e(f.message)}</span>')
    if f.citation or f.source_url:
        parts.append(f"<br>Citation: {_link(f.source_url, f.citation or f.source_url or '')}")
    marks = [m for m in (f.licence and f"licence {f.licence}", f.waiver and "waived") if m]
    if marks:
        parts.append(f' <span class="muted">({e(", ".join(marks))})</span>')
    parts.append("</div>")
    return "".join(parts)


def _row(line: LineResult) -> str:
    destination = line.destination or scalar_text(line.fields.get("destination"))
    findings = "".join(_finding(f) for f in line.findings)
    parties = "".join(
        f'<br><span class="muted">{e(role)}: {e(scalar_text(line.fields.get(role)))}</span>'
        for role in ("consignee", "end_user")
        if scalar_text(line.fields.get(role))
    )
    return (
        f'<tr data-status="{e(line.status.value)}"><td class="id mono">{e(line.line_id)}</td>'
        f'<td class="id">{e(part_of(line))}{parties}</td><td class="mono">{e(eccn_text(line))}</td>'
        f'<td>{e(destination)}</td><td class="d">{e(line.date)}</td>'
        f"<td>{_badge(line.status)}</td>"
        f"<td>{findings}</td></tr>"
    )


def _summary(report: Report) -> str:
    total = max(report.summary.lines, 1)
    cards = [
        f'<div class="card"><b>{report.summary.lines:,}</b>lines</div>',
    ]
    bars: list[str] = []
    x = 0.0
    for status in reversed(Status):
        n = report.summary.by_status.get(status.value, 0)
        cards.append(
            f'<div class="card" style="border-color:{COLORS[status]}"><b>{n:,}</b>'
            f"{e(status.value)}</div>"
        )
        if n:
            w = 600 * n / total
            bars.append(
                f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="18" fill="{COLORS[status]}">'
                f"<title>{e(status.value)}: {n:,}</title></rect>"
            )
            x += w
    svg = (
        '<svg width="600" height="18" viewBox="0 0 600 18" role="img" '
        f'aria-label="lines by status">{"".join(bars)}</svg>'
    )
    return f'<div class="cards">{"".join(cards)}</div>{svg}'


def _timeline(history: HistoryReport, as_of: str) -> str:
    start, end = date.fromisoformat(history.from_), date.fromisoformat(history.to)
    span = max((end - start).days + 1, 1)
    width, left = 640, 4
    rects: list[str] = []
    for seg in history.segments:
        s = date.fromisoformat(seg.start)
        x = left + width * (s - start).days / span
        w = width * seg.days / span
        deciding = ", ".join(r.ref for r in seg.deciding) or "no rule applies"
        rects.append(
            f'<rect x="{x:.1f}" y="4" width="{max(w, 1):.1f}" height="16" '
            f'fill="{COLORS[seg.status]}"><title>{e(seg.start)} … {e(seg.end)}: '
            f"{e(seg.status.value)} ({e(deciding)})</title></rect>"
        )
    mark = left + width * (date.fromisoformat(as_of) - start).days / span
    changes = "; ".join(f"{c.date}: {c.before.value} → {c.after.value}" for c in history.changes)
    return (
        f"<h3 style='font-size:14px;margin:14px 0 2px'>{e(history.query.label())}</h3>"
        f'<svg width="{width + 2 * left}" height="40" role="img" '
        f'aria-label="status of {e(history.query.label())} over time">{"".join(rects)}'
        f'<line x1="{mark:.1f}" x2="{mark:.1f}" y1="0" y2="24" stroke="#000" stroke-width="2"/>'
        f'<text x="{left}" y="36">{e(history.from_)}</text>'
        f'<text x="{mark:.1f}" y="36" text-anchor="middle">as of {e(as_of)}</text>'
        f'<text x="{left + width}" y="36" text-anchor="end">{e(history.to)}</text></svg>'
        f'<div class="muted">{e(changes or "no change in this period")}</div>'
    )


def _sources(report: Report) -> str:
    rows = "".join(
        f"<tr><td>{e(s.kind)}</td><td>{e(s.id or '')}</td><td>{e(s.version or '')}</td>"
        f'<td class="id">{e(s.path)}</td><td class="mono">{e(s.sha256)}</td></tr>'
        for s in report.sources
    )
    rules = sorted({f"{s.id} {s.version}" for s in report.sources if s.kind == "rules"})
    return (
        f"<p>exportcheck {e(report.exportcheck)} · as of {e(report.as_of)} · rules data "
        f"{e(', '.join(rules) or 'none')}<br>rules and lists sha256 "
        f'<span class="mono">{e(report.rules_sha256)}</span></p>'
        "<table><thead><tr><th>kind</th><th>id</th><th>version</th><th>path</th>"
        f"<th>sha256</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def render(report: Report, timelines: Sequence[HistoryReport] = ()) -> str:
    """The whole page (see the module doc); ``timelines``: the flagged items' histories."""
    notices = "".join(f'<div class="notice">{e(n)}</div>' for n in report.notices)
    filters = "".join(
        f'<label><input type="checkbox" data-status="{e(s.value)}" checked> {_badge(s)}</label>'
        for s in reversed(Status)
    )
    rows = "".join(_row(line) for line in report.lines)
    drawn = "".join(_timeline(h, report.as_of) for h in timelines) or (
        '<p class="muted">No flagged items.</p>'
    )
    worst = report.summary.worst
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>exportcheck report · as of {e(report.as_of)}</title>"
        f"<style>{_CSS}</style></head><body>"
        f"<h1>Export-control check · as of {e(report.as_of)}</h1>"
        f'<div class="muted">worst status: {_badge(worst)} · exportcheck '
        f"{e(report.exportcheck)} · not legal advice</div>"
        f"<h2>Summary</h2>{_summary(report)}"
        f"<h2>Status of the flagged items over the year around {e(report.as_of)}</h2>{drawn}"
        "<h2>Lines</h2>"
        f'<div class="filters">{filters}<input id="q" type="search" '
        'placeholder="Filter by any text (part, party, rule…)" aria-label="filter">'
        f'<span class="muted"><span id="shown">{len(report.lines):,}</span> of '
        f"{len(report.lines):,} lines shown</span></div>"
        '<table id="lines"><thead><tr><th>Line</th><th>Part</th><th>ECCN</th><th>To</th>'
        "<th>Date</th><th>Status</th><th>Findings and citations</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        f"<h2>Notices</h2>{notices or '<p class=muted>None.</p>'}"
        f"<h2>Reproducibility</h2>{_sources(report)}"
        f"<script>{_SCRIPT}</script></body></html>\n"
    )
