"""Readers for restricted-party lists: our YAML format and the official CSV formats.

Formats (detected by content, then by file name):

* **YAML party list** (``*.yaml``/``*.yml``, ``kind: party-list``) — our own format, validated
  by :class:`exportcheck.model.parties.PartyList`::

      kind: party-list
      id: entity-list-ai-chips          # unique id of the list file
      title: Entity List - AI chip entries
      version: "2025-10-01"             # e.g. the date of the data
      description: ...                  # optional
      defaults:                         # optional; every entry inherits these
        source: Entity List (EL) - Bureau of Industry and Security
        list_code: EL
        country: CN
        license_requirement: For all items subject to the EAR.
        license_policy: Presumption of denial.
      entries:
        - entry_id: EL-huawei
          name: Huawei Technologies Co., Ltd.
          aliases: [Huawei, 华为技术有限公司]
          type: entity                  # entity | individual | vessel | aircraft | unknown
          countries: [CN]
          addresses: ["Bantian, Longgang District, Shenzhen, CN"]
          programs: []
          citation: 84 FR 22961
          start_date: "2019-05-16"      # in force from (inclusive)
          end_date: null                # in force until (exclusive)
          status: null                  # overrides the list default (EL → license_required)
          confidence: unconfirmed       # checked | secondary | news | unconfirmed
          source_url: https://...
          remarks: ...

* **Consolidated Screening List** CSV from trade.gov, older and newer (leading ``_id``) schema;
  multiple values joined with ``; ``.
* **OFAC legacy SDN CSV**: ``sdn.csv`` (no header, ``-0-`` = empty), with the aliases file
  (``alt.csv``) and the addresses file (``add.csv``). Companion files beside an SDN file are
  picked up automatically (``ofac-sdn.csv`` → ``ofac-alt.csv``/``ofac-add.csv``, ``SDN.CSV`` →
  ``ALT.CSV``/``ADD.CSV``) and are also accepted when named explicitly; names in the remarks
  (``a.k.a. 'X'``) become aliases too.

Text is UTF-8 (with or without BOM); CSV files that are not valid UTF-8 are read as cp1252
(which OFAC uses), falling back to Latin-1. Every problem raises
:class:`~exportcheck.errors.InputError` with the file, the line and the field.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from exportcheck.errors import InputError
from exportcheck.model.parties import ListEntry, PartyList
from exportcheck.model.report import Source
from exportcheck.readers import yamlsafe
from exportcheck.readers.listcsv import (
    companion_path,
    decode,
    detect_format,
    read_bytes,
    read_csl_csv,
    read_ofac,
)

__all__ = [
    "LoadedLists",
    "detect_format",
    "load_lists",
    "read_csl_csv",
    "read_ofac",
    "read_yaml_list",
    "write_yaml_list",
]


@dataclass
class LoadedLists:
    """What :func:`load_lists` returns: the entries and one source record per file."""

    entries: list[ListEntry] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)

    def __iter__(self) -> Iterator[Any]:  # allows ``entries, sources = load_lists(...)``
        yield self.entries
        yield self.sources


# --------------------------------------------------------------------------------------------
# YAML
# --------------------------------------------------------------------------------------------


def read_yaml_list(path: Path, display: str | None = None) -> PartyList:
    """A YAML party list, validated; errors name the file, line and field."""
    doc = yamlsafe.load_path(path, display=display)
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error("a party list must be a mapping with 'kind: party-list' and 'entries'")
    if data.get("kind") != "party-list":
        raise doc.error("not a party list: expected 'kind: party-list'", ("kind",), field="kind")
    try:
        return PartyList.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        err = errors[0]
        loc = tuple(err["loc"])
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        field_name = ".".join(str(p) for p in loc) or None
        raise doc.error(f"{err['msg']}{more}", loc, field=field_name) from None


_YAML_FIELD_ORDER = (
    "entry_id", "name", "aliases", "type", "source", "list_code", "country", "countries",
    "addresses", "programs", "citation", "start_date", "end_date", "license_requirement",
    "license_policy", "status", "confidence", "source_url", "remarks",
)  # fmt: skip


def write_yaml_list(
    entries: Sequence[ListEntry],
    *,
    list_id: str = "imported-list",
    title: str = "Imported restricted-party list",
    version: str,
    description: str | None = None,
    comment: str | None = None,
) -> str:
    """Our YAML party-list format for ``entries`` (loadable by :func:`read_yaml_list`)."""
    out_entries: list[dict[str, Any]] = []
    for e in entries:
        data = e.model_dump(mode="json")
        item: dict[str, Any] = {}
        for k in _YAML_FIELD_ORDER:
            v = data.get(k)
            if v is None or v == [] or (k == "type" and v == "unknown"):
                continue
            if k == "confidence" and v == "checked":
                continue
            item[k] = v
        out_entries.append(item)
    doc: dict[str, Any] = {"kind": "party-list", "id": list_id, "title": title}
    doc["version"] = version
    if description:
        doc["description"] = description
    doc["entries"] = out_entries
    body = yaml.safe_dump(
        doc, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    )
    header = ""
    if comment:
        header = "".join(f"# {c}\n" if c else "#\n" for c in comment.splitlines())
    return header + body


# --------------------------------------------------------------------------------------------
# Loading files and directories
# --------------------------------------------------------------------------------------------


def _sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _expand(paths: Iterable[Path]) -> list[tuple[Path, bool]]:
    """Files to read, each with True when named explicitly."""
    out: list[tuple[Path, bool]] = []
    for p in paths:
        if p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.is_file()
                and f.suffix.lower() in (".yaml", ".yml", ".csv")
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
            out.extend((f, False) for f in found)
        elif p.is_file():
            out.append((p, True))
        else:
            raise InputError("no such file or directory", file=str(p))
    return out


# path (resolved) → (text, raw bytes, format) of each CSV file read
_Texts = dict[Path, tuple[str, bytes, str]]


def load_lists(paths: Sequence[Path], display: Any = None) -> LoadedLists:
    """Read list files and directories (recursive ``*.yaml``/``*.yml``/``*.csv``).

    ``display`` (optional) maps a path to the name used in messages and sources, e.g.
    ``readers.shipped.display_path``. Returns the entries and a :class:`Source` per file read
    (kind ``lists``, the list id and version, the path and its sha256). Unpacks as
    ``entries, sources = load_lists(paths)``.
    """

    def name_of(p: Path) -> str:
        return str(display(p)) if display is not None else str(p)

    files = _expand(paths)
    ordered, texts = _read_texts(files, name_of)
    result = LoadedLists()
    consumed: set[Path] = set()
    explicit_keys = {f.resolve() for f, explicit in files if explicit}
    companions = _claim_companions(ordered, texts, name_of)
    for comp in companions.values():
        consumed.update(c.resolve() for c in comp.values())
    for f in ordered:
        key = f.resolve()
        if key in consumed and texts.get(key, ("", b"", ""))[2] != "ofac-sdn":
            continue
        if f.suffix.lower() in (".yaml", ".yml"):
            _load_yaml(f, name_of(f), result)
            continue
        text, raw, fmt = texts[key]
        if fmt == "csl":
            result.entries.extend(read_csl_csv(text, name_of(f)))
            result.sources.append(
                Source(kind="lists", id="csl", path=name_of(f), sha256=_sha256(raw))
            )
        elif fmt == "ofac-sdn":
            _load_sdn(f, text, raw, companions.get(key, {}), texts, name_of, result)
        elif key in explicit_keys or fmt in ("ofac-alt", "ofac-add"):
            # companions already consumed above; anything else left is an error
            raise InputError(f"cannot load {fmt} file on its own", file=name_of(f))
    result.sources.sort(key=lambda s: (s.path, s.id or ""))
    return result


def _read_texts(
    files: list[tuple[Path, bool]], name_of: Callable[[Path], str]
) -> tuple[list[Path], _Texts]:
    """The files in order, each once, and the text, bytes and format of each CSV file."""
    texts: _Texts = {}
    seen: set[Path] = set()
    ordered: list[Path] = []
    for f, _explicit in files:
        key = f.resolve()
        if key in seen:
            continue
        seen.add(key)
        ordered.append(f)
        if f.suffix.lower() in (".yaml", ".yml"):
            continue
        raw = read_bytes(f, name_of(f))
        text = decode(raw)
        texts[key] = (text, raw, detect_format(f, text))
    return ordered, texts


def _claim_companions(
    ordered: list[Path], texts: _Texts, name_of: Callable[[Path], str]
) -> dict[Path, dict[str, Path]]:
    """Per OFAC SDN file (resolved), its companion files by kind (alt, add): those beside
    it, and those given explicitly (which need a single SDN file to belong to)."""
    ofac_by_kind: dict[str, list[Path]] = {"ofac-sdn": [], "ofac-alt": [], "ofac-add": []}
    for f in ordered:
        info = texts.get(f.resolve())
        if info and info[2] in ofac_by_kind:
            ofac_by_kind[info[2]].append(f)
    companions: dict[Path, dict[str, Path]] = {}
    for sdn in ofac_by_kind["ofac-sdn"]:
        comp: dict[str, Path] = {}
        for kind in ("alt", "add"):
            beside = companion_path(sdn, kind)
            if beside is not None:
                comp[kind] = beside
        companions[sdn.resolve()] = comp
    for kind in ("alt", "add"):
        loose = [
            f
            for f in ofac_by_kind[f"ofac-{kind}"]
            if not any(
                c.get(kind) and c[kind].resolve() == f.resolve() for c in companions.values()
            )
        ]
        for f in loose:
            if len(ofac_by_kind["ofac-sdn"]) == 1:
                companions[ofac_by_kind["ofac-sdn"][0].resolve()][kind] = f
            else:
                raise InputError(
                    f"OFAC {kind.upper()} file without a matching SDN file: give the SDN file "
                    f"too (e.g. sdn.csv beside {kind}.csv)",
                    file=name_of(f),
                )
    return companions


def _load_yaml(f: Path, name: str, result: LoadedLists) -> None:
    """Adds a YAML party list's entries and source to ``result``."""
    doc = read_yaml_list(f, display=name)
    result.entries.extend(doc.entries)
    raw = read_bytes(f, name)
    result.sources.append(
        Source(
            kind="lists",
            id=doc.id,
            version=doc.version,
            path=name,
            sha256=_sha256(raw),
        )
    )


def _load_sdn(
    f: Path,
    text: str,
    raw: bytes,
    companions: dict[str, Path],
    texts: _Texts,
    name_of: Callable[[Path], str],
    result: LoadedLists,
) -> None:
    """Adds an OFAC SDN file's entries, with its companions' aliases and addresses, and the
    sources of all of them to ``result`` (a companion not read yet is read into ``texts``)."""
    parts: dict[str, tuple[str, str]] = {}
    for kind, comp_path in sorted(companions.items()):
        ckey = comp_path.resolve()
        if ckey not in texts:
            craw = read_bytes(comp_path, name_of(comp_path))
            ctext = decode(craw)
            cfmt = detect_format(comp_path, ctext)
            if cfmt != f"ofac-{kind}":
                raise InputError(
                    f"expected an OFAC {kind.upper()} file, found format {cfmt}",
                    file=name_of(comp_path),
                )
            texts[ckey] = (ctext, craw, cfmt)
        ctext, craw, _ = texts[ckey]
        parts[kind] = (ctext, name_of(comp_path))
        result.sources.append(
            Source(
                kind="lists",
                id=f"ofac-{kind}",
                path=name_of(comp_path),
                sha256=_sha256(craw),
            )
        )
    result.entries.extend(read_ofac(text, name_of(f), alt=parts.get("alt"), add=parts.get("add")))
    result.sources.append(Source(kind="lists", id="ofac-sdn", path=name_of(f), sha256=_sha256(raw)))
