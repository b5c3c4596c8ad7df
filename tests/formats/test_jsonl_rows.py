"""row_line_renderer: many CSV rows rendered at once give line_text's bytes."""

from __future__ import annotations

import json
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from exportcheck.formats.jsonl import _STR, fields_text, line_text, row_line_renderer

# Cells and names without anything to escape in JSON (what the renderer is for); names may
# hold characters that are special to format strings or to Python code.
_plain = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='"\\')
)
_names = st.lists(_plain, min_size=1, max_size=6, unique=True)


@given(_names, st.data())
def test_renderer_equals_line_text(names: list[str], data: st.DataObject) -> None:
    render = row_line_renderer(names)
    rows = data.draw(st.lists(st.lists(_plain, min_size=len(names), max_size=len(names))))
    n = len(rows)
    ids = [f"L{i}" for i in range(n)]
    statuses = ["allowed"] * n
    dates = ['"2025-06-15"'] * n
    dests = ['"CN"'] * n
    findings = ['{"a":1}' if i % 2 else "" for i in range(n)]
    items = ['{"part_number":"H20"}'] * n
    starts = range(2, 2 + n)
    got = render(
        ids,
        [SimpleNamespace(value=v, text=f) for v, f in zip(statuses, findings, strict=True)],
        [SimpleNamespace(json=d) for d in dates],
        [SimpleNamespace(json=d) for d in dests],
        rows,
        [SimpleNamespace(json=it) for it in items],
        starts,
    )
    for i, row in enumerate(rows):
        fields = dict(zip(names, row, strict=True))
        expected = line_text(
            _STR(ids[i]), "allowed", dates[i], dests[i], findings[i], fields_text(fields),
            items[i], starts[i],
        )  # fmt: skip
        assert got[i] == expected
        assert json.loads(got[i])["fields"] == fields


def test_names_cannot_inject_code() -> None:
    names = ["a'}{__import__('os')}", "{x}", "%s", "\x00", "q'\"\\", "f'{1}'"]
    render = row_line_renderer(names)
    verdict, date, dest, item = (SimpleNamespace(value="allowed", text=""),
                                 SimpleNamespace(json='"d"'), SimpleNamespace(json='"CN"'),
                                 SimpleNamespace(json="{}"))  # fmt: skip
    line = render(["1"], [verdict], [date], [dest], [["1", "2", "3", "4", "5", "6"]], [item], [2])
    cells = ["1", "2", "3", "4", "5", "6"]
    assert json.loads(line[0])["fields"] == dict(zip(names, cells, strict=True))
