"""One parsed row (normalised keys → raw values) made into a :class:`ManifestLine`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from exportcheck.model.countries import normalize_country
from exportcheck.model.eccn import normalize_eccn
from exportcheck.model.fields import BY_NAME, ITEM_FIELDS, TEXT_FIELDS
from exportcheck.model.manifest import (
    Item,
    LineProblem,
    ManifestLine,
    Scalar,
    default_line_id,
    is_country_column,
)
from exportcheck.model.params import PARAMS
from exportcheck.readers.manifest.values import (
    DEFAULT_OPTIONS,
    ReadOptions,
    cell_text,
    is_blank,
    parse_param,
    parse_ship_date,
)

#: The item's free-text fields (vendor, category, description), from the field table.
ITEM_TEXT_FIELDS: tuple[str, ...] = tuple(n for n in ITEM_FIELDS if BY_NAME[n].kind == "text")

# A parsed CSV record before it becomes a line: (index, source line, fields, problems).
Record = tuple[int, int, dict[str, Scalar], list[LineProblem]]
# Records a problem of the line being built: (field, raw value, message).
Problem = Callable[[str, Scalar, str], None]


def build_line(
    index: int,
    source_line: int | None,
    fields: dict[str, Scalar],
    problems: Sequence[LineProblem] = (),
    options: ReadOptions = DEFAULT_OPTIONS,
) -> ManifestLine:
    """Parse one row (normalised keys → raw values) into a :class:`ManifestLine`; numbers
    and ship dates in the notation of ``options``."""
    found: list[LineProblem] = list(problems)

    def problem(field: str, value: Scalar, message: str) -> None:
        found.append(LineProblem(field=field, value=value, message=message))

    line_id = cell_text(fields.get("line_id")) or default_line_id(index)

    destination = _places(fields, problem)
    part_number, eccn = _codes(fields, problem)

    ship_date: date | None = None
    raw_date = fields.get("ship_date")
    date_text = cell_text(raw_date)
    if date_text is not None:
        try:
            ship_date = parse_ship_date(date_text, options.date_format)
        except ValueError as exc:
            problem("ship_date", raw_date, str(exc))

    numbers: dict[str, float] = {}
    for name in ("quantity", "unit_value", *PARAMS):
        raw = fields.get(name)
        if is_blank(raw):
            continue
        try:
            numbers[name] = parse_param(name, raw, decimal_comma=options.decimal_comma)
        except ValueError as exc:
            problem(name, raw, str(exc))

    texts = {name: cell_text(fields.get(name)) for name in TEXT_FIELDS}
    item = Item(
        part_number=part_number,
        eccn=eccn,
        **{name: texts[name] for name in ITEM_TEXT_FIELDS},
        params={name: v for name, v in numbers.items() if name in PARAMS},
    )
    return ManifestLine(
        index=index,
        source_line=source_line,
        line_id=line_id,
        fields=fields,
        item=item,
        destination=destination,
        ship_date=ship_date,
        end_use=texts["end_use"],
        consignee=texts["consignee"],
        end_user=texts["end_user"],
        quantity=numbers.get("quantity"),
        unit_value=numbers.get("unit_value"),
        problems=tuple(found),
    )


def _places(fields: dict[str, Scalar], problem: Problem) -> str | None:
    """The destination's country code (None if missing or unknown); every country cell
    (destination, a party's headquarters) that is not a country is a ``problem``."""
    destination: str | None = None
    raw_dest = fields.get("destination")
    dest_text = cell_text(raw_dest)
    if dest_text is None:
        problem("destination", raw_dest, "missing destination country")
    else:
        destination = normalize_country(dest_text)
        if destination is None:
            problem(
                "destination",
                raw_dest,
                f"unknown country '{dest_text}' (use ISO alpha-2, alpha-3 or the English name)",
            )

    for name, raw in fields.items():
        if is_country_column(name):
            text = cell_text(raw)
            if text is not None and normalize_country(text) is None:
                problem(
                    name,
                    raw,
                    f"unknown country '{text}' (use ISO alpha-2, alpha-3 or the English name)",
                )
    return destination


def _codes(fields: dict[str, Scalar], problem: Problem) -> tuple[str | None, str | None]:
    """The part number and the normalised ECCN (None if blank or not valid); a line needs one
    of them."""
    part_number = cell_text(fields.get("part_number"))
    raw_eccn = fields.get("eccn")
    eccn_text = cell_text(raw_eccn)
    eccn: str | None = None
    if eccn_text is not None:
        eccn = normalize_eccn(eccn_text)
        if eccn is None:
            problem("eccn", raw_eccn, f"not a valid ECCN: '{eccn_text}' (e.g. 3A090.a or EAR99)")
    if part_number is None and eccn_text is None:
        problem("part_number", None, "the line has neither a part_number nor an eccn")
    return part_number, eccn


def unparsed_line(index: int, source_line: int | None, field: str, message: str) -> ManifestLine:
    """A line whose row could not be parsed at all: only the problem, no fields."""
    return ManifestLine(
        index=index,
        source_line=source_line,
        line_id=default_line_id(index),
        problems=(LineProblem(field=field, message=message),),
    )
