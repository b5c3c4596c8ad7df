"""ECCN syntax: normalisation and pattern matching on paragraph boundaries."""

from __future__ import annotations

import fnmatch
import re

# 3A090, 3A090.a, 3A090.a.1, 4A994.l, 5A992.c, 3A001.z — or EAR99.
_ECCN = re.compile(r"^([0-9])([A-E])([0-9]{3})((?:\.[A-Za-z0-9]+)*)$")


def normalize_eccn(value: str) -> str | None:
    """Canonical spelling (``3A090.a``, ``EAR99``) or None when not an ECCN."""
    v = value.strip().replace(" ", "")
    if v.upper() == "EAR99":
        return "EAR99"
    m = _ECCN.match(v.upper())
    if not m:
        return None
    return f"{m.group(1)}{m.group(2)}{m.group(3)}{m.group(4).lower()}"


def is_glob(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")


def eccn_matches(eccn: str, pattern: str) -> bool | None:
    """Does ``eccn`` fall under ``pattern``?

    ``3A090`` covers ``3A090`` and every paragraph below it (``3A090.a``, ``3A090.a.1``);
    ``3A090.a`` covers ``3A090.a`` and below; globs (``4A090*``) match case-insensitively.
    Returns None when the ECCN is less specific than the pattern (``3A090`` declared, rule
    targets ``3A090.a``): it may or may not fall under it.
    """
    e = eccn.casefold()
    p = pattern.strip().casefold()
    if is_glob(p):
        return fnmatch.fnmatchcase(e, p)
    if e == p or e.startswith(p + "."):
        return True
    if p.startswith(e + "."):
        return None
    return False
