"""Reading JSON, JSON Lines and YAML manifests: each object a line, keys normalised, nested
values carried as JSON text."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from exportcheck.errors import InputError
from exportcheck.model.fields import SINGLE_VALUED
from exportcheck.model.manifest import LineProblem, ManifestLine, Scalar
from exportcheck.readers.manifest.build import build_line, unparsed_line
from exportcheck.readers.manifest.columns import listing, require_columns
from exportcheck.readers.manifest.text import TextLines
from exportcheck.readers.manifest.values import (
    DEFAULT_OPTIONS,
    ReadOptions,
    ReadStats,
    normalize_header,
)
from exportcheck.readers.yamlsafe import MAX_YAML_BYTES, decode_text, loads, read_capped

MAX_JSON_BYTES = 256 * 1024 * 1024


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
            if norm in SINGLE_VALUED:
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
                f"'{source}' (keys found: {listing(sorted(keys))})",
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


def iter_json(
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


def iter_yaml(
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


def iter_jsonl(
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
