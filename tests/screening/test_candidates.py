"""Candidate search loses nothing the scorer accepts: screen() and may_match() against a
brute-force scorer (ScreeningIndex.name_score on every listed entry)."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exportcheck.engine.screening import ScreeningConfig, ScreeningIndex
from exportcheck.model.parties import ListEntry, PartyType

DAY = date(2025, 6, 1)

LISTED = [
    "Friedrich Buchenberg",
    "Van Der Bilt Holdings",
    "Huawei Technologies Co., Ltd.",
    "Siemens AG",
    "KHAMIS, Imad Mohammad Deeb",
    "Muhammad Ali Hassan",
    "Muhammad Ali",
    "Ali Hassan Trading",
    "International Trading Company",
    "Global Technology Group",
    "J. K. Rowling Productions",
    "V Putin",
    "Abdul Rahman Al-Assad",
    "Bashar al-Assad",
    "Aerocaribbean",
    "Brigade 44",
    "Kim Jong Un",
    "Wei Ta Lee Company",
    "Shanghai Biren Intelligent Technology Co., Ltd.",
    "Cardinal Health, Inc.",
    "Groupe Diarra Import Export",
    "EtsDiallo",
    "MohammadHasni Haji Asad Khan Zarkari",
    "Atlas Sanatgaran",
    "ABC",
    "Zeta Components",
    "Ocean Pioneer",
    "Halverstone Spirit",
    "Sergey Viktorovich Lavrov",
    "Beijing Advanced Technology Co., Ltd.",
    "Moscow Engineering Industry JSC",
    "Nord Stream Trading AG",
    "AMIR ABDULLAH",
    "Ali Akbar Velayati",
    "Fernando Perez",
    "כנרת דון",
]
# Listed as individuals: a person's name may lack its middle names (see interior).
PERSONS = {
    "Friedrich Buchenberg", "KHAMIS, Imad Mohammad Deeb", "Muhammad Ali Hassan",
    "Muhammad Ali", "V Putin", "Abdul Rahman Al-Assad", "Bashar al-Assad", "Kim Jong Un",
    "MohammadHasni Haji Asad Khan Zarkari", "Sergey Viktorovich Lavrov", "AMIR ABDULLAH",
    "Ali Akbar Velayati",
}  # fmt: skip
WORDS = [
    "friedrich", "fridrich", "buchenberg", "vanderbilt", "van", "der", "bilt", "huawei",
    "huawai", "technologies", "siemensag", "siemens", "imad", "khamis", "muhammad", "mohamed",
    "ali", "hassan", "trading", "international", "global", "group", "j", "k", "rowling",
    "vladimir", "putin", "abdul", "abd", "al", "el", "rahman", "assad", "bashar", "aero",
    "caribbean", "brigade", "forty", "four", "44", "kim", "jong", "un", "wei", "lee", "biren",
    "shanghai", "intelligent", "cardinal", "wealth", "health", "groupe", "diarra", "import",
    "export", "ets", "diallo", "mohammadhasni", "zarkari", "khan", "atlas", "abc", "zeta",
    "components", "ocean", "pioneer", "halverstone", "spirit", "sergey", "lavrov", "beijing",
    "moscow", "engineering", "nord", "stream", "co", "ltd", "gmbh", "mv", "(ex-", ")", "/",
    "smith", "john", "acme", "amir", "sayyid", "abdullah", "akbar", "velayati", "sergejs",
    "lavrovs", "viktorovich", "فرناندو", "بيريز", "fernando", "perez", "kinneret", "dawn",
    "joonng", "mousavi",
]  # fmt: skip


def _index(names: list[str]) -> ScreeningIndex:
    entries = [
        ListEntry(
            source="Entity List (EL) - Bureau of Industry and Security",
            list_code="EL",
            entry_id=f"e{i}",
            name=n,
            type=PartyType.INDIVIDUAL if n in PERSONS else PartyType.ENTITY,
        )
        for i, n in enumerate(names)
    ]
    return ScreeningIndex.build(entries, ScreeningConfig(max_matches=10_000))


def assert_complete(index: ScreeningIndex, query: str) -> None:
    """Every entry whose brute-force name score reaches the review threshold is reported by
    screen() with that score; may_match() is true exactly when some entry reaches the floor."""
    cfg = index.config
    brute = {e.entry_id: index.name_score(query, i) for i, e in enumerate(index.entries)}
    reported = {m.entry_id: m.score for m in index.screen(query, on=DAY).matches}
    shown = {eid: round(s, 1) for eid, s in brute.items()}  # screen() shows one decimal
    assert reported == {eid: s for eid, s in shown.items() if s >= cfg.review_threshold}, query
    floor = cfg.review_threshold - cfg.country_bonus
    assert index.may_match(query) == any(s >= floor for s in brute.values()), query


SMALL = _index(LISTED)
# The same names, with every word "common" (long postings): candidate search then leans on
# its bound for names reached through such words only.
SMALL_COMMON = _index(LISTED)
SMALL_COMMON._common_df = 1
INDEXES = pytest.mark.parametrize("index", [SMALL, SMALL_COMMON], ids=["rare", "common"])


def _mutate(rng: random.Random, name: str) -> str:
    """A listed name with the changes a real variant has: a typo, words dropped, joined,
    split, shuffled, an initial, an annotation, a word from elsewhere."""
    words = name.replace(",", "").split()
    for _ in range(rng.randrange(1, 4)):
        op = rng.randrange(8)
        i = rng.randrange(len(words))
        w = words[i]
        if op == 0 and len(w) > 3:
            j = rng.randrange(len(w))
            words[i] = w[:j] + rng.choice("aeioukr") + w[j + 1 :]
        elif op == 1 and len(words) > 1:
            del words[i]
        elif op == 2 and i + 1 < len(words):
            words[i : i + 2] = [words[i] + words[i + 1]]
        elif op == 3 and len(w) > 6:
            words[i : i + 1] = [w[:3], w[3:]]
        elif op == 4:
            rng.shuffle(words)
        elif op == 5:
            words[i] = w[0] + "."
        elif op == 6:
            words.append(f"(ex-{rng.choice(LISTED)})")
        else:
            words.insert(i, rng.choice(WORDS))
    return " ".join(words)


@INDEXES
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=6))
def test_candidates_hold_every_accepted_name_random_words(
    index: ScreeningIndex, words: list[str]
) -> None:
    assert_complete(index, " ".join(words))


@INDEXES
@settings(max_examples=400, deadline=None)
@given(rng=st.randoms(use_true_random=False), name=st.sampled_from(LISTED))
def test_candidates_hold_every_accepted_name_variants(
    index: ScreeningIndex, rng: random.Random, name: str
) -> None:
    assert_complete(index, _mutate(rng, name))


def test_candidates_hold_what_the_scorer_accepts_on_the_sdn(full_index: ScreeningIndex) -> None:
    """A seeded sample of variants of SDN names, checked against every entry (slow: each
    query is scored against all 7,500 entries)."""
    index = full_index.with_config(ScreeningConfig(max_matches=10_000))
    rng = random.Random(15)
    names = [e.name for e in index.entries]
    queries = [
        "FridrichBuchenberg",
        "Imad Khamis",
        "Muhammad Ali Hassan",
        "Sergejs Lavrovs",
        *(_mutate(rng, rng.choice(names)) for _ in range(2)),
    ]
    for query in queries:
        assert_complete(index, query)


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("FridrichBuchenberg", "Friedrich Buchenberg"),
        ("vanderbilt holdings", "Van Der Bilt Holdings"),
        ("Cardinal Wealth, Inc.", "Cardinal Health, Inc."),
        ("GroupeDiarraImportExport", "Groupe Diarra Import Export"),
        ("Ets Diallo", "EtsDiallo"),
    ],
)
def test_seen_losses_are_found(query: str, listed: str) -> None:
    """Pairs the scorer accepts that an earlier candidate search never proposed."""
    index = _index([listed])
    assert index.name_score(query, 0) >= index.config.review_threshold
    assert_complete(index, query)
