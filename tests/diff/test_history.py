"""``exportcheck history``: status over time, change points with causes, the timeline."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from _diff_helpers import CATALOG, ROOT, Run

from exportcheck import api
from exportcheck.engine.history import candidate_dates, item_history
from exportcheck.formats.history import allocate, render
from exportcheck.model.history import HistoryQuery
from exportcheck.model.status import Status
from exportcheck.readers.catalog import load_catalog

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def test_h20_to_china_allowed_then_licence_required(run: Run) -> None:
    doc = run.json(
        "history",
        "--part",
        "H20",
        "--destination",
        "CN",
        "--catalog",
        str(CATALOG),
        "--to",
        "2026-06-30",
    )
    assert doc["from"] == "2022-08-25"  # the day before the first shipped rule version
    first = doc["changes"][0]
    assert first["date"] == "2025-04-09"
    assert (first["before"], first["after"]) == ("allowed", "license_required")
    assert first["entered"] == ["bis.letters.2025.h20-mi308@2025-04-09"]
    segs = doc["segments"]
    assert [(s["start"], s["end"], s["status"]) for s in segs] == [
        ("2022-08-25", "2025-04-08", "allowed"),
        ("2025-04-09", "2025-07-13", "license_required"),
        ("2025-07-14", "2026-06-30", "license_required"),
    ]
    # the July 2025 letter: same status, new version with an approval policy
    july = doc["changes"][1]
    assert july["date"] == "2025-07-14" and july["before"] == july["after"]
    assert "version 2025-04-09 → 2025-07-14" in july["causes"][0]
    assert "Approval" in july["causes"][0]
    assert doc["status"] == "license_required"
    assert doc["item"]["eccn"] == "3A991"  # from the catalog


def test_eda_to_hong_kong_on_and_off() -> None:
    ruleset, _ = api.load_rules(None)
    catalog, _ = load_catalog(CATALOG)
    report = item_history(
        HistoryQuery(part_number="VCS", destination="HK"),
        ruleset,
        date(2025, 1, 1),
        date(2025, 12, 31),
        catalog=catalog,
    )
    assert [(s.start, s.status) for s in report.segments] == [
        ("2025-01-01", Status.ALLOWED),
        ("2025-05-23", Status.LICENSE_REQUIRED),
        ("2025-07-02", Status.ALLOWED),
    ]
    assert report.changes[1].left == ["bis.letters.2025.eda-china@2025-05-23"]
    assert sum(s.days for s in report.segments) == 365


def test_party_history(run: Run) -> None:
    doc = run.json(
        "history",
        "--party",
        "Moore Threads Intelligent Technology",
        "--destination",
        "CN",
        "--from",
        "2023-01-01",
        "--to",
        "2024-01-01",
    )
    assert [(c["date"], c["after"]) for c in doc["changes"]] == [("2023-10-17", "license_required")]
    assert doc["changes"][0]["entered"] == ["party:EL:EL-moore-threads"]


def test_spec_only_item(run: Run) -> None:
    """An unnamed chip by its ECCN and specs: the H200-class review policy from 2026-01-15."""
    doc = run.json(
        "history",
        "--eccn",
        "3A090.a",
        "--spec",
        "tpp=15832",
        "--spec",
        "memory_bandwidth_gbps=4800",
        "--destination",
        "CN",
        "--from",
        "2025-12-01",
        "--to",
        "2026-02-01",
    )
    assert doc["query"]["params"] == {"tpp": 15832.0, "memory_bandwidth_gbps": 4800.0}
    assert [c["date"] for c in doc["changes"]] == ["2026-01-15"]
    assert "ear.advanced-computing.h200-class-review@2026-01-15" in doc["changes"][0]["entered"]


def test_change_points_include_group_treatment_and_list_dates() -> None:
    ruleset, _ = api.load_rules(None)
    index, _ = api.load_screening(None)
    dates = candidate_dates(ruleset, index.entries, date(2019, 1, 1), date(2026, 12, 31))
    for d in ("2025-11-07", "2020-12-23", "2023-10-17", "2025-04-09", "2024-12-31"):
        assert date.fromisoformat(d) in dates


@pytest.mark.parametrize(
    "args, field",
    [
        (["--part", "H20"], "--destination"),
        (["--destination", "CN"], "--part"),
        (["--part", "H20", "--destination", "Atlantis"], "--destination"),
        (["--eccn", "3X999.q", "--destination", "CN"], "--eccn"),
        (["--spec", "tpp", "--destination", "CN"], "--spec"),
        (["--spec", "speed=3", "--destination", "CN"], "--spec"),
        (["--spec", "tpp=fast", "--destination", "CN"], "--spec"),
        (["--part", "H20", "--destination", "CN", "--from", "2025-02-30"], "--from"),
        (
            ["--part", "H20", "--destination", "CN", "--from", "2025-02-01", "--to", "2025-01-01"],
            "--to",
        ),
    ],
)
def test_bad_input_exits_2(run: Run, args: list[str], field: str) -> None:
    code, out, err = run("history", *args)
    assert code == 2 and out == ""
    assert field in err


def test_allocate_keeps_every_segment_visible() -> None:
    assert allocate([958, 40, 96, 501], 96) == allocate([958, 40, 96, 501], 96)
    cols = allocate([1000, 1, 1, 1000], 20)
    assert sum(cols) == 20 and min(cols) >= 1
    assert allocate([5], 10) == [10]
    assert sum(allocate([1] * 30, 10)) == 30  # more segments than columns: one each


def _report(part: str, destination: str, end: str, start: str | None = None) -> object:
    ruleset, _ = api.load_rules([ROOT / "rules"])
    catalog, _ = load_catalog(CATALOG)
    from exportcheck.engine.history import default_start

    return item_history(
        HistoryQuery(part_number=part, destination=destination),
        ruleset,
        date.fromisoformat(start) if start else default_start(ruleset),
        date.fromisoformat(end),
        catalog=catalog,
    )


@pytest.mark.parametrize(
    "name, part, destination, start, end",
    [
        ("history-h20-cn.txt", "H20", "CN", None, "2026-06-30"),
        ("history-mi308-cn.txt", "MI308", "CN", "2024-06-01", "2026-06-30"),
        ("history-vcs-hk.txt", "VCS", "HK", "2025-01-01", "2025-12-31"),
    ],
)
def test_timeline_golden(
    name: str, part: str, destination: str, start: str | None, end: str
) -> None:
    report = _report(part, destination, end, start)
    produced = render(report, color=False, width=100).encode("utf-8")  # type: ignore[arg-type]
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(produced)
    assert path.exists(), f"missing golden {path}; run with UPDATE_GOLDEN=1"
    assert produced == path.read_bytes(), f"{name} differs from its golden file"


def test_timeline_colour_and_width() -> None:
    report = _report("H20", "CN", "2026-06-30")
    plain = render(report, color=False, width=80)  # type: ignore[arg-type]
    assert "\x1b[" not in plain
    bar = plain.splitlines()[2]
    assert len(bar) == 80 - 2 and set(bar.strip()) == {"░", "█"}
    coloured = render(report, color=True, width=80)  # type: ignore[arg-type]
    assert "\x1b[31m█" in coloured and "\x1b[32m░" in coloured
    assert "2025-04-09" in plain.splitlines()[4]


def test_party_headquarters_decides_the_headquarters_rule(run: Run) -> None:
    """H100 to Germany: from 2023-11-17 the headquarters rule needs to know where the party
    is; headquartered in Germany it does not apply, in China it does."""
    base = ("history", "--part", "H100", "--destination", "DE", "--catalog", str(CATALOG))
    span = ("--from", "2023-11-01", "--to", "2023-12-31")
    unknown = run.json(*base, *span)
    assert [(s["start"], s["status"]) for s in unknown["segments"]] == [
        ("2023-11-01", "allowed"),
        ("2023-11-17", "review"),
    ]
    local = run.json(*base, *span, "--party", "Rhein Compute GmbH", "--party-hq", "DE")
    assert [s["status"] for s in local["segments"]] == ["allowed"]
    assert local["query"]["party_hq"] == "DE"
    chinese = run.json(*base, *span, "--party", "Rhein Compute GmbH", "--party-hq", "China")
    assert chinese["changes"][0]["entered"] == ["ear.3a090-4a090.headquarters@2023-11-17"]
    assert chinese["status"] == "license_required"
    code, _, err = run(*base, "--party-hq", "Narnia")
    assert code == 2 and "Narnia" in err
