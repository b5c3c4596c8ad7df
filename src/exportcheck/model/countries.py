"""Country code normalisation: ISO alpha-2, alpha-3 and English names → alpha-2."""

from __future__ import annotations

import re
import unicodedata

from exportcheck.model._country_data import COUNTRIES


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.casefold().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return re.sub(r"^the ", "", text)


_BY_KEY: dict[str, str] = {}
for _a2, (_a3, _name, _others) in COUNTRIES.items():
    for _n in (_name, *_others):
        _BY_KEY.setdefault(_key(_n), _a2)
# Transitional reservations still met in real data.
_ALPHA2_ALIASES = {"UK": "GB", "EL": "GR"}
_ALPHA3 = {a3: a2 for a2, (a3, _n, _o) in COUNTRIES.items()}


def normalize_country(value: str) -> str | None:
    """Alpha-2 code for an alpha-2/alpha-3 code or an English name; None when unknown."""
    v = value.strip()
    if not v:
        return None
    up = v.upper()
    if len(up) == 2 and up.isalpha():
        if up in COUNTRIES:
            return up
        return _ALPHA2_ALIASES.get(up)
    if len(up) == 3 and up.isalpha() and up in _ALPHA3:
        return _ALPHA3[up]
    found = _BY_KEY.get(_key(v))
    if found is None and "," in v:
        # ISO 3166 short names invert: "Korea, Republic of", "Iran, Islamic Republic of",
        # "Congo, Democratic Republic of the" (= "Republic of Korea", ...).
        head, _, tail = v.partition(",")
        found = _BY_KEY.get(_key(f"{tail} {head}"))
    return found


def is_country(code: str) -> bool:
    return code in COUNTRIES


def country_name(code: str) -> str:
    entry = COUNTRIES.get(code)
    return entry[1] if entry else code
