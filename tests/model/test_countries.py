"""Destination spellings: alpha-2, alpha-3, English names and the ISO 3166 inverted names."""

from __future__ import annotations

import pytest

from exportcheck.model.countries import normalize_country


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("CN", "CN"),
        ("chn", "CN"),
        ("China", "CN"),
        ("UK", "GB"),
        # ISO 3166-1 English short names put the form after a comma.
        ("Korea, Republic of", "KR"),
        ("Korea, Democratic People's Republic of", "KP"),
        ("Iran, Islamic Republic of", "IR"),
        ("Venezuela, Bolivarian Republic of", "VE"),
        ("Congo, The Democratic Republic of the", "CD"),
        ("Congo, Democratic Republic of the", "CD"),
        ("Bolivia, Plurinational State of", "BO"),
        ("Tanzania, United Republic of", "TZ"),
        ("Macedonia, the former Yugoslav Republic of", "MK"),
        ("Bahamas, The", "BS"),
        ("Taiwan, Province of China", "TW"),
        ("Syrian Arab Republic", "SY"),
        ("Lao People's Democratic Republic", "LA"),
        ("Viet Nam", "VN"),
        ("China, Hong Kong SAR", "HK"),
        ("China, Macao SAR", "MO"),
        # Names with a comma of their own still match as they are.
        ("Saint Helena, Ascension and Tristan da Cunha", "SH"),
        ("Virgin Islands, British", "VG"),
    ],
)
def test_known_spellings(text: str, code: str) -> None:
    assert normalize_country(text) == code


@pytest.mark.parametrize("text", ["Atlantis", "Korea, Atlantis", ", ", "", "ZZ", "ZZZ"])
def test_unknown_spellings(text: str) -> None:
    assert normalize_country(text) is None
