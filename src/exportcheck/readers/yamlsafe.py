"""Strict, safe YAML loading with error locations.

PyYAML's safe loader still has traps for data files like ours:

* duplicate keys silently keep the last value (a rule could lose its destinations unnoticed);
* YAML 1.1 booleans turn country codes into booleans (``NO`` → False, the "Norway problem");
* unquoted timestamps become ``date`` objects, and the ECCN ``3E991`` becomes the float
  3×10^991 (= inf);
* anchors and aliases can expand exponentially ("billion laughs").

This loader resolves only ``true``/``false``, ``null``/``~``, integers and decimal floats
(which need a decimal point); everything else stays a string (pydantic parses ISO dates from
strings). Duplicate keys, alias expansion beyond a budget and oversized files are refused with
the file, line and column.
"""

from __future__ import annotations

import codecs
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from exportcheck.errors import InputError

MAX_YAML_BYTES = 64 * 1024 * 1024
MAX_EXPANDED_NODES = 2_000_000

try:  # the C parser is much faster and behaves the same for our purposes
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - libyaml not available
    _BaseLoader = yaml.SafeLoader


class _StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader with a YAML-1.2-like core schema and duplicate-key detection."""


# Replace the implicit resolvers: keep null, bool (true/false only), int, float.
_StrictLoader.yaml_implicit_resolvers = {}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
# Integers without leading zeros: ``0123`` (a part number) stays text rather than becoming the
# octal 83, and ``09`` is not an error.
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
# Floats need a decimal point: ``3E991`` and ``5E002`` are ECCNs, not 3×10^991 (= inf).
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)
_StrictLoader.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^<<$"), ["<"])


def _construct_as_str(loader: yaml.SafeLoader, node: Node) -> str:
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_as_str)

_DECIMAL = re.compile(r"^[-+]?[0-9]+$")
_MAX_INT_DIGITS = 4000
_PLAIN_FLOAT = re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")


def _construct_int(loader: yaml.SafeLoader, node: Node) -> int | str:
    """Decimal integers (``0x1F`` style forms only with an explicit ``!!int`` tag). A number with
    more digits than Python converts (4,300) stays text instead of raising ValueError."""
    value = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    text = value.replace("_", "").strip()
    if _DECIMAL.match(text):
        return value if len(text) > _MAX_INT_DIGITS else int(text, 10)
    try:
        return int(text, 0)  # explicit !!int 0x1F, 0o17, 0b101
    except ValueError:
        raise ConstructorError(None, None, f"not an integer: '{value}'", node.start_mark) from None


def _construct_float(loader: yaml.SafeLoader, node: Node) -> float | str:
    """Finite floats only. A plain number too large for a float (``1.0e999``) stays text, like
    the JSON reader does; an explicit ``!!float .inf`` or ``.nan`` is refused."""
    value = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    text = value.replace("_", "").strip()
    if text.lower().lstrip("+-") in (".inf", ".nan"):
        raise ConstructorError(
            None,
            None,
            f"'{value}' is not a finite number (.inf and .nan are not allowed)",
            node.start_mark,
        )
    try:
        number = float(text)
    except ValueError:
        raise ConstructorError(None, None, f"not a number: '{value}'", node.start_mark) from None
    if math.isfinite(number):
        return number
    if _PLAIN_FLOAT.match(text):
        return value
    raise ConstructorError(
        None,
        None,
        f"'{value}' is not a finite number (.inf and .nan are not allowed)",
        node.start_mark,
    )


# ``<<`` as a value (not a merge key) is just text.
_StrictLoader.add_constructor("tag:yaml.org,2002:merge", _construct_as_str)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)


class YamlDocument:
    """A loaded YAML document and its node tree, to locate errors by path."""

    def __init__(self, data: Any, root: Node | None, file: str) -> None:
        self.data = data
        self.root = root
        self.file = file

    def locate(self, loc: Sequence[int | str]) -> tuple[int | None, int | None]:
        """1-based (line, column) of the node at ``loc`` (or its nearest existing parent)."""
        node = self.root
        if node is None:
            return None, None
        best = node
        for part in loc:
            nxt: Node | None = None
            if isinstance(node, MappingNode):
                for k, v in node.value:
                    if isinstance(k, ScalarNode) and k.value == str(part):
                        nxt = v
                        break
            elif (
                isinstance(node, SequenceNode)
                and isinstance(part, int)
                and 0 <= part < len(node.value)
            ):
                nxt = node.value[part]
            if nxt is None:
                break
            node = best = nxt
        return best.start_mark.line + 1, best.start_mark.column + 1

    def error(
        self, message: str, loc: Sequence[int | str] = (), field: str | None = None
    ) -> InputError:
        line, col = self.locate(loc)
        return InputError(message, file=self.file, line=line, column=col, field=field)


def _check_duplicates_and_size(root: Node, file: str) -> None:
    """Refuse duplicate mapping keys and alias expansion bombs."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if key in sizes and not done:
            continue
        if isinstance(node, ScalarNode):
            sizes[key] = 1
            continue
        children: list[Node]
        if isinstance(node, MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, SequenceNode):
            children = list(node.value)
        else:  # pragma: no cover
            children = []
        if not done:
            if isinstance(node, MappingNode):
                seen: dict[str, Node] = {}
                for k, _ in node.value:
                    if isinstance(k, ScalarNode) and k.tag != "tag:yaml.org,2002:merge":
                        if k.value in seen:
                            first = seen[k.value].start_mark.line + 1
                            raise InputError(
                                f"duplicate key '{k.value}' (first defined on line {first})",
                                file=file,
                                line=k.start_mark.line + 1,
                                column=k.start_mark.column + 1,
                                field=str(k.value),
                            )
                        seen[k.value] = k
            sizes[key] = -1  # in progress (guards against recursive aliases)
            stack.append((node, True))
            for child in children:
                if id(child) not in sizes:
                    stack.append((child, False))
                elif sizes[id(child)] == -1:
                    raise InputError(
                        "recursive YAML alias",
                        file=file,
                        line=child.start_mark.line + 1,
                        column=child.start_mark.column + 1,
                    )
        else:
            total = 1 + sum(sizes.get(id(c), 1) for c in children)
            if total > MAX_EXPANDED_NODES:
                raise InputError(
                    f"YAML anchors/aliases expand to more than {MAX_EXPANDED_NODES:,} nodes; "
                    "refusing to load (possible alias bomb)",
                    file=file,
                    line=node.start_mark.line + 1,
                    column=node.start_mark.column + 1,
                )
            sizes[key] = total


def loads(text: str, file: str = "<string>") -> YamlDocument:
    """Parse YAML text strictly. Raises :class:`InputError` with file, line and column."""
    if len(text) > MAX_YAML_BYTES:
        raise InputError(
            f"YAML text is {len(text):,} characters, over the {MAX_YAML_BYTES:,} limit", file=file
        )
    try:
        loader = _StrictLoader(text)
        try:
            root = loader.get_single_node()
            if root is None:
                return YamlDocument(None, None, file)
            _check_duplicates_and_size(root, file)
            data = loader.construct_document(root)
        finally:
            loader.dispose()
    except InputError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(
            f"invalid YAML: {problem}",
            file=file,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", file=file) from None
    except RecursionError:
        raise InputError("YAML nesting too deep", file=file) from None
    except (ValueError, TypeError, OverflowError) as exc:  # a constructor gave up on a value
        raise InputError(f"invalid YAML value: {exc}", file=file) from None
    return YamlDocument(data, root, file)


_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def detect_bom(head: bytes) -> tuple[str | None, int]:
    """(encoding, BOM length) from a byte-order mark at the start of ``head``; (None, 0) if none.
    ``utf-8-sig`` names UTF-8 with a BOM; the others are the codecs to use after the BOM."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, len(bom)
    return None, 0


NUL_HINT = "it looks like UTF-16 without a byte-order mark, or not a text file; save it as UTF-8"


def decode_text(raw: bytes, file: str) -> tuple[str, str]:
    """Decode a whole text file: UTF-8 (with or without BOM), or UTF-16/UTF-32 with a BOM.

    Returns ``(text, encoding)``. Anything else (cp1252, UTF-16 without a BOM, binary) is refused
    with the line and column of the first bad byte and what to do.
    """
    encoding, skip = detect_bom(raw)
    codec = "utf-8" if encoding in (None, "utf-8-sig") else encoding
    assert codec is not None
    body = raw[skip:]
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        prefix = body[: exc.start]
        if codec == "utf-8":
            line = prefix.count(b"\n") + 1
            column = exc.start - (prefix.rfind(b"\n") + 1) + 1
            raise InputError(
                f"not valid UTF-8 (byte 0x{body[exc.start]:02x})",
                file=file,
                line=line,
                column=column,
                hint="save the file as UTF-8",
            ) from None
        line = prefix.decode(codec, errors="replace").count("\n") + 1
        raise InputError(
            f"not valid {codec.upper()}: {exc.reason}",
            file=file,
            line=line,
            hint="save the file as UTF-8",
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        column = nul - (text.rfind("\n", 0, nul) + 1) + 1
        raise InputError(
            "contains a NUL character", file=file, line=line, column=column, hint=NUL_HINT
        )
    return text, encoding or "utf-8"


def read_capped(path: Path, max_bytes: int, display: str | None = None, what: str = "") -> bytes:
    """The bytes of ``path``, refusing a file over ``max_bytes`` before reading it."""
    name = display or str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", file=name) from None
    if size > max_bytes:
        limit = f" for {what}" if what else ""
        raise InputError(
            f"file is {size:,} bytes, over the {max_bytes:,}-byte limit{limit}", file=name
        )
    try:
        with path.open("rb") as fh:
            raw = fh.read(max_bytes + 1)  # the file may have grown since stat()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", file=name) from None
    if len(raw) > max_bytes:
        raise InputError(
            f"file is over the {max_bytes:,}-byte limit{' for ' + what if what else ''}", file=name
        )
    return raw


def load_path(
    path: Path, max_bytes: int = MAX_YAML_BYTES, display: str | None = None
) -> YamlDocument:
    """Read and strictly parse a YAML file (UTF-8 with or without BOM, UTF-16/32 with BOM)."""
    name = display or str(path)
    text, _ = decode_text(read_capped(path, max_bytes, name, "YAML"), name)
    return loads(text, name)
