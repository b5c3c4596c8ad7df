"""The public Python API. The CLI is a thin layer over these functions: its JSON output is
``formats.json.render(check(...))``, i.e. exactly ``check(...).model_dump(mode="json")``.

>>> import exportcheck
>>> report = exportcheck.check("examples/manifest-2025.csv", date="2025-06-15")  # doctest: +SKIP
>>> report.summary.worst  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date as Date
from pathlib import Path

from exportcheck.engine.judge.judge import LineJudge, judge_lines
from exportcheck.engine.licensing import LicenceLedger
from exportcheck.engine.parties import DEFAULT_PARTY_COLUMNS, PartyScreening
from exportcheck.engine.screening import ScreeningConfig, ScreeningIndex
from exportcheck.engine.waivers import apply_waivers
from exportcheck.errors import InputError
from exportcheck.model.fastline import ResultLike
from exportcheck.model.history import HistoryReport
from exportcheck.model.licensing import LicenceSet
from exportcheck.model.manifest import Catalog, ManifestLine
from exportcheck.model.ownership import Ownership
from exportcheck.model.report import (
    LineResult,
    Report,
    Source,
    Summary,
    summarize,
    summary_of_counts,
)
from exportcheck.model.rules import RuleSet
from exportcheck.model.status import Status
from exportcheck.model.waivers import WaiverSet
from exportcheck.readers.manifest import DEFAULT_OPTIONS, ReadOptions, ReadStats

PathLike = str | Path


def tool_version() -> str:
    from exportcheck import __version__

    return __version__


def parse_date(value: str | Date | None, what: str = "--date") -> Date:
    """An ISO date (YYYY-MM-DD); None means today."""
    if value is None:
        return Date.today()
    if isinstance(value, Date):
        return value
    try:
        return Date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"'{value}' is not a date; use YYYY-MM-DD", field=what) from None


def load_rules(paths: Sequence[PathLike] | None = None) -> tuple[RuleSet, list[Source]]:
    """Load rule files/directories; None or empty means the shipped rules."""
    from exportcheck.readers.rules import load_rules as _load
    from exportcheck.readers.shipped import shipped_rules_paths

    chosen = [Path(p) for p in paths] if paths else shipped_rules_paths()
    return _load(chosen)


def load_screening(
    lists: Sequence[PathLike] | None = None,
    config: ScreeningConfig | None = None,
) -> tuple[ScreeningIndex, list[Source]]:
    """Index restricted-party list files/directories; None or empty means the shipped lists."""
    from exportcheck.readers.lists import load_lists
    from exportcheck.readers.shipped import display_path, shipped_lists_paths

    chosen = [Path(p) for p in lists] if lists else shipped_lists_paths()
    entries, sources = load_lists(chosen, display=display_path)
    return ScreeningIndex.build(entries, config or ScreeningConfig()), list(sources)


def party_columns_option(columns: Iterable[str] | None) -> tuple[str, ...]:
    """consignee and end_user, plus ``columns`` (normalised like manifest headers)."""
    from exportcheck.readers.manifest import normalize_header

    out = list(DEFAULT_PARTY_COLUMNS)
    for col in columns or ():
        for part in col.split(","):
            name = normalize_header(part)
            if name and name not in out:
                out.append(name)
    return tuple(out)


def file_source(kind: str, path: PathLike) -> Source:
    p = Path(path)
    digest = hashlib.sha256()
    try:
        with p.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", file=str(path)) from None
    return Source(kind=kind, path=str(path), sha256=digest.hexdigest())


def content_hash(sources: Iterable[Source], kinds: tuple[str, ...] = ("rules", "lists")) -> str:
    """One sha256 over the contents of the rule and list files used (paths do not count)."""
    digests = sorted(s.sha256 for s in sources if s.kind in kinds)
    return hashlib.sha256("\n".join(digests).encode()).hexdigest()


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
        missing = [
            c
            for c in parties.columns
            if c not in DEFAULT_PARTY_COLUMNS and c not in parties.seen_columns
        ]
        if missing:
            raise InputError(
                f"party column '{missing[0]}' is not in the manifest", field="--party-columns"
            )
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


@dataclass
class Prepared:
    """Everything a check needs besides the manifest lines: loaded, hashed, ready."""

    as_of: Date
    ruleset: RuleSet
    sources: list[Source]
    parties: PartyScreening
    catalog: Catalog | None
    licences: LicenceSet | None
    waivers: WaiverSet | None
    manifest: Path
    display: str
    read_options: ReadOptions = DEFAULT_OPTIONS


#: Notices that say what the data used leaves out start so (the CLI does not echo them to
#: stderr: they are in every report).
SCOPE_NOTICE = "Scope: "


def scope_notices(ruleset: RuleSet, entries: int, sources: Sequence[Source]) -> tuple[str, ...]:
    """What the shipped rules and lists leave out, when a check uses them (``entries``: the
    number of list entries screened against)."""
    shipped_rules = [s for s in sources if s.kind == "rules" and s.path.startswith("shipped:")]
    list_sources = [s for s in sources if s.kind == "lists"]
    shipped_lists = [s for s in list_sources if s.path.startswith("shipped:")]
    out: list[str] = []
    if shipped_rules:
        used = {s.id for s in shipped_rules}
        left_out = [x for f in ruleset.files if f.id in used for x in f.not_modelled]
        out.append(
            f"{SCOPE_NOTICE}the shipped rules are a modelled subset of US export controls on "
            "advanced chips and chip-design software, not legal advice "
            f"({', '.join(sorted(f'{s.id} {s.version}' for s in shipped_rules))}). "
            "Not modelled: " + "; ".join(left_out) + "."
        )
    if shipped_lists:
        names = ", ".join(sorted(f"{s.id} {s.version}" for s in shipped_lists))
        if len(shipped_lists) == len(list_sources):
            size = f"a subset of {entries} entries"
        else:
            size = "a subset"
        out.append(
            f"{SCOPE_NOTICE}the shipped restricted-party list is {size} ({names}) for examples, "
            "not the official lists: screen against the Consolidated Screening List or the "
            "OFAC SDN files too (--lists)."
        )
    return tuple(out)


def load_ownership(path: PathLike | None) -> tuple[Ownership | None, list[Source]]:
    """Load an ownership file (YAML or CSV; see :mod:`exportcheck.readers.ownership`)."""
    if path is None:
        return None, []
    from exportcheck.readers.ownership import load_ownership as _load

    ownership, source = _load(Path(path))
    return ownership, [source]


def _prepare(
    manifest: PathLike,
    date: str | Date | None,
    rules: Sequence[PathLike] | None,
    catalog: PathLike | None,
    lists: Sequence[PathLike] | None,
    party_columns: Iterable[str] | None,
    screening: ScreeningConfig | None,
    licenses: PathLike | None,
    waivers: PathLike | None,
    cache: bool,
    ownership: PathLike | None = None,
    read_options: ReadOptions | None = None,
) -> Prepared:
    from exportcheck.readers.catalog import load_catalog
    from exportcheck.readers.licenses import load_licenses
    from exportcheck.readers.waivers import load_waivers

    as_of = parse_date(date)
    ruleset, sources = load_rules(rules)
    index, list_sources = load_screening(lists, screening)
    owners, owner_sources = load_ownership(ownership)
    parties = PartyScreening(
        index=index,
        columns=party_columns_option(party_columns),
        cache=cache,
        ownership=owners,
    )
    all_sources = [*sources, *list_sources, *owner_sources]
    cat: Catalog | None = None
    if catalog is not None:
        cat, cat_source = load_catalog(Path(catalog))
        all_sources.append(cat_source)
    held: LicenceSet | None = None
    if licenses is not None:
        held, licence_source = load_licenses(Path(licenses))
        all_sources.append(licence_source)
    waived: WaiverSet | None = None
    if waivers is not None:
        waived, waiver_source = load_waivers(Path(waivers))
        all_sources.append(waiver_source)
    manifest_path = Path(manifest)
    if not manifest_path.is_file():
        raise InputError("no such manifest file", file=str(manifest))
    all_sources.append(file_source("manifest", manifest))
    return Prepared(
        as_of,
        ruleset,
        all_sources,
        parties,
        cat,
        held,
        waived,
        manifest_path,
        str(manifest),
        read_options or DEFAULT_OPTIONS,
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

    p = _prepare(
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


class CheckStream:
    """The lines of a check, judged one at a time as they are read (see :func:`check_stream`).

    Iterate once for the results, in input order; then :attr:`summary` (and :attr:`notices`)
    are known. Iterating raises :class:`InputError` for input that turns out unreadable, and
    ``RuntimeError`` if the number of records read differs from the number of lines judged
    (the guarantee :func:`build_report` gives; a streaming caller has output by then).
    """

    def __init__(self, prepared: Prepared, cache: bool) -> None:
        self.prepared = prepared
        self.cache = cache
        self.exportcheck = tool_version()
        self.as_of = prepared.as_of.isoformat()
        self.sources: tuple[Source, ...] = tuple(prepared.sources)
        self.rules_sha256 = content_hash(prepared.sources)
        self.stats = ReadStats()
        self.counts: dict[Status, int] = {}
        self.judged = 0
        self._summary: Summary | None = None
        self._used = False
        self.fastpath: object | None = None  # the fast path's judge, once jsonl_lines ran

    @property
    def notices(self) -> tuple[str, ...]:
        """What the reader noticed, then what the data used leaves out (see
        :func:`scope_notices`)."""
        p = self.prepared
        scope = scope_notices(p.ruleset, len(p.parties.index.entries), p.sources)
        return (*self.stats.notices, *scope)

    @property
    def columns(self) -> list[str] | None:
        """The manifest's CSV header (normalised) once the first line was read, else None."""
        return self.stats.columns

    @property
    def summary(self) -> Summary:
        if self._summary is None:
            raise RuntimeError("the summary is known only once every line was read")
        return self._summary

    def _results(self) -> Iterator[ResultLike]:
        from exportcheck.readers.manifest import iter_lines, iter_manifest

        p = self.prepared
        stats = self.stats
        if p.licences is not None or p.waivers is not None or not self.cache:
            # Licences and waivers read every field of a full ManifestLine.
            yield from judge_held(
                iter_manifest(p.manifest, p.display, stats=stats, options=p.read_options),
                p.ruleset, p.as_of, p.catalog, p.parties, p.licences, p.waivers,
                cache=self.cache,
            )  # fmt: skip
            return
        lines = iter_lines(p.manifest, p.display, stats=stats, options=p.read_options)
        judge = LineJudge(p.ruleset, p.as_of, p.catalog, p.parties).judge
        for line in lines:
            yield judge(line)

    def jsonl_lines(self) -> Iterator[str] | None:
        """The JSON Lines text of the line objects (not the summary object), in chunks of
        whole lines, by the fast path (:mod:`exportcheck.fastpath`) when this check can take
        it — a CSV manifest, caches on, no licences or waivers — else None. Iterate it
        *instead of* this stream (then :attr:`summary` is known as usual); the text is the
        same as rendering each result with :func:`exportcheck.formats.jsonl.stream`."""
        from exportcheck.readers.manifest import detect_format

        p = self.prepared
        if not self.cache or p.licences is not None or p.waivers is not None:
            return None
        if not p.read_options.plain_values or detect_format(p.manifest, p.display) != "csv":
            return None
        if self._used:
            raise RuntimeError("a CheckStream can be iterated once")
        self._used = True
        return self._jsonl_lines()

    def _jsonl_lines(self) -> Iterator[str]:
        from exportcheck.pipeline import CsvToJsonl
        from exportcheck.readers.manifest import CsvRecords

        p = self.prepared
        self.stats.format = "csv"
        source = CsvRecords(p.manifest, p.display, self.stats, options=p.read_options)
        fast = CsvToJsonl(source, LineJudge(p.ruleset, p.as_of, p.catalog, p.parties), p.parties)
        self.fastpath = fast  # kept with the stream (its caches go when the stream goes)
        checked_columns = False
        for chunk in fast.chunks():
            if not checked_columns:
                _check_party_columns(p.parties, self.stats.columns)
                checked_columns = True
            self.judged = fast.judged
            yield chunk
        self.judged = fast.judged
        self.counts = fast.counts
        self._finish(seen_columns=False)  # a CSV header names every column: checked above

    def __iter__(self) -> Iterator[ResultLike]:
        if self._used:
            raise RuntimeError("a CheckStream can be iterated once")
        self._used = True
        counts = self.counts
        parties = self.prepared.parties
        checked_columns = False
        for result in self._results():
            if not checked_columns:
                _check_party_columns(parties, self.stats.columns)
                checked_columns = True
            status = result.status
            counts[status] = counts.get(status, 0) + 1
            self.judged += 1
            yield result
        self._finish(seen_columns=True)

    def _finish(self, seen_columns: bool) -> None:
        """Every record read was judged (else an internal error); ``seen_columns``: check the
        party columns against those the lines had; then the summary."""
        if self.stats.records != self.judged:
            raise RuntimeError(
                f"read {self.stats.records} manifest records but judged {self.judged} lines"
            )
        if seen_columns and self.judged:
            _check_party_columns(self.prepared.parties, None)
        counts = self.counts
        self._summary = summary_of_counts(counts, lines=self.judged, lines_read=self.stats.records)

    def models(self) -> Iterator[LineResult]:
        """The results as :class:`LineResult` models (what :func:`check` puts in its report)."""
        for result in self:
            yield result if isinstance(result, LineResult) else result.to_model()


def _check_party_columns(parties: PartyScreening, columns: list[str] | None) -> None:
    """Refuse a --party-columns column the manifest does not have: from its header when
    known (before any output), else from the columns seen on the lines."""
    present = set(columns) if columns is not None else parties.seen_columns
    if columns is None and not present and not parties.columns:
        return
    for c in parties.columns:
        if c not in DEFAULT_PARTY_COLUMNS and c not in present:
            raise InputError(f"party column '{c}' is not in the manifest", field="--party-columns")


def check_stream(
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
) -> CheckStream:
    """Like :func:`check`, but the lines are read, judged and handed out one at a time, in
    constant memory: iterate the returned :class:`CheckStream` for the results (light
    :class:`~exportcheck.model.fastline.LightResult` objects, or :class:`LineResult`; call
    ``.models()`` for models only), then read its ``summary``. The rules, lists, catalog,
    licences and waivers are loaded (and the manifest hashed) before this returns, so their
    errors come first. With the same arguments, the results equal ``check(...).lines``.
    """
    prepared = _prepare(
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
    return CheckStream(prepared, cache)
