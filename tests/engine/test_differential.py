"""Differential test: every way of judging a manifest gives the same report.

Hypothesis builds random rule sets over every condition kind the rules support (enumerated
from :class:`exportcheck.model.rules.Condition`, so a new kind fails here until the generator
knows it) and random manifests with every known column (from ``KNOWN_FIELDS`` and ``PARAMS``),
written as CSV and as JSON. The same check then runs through

* the streaming fast path (a CSV manifest, ``--format jsonl``, caches on),
* the cached general path (``--format json`` of the CSV; ``jsonl`` of the JSON manifest),
* ``--no-cache`` (every line judged from scratch),

and the outputs must be the same bytes (JSON Lines) or the same line objects (JSON). Only
the stable entry points are used: the CLI (``exportcheck.cli.app``) and the model types.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import typing
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from exportcheck.cli.app import app
from exportcheck.model.manifest import KNOWN_FIELDS
from exportcheck.model.params import PARAMS
from exportcheck.model.rules import (
    Condition,
    DestinationCondition,
    HeadquartersCondition,
    OwnedByCondition,
    ParamTest,
    PartyCondition,
    RuleSetFile,
)

runner = CliRunner()

GROUPS = ("G:A", "G:B")
COUNTRIES = ("CN", "HK", "MO", "RU", "DE", "JP", "US", "IN")
DAYS = tuple(date(2023, 1, 1) + timedelta(days=90 * i) for i in range(12))  # 2023 → 2025
EL_NAMES = ("Huawei Technologies Co., Ltd.", "Sugon", "Inspur Group Co., Ltd.")
OWNED = ("Lotus Compute Sdn. Bhd.", "Orchid Systems Pte. Ltd.")
PARTY_NAMES = (*EL_NAMES, *OWNED, "Huawei Technologies", "Nordic AI Compute GmbH", "", "")

# -- rules ------------------------------------------------------------------------------

few = st.integers(min_value=1, max_value=2)


def _some(pool: tuple[Any, ...]) -> st.SearchStrategy[list[Any]]:
    return st.lists(st.sampled_from(pool), min_size=1, max_size=2, unique=True)


ECCN_PATTERNS = ("3A090", "3A090.a", "3A090.b", "3A090.c", "4A090*", "EAR99", "3A991", "5A992.c")
PARAM_OPS: tuple[str, ...] = typing.get_args(ParamTest.model_fields["op"].annotation)
PARAM_NAMES = tuple(PARAMS)
THRESHOLDS = (0.0, 1.0, 64.0, 600.0, 1600.5, 4800.0)


@st.composite
def param_test(draw: st.DrawFn) -> dict[str, Any]:
    op = draw(st.sampled_from(PARAM_OPS))
    test: dict[str, Any] = {"param": draw(st.sampled_from(PARAM_NAMES)), "op": op}
    if op not in ("missing", "given"):
        test["value"] = draw(st.sampled_from(THRESHOLDS))
    return test


@st.composite
def destination(draw: st.DrawFn) -> dict[str, Any]:
    cond: dict[str, Any] = {}
    if draw(st.booleans()):
        cond["countries"] = draw(_some(COUNTRIES))
    if draw(st.booleans()):
        cond["groups"] = draw(_some(GROUPS))
    if not cond or draw(st.booleans()):
        cond["anywhere"] = True
    if draw(st.booleans()):
        cond["except_countries"] = draw(_some(COUNTRIES))
    if draw(st.booleans()):
        cond["except_groups"] = draw(_some(GROUPS))
    return cond


@st.composite
def headquarters(draw: st.DrawFn) -> dict[str, Any]:
    cond: dict[str, Any] = {}
    if draw(st.booleans()):
        cond["groups"] = draw(_some(GROUPS))
    if not cond or draw(st.booleans()):
        cond["countries"] = draw(_some(COUNTRIES))
    if draw(st.booleans()):
        cond["ultimate_parent"] = draw(st.booleans())
    return cond


@st.composite
def owned_by(draw: st.DrawFn) -> dict[str, Any]:
    cond: dict[str, Any] = {"lists": ["EL"]}
    if draw(st.booleans()):
        cond["at_least"] = draw(st.sampled_from((25.0, 50.0, 100.0)))
    return cond


@st.composite
def party(draw: st.DrawFn) -> dict[str, Any]:
    cond: dict[str, Any] = {}
    if draw(st.booleans()):
        cond["roles"] = draw(_some(("consignee", "end_user", "forwarder")))
    if draw(st.booleans()):
        cond["headquarters"] = draw(headquarters())
    if "headquarters" not in cond or draw(st.booleans()):
        cond["owned_by"] = draw(owned_by())
    return cond


# Every field of a model the generators fill, so that a field added to the model is noticed.
SUB_FIELDS: dict[type[Any], set[str]] = {
    DestinationCondition: {"countries", "groups", "anywhere", "except_countries", "except_groups"},
    HeadquartersCondition: {"countries", "groups", "ultimate_parent"},
    OwnedByCondition: {"lists", "at_least"},
    PartyCondition: {"roles", "headquarters", "owned_by"},
    ParamTest: {"param", "op", "value"},
}

# One strategy per leaf kind of a condition (keyed by the model's field name).
LEAVES: dict[str, st.SearchStrategy[Any]] = {
    "eccn": _some(ECCN_PATTERNS),
    "part_number": _some(("H20*", "A100", "X-?", "b*")),
    "vendor": _some(("Nvidia", "acme*", "AMD")),
    "category": _some(("gpu", "server*", "memory")),
    "params": st.lists(param_test(), min_size=1, max_size=2),
    "destination": destination(),
    "end_use": _some(("military*", "datacenter", "ai training")),
    "party": party(),
}
COMBINATORS = ("all", "any", "not_")


def _condition(depth: int) -> st.SearchStrategy[dict[str, Any]]:
    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        kinds = list(LEAVES) + (list(COMBINATORS) if depth > 0 else [])
        chosen = draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=2, unique=True))
        cond: dict[str, Any] = {}
        for kind in chosen:
            if kind in LEAVES:
                cond[kind] = draw(LEAVES[kind])
            elif kind == "not_":
                cond["not"] = draw(_condition(depth - 1))
            else:
                cond[kind] = draw(st.lists(_condition(depth - 1), min_size=1, max_size=2))
        return cond

    return build()


@st.composite
def timeline(draw: st.DrawFn, version: st.SearchStrategy[dict[str, Any]]) -> list[dict[str, Any]]:
    """1-3 versions in date order, some ending (``until``) or rescinded, never overlapping."""
    picks = sorted(draw(st.lists(st.sampled_from(range(len(DAYS))), min_size=1, max_size=3,
                                 unique=True)))  # fmt: skip
    versions: list[dict[str, Any]] = []
    for n, i in enumerate(picks):
        nxt = picks[n + 1] if n + 1 < len(picks) else len(DAYS)
        v: dict[str, Any] = {"effective": DAYS[i], "citation": f"cite {n}"}
        if n > 0 and draw(st.integers(0, 4)) == 0:
            v["rescinded"] = True
            versions.append(v)
            continue
        v.update(draw(version))
        if nxt > i + 1 and draw(st.booleans()):
            v["until"] = DAYS[draw(st.integers(i + 1, min(nxt, len(DAYS) - 1)))]
        if "compliance_from" in v:
            v["compliance_from"] = DAYS[i] + timedelta(days=v["compliance_from"])
        versions.append(v)
    return versions


@st.composite
def rule_version(draw: st.DrawFn) -> dict[str, Any]:
    v: dict[str, Any] = {
        "status": draw(st.sampled_from(("review", "license_required", "prohibited"))),
        "when": draw(_condition(2)),
    }
    if draw(st.integers(0, 3)) == 0:
        v["compliance_from"] = draw(st.sampled_from((0, 30, 60)))  # days after effective
    if draw(st.booleans()):
        v["review_policy"] = "Case by case."
    return v


@st.composite
def classification_version(draw: st.DrawFn) -> dict[str, Any]:
    item_only = st.fixed_dictionaries(
        {"params": st.lists(param_test(), min_size=1, max_size=2)},
        optional={"vendor": LEAVES["vendor"], "category": LEAVES["category"]},
    )
    outcomes = draw(st.lists(st.fixed_dictionaries({
        "eccn": st.sampled_from(("3A090.a", "3A090.b", "4A090.a", "3A991")),
        "when": item_only,
    }), min_size=1, max_size=2))  # fmt: skip
    return {"outcomes": outcomes}


@st.composite
def member(draw: st.DrawFn, country: str) -> Any:
    if draw(st.booleans()):
        return country
    i = draw(st.integers(0, len(DAYS) - 2))
    return {"country": country, "from": DAYS[i], "until": DAYS[draw(st.integers(i + 1, 11))]}


@st.composite
def rule_set(draw: st.DrawFn) -> dict[str, Any]:
    groups = []
    for gid in GROUPS:
        countries = draw(st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=4, unique=True))
        groups.append({"id": gid, "title": gid, "citation": "c",
                       "members": [draw(member(c)) for c in countries]})  # fmt: skip
    treatments = [{"country": "HK", "treated_as": "CN", "citation": "85 FR 83765"}]
    if draw(st.booleans()):
        treatments[0]["from"] = draw(st.sampled_from(DAYS))
    if draw(st.booleans()):
        treatments.append({"country": "MO", "treated_as": "CN", "citation": "t",
                           "until": draw(st.sampled_from(DAYS))})  # fmt: skip
    n_rules = draw(st.integers(1, 4))
    rules = [
        {"id": f"r{i}", "title": f"rule {i}", "versions": draw(timeline(rule_version()))}
        for i in range(n_rules)
    ]
    doc: dict[str, Any] = {
        "id": "differential",
        "title": "random rules",
        "authority": "test",
        "version": "1",
        "country_groups": groups,
        "country_treatments": treatments,
        "rules": rules,
    }
    if draw(st.booleans()):
        doc["classifications"] = [
            {"id": "cls", "title": "derive", "versions": draw(timeline(classification_version()))}
        ]
    return doc


# -- manifests --------------------------------------------------------------------------

NUMBERS = ("", "", "0", "64", "600", "4800", "15832", "1600.5", "2.5")
# Values that cannot be judged (a row with one takes the general path; kept rare).
BAD: dict[str, tuple[str, ...]] = {
    "eccn": ("9Z9",),
    "destination": ("Atlantis",),
    "ship_date": ("2024-02-30", "soon"),
    "quantity": ("many", "-3"),
    "unit_value": ("x",),
    "consignee_hq_country": ("Atlantis",),
    **dict.fromkeys(PARAMS, ("abc", "-3")),
}
COLUMN_VALUES: dict[str, tuple[str, ...]] = {
    "line_id": ("",),  # replaced by a unique id (or left blank: the row number)
    "part_number": ("H20", "H200", "A100", "X-1", "b7", "RACK", "", "A100"),
    "eccn": ("3A090", "3A090.a", "3A090.b", "3A090.c", "4A090.a", "EAR99", "3A991", "", ""),
    "description": ("a chip", "", "server, 8 GPUs"),
    "vendor": ("Nvidia", "NVIDIA", "Acme Corp", "AMD", ""),
    "category": ("gpu", "server rack", "memory", ""),
    "destination": (*COUNTRIES, "China", "CHN", ""),
    "quantity": ("1", "10", "", "2.5"),
    "unit_value": ("100", "", "30000.00"),
    "currency": ("USD", "", "EUR"),
    "consignee": PARTY_NAMES,
    "end_user": PARTY_NAMES,
    "ship_date": ("", "", *(d.isoformat() for d in DAYS[::2])),
    "end_use": ("military use", "datacenter", "AI training", ""),
    "consignee_hq_country": ("", "", "CN", "DE", "MO"),
    "consignee_parent": ("", "", "Sugon", "Parent GmbH"),
    "consignee_parent_hq_country": ("", "CN", "JP"),
    "end_user_hq_country": ("", "", "HK", "US", "RU"),
    "end_user_parent": ("", "Huawei Technologies Co., Ltd.", "Someone Ltd"),
    "end_user_parent_hq_country": ("", "CN", "IN"),
}
EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {
    "order_no": ("SO-1", "", "SO-2"),  # unknown: carried through
    "forwarder": PARTY_NAMES,  # a --party-columns column
    "forwarder_hq_country": ("", "CN", "DE"),
}
COLUMNS = (*KNOWN_FIELDS, *PARAMS, *EXTRA_COLUMNS)


def _values(column: str) -> tuple[str, ...]:
    if column in PARAMS:
        return ("0", "1") if column == "datacenter" else NUMBERS
    return COLUMN_VALUES.get(column) or EXTRA_COLUMNS[column]


ITEM_TEXT = ("part_number", "eccn", "vendor", "category", "description", "end_use")
ITEM_COLUMNS = (*ITEM_TEXT, *PARAMS)


@st.composite
def manifest(draw: st.DrawFn) -> list[dict[str, str]]:
    """Rows drawn from a few item templates (the caches must see the same item again, and
    items that differ in one cell only), with the other columns drawn per row."""
    columns = [
        c
        for c in COLUMNS
        if c in ("destination", "part_number")
        or draw(st.integers(0, 3)) < (3 if c in ITEM_TEXT else 2)  # item texts: more often
    ]
    item_columns = [c for c in columns if c in ITEM_COLUMNS]
    templates = [
        {c: draw(st.sampled_from(_values(c))) for c in item_columns}
        for _ in range(draw(st.integers(1, 3)))
    ]
    n = draw(st.integers(1, 12))
    rows = []
    for i in range(n):
        row = {c: draw(st.sampled_from(_values(c))) for c in columns}
        row.update(draw(st.sampled_from(templates)))
        if item_columns and draw(st.booleans()):  # the template with one cell changed
            texts = [c for c in item_columns if c in ITEM_TEXT]
            c = draw(st.sampled_from(texts if texts and draw(st.booleans()) else item_columns))
            row[c] = draw(st.sampled_from(_values(c)))
        bad = [c for c in columns if c in BAD]
        if bad and draw(st.integers(0, 9)) == 0:  # now and then a value that cannot be judged
            c = draw(st.sampled_from(bad))
            row[c] = draw(st.sampled_from(BAD[c]))
        if "line_id" in row:
            row["line_id"] = f"L-{i + 1}"
        rows.append(row)
    return rows


CATALOG = {
    "items": [
        {"part_number": "A100", "vendor": "Nvidia", "category": "gpu", "eccn": "3A090.a",
         "params": {"tpp": 4992, "die_area_mm2": 826, "interconnect_gbps": 600}},
        {"part_number": "H20", "vendor": "Nvidia", "category": "gpu",
         "params": {"tpp": 2368, "memory_bandwidth_gbps": 4000}},
        {"part_number": "RACK", "eccn": "EAR99", "category": "server rack"},
    ]
}  # fmt: skip
OWNERSHIP = {
    "ownership": [
        {"entity": OWNED[0], "owner": EL_NAMES[0], "share": 60, "as_of": "2023-01-01",
         "source": "test", "entity_hq_country": "MY"},
        {"entity": OWNED[1], "owner": EL_NAMES[1], "share": 30, "as_of": "2023-01-01",
         "source": "test", "entity_hq_country": "SG"},
    ]
}  # fmt: skip


# -- the test ---------------------------------------------------------------------------


def test_generators_cover_every_condition_kind() -> None:
    """A new condition kind, sub-condition field, parameter test or manifest column must be
    added to the generators above (else the differential test would never exercise it)."""
    assert set(Condition.model_fields) == set(LEAVES) | set(COMBINATORS)
    for model, covered in SUB_FIELDS.items():
        assert set(model.model_fields) == covered, model.__name__
    assert set(PARAM_OPS) == {">=", ">", "<=", "<", "==", "!=", "missing", "given"}
    for column in (*KNOWN_FIELDS, *PARAMS):
        assert _values(column), column


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code in (0, 1), (args, result.stdout, result.stderr)
    return result.stdout


def _lines_only(jsonl: str) -> list[dict[str, Any]]:
    """The line objects of JSON Lines output without what says which file was read."""
    objs = [json.loads(line) for line in jsonl.splitlines()]
    for obj in objs[:-1]:
        obj.pop("source_line", None)
    return objs[:-1]


def _write(folder: Path, rules: dict[str, Any], rows: list[dict[str, str]]) -> None:
    (folder / "rules.yaml").write_text(yaml.safe_dump(rules, sort_keys=False), encoding="utf-8")
    (folder / "catalog.yaml").write_text(yaml.safe_dump(CATALOG), encoding="utf-8")
    (folder / "ownership.yaml").write_text(yaml.safe_dump(OWNERSHIP), encoding="utf-8")
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (folder / "m.csv").write_text(text.getvalue(), encoding="utf-8")
    (folder / "m.json").write_text(json.dumps(rows), encoding="utf-8")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(rules=rule_set(), rows=manifest(), as_of=st.sampled_from(DAYS), with_catalog=st.booleans())
def test_fast_cached_and_uncached_paths_agree(
    rules: dict[str, Any], rows: list[dict[str, str]], as_of: date, with_catalog: bool
) -> None:
    RuleSetFile.model_validate(rules)  # the generator makes valid rule files only
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _write(folder, rules, rows)
        common = [
            "--rules", str(folder / "rules.yaml"), "--date", as_of.isoformat(),
            "--ownership", str(folder / "ownership.yaml"), "--fail-on", "never",
        ]  # fmt: skip
        if with_catalog:
            common += ["--catalog", str(folder / "catalog.yaml")]
        if "forwarder" in rows[0]:
            common += ["--party-columns", "forwarder"]
        csv_path, json_path = str(folder / "m.csv"), str(folder / "m.json")

        fast = _run("check", csv_path, "-f", "jsonl", *common)
        uncached = _run("check", csv_path, "-f", "jsonl", "--no-cache", *common)
        assert fast == uncached  # the fast path and from-scratch judging: the same bytes

        report = json.loads(_run("check", csv_path, "-f", "json", *common))
        objs = [json.loads(line) for line in fast.splitlines()]
        assert report["lines"] == objs[:-1]  # the cached general path (api.check)
        assert report["summary"] == objs[-1]["summary"]

        # The JSON manifest takes the general path (cached and not): the same lines, but for
        # the physical line numbers and the manifest's source entry.
        from_json = _run("check", json_path, "-f", "jsonl", *common)
        from_json_uncached = _run("check", json_path, "-f", "jsonl", "--no-cache", *common)
        assert from_json == from_json_uncached
        assert _lines_only(from_json) == _lines_only(fast)
        assert json.loads(from_json.splitlines()[-1])["summary"] == objs[-1]["summary"]
