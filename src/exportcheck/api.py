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
from datetime import date as Date
from pathlib import Path

from exportcheck.engine.evaluate import judge_lines
from exportcheck.engine.licensing import LicenceLedger
from exportcheck.engine.parties import DEFAULT_PARTY_COLUMNS, PartyScreening
from exportcheck.engine.screening import ScreeningConfig, ScreeningIndex
from exportcheck.engine.waivers import apply_waivers
from exportcheck.errors import InputError
from exportcheck.model.licensing import LicenceSet
from exportcheck.model.manifest import Catalog, ManifestLine
from exportcheck.model.report import LineResult, Report, Source, summarize
from exportcheck.model.rules import RuleSet
from exportcheck.model.waivers import WaiverSet
from exportcheck.readers.manifest import ReadStats

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
) -> Iterator[LineResult]:
    """Judge lines in input order (streaming), then apply the waivers and the licences held,
    drawing the licences down in this order. Pure."""
    pending: deque[ManifestLine] = deque()

    def tapped() -> Iterator[ManifestLine]:
        for line in lines:
            pending.append(line)
            yield line

    ledger = LicenceLedger(licences) if licences is not None else None
    # judge_lines yields exactly one result per line, in order, as it consumes them.
    for result in judge_lines(tapped(), ruleset, as_of, catalog, parties):
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
) -> Report:
    """Judge ``lines`` (pure) and wrap the results with version, date and source hashes.

    With ``stats`` (filled by the manifest reader), the report states how many records were
    read, and no report is produced unless that equals the number of lines judged.
    """
    results: list[LineResult] = list(
        judge_held(lines, ruleset, as_of, catalog, parties, licences, waivers)
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
    return Report(
        exportcheck=tool_version(),
        as_of=as_of.isoformat(),
        rules_sha256=content_hash(sources),
        sources=tuple(sources),
        summary=summarize(results, stats.records if stats is not None else None),
        notices=tuple(stats.notices) if stats is not None else (),
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
) -> Report:
    """Check a manifest file against the rules in force on ``date`` (default today), and
    screen its consignee, end user and ``party_columns`` against restricted-party ``lists``
    (default: the shipped rules and lists). ``licenses`` (licences held, YAML or CSV) turn
    covered ``license_required`` lines into ``licensed``; ``waivers`` mark approved exceptions.

    Raises :class:`exportcheck.errors.InputError` for unreadable or invalid input.
    """
    from exportcheck.readers.catalog import load_catalog
    from exportcheck.readers.licenses import load_licenses
    from exportcheck.readers.manifest import iter_manifest
    from exportcheck.readers.waivers import load_waivers

    as_of = parse_date(date)
    ruleset, sources = load_rules(rules)
    index, list_sources = load_screening(lists, screening)
    parties = PartyScreening(index=index, columns=party_columns_option(party_columns))
    all_sources = [*sources, *list_sources]
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
    stats = ReadStats()
    lines = iter_manifest(manifest_path, display=str(manifest), stats=stats)
    return build_report(lines, ruleset, as_of, all_sources, cat, parties, held, waived, stats)
