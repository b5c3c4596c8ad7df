"""Loading what a check needs: dates, rules, lists, ownership, sources and their hash."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date as Date
from pathlib import Path

from exportcheck.engine.parties import DEFAULT_PARTY_COLUMNS, PartyScreening
from exportcheck.engine.screening import ScreeningConfig, ScreeningIndex
from exportcheck.errors import InputError
from exportcheck.model.licensing import LicenceSet
from exportcheck.model.manifest import Catalog
from exportcheck.model.ownership import Ownership
from exportcheck.model.report import (
    Source,
)
from exportcheck.model.rules import RuleSet
from exportcheck.model.waivers import WaiverSet
from exportcheck.readers.manifest import DEFAULT_OPTIONS, ReadOptions

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


def prepare(
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


def check_party_columns(parties: PartyScreening, columns: list[str] | None) -> None:
    """Refuse a --party-columns column the manifest does not have: from its header when
    known (before any output), else from the columns seen on the lines."""
    present = set(columns) if columns is not None else parties.seen_columns
    if columns is None and not present and not parties.columns:
        return
    for c in parties.columns:
        if c not in DEFAULT_PARTY_COLUMNS and c not in present:
            raise InputError(f"party column '{c}' is not in the manifest", field="--party-columns")
