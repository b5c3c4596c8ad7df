"""Load rule-set YAML files and directories into a validated, cross-checked :class:`RuleSet`."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from pydantic import ValidationError

from exportcheck.errors import InputError
from exportcheck.model.report import Source
from exportcheck.model.rules import Classification, Condition, Rule, RuleSet, RuleSetFile
from exportcheck.readers.shipped import display_path
from exportcheck.readers.yamlsafe import (
    MAX_YAML_BYTES,
    YamlDocument,
    decode_text,
    loads,
    read_capped,
)

LISTS_DIR_NAME = "lists"


def iter_yaml_files(paths: Iterable[Path], skip_dirs: tuple[str, ...] = ()) -> Iterator[Path]:
    """Files as given; directories searched recursively for ``*.yaml``/``*.yml``, sorted."""
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.suffix in (".yaml", ".yml")
                and p.is_file()
                and not any(part in skip_dirs for part in p.relative_to(path).parts[:-1])
            )
            yield from found
        elif path.exists():
            yield path
        else:
            raise InputError("no such file or directory", file=str(path))


def validation_error(
    doc: YamlDocument, exc: ValidationError, prefix: tuple[str | int, ...] = ()
) -> InputError:
    """Turn a pydantic error into an InputError at the YAML line of the offending field."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = prefix + tuple(p for p in first["loc"] if isinstance(p, str | int))
    # pydantic puts union/tag names in loc; keep only parts that exist in the document.
    field = ".".join(str(p) for p in loc) or None
    msg = first["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if first["type"] == "extra_forbidden":
        msg = f"unknown field '{loc[-1]}'"
    elif first["type"] == "missing":
        msg = f"missing required field '{loc[-1]}'"
    # A timeline error names the offending version: point at it rather than the whole list.
    m = re.match(r"versions\[(\d+)\]", msg)
    if m and loc and loc[-1] == "versions":
        loc = (*loc, int(m.group(1)))
    more = len(errors) - 1
    if more:
        msg += f" (and {more} more error{'s' if more > 1 else ''})"
    err = doc.error(msg, loc, field=field)
    return err


def parse_rule_file(doc: YamlDocument) -> RuleSetFile:
    if not isinstance(doc.data, dict):
        raise doc.error(
            "a rule-set file must be a mapping with id, title, authority, version, rules"
        )
    try:
        return RuleSetFile.model_validate(doc.data)
    except ValidationError as exc:
        raise validation_error(doc, exc) from None


def _walk_groups(cond: Condition | None) -> Iterator[str]:
    if cond is None:
        return
    if cond.destination is not None:
        yield from cond.destination.groups
        yield from cond.destination.except_groups
    for sub in (cond.all or []) + (cond.any or []):
        yield from _walk_groups(sub)
    yield from _walk_groups(cond.not_)


def build_ruleset(files: Sequence[tuple[RuleSetFile, YamlDocument]]) -> RuleSet:
    """Merge files; refuse duplicate ids, conflicting rule-set headers and unknown groups."""
    rules: dict[str, Rule] = {}
    rule_where: dict[str, tuple[YamlDocument, int]] = {}
    classifications: dict[str, Classification] = {}
    class_where: dict[str, YamlDocument] = {}
    groups = {}
    group_where: dict[str, YamlDocument] = {}
    headers: dict[str, tuple[RuleSetFile, YamlDocument]] = {}
    treatments = []
    for rsf, doc in files:
        if rsf.id in headers:
            other, odoc = headers[rsf.id]
            for attr in ("version", "authority"):
                if getattr(other, attr) != getattr(rsf, attr):
                    raise doc.error(
                        f"rule set '{rsf.id}' is split over files that disagree on {attr}: "
                        f"'{getattr(rsf, attr)}' here, '{getattr(other, attr)}' in {odoc.file}",
                        (attr,),
                        field=attr,
                    )
        else:
            headers[rsf.id] = (rsf, doc)
        for i, rule in enumerate(rsf.rules):
            if rule.id in rules:
                odoc, _ = rule_where[rule.id]
                raise doc.error(
                    f"duplicate rule id '{rule.id}' (also in {odoc.file})", ("rules", i, "id"), "id"
                )
            rules[rule.id] = rule
            rule_where[rule.id] = (doc, i)
        for i, cls in enumerate(rsf.classifications):
            if cls.id in classifications:
                raise doc.error(
                    f"duplicate classification id '{cls.id}' (also in {class_where[cls.id].file})",
                    ("classifications", i, "id"),
                    "id",
                )
            classifications[cls.id] = cls
            class_where[cls.id] = doc
        for i, group in enumerate(rsf.country_groups):
            if group.id in groups:
                raise doc.error(
                    f"duplicate country group '{group.id}' (also in {group_where[group.id].file})",
                    ("country_groups", i, "id"),
                    "id",
                )
            groups[group.id] = group
            group_where[group.id] = doc
        treatments.extend(rsf.country_treatments)
    for rule_id, rule in rules.items():
        doc, i = rule_where[rule_id]
        for j, version in enumerate(rule.versions):
            for gid in _walk_groups(version.when):
                if gid not in groups:
                    known = ", ".join(sorted(groups)) or "none loaded"
                    raise doc.error(
                        f"rule '{rule_id}' uses unknown country group '{gid}' (known: {known})",
                        ("rules", i, "versions", j, "when"),
                        field="destination.groups",
                    )
    for cls_id, cls in classifications.items():
        doc = class_where[cls_id]
        for j, cversion in enumerate(cls.versions):
            for outcome in cversion.outcomes:
                for gid in _walk_groups(outcome.when):
                    if gid not in groups:
                        raise doc.error(
                            f"classification '{cls_id}' uses unknown country group '{gid}'",
                            ("classifications", j),
                            field="destination.groups",
                        )
    return RuleSet(
        files=tuple(f for f, _ in files),
        rules=dict(sorted(rules.items())),
        classifications=dict(sorted(classifications.items())),
        groups=dict(sorted(groups.items())),
        treatments=tuple(treatments),
    )


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_rules(paths: Sequence[Path]) -> tuple[RuleSet, list[Source]]:
    """Load rule files and directories (recursively, skipping ``lists/`` folders)."""
    files: list[tuple[RuleSetFile, YamlDocument]] = []
    sources: list[Source] = []
    for path in iter_yaml_files(paths, skip_dirs=(LISTS_DIR_NAME,)):
        name = display_path(path)
        raw = read_capped(path, MAX_YAML_BYTES, name, "YAML")
        text, _encoding = decode_text(raw, name)
        doc = loads(text, name)
        rsf = parse_rule_file(doc)
        files.append((rsf, doc))
        sources.append(
            Source(
                kind="rules", id=rsf.id, version=rsf.version, path=name, sha256=sha256_bytes(raw)
            )
        )
    if not files:
        shown = ", ".join(str(p) for p in paths)
        raise InputError(f"no rule files (*.yaml) found in {shown}")
    return build_ruleset(files), sources
