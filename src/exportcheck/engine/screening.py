"""Restricted-party screening: fuzzy, token-wise name matching against listed parties.

Pure logic: no I/O, no printing, no exit. Lists are read by :mod:`exportcheck.readers.lists`.

Usage (``check`` integration)::

    from exportcheck.engine.screening import ScreeningConfig, ScreeningIndex, screen_parties
    from exportcheck.readers.lists import load_lists

    entries, sources = load_lists(paths)                       # readers: files → ListEntry
    index = ScreeningIndex.build(entries, ScreeningConfig())   # once per run (~1 s for OFAC SDN)
    results = screen_parties(index, [(consignee, destination), (end_user, destination)], on=day)
    result = results[(consignee, destination)]                # ScreenResult: .status, .matches

``screen_parties`` screens each distinct (name, country) pair once; the index also caches by
normalised name, so 10,000 manifest lines with 300 distinct consignees cost 300 screenings.

How names are compared
----------------------
1. **Normalisation** (:func:`normalize_name`): Unicode NFKD with diacritics stripped, casefold
   (``ß`` → ``ss``), Cyrillic transliterated, ``&`` → ``and``, apostrophes dropped, other
   punctuation splits words, dotted abbreviations joined (``S.A.R.L.`` → ``sarl``), a few
   abbreviations and name spellings unified (``Intl`` → ``international``, ``Mohamed`` →
   ``muhammad``), plurals folded (``technologies`` → ``technology``). German umlauts give two
   variants (``Müller`` → ``muller`` and ``mueller``), so both spellings match exactly.
2. **Legal forms** (Co., Ltd., Corp., Inc., LLC, OOO, JSC/OAO/AO/PAO/ZAO, GmbH, AG, S.A., SARL,
   K.K., B.V., PLC, Pte, Pvt, 有限公司, 股份有限公司, 公司 ...) are taken out of the name before
   scoring: they neither make nor break a match, and the explanation lists them. Short
   ambiguous forms (AG, AO, SA, KK, BV ...) count as legal forms only at the start or end of a
   name. "Group" and "Holding" are *not* legal forms but generic words (see 3): "Inspur Group"
   still matches "Inspur" well, yet the word is kept.
3. **Token weights**: each token weighs its inverse document frequency over the list entries,
   scaled to (0, 1]; a built-in set of generic words (technology, international, trading,
   industry, electronics, Beijing, Shanghai, ...) weighs ``GENERIC_FACTOR`` (0.3) of that.
   Tokens the lists never use weigh 1 (they are distinctive).
4. **Score** of a query against one listed name, over a one-to-one alignment of tokens (so
   word order does not matter), with ``mq``/``mc`` the similarity-weighted matched weight on
   the query/listed side and ``WQ``/``WC`` the total weights::

       dice  = (mq + mc) / (WQ + WC)
       mean  = (mq / WQ + mc / WC) / 2        # kinder to a missing middle name or suffix
       score = 100 * (DICE_SHARE * dice + (1 - DICE_SHARE) * mean)

   ``sim`` is 1 for equal tokens and the rapidfuzz ``ratio`` (≥ ``TOKEN_SIMILARITY``) for
   spelling variants of tokens of 4+ characters; tokens of 3 or fewer characters and tokens with
   digits must be equal. A token equal to two adjacent tokens of the other side joined
   ("Aerocaribbean" / "Aero-Caribbean") matches both. If only generic tokens match, the score is
   capped below the review threshold: shared generic words never make a hit on their own.
   When one name contains the other around a distinctive match, the extra generic words count
   half ("Huawei Device" vs "Huawei"); when both names have words the other lacks ("Atlas
   Consulting" vs "Atlas Shipping") they count with their plain rarity weight, as conflicting
   evidence. A one-word listed name found inside a longer query scores below the hit threshold
   (review at most).
   An entry's score is the best over its primary name and all aliases.
5. **Country** (the destination or the party's address) is only a signal: when it equals a
   country of the entry, ``country_bonus`` points are added (explained in the match); a
   different or missing country never hides a match.
6. **Status**: score ≥ ``hit_threshold`` → the entry's own ``status`` or the default of its list
   (EL/MEU → license_required, DPL/SDN → prohibited, UVL and the other lists → review);
   ``review_threshold`` ≤ score < ``hit_threshold`` → review; below → no match.
   Defaults: hit 90, review 80 (measured on ``tests/screening/corpus.csv``; run
   ``bench/screening_quality.py``).
7. **Dates**: an entry screens on day D only when ``start_date <= D < end_date`` (None = open).

Speed: a token inverted index gives candidates; spelling variants are found through a
deletion-neighbourhood index (SymSpell style); very common tokens are used for candidate search
only when a query has nothing rarer; candidates whose score bound is below the review threshold
are never scored.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, model_validator
from rapidfuzz import fuzz

from exportcheck.model.countries import normalize_country
from exportcheck.model.parties import (
    ListEntry,
    MatchExplanation,
    ScreeningMatch,
    ScreenResult,
    match_sort_key,
)
from exportcheck.model.status import Status

__all__ = [
    "DEFAULT_HIT_THRESHOLD",
    "DEFAULT_REVIEW_THRESHOLD",
    "NormalizedName",
    "ScreeningConfig",
    "ScreeningIndex",
    "name_variants",
    "normalize_name",
    "screen_parties",
]

DEFAULT_HIT_THRESHOLD = 90.0
DEFAULT_REVIEW_THRESHOLD = 80.0
#: rapidfuzz ratio (0-1) at which two tokens of 4+ characters count as spelling variants
TOKEN_SIMILARITY = 0.8
#: generic words weigh this fraction of their rarity weight (weights are in (0, 1])
GENERIC_FACTOR = 0.3
#: score = DICE_SHARE * weighted Dice + (1 - DICE_SHARE) * mean of the two coverages
DICE_SHARE = 0.5
#: an unmatched generic word counts only this much less in the totals
UNMATCHED_GENERIC_DISCOUNT = 0.5


class ScreeningConfig(BaseModel):
    """Thresholds and knobs of the matcher (scores are 0-100)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    hit_threshold: float = Field(default=DEFAULT_HIT_THRESHOLD, ge=0, le=100)
    review_threshold: float = Field(default=DEFAULT_REVIEW_THRESHOLD, ge=0, le=100)
    country_bonus: float = Field(
        default=3.0, ge=0, le=20, description="points added when the country matches the entry"
    )
    max_matches: int = Field(default=25, ge=1, description="matches reported per name, best first")

    @model_validator(mode="after")
    def _order(self) -> ScreeningConfig:
        if self.review_threshold > self.hit_threshold:
            raise ValueError(
                f"review threshold {self.review_threshold} is above the hit threshold "
                f"{self.hit_threshold}"
            )
        return self


# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------

_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў",
        [
            "a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o",
            "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e",
            "yu", "ya", "i", "yi", "ye", "g", "u",
        ],
        strict=True,
    )
)  # fmt: skip
# Letters NFKD does not decompose.
_SPECIAL_LETTERS = {
    "ø": "o", "đ": "d", "ð": "d", "ł": "l", "ı": "i", "þ": "th", "æ": "ae", "œ": "oe",
    "ħ": "h", "ŧ": "t", "ŋ": "n",
}  # fmt: skip
_TRANSLATE = str.maketrans({**_CYRILLIC, **_SPECIAL_LETTERS})
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_GERMAN_CHARS = frozenset("äöüÄÖÜ")

# CJK legal forms, replaced by Latin ones before tokenising (longest first).
_CJK_FORMS = (
    ("股份有限公司", " co ltd "),
    ("有限责任公司", " llc "),
    ("有限責任公司", " llc "),
    ("有限公司", " co ltd "),
    ("株式会社", " kk "),
    ("公司", " co "),
)
_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
_CHUNK = re.compile(r"[^\W_]+(?:\.[^\W_]+)*\.?")

_ABBREVIATIONS = {
    "intl": "international",
    "int": "international",
    "tech": "technology",
    "techn": "technology",
    "mfg": "manufacturing",
    "natl": "national",
    "univ": "university",
    "inst": "institute",
    "dept": "department",
    "svcs": "services",
    "svc": "services",
    "bros": "brothers",
    "centre": "center",
    "sys": "systems",
}
# Common spelling variants of given names (a full transliteration model is out of scope).
_NAME_VARIANTS_GROUPS = {
    "muhammad": "mohammed mohammad mohamed muhammed mohamad muhamad mohd muhamed mahomed "
    "mohammd mouhamed",
    "ahmad": "ahmed ahmet",
    "abdul": "abdel abdol abdal abdelal",
    "husayn": "husain hussain hussein husein hossein hosein husseyn",
    "hasan": "hassan",
    "yusuf": "yousef youssef yousuf yusef yousif yossef",
    "qaida": "qaeda kaida",
    "usama": "osama",
    "mustafa": "mustapha moustafa mostafa",
    "ibrahim": "ebrahim ibraheem",
    "abu": "abou",
    "alexander": "aleksandr alexandr aleksander",
    "alexei": "alexey aleksei aleksey",
    "sergei": "sergey",
    "yuri": "yury yuriy iouri",
    "dmitry": "dmitri dmitriy",
    "nikolai": "nikolay",
    "andrei": "andrey",
    "evgeny": "yevgeny evgeniy yevgeniy evgueni",
    "mikhail": "mikhayl",
}
_ABBREVIATIONS.update(
    {v: canon for canon, variants in _NAME_VARIANTS_GROUPS.items() for v in variants.split()}
)
_STOPWORDS = frozenset({"the", "and", "of", "for", "und", "et", "y", "ve"})

# Legal-form phrases (normalised tokens). "anywhere" forms are dropped wherever they occur;
# "edge" forms (short, ambiguous words) only at the start or end of a name.
_LEGAL_ANYWHERE = [
    "open joint stock company", "closed joint stock company", "public joint stock company",
    "private joint stock company", "joint stock company", "limited liability company",
    "limited liability partnership", "public limited company", "private limited company",
    "limited company", "joint stock", "private limited", "sdn bhd", "san tic ltd sti",
    "san ve tic ltd sti", "san tic ltd st", "san tic", "companies", "sti",
    "co", "company", "ltd", "limited", "corp", "corporation", "inc", "incorporated", "llc",
    "ooo", "oao", "zao", "pao", "jsc", "ojsc", "cjsc", "pjsc", "gmbh", "sarl", "plc", "pte",
    "pvt", "llp", "ltda", "srl", "spa", "bhd", "fze", "fzco", "fzc", "fzllc", "tov", "cia",
    "kft", "sro", "doo", "ehf",
]  # fmt: skip
_LEGAL_EDGE = [
    "ag", "ao", "sa", "sas", "kk", "bv", "nv", "oy", "ab", "as", "kg", "ug", "lp", "sl",
    "se", "pt", "tbk", "ooo", "est",
]  # fmt: skip


def _phrases(items: Iterable[str]) -> list[tuple[str, ...]]:
    return sorted({tuple(p.split()) for p in items}, key=lambda p: (-len(p), p))


_LEGAL_ANYWHERE_P = _phrases(_LEGAL_ANYWHERE)
_LEGAL_ALL_P = _phrases([*_LEGAL_ANYWHERE, *_LEGAL_EDGE])


def _by_length(phrases: list[tuple[str, ...]]) -> dict[int, frozenset[tuple[str, ...]]]:
    """The phrases by their number of words, longest first."""
    lengths = sorted({len(p) for p in phrases}, reverse=True)
    return {n: frozenset(p for p in phrases if len(p) == n) for n in lengths}


_LEGAL_ALL_BY_LEN = _by_length(_LEGAL_ALL_P)
_LEGAL_ANYWHERE_BY_LEN = _by_length(_LEGAL_ANYWHERE_P)

#: Words so common in company names (or place names) that they never identify a party alone.
GENERIC_WORDS = frozenset(
    """
    technology technologies tech international trading trade traders industry industries
    industrial electronics electronic electric electrical engineering science sciences
    scientific research institute development developments information systems system
    services service solutions global group holding holdings import export imports exports
    commercial commerce enterprise enterprises general machinery equipment manufacturing
    logistics shipping investment investments management consulting construction energy
    national intelligent intelligence smart digital advanced new materials material precision
    instruments instrument automation communication communications telecommunications
    telecom network networks software computer computing semiconductor semiconductors
    microelectronics integrated circuit circuits devices device products product supply
    supplies resources agency center bureau academy university laboratory laboratories lab
    power aviation aerospace marine transport transportation maritime freight express world
    asia asian pacific east west north south middle central first golden royal united union
    venture design control optical optics photonics defense defence military ministry state
    government office department bank financial finance capital partners associates
    association foundation organization organisation society office branch factory works
    plant store shop center centre sales marketing media network energy oil gas petroleum
    chemical chemicals pharmaceutical medical health food foods agricultural textile metal
    metals steel mining auto motor motors import imp exp eximp imex overseas foreign
    china chinese beijing shanghai shenzhen hong kong guangzhou tianjin wuhan chengdu
    hangzhou nanjing xian suzhou dongguan zhuhai xiamen qingdao dalian shenyang harbin
    chongqing changsha hefei jinan zhengzhou guangdong jiangsu zhejiang sichuan hubei taiwan
    moscow russia russian petersburg iran iranian tehran dubai emirates uae arab syria syrian
    damascus korea korean pyongyang cuba cuban havana venezuela caracas turkey istanbul
    india pakistan karachi lebanon beirut iraq baghdad mexico colombia panama cyprus
    singapore malaysia thailand vietnam indonesia belarus minsk ukraine crimea kazakhstan
    america american usa us europe european african africa limited
    """.split()  # noqa: SIM905
)


def _stem(token: str) -> str:
    """Light plural folding so "Technologies"/"Technology" and "Systems"/"System" are equal."""
    if len(token) < 5:
        return token
    if token.endswith("ies"):
        return token[:-3] + "y"
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


GENERIC_WORDS = frozenset({_stem(w) for w in GENERIC_WORDS} | GENERIC_WORDS)


@dataclass(frozen=True, slots=True)
class NormalizedName:
    """A name as the matcher sees it."""

    tokens: tuple[str, ...]
    legal_forms: tuple[str, ...]

    @property
    def key(self) -> str:
        return " ".join(self.tokens)


def _basic_tokens(text: str) -> list[str]:
    """Text → normalised word tokens (before legal-form removal)."""
    for cjk, latin in _CJK_FORMS:
        if cjk in text:
            text = text.replace(cjk, latin)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.casefold().translate(_TRANSLATE)
    text = text.replace("&", " and ").replace("+", " and ")
    text = _APOSTROPHES.sub("", text)
    tokens: list[str] = []
    for chunk in _CHUNK.findall(text):
        pieces = [p for p in chunk.split(".") if p]
        if len(pieces) > 1 and all(len(p) <= 2 for p in pieces):
            pieces = ["".join(pieces)]
        for p in pieces:
            p = _stem(_ABBREVIATIONS.get(p, p))
            if p not in _STOPWORDS:
                tokens.append(p)
    return tokens


def _split_legal(tokens: list[str]) -> NormalizedName:
    legal: list[str] = []
    head: list[str] = []
    tail: list[str] = []

    def take_edge(toks: list[str], from_start: bool) -> list[str]:
        changed = True
        while changed and toks:
            changed = False
            for n, phrases in _LEGAL_ALL_BY_LEN.items():  # longest first
                if n >= len(toks):  # never strip the whole name
                    continue
                part = tuple(toks[:n]) if from_start else tuple(toks[-n:])
                if part in phrases:
                    if from_start:
                        head.extend(part)
                        toks = toks[n:]
                    else:
                        tail[:0] = part
                        toks = toks[:-n]
                    changed = True
                    break
        return toks

    core = take_edge(list(tokens), from_start=False)
    core = take_edge(core, from_start=True)
    # Unambiguous legal forms in the middle ("Huawei Technologies Co Ltd Shenzhen Branch").
    out: list[str] = []
    i = 0
    while i < len(core):
        # The longest phrase starting here, as long as a word is left besides it.
        for n, phrases in _LEGAL_ANYWHERE_BY_LEN.items():
            if len(core) - n >= 1 and (p := tuple(core[i : i + n])) in phrases:
                legal.extend(p)
                i += n
                break
        else:
            out.append(core[i])
            i += 1
    if not out:
        out = core
    return NormalizedName(tuple(out), tuple(head + legal + tail))


def normalize_name(text: str) -> NormalizedName:
    """The main normalised form of a name (umlauts stripped: ``Müller`` → ``muller``)."""
    return _split_legal(_basic_tokens(text))


def name_variants(text: str) -> list[NormalizedName]:
    """All normalised forms of a name: one, or two for German umlauts (ü → u and ue)."""
    forms = [normalize_name(text)]
    if any(c in _GERMAN_CHARS for c in text):
        alt = normalize_name(text.translate(_GERMAN))
        if alt != forms[0]:
            forms.append(alt)
    return [f for f in forms if f.tokens]


_PAREN = re.compile(r"\s*[(\[]([^()\[\]]*)[)\]]")


def _initials(text: str) -> str:
    return "".join(w[0] for w in re.findall(r"[^\W\d_]+", text)).upper()


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


def _name_texts(name: str) -> list[tuple[str, str]]:
    """(display, text to match) for a listed name: the name itself; without its parenthesised
    parts ("Academy ... (AASPT)"); and an acronym in parentheses that abbreviates the words
    before it ("Semiconductor Manufacturing International Corporation (SMIC)" → "SMIC")."""
    out = [(name, name)]
    if "(" not in name and "[" not in name:
        return out
    bare = " ".join(_PAREN.sub(" ", name).split())
    if bare and bare != name:
        out.append((name, bare))
    for m in _PAREN.finditer(name):
        inner = m.group(1).strip()
        compact = inner.replace(".", "").replace(" ", "")
        if (
            3 <= len(compact) <= 8
            and compact.isalpha()
            and compact.isupper()
            and compact[0] == _initials(name[: m.start()])[:1]
            and _is_subsequence(compact, _initials(name[: m.start()]))
        ):
            out.append((inner, inner))
    return out


# --------------------------------------------------------------------------------------------
# Token similarity helpers
# --------------------------------------------------------------------------------------------


_HAS_DIGIT = re.compile(r"\d").search


def _fuzzy_ok(token: str) -> bool:
    return len(token) >= 4 and _HAS_DIGIT(token) is None


def _compound_sim(whole: str, first: str, second: str) -> float:
    """Similarity of ``whole`` to ``first + second`` (cheap length/initial checks first)."""
    if whole[0] != first[0] or abs(len(whole) - len(first) - len(second)) > 2:
        return 0.0
    return _token_sim(whole, first + second)


def _deletes(token: str) -> set[str]:
    """Deletion neighbourhood: 1 deletion, 2 for tokens of 10+ characters."""
    out = {token[:i] + token[i + 1 :] for i in range(len(token))}
    if len(token) >= 10:
        out |= {d[:i] + d[i + 1 :] for d in list(out) for i in range(len(d))}
    out.add(token)
    return out


def _token_sim(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if not (_fuzzy_ok(a) and _fuzzy_ok(b)):
        return 0.0
    r = fuzz.ratio(a, b) / 100.0
    return r if r >= TOKEN_SIMILARITY else 0.0


# --------------------------------------------------------------------------------------------
# The index
# --------------------------------------------------------------------------------------------


def _combine(mq: float, mc: float, wq: float, wc: float) -> float:
    if wq <= 0 or wc <= 0:
        return 0.0
    dice = (mq + mc) / (wq + wc)
    mean = (mq / wq + mc / wc) / 2.0
    return 100.0 * (DICE_SHARE * dice + (1.0 - DICE_SHARE) * mean)


@dataclass(frozen=True, slots=True)
class _Name:
    entry: int
    display: str
    tokens: tuple[str, ...]
    legal: tuple[str, ...]
    weight: float  # sum of token weights
    generic: float  # sum of the weights of generic tokens


@dataclass(frozen=True, slots=True)
class _Scored:
    """A name-only match, cached per normalised query (dates and country applied later)."""

    entry: int
    display: str
    score: float
    pairs: tuple[tuple[str, str], ...]
    query_only: tuple[str, ...]
    listed_only: tuple[str, ...]
    legal: tuple[str, ...]


_VARIANTS_LIMIT = 1 << 15  # names whose normalised forms are kept; a full table is emptied


class ScreeningIndex:
    """Listed names prepared for fast screening. Build once, screen many names."""

    def __init__(
        self,
        entries: Sequence[ListEntry],
        names: list[_Name],
        weights: dict[str, float],
        postings: dict[str, list[int]],
        joined: dict[str, list[int]],
        deletes: dict[str, list[str]],
        config: ScreeningConfig,
    ) -> None:
        self.entries = tuple(entries)
        self.config = config
        self._names = names
        self._weights = weights
        self._postings = postings
        self._joined = joined
        self._deletes = deletes
        self._unseen_weight = 1.0
        n = max(len(self.entries), 1)
        # "common" tokens are used for candidate search only when a query has nothing rarer
        self._common_df = max(40, n // 150)
        self._cache: dict[tuple[tuple[str, ...], ...], list[_Scored]] = {}
        # Normalised forms of names already screened (a manifest repeats its consignees).
        self._variants: dict[str, list[NormalizedName]] = {}
        self._similar_cache: dict[str, dict[str, float]] = {}
        self._names_of: list[list[int]] | None = None  # entry → its names (built when asked)

    # -- building ---------------------------------------------------------------------------

    @classmethod
    def build(
        cls, entries: Iterable[ListEntry], config: ScreeningConfig | None = None
    ) -> ScreeningIndex:
        entry_list = list(entries)
        names: list[tuple[int, str, NormalizedName]] = []
        df: dict[str, int] = {}
        for i, entry in enumerate(entry_list):
            seen_forms: set[tuple[str, ...]] = set()
            entry_tokens: set[str] = set()
            for full in entry.all_names:
                for display, text in _name_texts(full):
                    for form in name_variants(text):
                        if form.tokens in seen_forms:
                            continue
                        seen_forms.add(form.tokens)
                        names.append((i, display, form))
                        entry_tokens.update(form.tokens)
            for t in entry_tokens:
                df[t] = df.get(t, 0) + 1
        n_docs = max(len(entry_list), 1)
        max_idf = math.log(n_docs + 1) + 1.0
        weights: dict[str, float] = {}
        for t, d in df.items():
            w = (math.log((n_docs + 1) / (d + 1)) + 1.0) / max_idf
            if t in GENERIC_WORDS:
                w *= GENERIC_FACTOR
            weights[t] = w
        built: list[_Name] = []
        postings: dict[str, list[int]] = {}
        joined: dict[str, list[int]] = {}
        for idx, (i, display, form) in enumerate(names):
            total = sum(weights[t] for t in form.tokens)
            generic = sum(weights[t] for t in form.tokens if t in GENERIC_WORDS)
            built.append(_Name(i, display, form.tokens, form.legal_forms, total, generic))
            for t in set(form.tokens):
                postings.setdefault(t, []).append(idx)
            for a, b in zip(form.tokens, form.tokens[1:], strict=False):
                joined.setdefault(a + b, []).append(idx)
        deletes: dict[str, list[str]] = {}
        for t in weights:
            if _fuzzy_ok(t):
                for variant in _deletes(t):
                    deletes.setdefault(variant, []).append(t)
        return cls(
            entry_list, built, weights, postings, joined, deletes, config or ScreeningConfig()
        )

    def with_config(self, config: ScreeningConfig) -> ScreeningIndex:
        """The same index with other thresholds (shares the prepared names)."""
        return ScreeningIndex(
            self.entries,
            self._names,
            self._weights,
            self._postings,
            self._joined,
            self._deletes,
            config,
        )

    @property
    def name_count(self) -> int:
        """Number of (name, spelling variant) strings indexed."""
        return len(self._names)

    # -- token level ------------------------------------------------------------------------

    def _similar(self, token: str) -> dict[str, float]:
        """Vocabulary tokens equal or similar to ``token``, with their similarity."""
        hit = self._similar_cache.get(token)
        if hit is not None:
            return hit
        out: dict[str, float] = {}
        if token in self._weights:
            out[token] = 1.0
        if _fuzzy_ok(token):
            for d in _deletes(token):
                for v in self._deletes.get(d, ()):
                    if v not in out:
                        s = _token_sim(token, v)
                        if s > 0:
                            out[v] = s
        if len(self._similar_cache) > 200_000:
            self._similar_cache.clear()
        self._similar_cache[token] = out
        return out

    def _query_weight(self, token: str, similar: dict[str, float]) -> float:
        w = self._weights.get(token)
        if w is None:
            w = max((self._weights[v] for v in similar), default=self._unseen_weight)
            if token in GENERIC_WORDS:
                w *= GENERIC_FACTOR
        return w

    # -- scoring ----------------------------------------------------------------------------

    def _score_name(
        self,
        q_tokens: tuple[str, ...],
        q_weights: list[float],
        q_similar: list[dict[str, float]],
        name: _Name,
    ) -> tuple[float, list[tuple[int, int, float]], set[int], set[int]]:
        """Weighted Dice over a greedy one-to-one token alignment."""
        c_tokens = name.tokens
        w = self._weights
        pairs: list[tuple[float, int, int]] = []
        for i, sim_map in enumerate(q_similar):
            for j, c in enumerate(c_tokens):
                s = sim_map.get(c, 0.0)
                if s > 0:
                    pairs.append((s, i, j))
        pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
        used_q: set[int] = set()
        used_c: set[int] = set()
        matched: list[tuple[int, int, float]] = []
        for s, i, j in pairs:
            if i in used_q or j in used_c:
                continue
            used_q.add(i)
            used_c.add(j)
            matched.append((i, j, s))
        mq = sum(s * q_weights[i] for i, _, s in matched)
        mc = sum(s * w[c_tokens[j]] for _, j, s in matched)
        # Compound words: one token equal to two adjacent tokens of the other side.
        for i, q in enumerate(q_tokens):
            if i in used_q or len(q) < 5:
                continue
            for j in range(len(c_tokens) - 1):
                if j in used_c or j + 1 in used_c:
                    continue
                s = _compound_sim(q, c_tokens[j], c_tokens[j + 1])
                if s > 0:
                    used_q.add(i)
                    used_c.update((j, j + 1))
                    matched.append((i, j, s))
                    matched.append((i, j + 1, s))
                    mq += s * q_weights[i]
                    mc += s * (w[c_tokens[j]] + w[c_tokens[j + 1]])
                    break
        for j, c in enumerate(c_tokens):
            if j in used_c or len(c) < 5:
                continue
            for i in range(len(q_tokens) - 1):
                if i in used_q or i + 1 in used_q:
                    continue
                s = _compound_sim(c, q_tokens[i], q_tokens[i + 1])
                if s > 0:
                    used_c.add(j)
                    used_q.update((i, i + 1))
                    matched.append((i, j, s))
                    matched.append((i + 1, j, s))
                    mq += s * (q_weights[i] + q_weights[i + 1])
                    mc += s * w[c]
                    break
        distinctive = any(
            q_tokens[i] not in GENERIC_WORDS and c_tokens[j] not in GENERIC_WORDS
            for i, j, _ in matched
        )
        # When one name contains the other around a distinctive match, an extra generic word
        # ("Huawei Device" / "Huawei") counts half; when both sides have words the other lacks
        # ("Atlas Consulting" / "Atlas Shipping"), those words tell the names apart and count
        # with their plain rarity weight (not reduced as generic).
        one_sided = len(used_q) == len(q_tokens) or len(used_c) == len(c_tokens)
        if not distinctive:
            discount = 0.0
        elif one_sided:
            discount = UNMATCHED_GENERIC_DISCOUNT
        else:
            discount = 1.0 - 1.0 / GENERIC_FACTOR  # negative: restores the full weight
        wq = sum(q_weights) - discount * sum(
            q_weights[i] for i, t in enumerate(q_tokens) if i not in used_q and t in GENERIC_WORDS
        )
        wc = name.weight - discount * sum(
            w[t] for j, t in enumerate(c_tokens) if j not in used_c and t in GENERIC_WORDS
        )
        score = _combine(mq, mc, wq, wc)
        if matched and not distinctive and any(t not in GENERIC_WORDS for t in c_tokens):
            # Shared generic words alone never reach review.
            score = min(score, self.config.review_threshold - self.config.country_bonus - 1.0)
        elif len(c_tokens) == 1 and len(used_q) < len(q_tokens):
            # A one-word listed name (a vessel, an acronym) inside a longer query: review at most.
            score = min(score, self.config.hit_threshold - self.config.country_bonus - 0.1)
        return max(0.0, min(100.0, score)), matched, used_q, used_c

    def _screen_form(self, form: NormalizedName) -> list[_Scored]:
        q_tokens = form.tokens
        q_similar = [self._similar(t) for t in q_tokens]
        q_weights = [self._query_weight(t, s) for t, s in zip(q_tokens, q_similar, strict=True)]
        wq_total = sum(q_weights)
        wq_min = wq_total - UNMATCHED_GENERIC_DISCOUNT * sum(
            w for t, w in zip(q_tokens, q_weights, strict=True) if t in GENERIC_WORDS
        )
        floor = self.config.review_threshold - self.config.country_bonus

        # Candidate search: rare tokens first; common ones only if the query has nothing rarer.
        def df(sim: dict[str, float]) -> int:
            return sum(len(self._postings.get(v, ())) for v in sim)

        rare = [i for i, s in enumerate(q_similar) if s and df(s) <= self._common_df]
        use = rare if rare else [i for i, s in enumerate(q_similar) if s]
        # tokens left out of the search may still match: count them in every bound
        skipped = sum(q_weights[i] for i in range(len(q_tokens)) if i not in use)
        bound: dict[int, float] = {}
        for i in use:
            for v in q_similar[i]:
                for n in self._postings.get(v, ()):
                    bound[n] = bound.get(n, 0.0) + q_weights[i]
        for i, q in enumerate(q_tokens):  # query token = a listed compound split in two
            for n in self._joined.get(q, ()):
                bound[n] = bound.get(n, 0.0) + q_weights[i]
        for i in range(len(q_tokens) - 1):  # listed compound = two query tokens joined
            jq = q_tokens[i] + q_tokens[i + 1]
            for v in self._similar(jq):
                for n in self._postings.get(v, ()):
                    bound[n] = bound.get(n, 0.0) + q_weights[i] + q_weights[i + 1]

        results: dict[int, _Scored] = {}
        for n, mq in bound.items():
            name = self._names[n]
            wc_min = name.weight - UNMATCHED_GENERIC_DISCOUNT * name.generic
            upper = _combine(min(mq + skipped, wq_min), wc_min, wq_min, wc_min)
            if upper < floor:
                continue
            score, matched, used_q, used_c = self._score_name(q_tokens, q_weights, q_similar, name)
            if score < floor:
                continue
            prev = results.get(name.entry)
            if prev is not None and (prev.score, -len(prev.display)) >= (
                score,
                -len(name.display),
            ):
                continue
            seen_pairs: list[tuple[str, str]] = []
            for i, j, _ in sorted(matched):
                pair = (q_tokens[i], name.tokens[j])
                if pair not in seen_pairs:
                    seen_pairs.append(pair)
            results[name.entry] = _Scored(
                entry=name.entry,
                display=name.display,
                score=score,
                pairs=tuple(seen_pairs),
                query_only=tuple(t for i, t in enumerate(q_tokens) if i not in used_q),
                listed_only=tuple(t for j, t in enumerate(name.tokens) if j not in used_c),
                legal=tuple(dict.fromkeys((*form.legal_forms, *name.legal))),
            )
        return list(results.values())

    def _screen_names(self, forms: list[NormalizedName]) -> list[_Scored]:
        key = tuple(f.tokens for f in forms)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        best: dict[int, _Scored] = {}
        for form in forms:
            for s in self._screen_form(form):
                prev = best.get(s.entry)
                if prev is None or s.score > prev.score:
                    best[s.entry] = s
        out = list(best.values())
        if len(self._cache) > 100_000:
            self._cache.clear()
        self._cache[key] = out
        return out

    # -- public -----------------------------------------------------------------------------

    def _forms(self, name: str) -> list[NormalizedName]:
        forms = self._variants.get(name)
        if forms is None:
            if len(self._variants) >= _VARIANTS_LIMIT:
                self._variants.clear()
            forms = self._variants[name] = name_variants(name)
        return forms

    def name_score(self, query: str, entry: int) -> float:
        """The name score (0-100, before the country signal) of ``query`` against
        ``entries[entry]``: the best over the query's forms and the entry's names, by the same
        scoring as :meth:`screen`, but without candidate search or thresholds. A brute-force
        reference for benchmarks and tests; :meth:`screen` scores only candidates."""
        if self._names_of is None:
            names_of: list[list[int]] = [[] for _ in self.entries]
            for n, name in enumerate(self._names):
                names_of[name.entry].append(n)
            self._names_of = names_of
        best = 0.0
        for form in self._forms(query):
            q_similar = [self._similar(t) for t in form.tokens]
            q_weights = [
                self._query_weight(t, s) for t, s in zip(form.tokens, q_similar, strict=True)
            ]
            for n in self._names_of[entry]:
                score = self._score_name(form.tokens, q_weights, q_similar, self._names[n])[0]
                best = max(best, score)
        return round(best, 1)

    def may_match(self, name: str) -> bool:
        """False when :meth:`screen` finds nothing for ``name`` on any date and with any
        country: no listed name scores within the country bonus of the review threshold."""
        forms = self._forms(name)
        return bool(forms) and bool(self._screen_names(forms))

    def screen(self, name: str, *, country: str | None = None, on: date) -> ScreenResult:
        """Screen one name on date ``on``; ``country`` (alpha-2 or name) is a signal only."""
        cfg = self.config
        cc = normalize_country(country) if country else None
        forms = self._forms(name)
        matches: list[ScreeningMatch] = []
        for s in self._screen_names(forms) if forms else []:
            entry = self.entries[s.entry]
            if not entry.in_force(on):
                continue
            entry_countries = entry.all_countries
            if cc is None or not entry_countries:
                signal, bonus = "none", 0.0
            elif cc in entry_countries:
                signal, bonus = "same", cfg.country_bonus
            else:
                signal, bonus = "different", 0.0
            score = round(min(100.0, s.score + bonus), 1)
            if score < cfg.review_threshold:
                continue
            status = entry.hit_status if score >= cfg.hit_threshold else Status.REVIEW
            matches.append(
                ScreeningMatch(
                    name=entry.name,
                    matched_name=s.display,
                    score=score,
                    list=entry.source,
                    list_code=entry.list_code,
                    entry_id=entry.entry_id,
                    status=status,
                    country=entry.country or (entry_countries[0] if entry_countries else None),
                    citation=entry.citation,
                    license_policy=entry.license_policy,
                    confidence=entry.confidence,
                    explanation=MatchExplanation(
                        matched_tokens=s.pairs,
                        query_only=s.query_only,
                        listed_only=s.listed_only,
                        legal_forms_ignored=s.legal,
                        name_score=round(s.score, 1),
                        country_signal=signal,
                        country_bonus=bonus,
                    ),
                )
            )
        matches.sort(key=match_sort_key)
        unique: dict[tuple[str, str], ScreeningMatch] = {}
        for m in matches:  # the same entry from two files (CSL and OFAC): keep the best
            unique.setdefault((m.list_code, m.entry_id), m)
        matches = list(unique.values())[: cfg.max_matches]
        status = Status.ALLOWED
        for m in matches:
            if m.status.severity > status.severity:
                status = m.status
        return ScreenResult(query=name, country=cc, date=on, status=status, matches=tuple(matches))

    def screen_many(
        self, names: Iterable[str], *, country: str | None = None, on: date
    ) -> list[ScreenResult]:
        """Screen several names (same country signal and date), in input order."""
        return [self.screen(n, country=country, on=on) for n in names]


def screen_parties(
    index: ScreeningIndex, names: Iterable[tuple[str, str | None]], *, on: date
) -> dict[tuple[str, str | None], ScreenResult]:
    """Screen (name, country) pairs, each distinct pair once; blank names are skipped."""
    out: dict[tuple[str, str | None], ScreenResult] = {}
    for name, country in names:
        if not name or not name.strip() or (name, country) in out:
            continue
        out[(name, country)] = index.screen(name, country=country, on=on)
    return out
