"""``check``: a whole manifest judged into one :class:`Report`, and the timelines of its
flagged lines (for the HTML page)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from datetime import date as Date
from pathlib import Path

from exportcheck.api.loading import (
    PathLike,
    check_party_columns,
    content_hash,
    load_rules,
    prepare,
    scope_notices,
    tool_version,
)
from exportcheck.engine.judge.judge import judge_lines
from exportcheck.engine.licensing import LicenceLedger
from exportcheck.engine.parties import PartyScreening
from exportcheck.engine.screening import ScreeningConfig
from exportcheck.engine.waivers import apply_waivers
from exportcheck.model.history import HistoryReport
from exportcheck.model.licensing import LicenceSet
from exportcheck.model.manifest import Catalog, ManifestLine
from exportcheck.model.report import (
    LineResult,
    Report,
    Source,
    summarize,
)
from exportcheck.model.rules import RuleSet
from exportcheck.model.status import Status
from exportcheck.model.waivers import WaiverSet
from exportcheck.readers.manifest import ReadOptions, ReadStats


def judge_held(
    lines: Iterable[ManifestLine],
    ruleset: RuleSet,
    as_of: Date,
    catalog: Catalog | None = None,
    parties: PartyScreening | None = None,
    licences: LicenceSet | None = None,
    waivers: WaiverSet | None = None,
    *,
    cache: bool = True,
) -> Iterator[LineResult]:
    """Judge lines in input order (streaming), then apply the waivers and the licences held,
    drawing the licences down in this order. Pure. ``cache=False`` judges every line afresh."""
    pending: deque[ManifestLine] = deque()

    def tapped() -> Iterator[ManifestLine]:
        for line in lines:
            pending.append(line)
            yield line

    ledger = LicenceLedger(licences) if licences is not None else None
    # judge_lines yields exactly one result per line, in order, as it consumes them.
    for result in judge_lines(tapped(), ruleset, as_of, catalog, parties, cache=cache):
        line = pending.popleft()
        if waivers is not None:
            result = apply_waivers(line, result, waivers)
        if ledger is not None:
            result = ledger.apply(line, result)
        yield result


def build_report(
    lines: Iterable[ManifestLine],
    ruleset: RuleSet,
    as_of: Date,
    sources: Sequence[Source],
    catalog: Catalog | None = None,
    parties: PartyScreening | None = None,
    licences: LicenceSet | None = None,
    waivers: WaiverSet | None = None,
    stats: ReadStats | None = None,
    *,
    cache: bool = True,
) -> Report:
    """Judge ``lines`` (pure) and wrap the results with version, date and source hashes.

    With ``stats`` (filled by the manifest reader), the report states how many records were
    read, and no report is produced unless that equals the number of lines judged.
    """
    results: list[LineResult] = list(
        judge_held(lines, ruleset, as_of, catalog, parties, licences, waivers, cache=cache)
    )
    if stats is not None and stats.records != len(results):
        raise RuntimeError(f"read {stats.records} manifest records but judged {len(results)} lines")
    if parties is not None and results:
        check_party_columns(parties, None)  # the columns the lines had
    read_notices = tuple(stats.notices) if stats is not None else ()
    entries = len(parties.index.entries) if parties is not None else 0
    return Report(
        exportcheck=tool_version(),
        as_of=as_of.isoformat(),
        rules_sha256=content_hash(sources),
        sources=tuple(sources),
        summary=summarize(results, stats.records if stats is not None else None),
        notices=(*read_notices, *scope_notices(ruleset, entries, sources)),
        lines=tuple(results),
    )


def check(
    manifest: PathLike,
    *,
    date: str | Date | None = None,
    rules: Sequence[PathLike] | None = None,
    catalog: PathLike | None = None,
    lists: Sequence[PathLike] | None = None,
    party_columns: Iterable[str] | None = None,
    screening: ScreeningConfig | None = None,
    licenses: PathLike | None = None,
    waivers: PathLike | None = None,
    cache: bool = True,
    ownership: PathLike | None = None,
    read_options: ReadOptions | None = None,
) -> Report:
    """Check a manifest file against the rules in force on ``date`` (default today), and
    screen its consignee, end user and ``party_columns`` against restricted-party ``lists``
    (default: the shipped rules and lists). ``licenses`` (licences held, YAML or CSV) turn
    covered ``license_required`` lines into ``licensed``; ``waivers`` mark approved exceptions;
    ``ownership`` (YAML or CSV) says who owns the parties and where they are headquartered.
    ``cache=False`` judges and screens every line from scratch (same report, slower).
    ``read_options`` say how to read the manifest: columns mapped to fields, a workbook's
    sheet, decimal commas, the ship dates' format (:class:`~exportcheck.readers.manifest.
    ReadOptions`; default: as written).

    The report holds every line; for large manifests see :func:`check_stream`.
    Raises :class:`exportcheck.errors.InputError` for unreadable or invalid input.
    """
    from exportcheck.readers.manifest import iter_manifest

    p = prepare(
        manifest,
        date,
        rules,
        catalog,
        lists,
        party_columns,
        screening,
        licenses,
        waivers,
        cache,
        ownership,
        read_options,
    )
    stats = ReadStats()
    lines = iter_manifest(p.manifest, display=p.display, stats=stats, options=p.read_options)
    return build_report(
        lines,
        p.ruleset,
        p.as_of,
        p.sources,
        p.catalog,
        p.parties,
        p.licences,
        p.waivers,
        stats,
        cache=cache,
    )


def flagged_timelines(
    report: Report,
    *,
    rules: Sequence[PathLike] | None = None,
    catalog: PathLike | None = None,
    days: int = 182,
    limit: int = 12,
) -> list[HistoryReport]:
    """The status over time (``days`` either side of the as-of date) of each distinct item
    and destination among the report's flagged lines (``review`` and worse), at most
    ``limit`` of them in report order: what the HTML report draws. The rules (and catalog)
    are those the report was made with."""
    from datetime import timedelta

    from exportcheck.engine.history import item_history
    from exportcheck.model.countries import normalize_country
    from exportcheck.model.history import HistoryQuery
    from exportcheck.readers.catalog import load_catalog

    ruleset, _ = load_rules(rules)
    cat = load_catalog(Path(catalog))[0] if catalog is not None else None
    as_of = Date.fromisoformat(report.as_of)
    queries: list[HistoryQuery] = []
    for line in report.lines:
        if line.status.severity < Status.REVIEW.severity or line.destination is None:
            continue
        item = line.item
        if not item.part_number and not item.eccn:
            continue
        hq_text = next(
            (str(line.fields[c]) for c in ("end_user_hq_country", "consignee_hq_country")
             if line.fields.get(c)),
            None,
        )  # fmt: skip
        query = HistoryQuery(
            part_number=item.part_number,
            eccn=item.eccn if item.eccn_source == "line" else None,
            destination=line.destination,
            party_hq=normalize_country(hq_text) if hq_text else None,
        )
        if query not in queries:
            queries.append(query)
            if len(queries) >= limit:
                break
    start, end = as_of - timedelta(days=days), as_of + timedelta(days=days)
    return [item_history(q, ruleset, start, end, catalog=cat) for q in queries]
