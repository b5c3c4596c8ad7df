"""Which format a manifest is in (by extension, else by its first bytes), and which delimiter
a CSV header line uses."""

from __future__ import annotations

import json
import re
from pathlib import Path

from exportcheck.errors import InputError
from exportcheck.readers.yamlsafe import detect_bom

SNIFF_BYTES = 64 * 1024
CSV_DELIMITERS: tuple[str, ...] = (",", ";", "\t")

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
_YAML_ITEM = re.compile(r"^(?:---|-\s|-$)")
_YAML_KEY = re.compile(r"^[A-Za-z_][\w .-]*:(?:\s|$)")


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
