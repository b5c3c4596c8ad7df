"""Output formats: byte-for-byte golden files, plus targeted checks of what each must do.

Regenerate the goldens after an intended change with ``UPDATE_GOLDEN=1 pytest tests/formats``
and review the diff.
"""

from __future__ import annotations

import csv as stdcsv
import io
import json
import os
from pathlib import Path

import pytest

from exportcheck.errors import InputError
from exportcheck.formats import FORMATS, render
from exportcheck.formats import csv as csv_format
from exportcheck.formats import jsonl as jsonl_format
from exportcheck.formats import markdown as markdown_format
from exportcheck.formats import table as table_format
from exportcheck.model.report import (
    Because,
    Finding,
    LineResult,
    Report,
    ResolvedItem,
    Source,
    summarize,
)
from exportcheck.model.status import Status

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def make_report() -> Report:
    lines = (
        LineResult(
            line_id="L-1",
            status=Status.ALLOWED,
            date="2025-05-01",
            destination="DE",
            fields={"line_id": "L-1", "part_number": "RTX 4090D", "destination": "Germany"},
            item=ResolvedItem(
                part_number="RTX 4090D",
                eccn="EAR99",
                eccn_source="catalog",
                params={"tpp": 4707.0},
                in_catalog=True,
            ),
            source_line=2,
        ),
        LineResult(
            line_id="L-2",
            status=Status.REVIEW,
            date="2025-05-01",
            destination=None,
            findings=(
                Finding(
                    rule_id="exportcheck.input",
                    status=Status.REVIEW,
                    kind="input",
                    title="Input problem",
                    message="destination: unknown country 'Atlantis'",
                ),
                Finding(
                    rule_id="exportcheck.unclassified",
                    status=Status.REVIEW,
                    kind="unclassified",
                    title="Unclassified item",
                    message="Unclassified: part 'X-9|B' is not in the catalog; classify it.",
                ),
            ),
            fields={"line_id": "L-2", "part_number": "X-9|B", "destination": "Atlantis"},
            item=ResolvedItem(part_number="X-9|B"),
            source_line=3,
        ),
        LineResult(
            line_id="L-3",
            status=Status.LICENSE_REQUIRED,
            date="2025-04-15",
            destination="CN",
            findings=(
                Finding(
                    rule_id="us-ear.h20-letters",
                    rule_version="2025-04-09",
                    status=Status.LICENSE_REQUIRED,
                    title="H20-class informed letters",
                    message="H20-class informed letters: license_required (Nvidia 8-K "
                    "2025-04-15). Because memory_bandwidth_gbps 4000: >= 4000.",
                    citation="Nvidia 8-K 2025-04-15",
                    source_url="https://example.com/8-k (h20)",
                    confidence="news",
                    because=(
                        Because(field="memory_bandwidth_gbps", value=4000.0, test=">= 4000"),
                        Because(field="destination", value="CN", test="in [CN, HK, MO]"),
                    ),
                ),
                Finding(
                    rule_id="us-ear.hk-treated-as-cn",
                    rule_version="2020-12-23",
                    status=Status.ALLOWED,
                    kind="rule-pending",
                    message="informational",
                ),
            ),
            fields={
                "line_id": "L-3",
                "part_number": "H20",
                "destination": "CN",
                "consignee": "Shànghǎi Dàtóng Ltd — 上海",
                "order_no": '=HYPERLINK("http://x")',
                "quantity": 8,
            },
            item=ResolvedItem(
                part_number="H20",
                eccn="3A090.a",
                eccn_source="line",
                params={"memory_bandwidth_gbps": 4000.0, "tpp": 2368.0},
            ),
            source_line=4,
        ),
        LineResult(
            line_id="-5",
            status=Status.PROHIBITED,
            date="2025-05-01",
            destination="IR",
            findings=(
                Finding(
                    rule_id="us-ear.embargo-e1",
                    rule_version="2024-01-01",
                    status=Status.PROHIBITED,
                    message="Embargo: prohibited.\nSecond line.",
                    citation="15 CFR 746",
                ),
            ),
            fields={"line_id": "-5", "eccn": "EAR99", "destination": "IRN", "note": None},
            item=ResolvedItem(eccn="EAR99", eccn_source="line"),
            source_line=None,
        ),
    )
    return Report(
        exportcheck="0.3.0",
        as_of="2025-05-01",
        rules_sha256="ab" * 32,
        sources=(
            Source(
                kind="rules",
                id="us-ear-advanced-computing",
                version="2025-04-09",
                path="shipped:rules/us-ear.yaml",
                sha256="cd" * 32,
            ),
        ),
        summary=summarize(lines),
        lines=lines,
    )


@pytest.fixture
def report() -> Report:
    return make_report()


def make_table_report() -> Report:
    """The report, plus lines the table must handle: one party matched in two columns, a rule
    that cannot be decided, a long part number and rule id, and hostile cells."""
    match = "matches 'Sugon' of EL entry EL-sugon (score 96.4); same country CN (+3)"
    party = [
        Finding(
            rule_id="party:EL:EL-sugon",
            status=Status.LICENSE_REQUIRED,
            kind="party",
            title="Entity List: Sugon",
            message=f"{column} 'Sugon Information' matches Entity List entry 'Sugon'",
            because=(Because(field=column, value="Sugon Information", test=match),),
        )
        for column in ("consignee", "end_user")
    ]
    extra = (
        LineResult(
            line_id="ORDER-2025-000123-LINE-0007-SUBLINE-A",
            status=Status.LICENSE_REQUIRED,
            date="2025-05-01",
            destination="CN",
            findings=tuple(party),
            fields={"part_number": "SUPERMICRO-AS-8125GS-TNMR2-MI300X-8GPU", "destination": "CN"},
            item=ResolvedItem(part_number="SUPERMICRO-AS-8125GS-TNMR2-MI300X-8GPU", eccn="4A090.a"),
            source_line=6,
        ),
        LineResult(
            line_id="L-7",
            status=Status.REVIEW,
            date="2025-05-01",
            destination="MY",
            findings=(
                Finding(
                    rule_id="ear.3a090-4a090.headquarters-with-a-very-long-identifier",
                    status=Status.REVIEW,
                    kind="rule-undetermined",
                    message="may apply; cannot decide without end_user_hq_country",
                    because=(
                        Because(field="eccn", value="3A090.a", test="falls under 3A090"),
                        Because(field="end_user_hq_country", value=None, test="missing"),
                        Because(field="end_user_hq_country", value=None, test="missing"),
                    ),
                ),
            ),
            fields={"part_number": "H100\x1b[2J\u202e", "destination": "MY"},
            item=ResolvedItem(part_number="H100\x1b[2J\u202e", eccn="3A090.a"),
            source_line=7,
        ),
    )
    base = make_report()
    lines = (*base.lines, *extra)
    return base.model_copy(update={"lines": lines, "summary": summarize(lines)})


CASES = {
    "report.json": lambda r: render(r, "json"),
    "report.jsonl": lambda r: render(r, "jsonl"),
    "report.csv": lambda r: render(r, "csv"),
    "report.md": lambda r: render(r, "markdown"),
    "report.table.txt": lambda r: render(r, "table"),
    "report.table-color.txt": lambda r: table_format.render(r, color=True, width=100),
    "report.table-80.txt": lambda _: table_format.render(make_table_report(), width=80),
    "report.table-100.txt": lambda _: table_format.render(make_table_report(), width=100),
    "report.table-200.txt": lambda _: table_format.render(make_table_report(), width=200),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(report: Report, name: str) -> None:
    produced = CASES[name](report).encode("utf-8")
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(produced)
    assert path.exists(), f"missing golden {path}; run with UPDATE_GOLDEN=1"
    assert produced == path.read_bytes(), f"{name} differs from its golden file"


def test_formats_registry_has_exactly_the_implemented_formats() -> None:
    assert list(FORMATS) == [
        "table",
        "json",
        "jsonl",
        "csv",
        "markdown",
        "sarif",
        "junit",
        "github",
        "html",
    ]


def test_unknown_format_is_an_input_error(report: Report) -> None:
    with pytest.raises(InputError, match="unknown format 'xlsx'"):
        render(report, "xlsx")


def test_rendering_is_deterministic(report: Report) -> None:
    for fmt in FORMATS:
        assert render(report, fmt) == render(make_report(), fmt)


# --- json / jsonl ---------------------------------------------------------------------------


def test_json_has_contract_shape(report: Report) -> None:
    data = json.loads(render(report, "json"))
    assert list(data)[:6] == ["exportcheck", "as_of", "rules_sha256", "sources", "summary", "lines"]
    assert data["summary"] == {
        "lines": 4,
        "by_status": {"allowed": 1, "review": 1, "license_required": 1, "prohibited": 1},
        "worst": "prohibited",
        "lines_read": None,
    }
    assert [line["line_id"] for line in data["lines"]] == ["L-1", "L-2", "L-3", "-5"]
    assert data["lines"][2]["fields"]["consignee"] == "Shànghǎi Dàtóng Ltd — 上海"
    assert "上海" in render(report, "json")  # not \u-escaped
    assert data == report.model_dump(mode="json")


def test_jsonl_lines_then_summary(report: Report) -> None:
    out = render(report, "jsonl")
    assert out.endswith("\n") and "\n\n" not in out
    rows = [json.loads(row) for row in out.splitlines()]
    assert [r["line_id"] for r in rows[:-1]] == ["L-1", "L-2", "L-3", "-5"]
    assert rows[1] == report.lines[1].model_dump(mode="json")
    keys = ["summary", "exportcheck", "as_of", "rules_sha256", "sources", "notices"]
    assert list(rows[-1]) == keys
    assert rows[-1]["summary"]["worst"] == "prohibited"


def test_jsonl_stream_counts_summary_itself_and_is_lazy(report: Report) -> None:
    pulled: list[str] = []

    def source() -> object:
        for line in report.lines:
            pulled.append(line.line_id)
            yield line

    gen = jsonl_format.stream(
        source(),  # type: ignore[arg-type]
        exportcheck="0.3.0",
        as_of="2025-05-01",
        rules_sha256="ab" * 32,
        sources=report.sources,
    )
    first = next(gen)
    assert pulled == ["L-1"] and json.loads(first)["line_id"] == "L-1"
    rest = list(gen)
    assert "".join([first, *rest]) == render(report, "jsonl")


def test_jsonl_stream_of_nothing() -> None:
    out = list(jsonl_format.stream([], exportcheck="x", as_of="2025-01-01", rules_sha256=""))
    assert len(out) == 1
    assert json.loads(out[0])["summary"] == {
        "lines": 0,
        "by_status": {},
        "worst": "allowed",
        "lines_read": None,
    }


# --- csv -------------------------------------------------------------------------------------


def test_csv_rows_and_columns(report: Report) -> None:
    out = render(report, "csv")
    assert "\r" not in out
    rows = list(stdcsv.reader(io.StringIO(out)))
    header = rows[0]
    n = len(csv_format.COLUMNS)
    assert header[:n] == list(csv_format.COLUMNS)
    assert header[n:] == [
        "input_line_id",
        "input_part_number",
        "input_destination",
        "consignee",
        "order_no",
        "quantity",
        "input_eccn",
        "note",
    ]
    assert len(rows) == 1 + len(report.lines)
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    l3 = by_id["L-3"]
    assert l3["status"] == "license_required"
    assert l3["rule_id"] == "us-ear.h20-letters"
    assert l3["rule_version"] == "2025-04-09"
    assert l3["citation"] == "Nvidia 8-K 2025-04-15"
    assert l3["message"].startswith("H20-class informed letters")
    assert l3["order_no"] == '\'=HYPERLINK("http://x")'
    assert l3["quantity"] == "8"
    l2 = by_id["L-2"]
    assert l2["rule_id"] == "exportcheck.input; exportcheck.unclassified"
    assert l2["rule_version"] == "" and l2["destination"] == ""
    assert "'-5" in by_id  # a line id starting with '-' is neutralised too
    assert by_id["'-5"]["message"] == "Embargo: prohibited.\nSecond line."


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        ("", ""),
        (" =x", " =x"),
    ],
)
def test_csv_neutralize(cell: str, expected: str) -> None:
    assert csv_format.neutralize(cell) == expected


def test_csv_neutralizes_header_from_input(report: Report) -> None:
    line = report.lines[0].model_copy(update={"fields": {"=cmd": "x"}})
    r = report.model_copy(update={"lines": (line,), "summary": summarize([line])})
    header = render(r, "csv").splitlines()[0]
    assert header.endswith(",'=cmd")


# --- markdown ---------------------------------------------------------------------------------


def test_markdown_escapes_pipes_and_newlines(report: Report) -> None:
    out = render(report, "markdown")
    assert "X-9\\|B" in out
    table_rows = [ln for ln in out.splitlines() if ln.startswith("| ")]
    # every table row of the lines table has exactly 8 unescaped pipes (7 columns)
    lines_table = [ln for ln in table_rows if ln.count("|") - ln.count("\\|") == 8]
    assert len(lines_table) == 1 + len(report.lines)
    assert "Embargo: prohibited. Second line." in out
    assert "#### L-1" not in out  # allowed lines have no findings section
    assert "#### L-3" in out and "`memory_bandwidth_gbps` = `4000.0`: &gt;= 4000" in out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a|b", "a\\|b"),
        ("a\\|b", "a\\\\\\|b"),
        ("x\r\ny", "x y"),
        ("<script>", "&lt;script&gt;"),
    ],
)
def test_markdown_escape(text: str, expected: str) -> None:
    assert markdown_format.escape(text) == expected


def test_markdown_code_span_with_backticks() -> None:
    assert markdown_format.code("a`b") == "``a`b``"
    assert markdown_format.code("`a") == "`` `a ``"


# --- table ------------------------------------------------------------------------------------


def test_table_plain_has_no_escape_codes(report: Report) -> None:
    out = table_format.render(report)
    assert "\x1b[" not in out
    assert all(len(row) <= 120 for row in out.splitlines())
    assert "4 lines: 1 prohibited, 1 license_required, 1 review, 1 allowed" in out
    assert "worst: prohibited" in out and "as of 2025-05-01" in out


def test_table_colours_statuses(report: Report) -> None:
    out = table_format.render(report, color=True)
    assert "\x1b[32mallowed" in out  # green
    assert "\x1b[33mreview" in out  # yellow
    assert "\x1b[31mlicense_required" in out  # red
    assert "\x1b[1;37;41mprohibited" in out  # bold white on red


def test_table_ignores_environment(report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    expected_plain = table_format.render(report)
    expected_color = table_format.render(report, color=True)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "40")
    monkeypatch.setenv("TERM", "dumb")
    assert table_format.render(report) == expected_plain
    assert table_format.render(report, color=True) == expected_color


def test_table_does_not_interpret_markup(report: Report) -> None:
    line = report.lines[0].model_copy(update={"line_id": "[bold red]x[/]"})
    r = report.model_copy(update={"lines": (line,), "summary": summarize([line])})
    assert "[bold red]x[/]" in table_format.render(r, width=200)


def _column(out: str, first_row: str, layout: table_format.Layout, n: int) -> str:
    """The text of column ``n`` of the row that starts with ``first_row``, joined up."""
    rows = out.splitlines()
    start = next(i for i, row in enumerate(rows) if row.startswith(first_row))
    left = sum(layout.widths[:n]) + 2 * n
    cells = []
    for row in rows[start:]:
        status_at = sum(layout.widths[:5]) + 2 * 5
        reasons = not layout.wide and row.startswith("    ") and row[4:5].strip()
        if cells and (not row.strip() or row[status_at : status_at + 1].strip() or reasons):
            break  # the next line's row, or this line's reasons
        cells.append(row[left : left + layout.widths[n]].strip())
    return "".join(cells)


@pytest.mark.parametrize("width", [80, 100, 200])
def test_table_fits_the_width_and_never_cuts_ids(width: int) -> None:
    out = table_format.render(make_table_report(), width=width)
    assert all(len(row) <= width for row in out.splitlines())
    layout = table_format.Layout(width)
    assert _column(out, "ORDER-", layout, 0) == "ORDER-2025-000123-LINE-0007-SUBLINE-A"
    assert _column(out, "ORDER-", layout, 1) == "SUPERMICRO-AS-8125GS-TNMR2-MI300X-8GPU"
    assert "ear.3a090-4a090.headquarters-with-a-very-long-identifier" in "".join(out.split())


def test_wrap_breaks_long_words_and_keeps_every_character() -> None:
    assert table_format.wrap("ORDER-2025-000123-LINE", 12) == ["ORDER-2025-", "000123-LINE"]
    assert table_format.wrap("ABCDEFGHIJKLMNOP", 6) == ["ABCDEF", "GHIJKL", "MNOP"]
    assert table_format.wrap("上海上海上海", 5) == ["上海", "上海", "上海"]
    assert table_format.wrap("a b\nc", 10) == ["a b", "c"]


def test_table_says_why_once_per_party_and_what_is_missing() -> None:
    out = table_format.render(make_table_report(), width=100)
    assert out.count("EL-sugon (score 96.4)") == 1
    assert "consignee, end_user 'Sugon Information' matches 'Sugon'" in out
    assert "may apply: missing end_user_hq_country" in out
    assert "us-ear.h20-letters @ 2025-04-09: H20-class informed letters" in out


def test_table_never_sends_control_characters_to_the_terminal() -> None:
    out = table_format.render(make_table_report(), width=200)
    assert "\x1b" not in out and "\u202e" not in out
    assert "H100\\x1b[2J\\u202e" in out


def test_table_over_the_limit_shows_flagged_lines_and_says_so(report: Report) -> None:
    lines = report.lines * 3
    summary = summarize(lines)
    out = "".join(
        table_format.stream(lines, as_of="2025-05-01", summary=summary, width=100, full_limit=5)
    )
    assert "More than 5 lines: only the flagged ones" in out
    assert "L-1 " not in out  # allowed: left out
    assert out.count("L-2 ") == 3 and out.count("L-3 ") == 3
    assert "12 lines: 3 prohibited" in out
    assert "9 flagged lines shown, 3 others left out" in out
    within = "".join(
        table_format.stream(lines, as_of="2025-05-01", summary=summary, width=100, full_limit=12)
    )
    assert "More than" not in within and within.count("L-1 ") == 3
