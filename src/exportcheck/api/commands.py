"""The library form of ``screen``, ``classify``, ``diff`` and ``history``: each takes what the
command's options say (paths, dates as ``YYYY-MM-DD`` or :class:`datetime.date`) and returns
the report the command renders; :func:`to_json` of it is, byte for byte, the command's
``--format json``. Bad input raises :class:`exportcheck.errors.InputError` naming the option.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date as Date
from datetime import timedelta
from pathlib import Path

from exportcheck.api.loading import (
    PathLike,
    load_ownership,
    load_rules,
    load_screening,
    parse_date,
    party_columns_option,
)
from exportcheck.engine.parties import PartyScreening
from exportcheck.engine.screening import (
    DEFAULT_HIT_THRESHOLD,
    DEFAULT_REVIEW_THRESHOLD,
    ScreeningConfig,
)
from exportcheck.errors import InputError
from exportcheck.model.classification import ClassificationReport
from exportcheck.model.countries import normalize_country
from exportcheck.model.diff import DiffReport
from exportcheck.model.eccn import normalize_eccn
from exportcheck.model.history import HistoryQuery, HistoryReport
from exportcheck.model.manifest import Catalog
from exportcheck.model.params import PARAMS, parse_spec
from exportcheck.model.parties import ScreenResult
from exportcheck.model.report import Report

Specs = Mapping[str, float | bool] | Sequence[str] | None


def _country(value: str | None, option: str) -> str | None:
    if value is None or not value.strip():
        return None
    code = normalize_country(value)
    if code is None:
        raise InputError(f"unknown country '{value}'", field=option)
    return code


def _catalog(path: PathLike | None) -> Catalog | None:
    from exportcheck.readers.catalog import load_catalog

    return None if path is None else load_catalog(Path(path))[0]


def _span(
    start: str | Date | None, end: str | Date | None, default_start: Date
) -> tuple[Date, Date]:
    d0 = parse_date(start, "--from") if start else default_start
    d1 = parse_date(end, "--to") if end else Date.today()
    if d1 < d0:
        raise InputError(f"--to {d1} is before --from {d0}", field="--to")
    return d0, d1


def screen(
    names: Sequence[str],
    *,
    country: str | None = None,
    date: str | Date | None = None,
    lists: Sequence[PathLike] | None = None,
    hit_threshold: float = DEFAULT_HIT_THRESHOLD,
    review_threshold: float = DEFAULT_REVIEW_THRESHOLD,
) -> list[ScreenResult]:
    """Screen ``names`` against the restricted-party ``lists`` in force on ``date`` (default:
    today; the shipped lists). ``country`` is a signal only. One result per name, in order."""
    day = parse_date(date)
    cc = _country(country, "--country")
    for label, value in (
        ("--hit-threshold", hit_threshold),
        ("--review-threshold", review_threshold),
    ):
        if not 0 <= value <= 100:
            raise InputError(f"threshold {value} is not between 0 and 100", field=label)
    if review_threshold > hit_threshold:
        raise InputError(
            f"--review-threshold {review_threshold} is above --hit-threshold {hit_threshold}",
            field="--review-threshold",
        )
    if not names or any(not n.strip() for n in names):
        raise InputError("empty name to screen", field="NAME")
    config = ScreeningConfig(hit_threshold=hit_threshold, review_threshold=review_threshold)
    index, _sources = load_screening(lists, config)
    return index.screen_many(list(names), country=cc, on=day)


def _spec_texts(specs: Specs) -> list[str]:
    """A mapping of specs as ``KEY=VALUE`` texts, checked like the command's ``--spec``."""
    if specs is None:
        return []
    if isinstance(specs, Mapping):
        return [f"{k}={v}" for k, v in specs.items()]
    return list(specs)


def _classify_params(specs: Specs) -> dict[str, float]:
    out: dict[str, float] = {}
    for text in _spec_texts(specs):
        try:
            name, value = parse_spec(text)
        except ValueError as exc:
            raise InputError(str(exc), field="--spec") from None
        out[name] = value
    return out


def classify(
    part: str | None = None,
    *,
    spec: Specs = None,
    category: str | None = None,
    catalog: PathLike | None = None,
    rules: Sequence[PathLike] | None = None,
    start: str | Date | None = None,
    end: str | Date | None = None,
) -> ClassificationReport:
    """The classification timeline of one item: ``part`` looked up in ``catalog`` and/or its
    ``spec`` (``{"tpp": 4800}`` or ``["tpp=4800"]``), from ``start`` (default: the day before
    the first criteria) to ``end`` (default: today)."""
    from exportcheck.engine.classify import classification_timeline, derive_specs

    params: dict[str, float] = {}
    label = part or "item"
    if part is not None:
        if catalog is None:
            raise InputError(f"to look up part '{part}', give --catalog", field="--catalog")
        cat = _catalog(catalog)
        entry = cat.get(part) if cat is not None else None
        if entry is None:
            raise InputError(
                f"part '{part}' is not in the catalog", file=str(catalog), field="part_number"
            )
        params.update(entry.params)
        category = category or entry.category
        label = entry.part_number
    given = _classify_params(spec)
    params.update(given)
    if part is None and not given:
        raise InputError(
            "give a PART (with --catalog) or at least one --spec KEY=VALUE", field="PART"
        )
    ruleset, _ = load_rules(rules)
    if not ruleset.classifications:
        raise InputError("the rules loaded contain no classification criteria", field="--rules")
    first = min(v.effective for c in ruleset.classifications.values() for v in c.versions)
    d0, d1 = _span(start, end, first - timedelta(days=1))
    specs = derive_specs(params)
    segments = classification_timeline(specs, category, ruleset, d0, d1)
    return ClassificationReport(label, category, specs, d0, d1, tuple(segments))


def diff(
    date_from: str | Date,
    date_to: str | Date,
    *,
    rules: Sequence[PathLike] | None = None,
    rules_before: Sequence[PathLike] | None = None,
    lists: Sequence[PathLike] | None = None,
    manifest: PathLike | None = None,
    catalog: PathLike | None = None,
    ownership: PathLike | None = None,
) -> DiffReport:
    """What changed between ``date_from`` and ``date_to``: rule versions, list entries,
    country groups; with ``rules_before``, two rule-set versions compared; with ``manifest``,
    its lines whose status differs."""
    from exportcheck.engine.diff import Mode, build_diff
    from exportcheck.readers.manifest import iter_manifest

    d_from = parse_date(date_from, "--from")
    d_to = parse_date(date_to, "--to")
    after, _ = load_rules(rules)
    mode: Mode = "dates"
    before = after
    if rules_before:
        before, _ = load_rules(rules_before)
        mode = "rule-sets"
    index, _ = load_screening(lists)
    cat = _catalog(catalog)
    lines = None
    parties = None
    if manifest is not None:
        if not Path(manifest).is_file():
            raise InputError("no such manifest file", file=str(manifest))
        lines = list(iter_manifest(Path(manifest), display=str(manifest)))
        owners, _ = load_ownership(ownership)
        parties = PartyScreening(index=index, columns=party_columns_option(None), ownership=owners)
    return build_diff(
        before,
        after,
        d_from,
        d_to,
        mode=mode,
        entries=index.entries,
        lines=lines,
        catalog=cat,
        parties=parties,
    )


def _history_params(specs: Specs) -> dict[str, float]:
    """``["tpp=15832"]`` (``a=1,b=2`` also accepted) or a mapping → parameters."""
    from exportcheck.readers.manifest import normalize_header, parse_param

    out: dict[str, float] = {}
    for raw in _spec_texts(specs):
        for part in raw.split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise InputError(
                    f"'{part.strip()}' is not KEY=VALUE (e.g. tpp=15832)", field="--spec"
                )
            key, value = part.split("=", 1)
            name = normalize_header(key)
            if name not in PARAMS:
                raise InputError(
                    f"unknown parameter '{key.strip()}'; known: {', '.join(PARAMS)}",
                    field="--spec",
                )
            try:
                out[name] = parse_param(name, value.strip())
            except ValueError as exc:
                raise InputError(f"{name}: {exc}", field="--spec") from None
    return out


def _blank_to_none(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def history(
    *,
    part: str | None = None,
    eccn: str | None = None,
    spec: Specs = None,
    destination: str | None = None,
    party: str | None = None,
    party_hq: str | None = None,
    start: str | Date | None = None,
    end: str | Date | None = None,
    catalog: PathLike | None = None,
    rules: Sequence[PathLike] | None = None,
    lists: Sequence[PathLike] | None = None,
) -> HistoryReport:
    """The status of one item (``part``, ``eccn``, ``spec``) to ``destination`` and/or one
    ``party`` over time, from ``start`` (default: before the first rule) to ``end`` (today)."""
    from exportcheck.engine.history import default_start, item_history

    params = _history_params(spec)
    code: str | None = None
    if eccn is not None and eccn.strip():
        code = normalize_eccn(eccn)
        if code is None:
            raise InputError(f"'{eccn}' is not an ECCN (e.g. 3A090.a or EAR99)", field="--eccn")
    cc = _country(destination, "--destination")
    hq = _country(party_hq, "--party-hq")
    name = _blank_to_none(party)
    query = HistoryQuery(
        part_number=_blank_to_none(part),
        eccn=code,
        params=params,
        destination=cc,
        party=name,
        party_hq=hq,
    )
    if not query.has_item and not query.party:
        raise InputError("give an item (--part, --eccn or --spec) or a --party", field="--part")
    if query.has_item and cc is None:
        raise InputError("an item needs a --destination", field="--destination")
    ruleset, _ = load_rules(rules)
    d0, d1 = _span(start, end, default_start(ruleset))
    cat = _catalog(catalog)
    index = load_screening(lists)[0] if name is not None else None
    return item_history(query, ruleset, d0, d1, catalog=cat, screening=index)


def to_json(
    result: Report | DiffReport | HistoryReport | ClassificationReport | Sequence[ScreenResult],
) -> str:
    """The ``--format json`` text of what :func:`check`, :func:`diff`, :func:`history`,
    :func:`classify` or :func:`screen` returned (the same bytes as the command writes)."""
    if isinstance(result, Report):
        from exportcheck.formats import json as fmt_json

        return fmt_json.render(result)
    if isinstance(result, DiffReport):
        from exportcheck.formats import diff as fmt_diff

        return fmt_diff.render_json(result)
    if isinstance(result, HistoryReport):
        from exportcheck.formats import history as fmt_history

        return fmt_history.render_json(result)
    if isinstance(result, ClassificationReport):
        from exportcheck.formats import classify as fmt_classify

        return fmt_classify.render_json(result)
    from exportcheck.formats.screen import render_screen_json

    return render_screen_json(list(result))
