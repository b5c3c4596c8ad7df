"""JSON Lines: one line object per manifest line, in order, then one summary object.

:func:`stream` takes the lines as an iterable, so a caller can write each line as it is judged;
the summary is counted on the way and written last.

Speed: a line object is mostly shared parts — its findings and resolved item are the same
objects for every line with the same judgement — so :class:`LineEncoder` renders each shared
part once (exactly as ``model_dump(mode="json")`` then ``json.dumps`` would) and writes per
line only the line id, status, date, destination, fields and source line. The bytes are the
same as rendering every line object whole (``fast=False``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from json.encoder import encode_basestring
from typing import Any

from exportcheck.model.fastline import ResultLike
from exportcheck.model.report import Report, Source, Summary, summary_of_counts
from exportcheck.model.status import Status

_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode
# The JSON text of a str, as json.dumps(ensure_ascii=False) writes it (a C function).
_STR: Callable[[str], str] = encode_basestring
# render(line_ids, verdicts, dates, destinations, rows, items, source_lines): the lines' texts.
RowLinesRenderer = Callable[..., list[str]]
# Rendered parts kept (each holds its object and ~1 KB of text): this bounds the memory.
_FRAGMENT_LIMIT = 1 << 13


def _layout(
    line_id: str,
    status: str,
    date: str,
    destination: str,
    findings: str,
    fields: str,
    item: str,
    source_line: str,
) -> str:
    """The text of one line object, its values given as ``%`` placeholders (the one place
    the layout is spelled out: :func:`line_text` and :func:`row_line_template` both fill it)."""
    return (
        f'{{"line_id":{line_id},"status":"{status}","date":{date},'
        f'"destination":{destination},"findings":[{findings}],"fields":{fields},'
        f'"item":{item},"source_line":{source_line}}}\n'
    )


_LINE = _layout(*["%s"] * 8)


def line_text(*parts: object) -> str:
    """The text of one line object: line_id, status, date, destination, findings (joined),
    fields, item, source_line — each already JSON text except status (a bare value)."""
    return _LINE % parts


def row_line_renderer(columns: Sequence[str]) -> RowLinesRenderer:
    """A function rendering the line objects of many CSV rows at once: ``render(line_ids,
    verdicts, dates, destinations, rows, items, source_lines)`` takes one iterable per part:
    the line ids (bare), objects with the status ``value`` and the joined findings ``text``,
    objects with the JSON text (``json``) of the date, of the destination and of the item,
    the rows (lists of the cells of ``columns``, in order) and the source lines; it returns
    each row's text. It is the same text as :func:`line_text` gives when neither the line id
    nor any cell needs escaping in JSON (no quote, backslash or control character).

    The function is one list comprehension of an f-string, generated for the columns
    (f-strings are the fastest way Python has to join many parts): the literal text between
    the parts goes in as ``repr`` literals, which Python joins with the f-string at compile
    time and never reads as code or as ``{}`` fields, whatever the header holds."""
    width = len(columns)
    marks = [f"\x00{k}\x00" for k in range(width + 7)]  # _STR escapes NUL: no name has one
    cells = ",".join(f'{_STR(c)}:"{m}"' for c, m in zip(columns, marks[5:], strict=False))
    line_id, status, date, destination, findings = f'"{marks[0]}"', *marks[1:5]
    item, source_line = marks[width + 5 :]
    fields = "{" + cells + "}"
    text = _layout(line_id, status, date, destination, findings, fields, item, source_line)
    pieces = re.split("\x00[0-9]+\x00", text)
    assert len(pieces) == len(marks) + 1
    cell_names = [f"c{k}" for k in range(width)]
    parts = ["i", "v.value", "d.json", "t.json", "v.text", *cell_names, "it.json", "n"]
    body = " ".join(f"{piece!r} f'{{{part}}}'" for piece, part in zip(pieces, parts, strict=False))
    code = (
        "def render(ids, verdicts, dates, destinations, rows, items, starts):\n"
        f"    return [{body} {pieces[-1]!r} for i, v, d, t, ({', '.join(cell_names)},), it, n "
        "in zip(ids, verdicts, dates, destinations, rows, items, starts, strict=True)]\n"
    )
    scope: dict[str, Any] = {}
    exec(compile(code, f"<row_line_renderer {width} columns>", "exec"), scope)
    render: RowLinesRenderer = scope["render"]
    return render


def fields_text(fields: dict[str, Any]) -> str:
    """The JSON text of a line's ``fields``."""
    return _ENCODE(fields)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"


class LineEncoder:
    """Renders line objects as JSON Lines text; shared parts are rendered once.

    Cached texts are keyed by the identity of the (immutable) object they render, and the
    entry keeps the object alive, so an identity is never reused while cached. Bounded.
    """

    def __init__(self) -> None:
        self._parts: dict[int, tuple[object, str]] = {}

    def _part(self, obj: Any) -> str:
        entry = self._parts.get(id(obj))
        if entry is not None and entry[0] is obj:
            return entry[1]
        text = self.render(obj)
        if len(self._parts) >= _FRAGMENT_LIMIT:
            self._parts.clear()
        self._parts[id(obj)] = (obj, text)
        return text

    def part(self, obj: Any) -> str:
        """The JSON text of one shared, immutable model (a finding, a resolved item)."""
        return self._part(obj)

    @staticmethod
    def render(obj: Any) -> str:
        """The JSON text of one model, not cached (for a caller that keeps it)."""
        return _ENCODE(obj.model_dump(mode="json"))

    def findings(self, findings: tuple[Any, ...]) -> str:
        """The findings of a line, joined (the inside of its ``findings`` array)."""
        # Joined per line: caching whole tuples would hold a text per distinct judgement.
        part = self._part
        return ",".join([part(f) for f in findings])

    def line(self, line: ResultLike) -> str:
        """The JSON Lines text of one line object, with its ``\\n``."""
        dest = line.destination
        source = line.source_line
        return line_text(
            _STR(line.line_id),
            line.status.value,
            _STR(line.date),
            "null" if dest is None else _STR(dest),
            self.findings(line.findings) if line.findings else "",
            _ENCODE(line.fields),
            self._part(line.item),
            "null" if source is None else int(source),
        )


def plain_line(line: ResultLike) -> str:
    """One line object rendered whole (the reference the fast encoder must equal)."""
    model = line if not hasattr(line, "to_model") else line.to_model()
    return _dumps(model.model_dump(mode="json"))


def stream(
    lines: Iterable[ResultLike] | Iterable[str],
    *,
    exportcheck: str,
    as_of: str,
    rules_sha256: str,
    sources: Iterable[Source] = (),
    summary: Summary | Callable[[], Summary] | None = None,
    fast: bool = True,
    prerendered: bool = False,
    notices: Iterable[str] | Callable[[], Iterable[str]] = (),
) -> Iterator[str]:
    """Each output line (with its ``\\n``): the line objects, then the final summary object.

    Without ``summary`` the summary is counted from the lines as they pass; a callable is
    asked for the summary once the lines are exhausted (a streaming caller knows it only then).
    ``fast=False`` renders every line object whole (same bytes, slower). With ``prerendered``,
    ``lines`` is the line objects' text already (chunks of whole lines, as
    :mod:`exportcheck.pipeline` gives it), and ``summary`` must be given. ``notices`` (or a
    callable giving them once the lines are exhausted) go in the final object.
    """
    counts: dict[Status, int] = {}
    total = 0
    if prerendered:
        if summary is None:
            raise ValueError("prerendered lines need the summary")
        yield from lines  # type: ignore[misc]
    else:
        render = LineEncoder().line if fast else plain_line
        for line in lines:
            assert not isinstance(line, str)
            status = line.status
            counts[status] = counts.get(status, 0) + 1
            total += 1
            yield render(line)
    if callable(summary):
        summary = summary()
    if summary is None:
        summary = summary_of_counts(counts, lines=total)
    yield _dumps(
        {
            "summary": summary.model_dump(mode="json"),
            "exportcheck": exportcheck,
            "as_of": as_of,
            "rules_sha256": rules_sha256,
            "sources": [s.model_dump(mode="json") for s in sources],
            "notices": list(notices() if callable(notices) else notices),
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
            notices=report.notices,
        )
    )
