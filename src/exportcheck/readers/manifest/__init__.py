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

The package, by seam: :mod:`.values` (options, stats and the parsers of single values),
:mod:`.sniff` (format and delimiter), :mod:`.build` (a row made a line), :mod:`.text` (decoded
physical lines), :mod:`.columns` (header names and required columns), :mod:`.csvread` (CSV
records), :mod:`.structured` (JSON, JSON Lines, YAML), :mod:`.fast` (light lines for the fast
path) and :mod:`.read` (the entry points). The names below are re-exported; a limit such as
``MAX_FIELD_CHARS`` is read where it is defined, so a test that changes one patches that
submodule, not this package.
"""

from __future__ import annotations

from exportcheck.readers.manifest.build import Record, build_line, unparsed_line
from exportcheck.readers.manifest.columns import header_columns, require_columns
from exportcheck.readers.manifest.csvread import MAX_FIELD_CHARS, CsvRecords, long_field_line
from exportcheck.readers.manifest.fast import FastLineBuilder
from exportcheck.readers.manifest.read import (
    FORMATS,
    iter_lines,
    iter_manifest,
    iter_table_records,
)
from exportcheck.readers.manifest.sniff import (
    CSV_DELIMITERS,
    SNIFF_BYTES,
    detect_format,
    sniff_delimiter,
    sniff_format,
)
from exportcheck.readers.manifest.structured import MAX_JSON_BYTES
from exportcheck.readers.manifest.text import CSV_CHUNK_BYTES, MAX_LINE_BYTES, TextLines
from exportcheck.readers.manifest.values import (
    DEFAULT_OPTIONS,
    ReadOptions,
    ReadStats,
    date_pattern,
    is_blank,
    normalize_header,
    parse_flag,
    parse_number,
    parse_param,
    parse_ship_date,
)

__all__ = [
    "CSV_CHUNK_BYTES",
    "CSV_DELIMITERS",
    "DEFAULT_OPTIONS",
    "FORMATS",
    "MAX_FIELD_CHARS",
    "MAX_JSON_BYTES",
    "MAX_LINE_BYTES",
    "SNIFF_BYTES",
    "CsvRecords",
    "FastLineBuilder",
    "ReadOptions",
    "ReadStats",
    "Record",
    "TextLines",
    "build_line",
    "date_pattern",
    "detect_format",
    "header_columns",
    "is_blank",
    "iter_lines",
    "iter_manifest",
    "iter_table_records",
    "long_field_line",
    "normalize_header",
    "parse_flag",
    "parse_number",
    "parse_param",
    "parse_ship_date",
    "require_columns",
    "sniff_delimiter",
    "sniff_format",
    "unparsed_line",
]
