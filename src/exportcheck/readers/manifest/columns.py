"""The columns of a manifest: a header's names normalised and mapped (``--column``), and the
required columns checked, with the nearest names when one is missing."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from exportcheck.errors import InputError
from exportcheck.readers.manifest.values import DEFAULT_OPTIONS, ReadOptions, normalize_header


def header_columns(
    cells: Sequence[str],
    name: str,
    line: int,
    options: ReadOptions = DEFAULT_OPTIONS,
    sheet: str | None = None,
) -> list[str]:
    """Normalised, unique column names, with the columns ``options`` maps renamed to their
    fields; refuses duplicates after normalisation, a mapped column the header lacks, and a
    mapping onto a field the file has a column for already."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for col, cell in enumerate(cells, start=1):
        key = normalize_header(cell) or f"column_{col}"
        if key in seen:
            first = seen[key]
            raise InputError(
                f"duplicate column '{key}': '{cells[first - 1].strip()}' (column {first}) and "
                f"'{cell.strip()}' (column {col}) are the same after normalising names",
                file=name,
                line=line,
                column=col,
                field=key,
                sheet=sheet,
            )
        seen[key] = col
        names.append(key)
    if not options.columns:
        return names
    found = [cell.strip() for cell in cells]
    for target, source in options.columns:
        key, field = normalize_header(source), normalize_header(target)
        if key not in seen:
            raise InputError(
                f"--column {field}='{source}': the header has no column '{source}' "
                f"(columns found: {listing(found)}){_nearest(key, names, found)}",
                file=name,
                line=line,
                field=field,
                sheet=sheet,
            )
        if field in seen and field != key:
            raise InputError(
                f"--column {field}='{source}': the header has a column '{found[seen[field] - 1]}'"
                f" for {field} already (column {seen[field]})",
                file=name,
                line=line,
                column=seen[field],
                field=field,
                sheet=sheet,
                hint="map one of them only, or rename the other",
            )
    renames = options.renames()
    return [renames.get(n, n) for n in names]


def listing(names: Sequence[str], limit: int = 30) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "") or "none"


# Words in the headers that ERP exports give the required columns.
_LIKELY: dict[str, tuple[str, ...]] = {
    "destination": ("country", "dest", "ship_to"),
    "part_number": ("part", "material", "item", "sku", "article", "product"),
    "eccn": ("eccn", "classification", "export_control"),
}


def _nearest(wanted: str, normalised: Sequence[str], originals: Sequence[str]) -> str:
    """'; nearest: ...' with the columns whose names are closest to ``wanted``, or ''."""
    close = difflib.get_close_matches(wanted, list(normalised), n=3, cutoff=0.5)
    words = (wanted, *_LIKELY.get(wanted, ()))
    close += [n for n in normalised if any(w in n for w in words) and n not in close]
    close = close[:3]
    if not close:
        return ""
    by_name = dict(zip(normalised, originals, strict=False))
    return "; nearest: " + ", ".join(f"'{by_name.get(c, c)}'" for c in close)


def require_columns(
    columns: Sequence[str] | set[str],
    name: str,
    line: int | None,
    where: str,
    originals: Sequence[str] | None = None,
    sheet: str | None = None,
) -> None:
    """Refuse ``columns`` (a header, or the keys of a document) that lack ``destination`` or
    both ``part_number`` and ``eccn``: an :class:`InputError` that names the columns found
    (``originals`` as written, if given) and the nearest ones."""
    present = set(columns)
    ordered = sorted(present) if isinstance(columns, set) else list(columns)
    shown = list(originals) if originals is not None else ordered
    missing: list[str] = []
    if "destination" not in present:
        missing.append("destination")
    if "part_number" not in present and "eccn" not in present:
        missing.append("part_number")
    if not missing:
        return
    field = missing[0]
    what = "'destination'" if field == "destination" else ": needs 'part_number' or 'eccn'"
    nearest = "".join(
        _nearest(f, ordered, shown)
        for f in ([field] if field == "destination" else ["part_number", "eccn"])
    )
    raise InputError(
        f"missing required column{' ' if field == 'destination' else ''}{what} {where} "
        f"(columns found: {listing(shown)}){nearest}",
        file=name,
        line=line,
        field=field,
        sheet=sheet,
        hint=f'map a column of yours with --column {field}="<its header>" or in --config',
    )
