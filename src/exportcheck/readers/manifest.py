"""Read shipment manifests (CSV, JSON, JSON Lines, YAML) into :class:`ManifestLine` objects.

The reader is a generator: CSV and JSON Lines are read one physical line at a time and never held
whole; a JSON or YAML document is parsed whole (neither has a streaming parser in our stack) but
its lines are still produced one by one. Nothing is read until the first line is pulled; the
header (CSV) or the required keys (JSON, JSONL, YAML) are checked then.

Two kinds of trouble, as the contract says:

* the file cannot be read at all, or lacks a required column → :class:`InputError` (exit 2);
* one row has a bad value (unknown country, bad date, bad number, wrong field count, invalid
  JSON) → a :class:`LineProblem` on that line, which the engine reports as ``review``. Such a
  line is never dropped.

Encodings: CSV may be UTF-8 (with or without BOM), UTF-16/UTF-32 with a BOM, or Windows-1252
(cp1252). cp1252 is used only when the first line with non-ASCII bytes is not valid UTF-8, and
then a notice says so (:attr:`ReadStats.notices`); a file that mixes the two is refused. JSON,
JSON Lines and YAML must be UTF-8 (or UTF-16/32 with a BOM). A reader never prints: pass a
:class:`ReadStats` to :func:`iter_manifest` to learn how many records were read, how many blank
lines were skipped, the encoding and any notices.

Limits (each refusal names the file and line): a CSV field may be up to ``MAX_FIELD_CHARS``
characters (a longer one makes that line ``review``; the parser then continues), a physical
line up to ``MAX_LINE_BYTES``; a JSON document up to ``MAX_JSON_BYTES``.
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import difflib
import io
import itertools
import json
import math
import operator
import re
import sys
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, overload

from exportcheck.errors import InputError
from exportcheck.model.countries import normalize_country
from exportcheck.model.eccn import normalize_eccn
from exportcheck.model.fastline import LightLine, LineLike
from exportcheck.model.manifest import Item, LineProblem, ManifestLine, Scalar, is_country_column
from exportcheck.model.params import PARAMS
from exportcheck.readers.csvchunk import RowBatch, escape_chars, split_chunk
from exportcheck.readers.yamlsafe import (
    MAX_YAML_BYTES,
    NUL_HINT,
    decode_text,
    detect_bom,
    loads,
    read_capped,
)

FORMATS: tuple[str, ...] = ("csv", "xlsx", "json", "jsonl", "yaml")
MAX_JSON_BYTES = 256 * 1024 * 1024
SNIFF_BYTES = 64 * 1024
CSV_DELIMITERS: tuple[str, ...] = (",", ";", "\t")
MAX_FIELD_CHARS = 1024 * 1024  # one CSV field; longer → that line is `review`
MAX_LINE_BYTES = 16 * 1024 * 1024  # one physical line; longer → InputError
_CUT_SHOWN = 80  # characters of an over-long field kept in the report

_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls), old Office files
_NUMBER = re.compile(
    r"^[+-]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
)
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# A number written with a decimal comma: 30.000,00, 1 234,5, 0,75 (groups of three).
_COMMA_NUMBER = re.compile(
    r"^[+-]?(?:[0-9]{1,3}(?:(?P<sep>[. \u00a0\u202f])[0-9]{3})(?:(?P=sep)[0-9]{3})*|[0-9]+)"
    r"(?:,[0-9]*)?$"
)
# Dates that are not YYYY-MM-DD but plainly dates (01.06.2025, 6/1/2025, 01-06-2025).
_OTHER_DATE = re.compile(r"^[0-9]{1,2}[./ -][0-9]{1,2}[./ -][0-9]{2,4}$")
_DATE_TOKENS = {"DD": "(?P<d>[0-9]{1,2})", "MM": "(?P<m>[0-9]{1,2})", "YYYY": "(?P<y>[0-9]{4})"}
_FLAGS = {"yes": 1.0, "true": 1.0, "1": 1.0, "no": 0.0, "false": 0.0, "0": 0.0}
_YAML_ITEM = re.compile(r"^(?:---|-\s|-$)")
_YAML_KEY = re.compile(r"^[A-Za-z_][\w .-]*:(?:\s|$)")
_SINGLE_VALUED = frozenset(
    (
        "line_id",
        "destination",
        "part_number",
        "eccn",
        "ship_date",
        "quantity",
        "unit_value",
        *PARAMS,
    )
)
_TEXT_FIELDS = ("description", "vendor", "category", "currency", "consignee", "end_user", "end_use")


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
        if not fmt.strip().upper().startswith("YYYY") and _DATE.match(text):
            return date.fromisoformat(text)
        raise ValueError(f"not a date in {fmt} form: '{text}'")
    try:
        if not _DATE.match(text):
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


def _text(value: Scalar) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    integral = isinstance(value, float) and value.is_integer() and abs(value) < 1e16
    text = (str(int(value)) if integral else str(value)).strip()
    return text or None


# --- format detection ----------------------------------------------------------------------


def detect_format(path: Path, name: str | None = None) -> str:
    """``csv``, ``xlsx``, ``json``, ``jsonl`` or ``yaml``: by extension, else by the first
    bytes. A workbook (or any zip archive, or an old binary Office file) whose name says it
    is text is refused with a message that says what it is, rather than read as text."""
    fmt = _EXTENSIONS.get(path.suffix.lower())
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES if fmt is None else len(_OLE_MAGIC))
    except OSError as exc:
        if fmt is not None:  # named by its extension: the reader says what is wrong
            return fmt
        raise InputError(f"cannot read file: {exc.strerror}", file=name or str(path)) from None
    if head.startswith(_OLE_MAGIC):
        raise InputError(
            "this is an Excel 97-2003 workbook (.xls) or another old Office file, which is not "
            "read",
            file=name or str(path),
            hint="save it as .xlsx (Excel Workbook) or as CSV UTF-8",
        )
    if head.startswith(_ZIP_MAGIC) and fmt != "xlsx":
        if fmt is not None:
            raise InputError(
                f"this is a zip archive, most likely an Excel workbook (.xlsx), not "
                f"{fmt.upper()} text",
                file=name or str(path),
                hint="give it a .xlsx name to read its first sheet, or save it as CSV UTF-8",
            )
        return "xlsx"
    if fmt is not None:
        return fmt
    return sniff_format(head)


def sniff_format(head: bytes) -> str:
    """Guess the format of a manifest from its first bytes."""
    encoding, skip = detect_bom(head)
    codec = "utf-8" if encoding in (None, "utf-8-sig") else encoding
    assert codec is not None
    text = head[skip:].decode(codec, errors="replace")
    stripped = text.lstrip()
    if stripped.startswith("["):
        return "json"
    if stripped.startswith("{"):
        lines = [ln for ln in stripped.splitlines() if ln.strip()]
        try:
            first = json.loads(lines[0])
        except ValueError:
            return "json"  # a pretty-printed object spans lines
        if len(lines) > 1 and lines[1].lstrip().startswith("{"):
            return "jsonl"
        if isinstance(first, dict) and isinstance(first.get("lines"), list):
            return "json"
        return "jsonl"
    for line in stripped.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if _YAML_ITEM.match(line):
            return "yaml"
        if _YAML_KEY.match(line) and not any(d in line for d in CSV_DELIMITERS):
            return "yaml"
        break
    return "csv"


# --- building one line from a row ------------------------------------------------------------


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

    line_id = _text(fields.get("line_id")) or str(index)

    destination: str | None = None
    raw_dest = fields.get("destination")
    dest_text = _text(raw_dest)
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
            text = _text(raw)
            if text is not None and normalize_country(text) is None:
                problem(
                    name,
                    raw,
                    f"unknown country '{text}' (use ISO alpha-2, alpha-3 or the English name)",
                )

    part_number = _text(fields.get("part_number"))
    raw_eccn = fields.get("eccn")
    eccn_text = _text(raw_eccn)
    eccn: str | None = None
    if eccn_text is not None:
        eccn = normalize_eccn(eccn_text)
        if eccn is None:
            problem("eccn", raw_eccn, f"not a valid ECCN: '{eccn_text}' (e.g. 3A090.a or EAR99)")
    if part_number is None and eccn_text is None:
        problem("part_number", None, "the line has neither a part_number nor an eccn")

    ship_date: date | None = None
    raw_date = fields.get("ship_date")
    date_text = _text(raw_date)
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

    texts = {name: _text(fields.get(name)) for name in _TEXT_FIELDS}
    item = Item(
        part_number=part_number,
        eccn=eccn,
        vendor=texts["vendor"],
        category=texts["category"],
        description=texts["description"],
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


def unparsed_line(index: int, source_line: int | None, field: str, message: str) -> ManifestLine:
    """A line whose row could not be parsed at all: only the problem, no fields."""
    return ManifestLine(
        index=index,
        source_line=source_line,
        line_id=str(index),
        problems=(LineProblem(field=field, message=message),),
    )


# --- CSV ---------------------------------------------------------------------------------------


CSV_CHUNK_BYTES = 1 << 16  # bytes read at once by TextLines.chunked (then up to the next \n)
_BATCH_ROWS = 4096  # rows read one by one that CsvRecords.batches gathers at most in a batch


def _lone_cr_first(raw: bytes) -> bool:
    """True if the first line ending in ``raw`` is a CR alone (not followed by LF)."""
    cr = raw.find(b"\r")
    return cr >= 0 and raw.find(b"\n", 0, cr + 2) < 0  # no LF before it, nor right after


_NOT_ASCII = re.compile("[^\x00-\x7f]")


class _ChunkLines(Sequence[str]):
    """The lines of a chunk decoded whole, with their endings (split at LF only), split only
    when first asked for: a chunk that :func:`split_chunk` splits into rows never needs them.
    ``size`` is their number, known at once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.size = text.count("\n") + (not text.endswith("\n"))
        self._lines: list[str] | None = None

    def _split(self) -> list[str]:
        if self._lines is None:
            self._lines = io.StringIO(self.text, newline="\n").readlines()
        return self._lines

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        return self._split()[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self._split())


class TextLines:
    """The physical lines of a text file, decoded, with their endings (``\\r\\n``, ``\\n`` or a
    lone ``\\r``). ``number`` is the 1-based number of the last line produced (when iterated
    line by line; see :meth:`chunked` for the other way).

    Encoding: a BOM decides (UTF-8, UTF-16, UTF-32). Without one, ASCII lines are read as they
    are; the first line with other bytes decides between UTF-8 and, if ``allow_cp1252`` and the
    line is not valid UTF-8, Windows-1252 (with a notice in ``stats``). A later line that does not
    fit the decided encoding, a NUL character on line 1 or a line over ``MAX_LINE_BYTES`` is an
    :class:`InputError` naming the line.
    """

    def __init__(
        self, path: Path, name: str, stats: ReadStats, *, allow_cp1252: bool = False
    ) -> None:
        self.path = path
        self.name = name
        self.stats = stats
        self.allow_cp1252 = allow_cp1252
        self.number = 0
        self.last = ""
        self.eof = False  # the end of the file has been reached
        self._cr_ends_lines: bool | None = None
        self._decided: str | None = None  # "utf-8" or "cp1252" once a non-ASCII line was seen
        self._decided_on = 0
        # Chunked reading (see chunked): the current chunk's lines so far, the number of its
        # first line, and its text when it was decoded whole (None when line by line).
        self._lines: Sequence[str] | None = None
        self._text: str | None = None
        self._next = 1  # the number of the first line of the next chunk
        self.chunk_first = 0
        self._per_line_mode = False

    def _open(self) -> io.BufferedReader:
        try:
            return self.path.open("rb")
        except OSError as exc:
            raise InputError(f"cannot read file: {exc.strerror}", file=self.name) from None

    def _start(self, fh: io.BufferedReader) -> tuple[str | None, int]:
        """Detects the BOM, skips it and records the encoding: (BOM encoding or None, skip)."""
        encoding, skip = detect_bom(fh.read(4))
        fh.seek(skip)
        self.stats.encoding = encoding or "utf-8"
        return encoding, skip

    def __iter__(self) -> Iterator[str]:
        with self._open() as fh:
            encoding, _ = self._start(fh)
            yield from self._per_line(fh, encoding)

    def chunked(self, chunk_bytes: int | None = None) -> Iterator[str]:
        """The same lines as iterating, read ``chunk_bytes`` (default ``CSV_CHUNK_BYTES``) at a
        time and split in C: the same text, the same errors at the same lines, ``eof`` set when
        the lines run out. ``number`` and ``last`` are not kept: the caller counts the lines it
        pulls and asks :meth:`line` for the text of the last one.

        Only a lone CR never ends a line in this mode (a chunk is split at LF only), so a file
        whose first line ends in a lone CR (old Mac), and UTF-16/UTF-32 files, are read line by
        line as by iterating. So is a chunk that is not ASCII or UTF-8 as a whole (e.g. cp1252),
        or that is long enough to hold a line over ``MAX_LINE_BYTES``: its lines are decoded and
        checked one at a time, when they are pulled, exactly as by iterating.
        """
        return itertools.chain.from_iterable(self.chunks(chunk_bytes))

    def chunks(self, chunk_bytes: int | None = None) -> Iterator[Iterable[str]]:
        """The lines of :meth:`chunked`, a chunk at a time (an iterable of its lines). After a
        chunk is pulled, :meth:`whole_chunk` tells whether it was decoded whole, and
        :attr:`pulled` is the number of its last line."""
        return self._chunks(chunk_bytes or CSV_CHUNK_BYTES)

    @property
    def pulled(self) -> int | None:
        """The number of the last line of the chunks pulled so far; None when the file is read
        line by line (see :meth:`chunked`), each line a chunk of its own."""
        return None if self._per_line_mode else self._next - 1

    def whole_chunk(self, part: Iterable[str]) -> tuple[str, int] | None:
        """For ``part``, the chunk last pulled from :meth:`chunks`: its text and the number of
        its first line when it was decoded whole (as one ASCII or UTF-8 text); else None."""
        if part is not self._lines or self._text is None:
            return None
        return self._text, self.chunk_first

    def line(self, number: int) -> str:
        """The text of line ``number``, which must be the last line pulled."""
        if self._lines is None:
            return self.last
        return self._lines[number - self.chunk_first]

    def _chunks(self, size: int) -> Iterator[Iterable[str]]:
        with self._open() as fh:
            encoding, skip = self._start(fh)
            raw = b""
            per_line = encoding not in (None, "utf-8-sig")
            if not per_line:
                raw = self._read_chunk(fh, size)
                per_line = _lone_cr_first(raw)
                if per_line:
                    fh.seek(skip)
            if per_line:
                self._per_line_mode = True
                with contextlib.closing(self._per_line(fh, encoding)) as lines:
                    for text in lines:
                        yield (text,)
                return
            while raw:
                yield self._chunk(raw)
                raw = self._read_chunk(fh, size)
            self.eof = True

    @staticmethod
    def _read_chunk(fh: io.BufferedReader, size: int) -> bytes:
        """About ``size`` bytes, up to the end of a line (or of the file); the line that
        completes the chunk is read with a limit (a longer one is refused anyway)."""
        raw = fh.read(size)
        if raw and not raw.endswith(b"\n"):
            raw += fh.readline(MAX_LINE_BYTES + 1)
        return raw

    def _chunk(self, raw: bytes) -> Iterable[str]:
        """The lines of one chunk: all at once when it decodes as a whole, else one by one."""
        first = self._next
        self.chunk_first = first
        self._text = None
        text: str | None = None
        ascii_only = raw.isascii()
        if len(raw) <= MAX_LINE_BYTES:  # then so is each of its lines
            if ascii_only:
                text = raw.decode("ascii")
            elif self._decided != "cp1252":
                with contextlib.suppress(UnicodeDecodeError):
                    text = raw.decode("utf-8")
        if text is None:
            parts = io.BytesIO(raw).readlines()
            self._next += len(parts)
            self._lines = []
            return self._one_by_one(parts, first, self._lines)
        lines = _ChunkLines(text)
        self._next += lines.size
        if not ascii_only and self._decided is None:
            wide = _NOT_ASCII.search(text)
            assert wide is not None  # the raw bytes were not all ASCII
            self._decided, self._decided_on = "utf-8", first + text.count("\n", 0, wide.start())
        if first == 1:
            self._check_nul(text[: text.find("\n") + 1 or len(text)], 1)
        self._lines = lines
        self._text = text
        return lines

    def clean_lines(self, chars: str) -> tuple[int, set[int]]:
        """The number after the current chunk's last line, and the numbers of its lines known
        to hold none of ``chars``: none if the chunk was decoded line by line, or if more than
        an eighth of its lines hold one (they are not looked for one by one then, so the cost
        per line stays small). When the file is read line by line (no chunks): a number past
        every line, and none."""
        if self._lines is None:
            return sys.maxsize, set()
        first, end = self.chunk_first, self._next
        dirty = self._lines_with(chars)
        if dirty is None:
            return end, set()
        return end, set(range(first, end)).difference(dirty)

    def _lines_with(self, chars: str) -> set[int] | None:
        """The numbers of the current chunk's lines that hold any of ``chars``, or None (see
        :meth:`clean_lines`)."""
        text, lines = self._text, self._lines
        if text is None or lines is None:
            return None
        present = [ch for ch in chars if ch in text]  # each a memchr over the chunk
        found: set[int] = set()
        if not present:
            return found
        limit = len(lines) // 8 + 16
        ends = list(itertools.accumulate(map(len, lines)))  # where each line's text ends
        for ch in present:
            pos = text.find(ch)
            while pos >= 0:
                index = bisect.bisect_right(ends, pos)  # the line holding position pos
                found.add(self.chunk_first + index)
                if len(found) > limit:
                    return None
                pos = text.find(ch, ends[index])  # from the next line on
        return found

    def _one_by_one(self, parts: list[bytes], first: int, done: list[str]) -> Iterator[str]:
        """A chunk's lines decoded and checked one at a time, as :meth:`_per_line` does."""
        for number, raw in enumerate(parts, start=first):
            if len(raw) > MAX_LINE_BYTES:
                raise self._too_long(number)
            text = self._decode(raw, number)
            if number == 1:
                self._check_nul(text, 1)
            done.append(text)
            yield text

    def _too_long(self, number: int) -> InputError:
        return InputError(
            f"line is longer than {MAX_LINE_BYTES:,} characters; not a manifest?",
            file=self.name,
            line=number,
            hint="split the file, or check that it is the file you meant",
        )

    def _check_nul(self, text: str, number: int) -> None:
        # A NUL in the first line: UTF-16 without a BOM, or a binary file. (Later NULs are
        # carried as data: the csv module and our outputs handle them.)
        nul = text.find("\x00")
        if nul >= 0:
            raise InputError(
                "contains a NUL character",
                file=self.name,
                line=number,
                column=nul + 1,
                hint=NUL_HINT,
            )

    def _per_line(self, fh: io.BufferedReader, encoding: str | None) -> Generator[str, None, None]:
        wide = encoding not in (None, "utf-8-sig")
        # latin-1 maps bytes 1:1, so this only splits lines (universal newlines, endings
        # kept); each line is then decoded from its original bytes.
        stream = io.TextIOWrapper(
            fh,
            encoding=encoding if wide else "latin-1",
            newline="",
        )
        try:
            while True:
                try:
                    line = self._readline(stream)
                except UnicodeDecodeError as exc:
                    raise InputError(
                        f"not valid {str(encoding).upper()} ({exc.reason}) at or after this line",
                        file=self.name,
                        line=self.number + 1,
                        hint="save the file as UTF-8",
                    ) from None
                if not line:
                    self.eof = True
                    return
                number = self.number + 1
                if len(line) > MAX_LINE_BYTES:
                    raise self._too_long(number)
                text = line if wide else self._decode(line.encode("latin-1"), number)
                if number == 1:
                    self._check_nul(text, number)
                self.number = number
                self.last = text
                yield text
        finally:
            stream.detach()

    def _readline(self, stream: io.TextIOWrapper) -> str:
        """One line. The first line ending decides what a lone CR is: a line ending in a file
        that uses CR alone (old Mac), otherwise part of the line (the CSV parser then reports a
        CR inside an unquoted value on that line, rather than splitting the row in two)."""
        line = stream.readline(MAX_LINE_BYTES + 1)
        if self._cr_ends_lines is None and line.endswith(("\r", "\n")):
            self._cr_ends_lines = line.endswith("\r")
        while self._cr_ends_lines is False and line.endswith("\r") and len(line) <= MAX_LINE_BYTES:
            more = stream.readline(MAX_LINE_BYTES + 1)
            if not more:
                break
            line += more
        return line

    def _bad(self, raw: bytes, exc: UnicodeDecodeError, number: int, message: str) -> InputError:
        return InputError(
            f"{message} (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})",
            file=self.name,
            line=number,
            column=exc.start + 1,
            hint="save the file as UTF-8",
        )

    def _decode(self, raw: bytes, number: int) -> str:
        if raw.isascii():
            return raw.decode("ascii")
        if self._decided == "cp1252":
            with contextlib.suppress(UnicodeDecodeError):
                raw.decode("utf-8")
                raise InputError(
                    f"this line is UTF-8 but line {self._decided_on} was not, so the file was "
                    "being read as Windows-1252 (cp1252): it mixes encodings",
                    file=self.name,
                    line=number,
                    hint="save the whole file as UTF-8",
                )
            try:
                return raw.decode("cp1252")
            except UnicodeDecodeError as exc:
                raise self._bad(raw, exc, number, "not valid Windows-1252 (cp1252)") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            if self._decided == "utf-8":
                raise self._bad(
                    raw,
                    exc,
                    number,
                    f"not valid UTF-8, although line {self._decided_on} was (mixed encodings?)",
                ) from None
            if not self.allow_cp1252:
                raise self._bad(raw, exc, number, "not valid UTF-8") from None
            try:
                text = raw.decode("cp1252")
            except UnicodeDecodeError:
                raise self._bad(raw, exc, number, "neither UTF-8 nor Windows-1252") from None
            self._decided, self._decided_on = "cp1252", number
            self.stats.encoding = "cp1252"
            self.stats.notices.append(
                f"{self.name}: line {number} is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at "
                f"column {exc.start + 1}), so the file was read as Windows-1252 (cp1252); check "
                "accented names in the report, or save the file as UTF-8"
            )
            return text
        if self._decided is None:
            self._decided, self._decided_on = "utf-8", number
        return text


def sniff_delimiter(header_line: str) -> str:
    """The most frequent of ``,`` ``;`` and tab outside quotes in a header line; ``,`` on ties."""
    counts = dict.fromkeys(CSV_DELIMITERS, 0)
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = ","
    for delim in CSV_DELIMITERS:
        if counts[delim] > counts[best]:
            best = delim
    return best


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
                f"(columns found: {_listing(found)}){_nearest(key, names, found)}",
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


def _listing(names: Sequence[str], limit: int = 30) -> str:
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
        f"(columns found: {_listing(shown)}){nearest}",
        file=name,
        line=line,
        field=field,
        sheet=sheet,
        hint=f'map a column of yours with --column {field}="<its header>" or in --config',
    )


def _cut(value: str) -> str:
    return f"{value[:_CUT_SHOWN]}… [cut: {len(value):,} characters]"


def long_field_line(
    index: int, start: int, text: str, delimiter: str, columns: list[str]
) -> ManifestLine | None:
    """A ``review`` line for a one-line record with a field over ``MAX_FIELD_CHARS``: long values
    are cut and named, the others kept. None if the record does not end on its own line (an open
    quote), since then the parser cannot tell where the next record starts."""
    old = csv.field_size_limit(MAX_LINE_BYTES + 1)
    try:
        rows = list(csv.reader([text], delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    finally:
        csv.field_size_limit(old)
    if len(rows) != 1:
        return None
    row = rows[0]
    problems: list[LineProblem] = []
    fields: dict[str, Scalar] = {}
    for col, cell in enumerate(row):
        name = columns[col] if col < len(columns) else f"field {col + 1}"
        if len(cell) > MAX_FIELD_CHARS:
            problems.append(
                LineProblem(
                    field=name,
                    message=f"value is {len(cell):,} characters, over the "
                    f"{MAX_FIELD_CHARS:,}-character limit for one field (cut in the report)",
                )
            )
            cell = _cut(cell)
        if col < len(columns):
            fields[name] = cell
    if len(row) != len(columns):
        problems.append(
            LineProblem(
                field="columns",
                value=len(row),
                message=f"row has {len(row)} fields, header has {len(columns)}",
            )
        )
    if not problems:  # pragma: no cover - the parser stopped on a long field, so one exists
        problems.append(
            LineProblem(field="line", message=f"a field is over {MAX_FIELD_CHARS:,} characters")
        )
    return build_line(index, start, fields, problems)


# A parsed CSV record before it becomes a line: (index, source line, fields, problems).
Record = tuple[int, int, dict[str, Scalar], list[LineProblem]]


def _iter_table(
    path: Path, name: str, stats: ReadStats, kind: str, options: ReadOptions
) -> Iterator[ManifestLine]:
    for record in iter_table_records(path, name, stats, kind, options):
        if isinstance(record, ManifestLine):
            yield record
        else:
            yield build_line(*record, options=options)


def iter_table_records(
    path: Path, name: str, stats: ReadStats, kind: str, options: ReadOptions
) -> Iterator[Record | ManifestLine]:
    """The rows of a CSV file or a workbook's sheet as :data:`Record` tuples (or a finished
    line for a row that could not be parsed), in order; :func:`build_line` turns a record
    into a line."""
    if kind == "xlsx":
        from exportcheck.readers.xlsx import xlsx_records

        yield from xlsx_records(path, name, stats, options)
        return
    records = CsvRecords(path, name, stats, options=options)
    for record in records:
        if isinstance(record, list):
            yield records.index, records.start, dict(zip(records.columns, record, strict=True)), []
        else:
            yield record


class CsvRecords:
    """The records of a CSV manifest, in order, read in chunks (see :meth:`TextLines.chunked`).

    :meth:`batches` yields, for each record in order:

    * full-width rows without problems (as many cells as the header, not blank, no quote left
      open), gathered in a :class:`RowBatch` of consecutive records: the csv module's lists of
      cells, their record numbers (1-based; blank rows are not records), the physical lines they
      start on and which of them may hold a cell that needs escaping in a JSON string (a row
      not so flagged has no ``"``, backslash or control character on its line);
    * any other record: a :data:`Record` tuple ``(index, start, fields, problems)``, as
      :func:`build_line` takes it;
    * a row that could not be parsed: its finished :class:`ManifestLine`.

    A chunk of whole lines that are all such rows, each one line, is split at once
    (:func:`split_chunk`); any other chunk is read record by record by the csv module, with
    every check. Iterating yields the same records one by one, a row as its list of cells:
    while it is the latest one yielded, :attr:`index` is its record number, :attr:`start` its
    first physical line and :attr:`clean` True if it is not flagged as above.

    ``stats`` is filled as :func:`iter_manifest` fills it, and :attr:`columns` (the normalised
    header) is set once the first record is pulled. Nothing is read before that; errors are the
    same :class:`InputError` as for :func:`iter_manifest`, at the same point.
    """

    def __init__(
        self,
        path: Path,
        name: str,
        stats: ReadStats,
        *,
        chunk_bytes: int | None = None,
        options: ReadOptions = DEFAULT_OPTIONS,
    ) -> None:
        self.path = path
        self.name = name
        self.stats = stats
        self.chunk_bytes = chunk_bytes
        self.options = options
        self.columns: list[str] = []
        self.index = 0
        self.start = 0
        self.clean = False

    def __iter__(self) -> Iterator[list[str] | Record | ManifestLine]:
        for record in self.batches():
            if record.__class__ is not RowBatch:
                yield record  # type: ignore[misc]
                continue
            assert isinstance(record, RowBatch)
            dirty = set(record.dirty)
            for i, row in enumerate(record.rows):
                self.index = record.first_index + i
                self.start = record.starts[i]
                self.clean = i not in dirty
                yield row

    def batches(self) -> Iterator[RowBatch | Record | ManifestLine]:
        """The records, rows without problems in :class:`RowBatch` es (see the class doc)."""
        name, stats = self.name, self.stats
        csv.field_size_limit(MAX_FIELD_CHARS)  # deliberate: the default (128 KiB) is arbitrary
        src = TextLines(self.path, name, stats, allow_cp1252=True)
        chunks = src.chunks(self.chunk_bytes)
        declined: list[Iterable[str]] = []  # a chunk split_chunk declined, for the csv reader

        def parts() -> Iterator[Iterable[str]]:
            # What the csv reader reads: a declined chunk, then any chunk it runs on into.
            while True:
                part = declined.pop() if declined else next(chunks, None)
                if part is None:
                    return
                yield part

        lines = itertools.chain.from_iterable(parts())
        # The header starts on the first non-blank physical line; blank lines before it are
        # skipped. The delimiter is sniffed from that line.
        header_line = ""
        header_number = 0
        for text in lines:
            header_number += 1
            if text.strip():
                header_line = text
                break
        if not header_line:
            raise InputError("file is empty: expected a header row", file=name)
        delimiter = sniff_delimiter(header_line)
        reader = csv.reader(
            itertools.chain([header_line], lines), delimiter=delimiter, strict=False
        )
        # The reader counts the lines it pulls from the header on: physical number - offset
        # (a chunk split at once is not pulled by the reader: it adds to the offset).
        offset = header_number - 1
        try:
            header = next(reader)
        except csv.Error as exc:
            raise InputError(
                f"cannot parse the CSV header: {exc}",
                file=name,
                line=header_number,
                hint="is a closing quote missing?",
            ) from None
        if src.eof and reader.line_num > 1:
            raise InputError(
                "the header row has a quote that is never closed: the whole file would be one row",
                file=name,
                line=header_number,
                hint="add the closing quote",
            )
        columns = header_columns(header, name, header_number, self.options)
        originals = [cell.strip() for cell in header]
        require_columns(columns, name, header_number, "in the header row", originals)
        stats.columns = list(columns)
        self.columns = columns
        ncols = len(columns)
        escaped = '"' + escape_chars(delimiter)  # a row whose line has none needs no escaping
        chunk_end = 0  # the number after the last line of the chunk that `clean_lines` is of
        clean_lines: set[int] = set()
        index = 0
        # Rows read one by one, gathered for the next batch: cells, start lines, flagged.
        rows: list[list[str]] = []
        starts: list[int] = []
        dirty: list[int] = []
        try:
            while True:
                if offset + reader.line_num == src.pulled:
                    # The reader is at the end of every chunk pulled: the next may be split at once.
                    if rows:
                        yield RowBatch(rows, index - len(rows) + 1, starts, dirty)
                        rows, starts, dirty = [], [], []
                    part = next(chunks, None)
                    if part is None:
                        return
                    whole = src.whole_chunk(part)
                    split = (
                        split_chunk(whole[0], delimiter, ncols, MAX_FIELD_CHARS) if whole else None
                    )
                    if whole is not None and split is not None:
                        got, flagged = split
                        stats.records += len(got)
                        starts_at = range(whole[1], whole[1] + len(got))  # a row per line
                        yield RowBatch(got, index + 1, starts_at, flagged, one_line=True)
                        index += len(got)
                        offset += len(got)
                        continue
                    declined.append(part)
                start = offset + reader.line_num + 1  # the reader never reads ahead of its record
                try:
                    row = next(reader)
                except StopIteration:
                    if rows:
                        yield RowBatch(rows, index - len(rows) + 1, starts, dirty)
                    return
                except csv.Error as exc:
                    end = offset + reader.line_num
                    if "field larger than field limit" not in str(exc):
                        if end != start:
                            raise InputError(
                                f"cannot parse CSV: {exc}", file=name, line=end
                            ) from None
                        # e.g. a carriage return inside an unquoted value: the record is this one
                        # line, so report it (unparsed) and go on with the next.
                        index += 1
                        stats.records += 1
                        why = (
                            "a carriage return (CR) inside an unquoted value; quote the value"
                            if "new-line character" in str(exc)
                            else f"cannot parse this CSV line: {exc}"
                        )
                        if rows:
                            yield RowBatch(rows, index - len(rows), starts, dirty)
                            rows, starts, dirty = [], [], []
                        yield unparsed_line(index, start, "line", why)
                        continue
                    long_line = (
                        long_field_line(index + 1, start, src.line(end), delimiter, columns)
                        if end == start
                        else None
                    )
                    if long_line is None:
                        raise InputError(
                            f"a quoted field starting on or after line {start} runs past "
                            f"the {MAX_FIELD_CHARS:,}-character limit for one field (reading "
                            f"stopped at line {end})",
                            file=name,
                            line=start,
                            hint="is a closing quote missing?",
                        ) from None
                    index += 1
                    stats.records += 1
                    if rows:
                        yield RowBatch(rows, index - len(rows), starts, dirty)
                        rows, starts, dirty = [], [], []
                    yield long_line
                    continue
                problems: list[LineProblem] = []
                if src.eof:
                    # The csv module returns a record after the end of the file only when a quoted
                    # field is still open: every later line would silently become part of one value.
                    end = offset + reader.line_num
                    if end > start:
                        raise InputError(
                            f"a quoted field on this line is never closed: lines {start + 1} to "
                            f"{end} would be read as part of its value",
                            file=name,
                            line=start,
                            hint="add the closing quote",
                        )
                    problems.append(
                        LineProblem(
                            field="line", message="a quoted field is never closed (missing quote)"
                        )
                    )
                elif not (row and row[0] and not row[0].isspace()) and not "".join(row).strip():
                    # every cell blank (strip per cell, joined: the same); the first cell not blank
                    # settles it for most rows
                    stats.blank_skipped += 1
                    continue  # blank line (or a row of empty cells)
                index += 1
                stats.records += 1
                if problems or len(row) != ncols:
                    if len(row) != ncols:
                        problems.append(
                            LineProblem(
                                field="columns",
                                value=len(row),
                                message=f"row has {len(row)} fields, header has {ncols}",
                            )
                        )
                    fields: dict[str, Scalar] = dict(zip(columns, row, strict=False))
                    if rows:
                        yield RowBatch(rows, index - len(rows), starts, dirty)
                        rows, starts, dirty = [], [], []
                    yield index, start, fields, problems
                    continue
                # Clean: the row's first line has nothing to escape. A row over several lines has a
                # quote on its first line (only an open quoted field goes on past a line end), so
                # a clean row is that one line. A row starting past the chunk known takes the
                # reader's current chunk: the one it ends in, so its first line is in there only if
                # it is in one chunk (a row over two is not clean anyway).
                if start >= chunk_end:
                    chunk_end, clean_lines = src.clean_lines(escaped)
                if start not in clean_lines:
                    dirty.append(len(rows))
                rows.append(row)
                starts.append(start)
                if len(rows) >= _BATCH_ROWS:
                    yield RowBatch(rows, index - len(rows) + 1, starts, dirty)
                    rows, starts, dirty = [], [], []
        except InputError:
            if rows:  # the rows before the error first, as when yielded one by one
                yield RowBatch(rows, index - len(rows) + 1, starts, dirty)
            raise


# --- JSON, JSON Lines, YAML ----------------------------------------------------------------------


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as its key/value pairs, in order, duplicates kept (json object_pairs_hook)."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid JSON number")


def _finite_float(text: str) -> float | str:
    """Numbers too large for a float (``1e999``) stay text rather than becoming infinity."""
    number = float(text)
    return number if math.isfinite(number) else text


def _safe_int(text: str) -> int | str:
    """Integers longer than Python converts (4,300 digits) stay text instead of failing."""
    return text if len(text) > 4000 else int(text)


def _json_loads(text: str) -> Any:
    return json.loads(
        text,
        object_pairs_hook=_Pairs,
        parse_constant=_reject_constant,
        parse_float=_finite_float,
        parse_int=_safe_int,
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean_text(text: str) -> tuple[str, bool]:
    """Lone surrogates (from a JSON ``\\ud800`` escape) cannot be written as UTF-8: replace
    them with U+FFFD and say so."""
    if _SURROGATE.search(text) is None:
        return text, False
    return _SURROGATE.sub("\ufffd", text), True


def _plain(value: Any) -> Any:
    """JSON objects as dicts again (for carrying a nested value through as text)."""
    if isinstance(value, _Pairs):
        return {k: _plain(v) for k, v in value}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _is_object(value: Any) -> bool:
    return isinstance(value, _Pairs | dict)


def _pairs(obj: Any) -> list[tuple[str, Any]]:
    if isinstance(obj, _Pairs):
        return list(obj)
    assert isinstance(obj, dict)
    return [(str(k), v) for k, v in obj.items()]


def _object_keys(obj: Any, renames: dict[str, str] | None = None) -> set[str]:
    keys = {normalize_header(k) for k, _ in _pairs(obj)}
    return {renames.get(k, k) for k in keys} if renames else keys


def _object_line(
    index: int, source_line: int | None, obj: Any, options: ReadOptions = DEFAULT_OPTIONS
) -> ManifestLine:
    """A line from one JSON/YAML object: keys normalised (and mapped by ``options``), nested
    values carried as JSON text."""
    renames = options.renames()
    fields: dict[str, Scalar] = {}
    problems: list[LineProblem] = []
    originals: dict[str, str] = {}
    for col, (raw_key, value) in enumerate(_pairs(obj), start=1):
        key, bad_key = _clean_text(str(raw_key))
        norm = normalize_header(key) or f"column_{col}"
        norm = renames.get(norm, norm)
        if isinstance(value, _Pairs | dict | list):
            value = json.dumps(_plain(value), ensure_ascii=False, default=str)
            if norm in _SINGLE_VALUED:
                problems.append(LineProblem(field=norm, message="expected a single value"))
        elif isinstance(value, float) and not math.isfinite(value):
            value = str(value)
        elif not isinstance(value, str | int | float | bool | None):
            value = str(value)  # YAML with explicit tags: !!binary, !!set, ...
        bad_value = False
        if isinstance(value, str):
            value, bad_value = _clean_text(value)
        if bad_key or bad_value:
            problems.append(
                LineProblem(
                    field=norm,
                    message="invalid Unicode (a lone surrogate escape such as \\ud800) in the "
                    f"{'name' if bad_key else 'value'}; replaced with U+FFFD",
                )
            )
        if norm in fields:
            problems.append(
                LineProblem(
                    field=norm,
                    value=value,
                    message=f"duplicate key: '{originals[norm]}' and '{key}' are the same after "
                    "normalising names; the first is used",
                )
            )
            continue
        originals[norm] = key
        fields[norm] = value
    return build_line(index, source_line, fields, problems, options)


def _check_mapped(keys: set[str], options: ReadOptions, name: str) -> None:
    """Refuse a ``--column`` whose column no line of a JSON or YAML manifest has."""
    for target, source in options.columns:
        if normalize_header(source) not in keys:
            raise InputError(
                f"--column {normalize_header(target)}='{source}': no line has a key "
                f"'{source}' (keys found: {_listing(sorted(keys))})",
                file=name,
                field=normalize_header(target),
            )


def _rows(data: Any, name: str, kind: str) -> list[Any]:
    if isinstance(data, list) and not isinstance(data, _Pairs):
        return data
    if _is_object(data):
        found = [value for key, value in _pairs(data) if key == "lines"]
        if len(found) > 1:
            raise InputError(
                f"the key 'lines' appears {len(found)} times; lines would be lost",
                file=name,
                field="lines",
                hint="merge them into one list",
            )
        if found and isinstance(found[0], list):
            return found[0]
    raise InputError(
        f'a {kind} manifest must be a list of objects or {{"lines": [...]}}', file=name
    )


def _iter_documents(
    rows: list[Any], name: str, kind: str, stats: ReadStats, options: ReadOptions
) -> Iterator[ManifestLine]:
    objects = [row for row in rows if _is_object(row)]
    if objects:
        keys: set[str] = set()
        for obj in objects:
            keys |= _object_keys(obj)
        _check_mapped(keys, options, name)
        renames = options.renames()
        require_columns({renames.get(k, k) for k in keys}, name, None, "in any line")
    for index, row in enumerate(rows, start=1):
        stats.records += 1
        if _is_object(row):
            yield _object_line(index, None, row, options)
        else:
            got = "null" if row is None else type(row).__name__
            yield unparsed_line(index, None, "line", f"expected a {kind} object, got {got}")


def _iter_json(
    path: Path, name: str, stats: ReadStats, options: ReadOptions
) -> Iterator[ManifestLine]:
    raw = read_capped(path, MAX_JSON_BYTES, name, "JSON; use JSON Lines or CSV for large manifests")
    text, stats.encoding = decode_text(raw, name)
    try:
        data = _json_loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg}", file=name, line=exc.lineno, column=exc.colno
        ) from None
    except RecursionError:
        raise InputError("invalid JSON: nested too deeply", file=name) from None
    except ValueError as exc:
        raise InputError(f"invalid JSON: {exc}", file=name) from None
    yield from _iter_documents(_rows(data, name, "JSON"), name, "JSON", stats, options)


def _iter_yaml(
    path: Path, name: str, stats: ReadStats, options: ReadOptions
) -> Iterator[ManifestLine]:
    text, stats.encoding = decode_text(read_capped(path, MAX_YAML_BYTES, name, "YAML"), name)
    doc = loads(text, name)
    yield from _iter_documents(_rows(doc.data, name, "YAML"), name, "YAML", stats, options)


def _parse_jsonl(text: str) -> tuple[Any, str | None]:
    try:
        return _json_loads(text), None
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON: {exc.msg} at column {exc.colno}"
    except RecursionError:
        return None, "invalid JSON: nested too deeply"
    except ValueError as exc:
        return None, f"invalid JSON: {exc}"


def _jsonl_check_columns(path: Path, name: str, options: ReadOptions) -> None:
    """Scan until some line has each required key; usually the first line settles it."""
    renames = options.renames()
    need_dest, need_id, any_object = True, True, False
    for text in TextLines(path, name, ReadStats()):
        if not text.strip():
            continue
        obj, _ = _parse_jsonl(text)
        if not _is_object(obj):
            continue
        any_object = True
        keys = _object_keys(obj, renames)
        need_dest = need_dest and "destination" not in keys
        need_id = need_id and not ({"part_number", "eccn"} & keys)
        if not need_dest and not need_id:
            return
    if any_object:
        present = [] if need_dest else ["destination"]
        if not need_id:
            present.append("part_number")
        require_columns(present, name, None, "in any line")


def _iter_jsonl(
    path: Path, name: str, stats: ReadStats, options: ReadOptions
) -> Iterator[ManifestLine]:
    _jsonl_check_columns(path, name, options)
    src = TextLines(path, name, stats)
    index = 0
    for text in src:
        if not text.strip():
            stats.blank_skipped += 1
            continue
        index += 1
        stats.records += 1
        number = src.number
        obj, error = _parse_jsonl(text)
        if error is not None:
            yield unparsed_line(index, number, "line", error)
        elif not _is_object(obj):
            got = "null" if obj is None else type(obj).__name__
            yield unparsed_line(index, number, "line", f"expected a JSON object, got {got}")
        else:
            yield _object_line(index, number, obj, options)


# --- entry point -------------------------------------------------------------------------------


def iter_manifest(
    path: Path,
    display: str | None = None,
    *,
    fmt: str | None = None,
    stats: ReadStats | None = None,
    options: ReadOptions = DEFAULT_OPTIONS,
) -> Iterator[ManifestLine]:
    """Manifest lines in input order, one at a time, read as ``options`` say (the columns
    mapped to fields, the sheet of a workbook, the notation of numbers and dates).

    ``display`` is the file name used in error messages (default: the path as given); ``fmt``
    forces a format (``csv``, ``xlsx``, ``json``, ``jsonl``, ``yaml``) instead of detecting it.
    Raises :class:`InputError` (when the first line is pulled) for an unreadable file, a bad
    header or a missing required column, and later for a file that turns out unreadable further
    down (bad encoding, an unclosed quote running past the field limit).

    ``stats``, if given, is reset and then filled as lines are pulled (see :class:`ReadStats`).
    """
    if stats is None:
        stats = ReadStats()
    stats.records = stats.blank_skipped = 0
    stats.encoding = ""
    stats.notices.clear()
    stats.columns = None
    name = display or str(path)
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"unknown manifest format '{fmt}' (expected one of: {', '.join(FORMATS)})")
    if not path.is_file():
        what = "is a directory, not a file" if path.is_dir() else "no such file"
        raise InputError(what, file=name)
    kind = fmt or detect_format(path, name)
    stats.format = kind
    if kind in ("csv", "xlsx"):
        yield from _iter_table(path, name, stats, kind, options)
    elif kind == "json":
        yield from _iter_json(path, name, stats, options)
    elif kind == "jsonl":
        yield from _iter_jsonl(path, name, stats, options)
    else:
        yield from _iter_yaml(path, name, stats, options)


# --- the fast path: CSV rows to light lines through small caches ---------------------------------

_CACHE_LIMIT = 1 << 16  # entries per value cache; a cache that fills up is emptied (bounded)
_BAD = object()  # cached: the raw value is a problem (the line takes the full path)


def _quick_number(text: str) -> bool:
    """True for plain ``123`` / ``123.45`` cells, which :func:`parse_number` always accepts
    (ASCII digits only; short enough to stay finite). Others go to :func:`parse_number`."""
    whole, _, frac = text.partition(".")
    return (
        len(whole) < 300
        and whole.isascii()
        and whole.isdigit()
        and (not frac or (frac.isascii() and frac.isdigit()))
    )


class FastLineBuilder:
    """Builds :class:`LightLine` objects from full-width CSV rows, exactly as :func:`build_line`
    would parse them, but through small caches (destination, ECCN, ship date, parameters, the
    item). Returns None for any row with a problem, which then takes :func:`build_line`.

    Every value that decides anything is parsed by the same functions as in
    :func:`build_line`; only the repetition is saved.
    """

    def __init__(self, columns: Sequence[str]) -> None:
        self.ncols = len(columns)
        present = set(columns)
        self.has = {name: name in present for name in ("line_id", "ship_date", "eccn")}
        self.number_columns: tuple[str, ...] = tuple(
            n for n in ("quantity", "unit_value") if n in present
        )
        self.param_columns = tuple(n for n in PARAMS if n in present)
        self.country_columns = tuple(n for n in columns if is_country_column(n))
        self._dest: dict[str, object] = {}
        self._eccn: dict[str, object] = {}
        self._date: dict[str, object] = {}
        self._param: dict[tuple[str, str], object] = {}
        self._items: dict[tuple[object, ...], tuple[Item, tuple[object, ...]]] = {}
        # The item's raw cells, as one tuple: its item (or _BAD) without re-parsing them.
        item_columns = tuple(
            n
            for n in ("part_number", "eccn", "vendor", "category", "description", *PARAMS)
            if n in present
        )
        self._item_cells = operator.itemgetter(*item_columns) if len(item_columns) > 1 else None
        self._raw_items: dict[object, object] = {}

    BAD: Any = _BAD  # what the value parsers below return for a value with a problem

    @staticmethod
    def _bounded(cache: dict[Any, Any]) -> None:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()

    def destination(self, raw: str) -> object:
        """The country code of a raw destination cell, or :attr:`BAD`."""
        return self._destination(raw)

    def ship_date(self, raw: str) -> object:
        """The date of a raw ship_date cell, ``""`` when blank, or :attr:`BAD`."""
        return self._ship_date(raw)

    def item_of(self, fields: dict[str, Any]) -> object:
        """The row's (item, item key), or :attr:`BAD` when its item cells have a problem."""
        return self._item(fields)

    def country_ok(self, raw: str) -> bool:
        """Whether a raw country cell (a party's headquarters) is blank or a country."""
        return not raw.strip() or self._destination(raw) is not _BAD

    @staticmethod
    def number_ok(raw: str) -> bool:
        """Whether a raw quantity / unit_value cell is blank or a valid number."""
        if _quick_number(raw) or not raw.strip():
            return True
        try:
            parse_number(raw)
        except ValueError:
            return False
        return True

    def _destination(self, raw: str) -> object:
        found = self._dest.get(raw)
        if found is None:
            text = raw.strip()
            code = normalize_country(text) if text else None
            found = code if code is not None else _BAD
            self._bounded(self._dest)
            self._dest[raw] = found
        return found

    def _eccn_of(self, raw: str) -> object:
        found = self._eccn.get(raw)
        if found is None:
            text = raw.strip()
            if not text:
                found = ""
            else:
                eccn = normalize_eccn(text)
                found = eccn if eccn is not None else _BAD
            self._bounded(self._eccn)
            self._eccn[raw] = found
        return found

    def _ship_date(self, raw: str) -> object:
        found = self._date.get(raw)
        if found is None:
            text = raw.strip()
            if not text:
                found = ""
            else:
                try:
                    if not _DATE.match(text):
                        raise ValueError
                    found = date.fromisoformat(text)
                except ValueError:
                    found = _BAD
            self._bounded(self._date)
            self._date[raw] = found
        return found

    def _param_of(self, name: str, raw: str) -> object:
        key = (name, raw)
        found = self._param.get(key)
        if found is None:
            try:
                found = parse_param(name, raw)
            except ValueError:
                found = _BAD
            self._bounded(self._param)
            self._param[key] = found
        return found

    def build(self, index: int, source_line: int, fields: dict[str, Any]) -> LightLine | None:
        """The line for a CSV record without reader problems, or None (use build_line)."""
        if len(fields) != self.ncols:
            return None
        line_id = (fields["line_id"].strip() if self.has["line_id"] else "") or str(index)
        destination = self._destination(fields["destination"])
        if destination is _BAD:
            return None
        if self._item_cells is None:
            hit = self._item(fields)
        else:
            cells = self._item_cells(fields)
            hit = self._raw_items.get(cells)
            if hit is None:
                hit = self._item(fields)
                self._bounded(self._raw_items)
                self._raw_items[cells] = hit
        if hit is _BAD:
            return None
        ship_date: object = ""
        if self.has["ship_date"]:
            ship_date = self._ship_date(fields["ship_date"])
            if ship_date is _BAD:
                return None
        for column in self.number_columns:
            raw = fields[column]
            if not _quick_number(raw) and raw.strip():
                try:
                    parse_number(raw)
                except ValueError:
                    return None
        for column in self.country_columns:
            if not self.country_ok(fields[column]):
                return None
        raw_end_use = fields.get("end_use")
        assert isinstance(hit, tuple)
        return LightLine(
            index,
            source_line,
            line_id,
            fields,
            hit[0],
            hit[1],
            destination,  # type: ignore[arg-type]
            ship_date or None,  # type: ignore[arg-type]
            (raw_end_use.strip() or None) if raw_end_use is not None else None,
        )

    def _item(self, fields: dict[str, Any]) -> object:
        """The row's (item, item key), or _BAD when its item cells have a problem."""
        raw_part = fields.get("part_number")
        part_number = raw_part.strip() or None if raw_part is not None else None
        eccn: object = ""
        if self.has["eccn"]:
            eccn = self._eccn_of(fields["eccn"])
            if eccn is _BAD:
                return _BAD
        if part_number is None and eccn == "":
            return _BAD
        params: list[tuple[str, float]] = []
        for name in self.param_columns:
            raw = fields[name]
            if raw and not raw.isspace():
                value = self._param_of(name, raw)
                if value is _BAD:
                    return _BAD
                assert isinstance(value, float)
                params.append((name, value))
        raw_vendor = fields.get("vendor")
        raw_category = fields.get("category")
        raw_description = fields.get("description")
        item_raw = (
            part_number,
            eccn,
            raw_vendor.strip() if raw_vendor is not None else None,
            raw_category.strip() if raw_category is not None else None,
            raw_description.strip() if raw_description is not None else None,
            tuple(params),
        )
        hit = self._items.get(item_raw)
        if hit is None:
            item = Item(
                part_number=part_number,
                eccn=eccn or None,
                vendor=item_raw[2] or None,
                category=item_raw[3] or None,
                description=item_raw[4] or None,
                params=dict(params),
            )
            key = (
                item.part_number,
                item.eccn,
                item.vendor,
                item.category,
                tuple(sorted(item.params.items())),
            )
            self._bounded(self._items)
            hit = self._items[item_raw] = (item, key)
        return hit


def iter_lines(
    path: Path,
    display: str | None = None,
    *,
    stats: ReadStats | None = None,
    fast: bool = True,
    options: ReadOptions = DEFAULT_OPTIONS,
) -> Iterator[LineLike]:
    """Like :func:`iter_manifest`, but with ``fast`` a CSV row without problems becomes a
    :class:`LightLine` (same values, no per-line validation; see :class:`FastLineBuilder`).
    Other rows and other formats give the same :class:`ManifestLine` as :func:`iter_manifest`.
    """
    if stats is None:
        stats = ReadStats()
    if not fast or not options.plain_values:
        # (the fast builder reads dot decimals and ISO dates only)
        yield from iter_manifest(path, display, stats=stats, options=options)
        return
    stats.records = stats.blank_skipped = 0
    stats.encoding = ""
    stats.notices.clear()
    stats.columns = None
    name = display or str(path)
    if not path.is_file():
        what = "is a directory, not a file" if path.is_dir() else "no such file"
        raise InputError(what, file=name)
    kind = detect_format(path, name)
    stats.format = kind
    if kind not in ("csv", "xlsx"):
        yield from iter_manifest(path, display, stats=stats, options=options)
        return
    builder: FastLineBuilder | None = None
    for record in iter_table_records(path, name, stats, kind, options):
        if isinstance(record, ManifestLine):
            yield record
            continue
        index, start, fields, problems = record
        if builder is None:
            builder = FastLineBuilder(stats.columns or [])
        light = None if problems else builder.build(index, start, fields)
        yield light if light is not None else build_line(index, start, fields, problems)
