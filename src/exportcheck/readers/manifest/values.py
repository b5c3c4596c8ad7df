"""What a manifest reader is told (:class:`ReadOptions`) and tells back (:class:`ReadStats`),
and the parsers of single values (numbers, flags, ship dates, header names, text cells)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date

from exportcheck.errors import InputError
from exportcheck.model.manifest import Scalar

_NUMBER = re.compile(
    r"^[+-]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
)
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# A number written with a decimal comma: 30.000,00, 1 234,5, 0,75 (groups of three).
_COMMA_NUMBER = re.compile(
    r"^[+-]?(?:[0-9]{1,3}(?:(?P<sep>[. \u00a0\u202f])[0-9]{3})(?:(?P=sep)[0-9]{3})*|[0-9]+)"
    r"(?:,[0-9]*)?$"
)
# Dates that are not YYYY-MM-DD but plainly dates (01.06.2025, 6/1/2025, 01-06-2025).
_OTHER_DATE = re.compile(r"^[0-9]{1,2}[./ -][0-9]{1,2}[./ -][0-9]{2,4}$")
_DATE_TOKENS = {"DD": "(?P<d>[0-9]{1,2})", "MM": "(?P<m>[0-9]{1,2})", "YYYY": "(?P<y>[0-9]{4})"}
_FLAGS = {"yes": 1.0, "true": 1.0, "1": 1.0, "no": 0.0, "false": 0.0, "0": 0.0}


@dataclass
class ReadStats:
    """What a manifest reader saw; :func:`iter_manifest` fills it as lines are pulled.

    ``records`` counts the data records the parser produced: each becomes exactly one
    :class:`ManifestLine`, so once the generator is exhausted ``records`` equals the number of
    lines yielded. Blank lines (and CSV rows of empty cells) are not records; they are counted
    in ``blank_skipped``. ``encoding`` is the codec used (``utf-8``, ``utf-8-sig`` for UTF-8 with
    a BOM, ``utf-16-le``, ``utf-16-be``, ``utf-32-le``, ``utf-32-be`` or ``cp1252``).
    ``notices`` are messages for the user (e.g. a cp1252 fallback) that are not errors.
    ``columns`` is the normalised CSV header row once read (None for other formats).
    """

    records: int = 0
    blank_skipped: int = 0
    encoding: str = ""
    format: str = ""
    notices: list[str] = field(default_factory=list)
    columns: list[str] | None = None  # CSV header, or every key of a JSON/YAML document


@dataclass(frozen=True)
class ReadOptions:
    """How to read a manifest beyond its own header: the columns mapped to exportcheck's
    fields (``--column destination="Ship To Country"``: pairs of field and header as written
    in the file), the sheet of a workbook, and the notation of numbers and ship dates. The
    defaults read every file as before."""

    columns: tuple[tuple[str, str], ...] = ()
    sheet: str | None = None
    decimal_comma: bool = False
    date_format: str | None = None

    def __post_init__(self) -> None:
        if self.date_format is not None:
            date_pattern(self.date_format)  # refuses a format it cannot read, at once

    @property
    def plain_values(self) -> bool:
        """Numbers and dates as the fast paths read them (dot decimals, ISO dates)."""
        return not self.decimal_comma and self.date_format is None

    def renames(self) -> dict[str, str]:
        """Normalised header in the file -> the field it stands for."""
        return {
            normalize_header(source): normalize_header(target) for target, source in self.columns
        }


DEFAULT_OPTIONS = ReadOptions()


def date_pattern(fmt: str) -> re.Pattern[str]:
    """The pattern of a ``--date-format`` such as ``DD.MM.YYYY``, ``MM/DD/YYYY`` or
    ``YYYY-MM-DD``: DD, MM and YYYY once each, separated by ``.``, ``/``, ``-`` or a space.
    Raises :class:`InputError` for any other."""
    text = fmt.strip().upper()
    parts = re.split(r"([./ -])", text)
    tokens = parts[0::2]
    if sorted(tokens) != ["DD", "MM", "YYYY"] or any(len(sep) != 1 for sep in parts[1::2]):
        raise InputError(
            f"'{fmt}' is not a date format: use DD, MM and YYYY once each, separated by "
            "'.', '/', '-' or a space (e.g. DD.MM.YYYY or MM/DD/YYYY)",
            field="--date-format",
        )
    body = "".join(_DATE_TOKENS[p] if i % 2 == 0 else re.escape(p) for i, p in enumerate(parts))
    return re.compile(f"^{body}$")


def parse_ship_date(text: str, fmt: str | None = None) -> date:
    """A ship date: YYYY-MM-DD, or in ``fmt`` (see :func:`date_pattern`) when given; an ISO
    date is read as ISO with any format that does not start with the year. Raises
    ValueError with the message for the line's finding; a date in another notation is never
    guessed (01.06.2025 could be the first of June or the sixth of January)."""
    if fmt is not None:
        found = date_pattern(fmt).match(text)
        if found is not None:
            try:
                return date(int(found["y"]), int(found["m"]), int(found["d"]))
            except ValueError:
                raise ValueError(f"not a valid date: '{text}' (read as {fmt})") from None
        if not fmt.strip().upper().startswith("YYYY") and ISO_DATE.match(text):
            return date.fromisoformat(text)
        raise ValueError(f"not a date in {fmt} form: '{text}'")
    try:
        if not ISO_DATE.match(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        hint = (
            " (a day and month in another order? give --date-format, e.g. DD.MM.YYYY)"
            if _OTHER_DATE.match(text)
            else ""
        )
        raise ValueError(f"not a date in YYYY-MM-DD form: '{text}'{hint}") from None


# --- small parsers shared with the catalog reader -------------------------------------------


def normalize_header(name: str) -> str:
    """``Part Number``, ``part-number`` and ``PART_NUMBER`` all become ``part_number``."""
    return re.sub(r"[\s_-]+", "_", name.strip().casefold()).strip("_")


def parse_number(value: Scalar, *, decimal_comma: bool = False) -> float:
    """A non-negative finite number from a cell; ``1,234.5`` is accepted, or with
    ``decimal_comma`` ``1.234,5`` (and ``1 234,5``), where a dot is only ever a thousands
    separator. Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {'true' if value else 'false'}")
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:
            raise ValueError(f"number too large: {value}") from None
    elif isinstance(value, str):
        text = value.strip()
        if decimal_comma:
            found = _COMMA_NUMBER.match(text)
            if found is None:
                raise ValueError(f"not a number with a decimal comma: '{value}'")
            sep = found["sep"]
            number = float((text.replace(sep, "") if sep else text).replace(",", "."))
        elif not _NUMBER.match(text):
            hint = (
                " (a decimal comma? give --decimal-comma)"
                if "," in text and _COMMA_NUMBER.match(text)
                else ""
            )
            raise ValueError(f"not a number: '{value}'{hint}")
        else:
            number = float(text.replace(",", ""))
    else:
        raise ValueError("expected a number")
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: '{value}'")
    if number < 0:
        raise ValueError(f"must not be negative: '{value}'")
    return number + 0.0  # turns -0.0 into 0.0


def parse_flag(value: Scalar) -> float:
    """yes/no/true/false/1/0 (any case) → 1.0/0.0. Raises ValueError."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float) and value in (0, 1):
        return float(value)
    if isinstance(value, str) and value.strip().casefold() in _FLAGS:
        return _FLAGS[value.strip().casefold()]
    raise ValueError(f"expected yes/no/true/false/1/0, got '{value}'")


def parse_param(name: str, value: Scalar, *, decimal_comma: bool = False) -> float:
    if name == "datacenter":
        return parse_flag(value)
    return parse_number(value, decimal_comma=decimal_comma)


def is_blank(value: Scalar) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Scalar) -> str | None:
    """A cell as trimmed text (a whole float without its ``.0``, a bool as ``true`` or
    ``false``); None when blank."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    integral = isinstance(value, float) and value.is_integer() and abs(value) < 1e16
    text = (str(int(value)) if integral else str(value)).strip()
    return text or None
