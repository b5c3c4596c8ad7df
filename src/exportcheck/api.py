"""The public Python API. The CLI is a thin layer over these functions: its JSON output is
``formats.json.render(check(...))``, i.e. exactly ``check(...).model_dump(mode="json")``.

>>> import exportcheck
>>> report = exportcheck.check("examples/manifest-2025.csv", date="2025-06-15")  # doctest: +SKIP
>>> report.summary.worst  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date as Date
from pathlib import Path

from exportcheck.engine.evaluate import judge_lines
from exportcheck.engine.parties import DEFAULT_PARTY_COLUMNS, PartyScreening
from exportcheck.engine.screening import ScreeningConfig, ScreeningIndex
from exportcheck.errors import InputError
from exportcheck.model.manifest import Catalog, ManifestLine
from exportcheck.model.report import LineResult, Report, Source, summarize
from exportcheck.model.rules import RuleSet

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


def build_report(
    lines: Iterable[ManifestLine],
    ruleset: RuleSet,
    as_of: Date,
    sources: Sequence[Source],
    catalog: Catalog | None = None,
    parties: PartyScreening | None = None,
) -> Report:
    """Judge ``lines`` (pure) and wrap the results with version, date and source hashes."""
    results: list[LineResult] = list(judge_lines(lines, ruleset, as_of, catalog, parties))
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
        summary=summarize(results),
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
) -> Report:
    """Check a manifest file against the rules in force on ``date`` (default today), and
    screen its consignee, end user and ``party_columns`` against restricted-party ``lists``
    (default: the shipped rules and lists).

    Raises :class:`exportcheck.errors.InputError` for unreadable or invalid input.
    """
    from exportcheck.readers.catalog import load_catalog
    from exportcheck.readers.manifest import iter_manifest

    as_of = parse_date(date)
    ruleset, sources = load_rules(rules)
    index, list_sources = load_screening(lists, screening)
    parties = PartyScreening(index=index, columns=party_columns_option(party_columns))
    all_sources = [*sources, *list_sources]
    cat: Catalog | None = None
    if catalog is not None:
        cat, cat_source = load_catalog(Path(catalog))
        all_sources.append(cat_source)
    manifest_path = Path(manifest)
    if not manifest_path.is_file():
        raise InputError("no such manifest file", file=str(manifest))
    all_sources.append(file_source("manifest", manifest))
    lines = iter_manifest(manifest_path, display=str(manifest))
    return build_report(lines, ruleset, as_of, all_sources, cat, parties)
