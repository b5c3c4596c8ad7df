"""Property tests (hypothesis): the readers never crash, ``check`` is deterministic, the line
count is preserved, and adding a rule never lowers any line's status."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from datetime import date
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exportcheck.api import build_report
from exportcheck.engine.judge.judge import judge_line
from exportcheck.errors import InputError
from exportcheck.formats.json import render as render_json
from exportcheck.model.manifest import ManifestLine
from exportcheck.model.rules import (
    Condition,
    DestinationCondition,
    ParamTest,
    Rule,
    RuleSet,
    RuleVersion,
)
from exportcheck.model.status import Status
from exportcheck.readers.manifest import ReadStats, iter_manifest

FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

COUNTRIES = ["CN", "DE", "RU", "NO", "MO", "HK", "US", "IR", "XX", "Norway", "chn", ""]
PARTS = ["H20", "H100", "A100", "MI308", "X-1", "0123", "", "=cmd"]
ECCNS = ["3A090", "3A090.a", "4A090", "EAR99", "3E991", "5A002", "3A001", "bad", ""]
DATES = ["2022-01-01", "2023-10-17", "2024-12-02", "2025-01-15", "2025-06-15", "2026-02-01", "x"]
COLUMNS = ["line_id", "part_number", "eccn", "destination", "ship_date", "tpp", "order no"]

_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=10)
_value = st.one_of(
    st.sampled_from(COUNTRIES + PARTS + ECCNS + DATES),
    _text,
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    header = draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=6, unique=True))
    if "destination" not in header:
        header.append("destination")
    if "part_number" not in header and "eccn" not in header:
        header.append("part_number")
    rows = draw(st.lists(st.lists(_value, min_size=0, max_size=len(header) + 2), max_size=10))
    return header, rows


def _write(tmp: str, name: str, data: bytes) -> Path:
    path = Path(tmp) / name
    path.write_bytes(data)
    return path


def _csv_bytes(header: list[str], rows: list[list[str]], delimiter: str, eol: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=eol)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


# --- the readers never crash ---------------------------------------------------------------------


@FAST
@given(
    table=tables(),
    fmt=st.sampled_from(["csv", "json", "jsonl", "yaml"]),
    cut=st.integers(0, 400),
    junk=st.binary(max_size=20),
)
def test_random_manifests_only_raise_input_error(
    table: tuple[list[str], list[list[str]]], fmt: str, cut: int, junk: bytes
) -> None:
    header, rows = table
    objects = [dict(zip(header, row, strict=False)) for row in rows]
    if fmt == "csv":
        data = _csv_bytes(header, rows, ",", "\r\n")
    elif fmt == "json":
        data = json.dumps(objects).encode()
    elif fmt == "jsonl":
        data = "\n".join(json.dumps(o) for o in objects).encode()
    else:
        data = yaml.safe_dump(objects, allow_unicode=True).encode()
    # damage it: cut it short and splice in junk
    damaged = data[: len(data) - cut] + junk + data[len(data) - cut :]
    with tempfile.TemporaryDirectory() as tmp:
        for content in (data, damaged):
            path = _write(tmp, f"m.{fmt}", content)
            stats = ReadStats()
            try:
                lines = list(iter_manifest(path, stats=stats))
            except InputError as exc:
                assert exc.file == str(path)
                continue
            assert stats.records == len(lines)
            assert all(isinstance(line, ManifestLine) for line in lines)


@FAST
@given(content=st.binary(max_size=400), fmt=st.sampled_from(["csv", "json", "jsonl", "yaml"]))
def test_random_bytes_only_raise_input_error(content: bytes, fmt: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for data in (content, b"\xef\xbb\xbf" + content, b"\xff\xfe" + content):
            path = _write(tmp, f"m.{fmt}", data)
            try:
                lines = list(iter_manifest(path))
            except InputError:
                continue
            assert all(isinstance(line, ManifestLine) for line in lines)


# --- line count preserved, and check is deterministic ------------------------------------------


@FAST
@given(
    table=tables(),
    delimiter=st.sampled_from([",", ";", "\t"]),
    eol=st.sampled_from(["\n", "\r\n"]),
)
def test_every_non_blank_row_is_one_report_line_and_check_is_deterministic(
    shipped_rules: RuleSet,
    table: tuple[list[str], list[list[str]]],
    delimiter: str,
    eol: str,
) -> None:
    header, rows = table
    data = _csv_bytes(header, rows, delimiter, eol)

    def unquoted_cr(cell: str) -> bool:
        # csv.writer quotes a cell for CR only when CR ends its lines; such a cell is then
        # written bare, and the reader reports that line (review) rather than skipping it.
        special = (delimiter, '"', "\n", *eol)
        return "\r" in cell and not any(ch in cell for ch in special if ch != "\r")

    expected = sum(
        1
        for row in rows
        if any(cell.strip() for cell in row) or (eol == "\n" and any(unquoted_cr(c) for c in row))
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(tmp, "m.csv", data)
        outputs = []
        for _ in range(2):
            stats = ReadStats()
            report = build_report(
                iter_manifest(path, stats=stats), shipped_rules, date(2025, 6, 15), []
            )
            assert stats.records == expected == len(report.lines) == report.summary.lines
            outputs.append(render_json(report))
    assert outputs[0] == outputs[1]


# --- adding a rule never lowers a line's status ------------------------------------------------


@st.composite
def conditions(draw: st.DrawFn, depth: int = 0) -> Condition:
    kind = draw(
        st.sampled_from(
            ["eccn", "part", "dest", "param", "end_use"]
            + (["all", "any", "not"] if depth < 2 else [])
        )
    )
    if kind == "eccn":
        return Condition(
            eccn=draw(
                st.lists(
                    st.sampled_from(["3A090", "4A090", "EAR99", "3A*", "5A002"]),
                    min_size=1,
                    max_size=2,
                )
            )
        )
    if kind == "part":
        return Condition(
            part_number=draw(
                st.lists(st.sampled_from(["H20", "H*", "A100", "*"]), min_size=1, max_size=2)
            )
        )
    if kind == "dest":
        if draw(st.booleans()):
            return Condition(destination=DestinationCondition(anywhere=True))
        return Condition(
            destination=DestinationCondition(
                countries=draw(
                    st.lists(st.sampled_from(["CN", "DE", "RU", "NO"]), min_size=1, max_size=3)
                )
            )
        )
    if kind == "param":
        return Condition(
            params=[
                ParamTest(
                    param=draw(st.sampled_from(["tpp", "die_area_mm2", "memory_bandwidth_gbps"])),
                    op=draw(st.sampled_from([">=", ">", "<=", "<", "==", "!="])),
                    value=draw(st.floats(0, 10_000)),
                )
            ]
        )
    if kind == "end_use":
        return Condition(end_use=["military"])
    if kind == "not":
        return Condition(**{"not": draw(conditions(depth + 1))})
    subs = draw(st.lists(conditions(depth + 1), min_size=1, max_size=3))
    return Condition(all=subs) if kind == "all" else Condition(any=subs)


@st.composite
def extra_rules(draw: st.DrawFn) -> Rule:
    effective = draw(st.dates(date(2020, 1, 1), date(2026, 1, 1)))
    compliance = draw(st.none() | st.dates(effective, date(2027, 1, 1)))
    return Rule(
        id="zz.random-extra",
        title="Random extra rule",
        versions=[
            RuleVersion(
                effective=effective,
                compliance_from=compliance,
                citation="test",
                status=draw(
                    st.sampled_from([Status.REVIEW, Status.LICENSE_REQUIRED, Status.PROHIBITED])
                ),
                when=draw(conditions()),
            )
        ],
    )


@st.composite
def manifest_lines(draw: st.DrawFn) -> list[ManifestLine]:
    rows = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "part_number": st.sampled_from(PARTS),
                    "eccn": st.sampled_from(ECCNS),
                    "destination": st.sampled_from(COUNTRIES),
                    "ship_date": st.sampled_from([*DATES, ""]),
                    "tpp": st.sampled_from(["", "100", "4800", "5000", "x"]),
                    "end_use": st.sampled_from(["", "military", "civil"]),
                }
            ),
            min_size=1,
            max_size=8,
        )
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(tmp, "m.json", json.dumps(rows).encode())
        return list(iter_manifest(path))


@settings(max_examples=80, deadline=None)
@given(
    rule=extra_rules(), lines=manifest_lines(), as_of=st.dates(date(2022, 1, 1), date(2026, 12, 31))
)
def test_adding_a_rule_never_lowers_a_status(
    shipped_rules: RuleSet, rule: Rule, lines: list[ManifestLine], as_of: date
) -> None:
    bigger = shipped_rules.model_copy(update={"rules": {**shipped_rules.rules, rule.id: rule}})
    for line in lines:
        before = judge_line(line, shipped_rules, as_of).status
        after = judge_line(line, bigger, as_of).status
        assert after.severity >= before.severity, (line, before, after)
