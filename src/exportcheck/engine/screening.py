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
1. **Normalisation** (:func:`normalize_name`): casefold, every script transliterated to ASCII
   by ``anyascii`` (Cyrillic, Greek, Arabic, Hebrew, Georgian, Armenian, Devanagari, kana;
   each Han or Hangul character one syllable; Latin letters lose their diacritics, ``ß`` →
   ``ss``), ``&`` → ``and``, apostrophes dropped, other punctuation splits words, dotted
   abbreviations joined (``S.A.R.L.`` → ``sarl``; ``U.S.``, ``U.K.``, ``U.A.E.`` written
   out as the countries' names), a few abbreviations and name spellings
   unified (``Intl`` → ``international``, ``Mohamed`` → ``muhammad``), Arabic particles in one
   spelling (``ibn``/``ben`` → ``bin``, ``el`` → ``al``, ``Abd al-`` → ``abdul``), numbers
   written out as digits (``Forty-Four`` → ``44``, ``First`` and ``1st`` → ``1``), plurals
   folded (``technologies`` → ``technology``). German umlauts give two variants (``Müller``
   → ``muller`` and ``mueller``), so both spellings match exactly; so does a legal form glued
   to a name (``SiemensAG`` → ``siemensag`` and ``siemens`` + AG), and digits written for
   the letters they look like (``Sech1n`` → ``sech1n`` and ``sechin``). A name in Wade-Giles,
   the older romanisation of Mandarin, is also read as pinyin by the rules of its initials
   and finals (``Mao Tse-tung`` → ``mao ze dong``, ``Hsi Chin-p'ing`` → ``xi jin ping``).
   A name field may hold more than one name (:func:`name_alternatives`): a former name in an
   annotation (``(ex-Cape Diamond)``, ``f.k.a.``), names joined by ``/``, the name after a
   label (``SHIPPER:``) or before ``c/o``, before an address or branch after a comma or dash
   (and, for listed names, without their parenthesised parts). Each is screened; an entry
   keeps its best score.
2. **Legal forms** (Co., Ltd., Corp., Inc., LLC, OOO, JSC/OAO/AO/PAO/ZAO, GmbH, AG, S.A., SARL,
   K.K., B.V., PLC, Pte, Pvt, Sp. z o.o., d.o.o., Kft., 有限公司, 株式会社, 주식회사, בע"מ ...,
   and spelled out in many languages: Aktiengesellschaft, Sociedad Anónima, spółka z
   ograniczoną odpowiedzialnością, Perseroan Terbatas, Общество с ограниченной
   ответственностью ...) are taken out of the name before scoring: they neither make nor break
   a match, and the explanation lists them. Short ambiguous forms (AG, AO, SA, KK, BV ...)
   count as legal forms only at the start or end of a name; titles (Mr, Dr, Sheikh, President
   ...) and vessel prefixes (MV, M/T, SS ...) only at the start. "Group" and "Holding" are
   *not* legal forms but generic words (see 3): "Inspur Group" still matches "Inspur" well,
   yet the word is kept.
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

   ``sim`` is 1 for equal tokens; for spelling variants (letters inserted, deleted, changed or
   two neighbours swapped: one such edit in words of 4-7 letters, two from 8) it is 1 - edits
   / length; tokens of 3 or fewer characters and tokens with digits must be equal. A word of
   a name written in an abjad (Arabic, Hebrew, Syriac script), whose transliteration lacks
   most vowels, also matches a word of the same consonant skeleton (:func:`_skeleton`:
   ``فرناندو`` = ``frnndw`` / ``Fernando``) with ``SKELETON_SIMILARITY`` (0.85: a name matched
   only so is review, never a hit); so does a listed word written so. An initial
   matches a word starting with it ("V. Putin" / "Vladimir Putin") with ``INITIAL_SIMILARITY``.
   A token equal to 2-4 adjacent tokens of the other side written together ("vanderbilt" /
   "van der bilt", with one typo for long ones) matches them all. If only generic tokens (or
   initials) match, the score is capped below the review threshold: shared generic words
   never make a hit on their own. When one name contains the other around a distinctive
   match, the extra generic words count half ("Huawei Device" vs "Huawei"); so do all extra
   words when the shorter name is matched in two or more distinctive words (names, not
   particles such as al, bin, de, van: ``PARTICLES``) rare enough together
   (``STRONG_EVIDENCE``) to point to one party: a name without its middle names or
   patronymic ("Imad Khamis" vs "KHAMIS, Imad Mohammad Deeb"). Between two person's names
   (a listed individual, a query without a company legal form) less evidence will do
   (``INTERIOR_EVIDENCE``) when the shorter name's first and last words are the longer one's
   first and last, in order, reading "SURNAME, Given Middle" as "Given Middle SURNAME"
   ("Sergejs Lavrovs" vs "Sergey Viktorovich LAVROV"), or the listed name is the query's
   first words ("DOST MOHAMMAD KHAN HAQQANI" vs "DOST MOHAMMAD"). When both names have words
   the other lacks ("Atlas Consulting" vs "Atlas Shipping") they count with their plain
   rarity weight, as conflicting evidence. A one-word listed name found inside a longer query
   scores below the hit threshold (review at most).
   An entry's score is the best over its primary name and all aliases.
5. **Country** (the destination or the party's address) is only a signal: when it equals a
   country of the entry, ``country_bonus`` points are added (explained in the match); a
   different or missing country never hides a match.
6. **Status**: score ≥ ``hit_threshold`` → the entry's own ``status`` or the default of its list
   (EL/MEU → license_required, DPL/SDN → prohibited, UVL and the other lists → review);
   ``review_threshold`` ≤ score < ``hit_threshold`` → review; below → no match.
   Defaults: hit 90, review 80 (measured on ``tests/screening/corpus.csv``; run
   ``bench/screening_quality.py``, and ``bench/screening_external.py`` on pairs written by
   others).
7. **Dates**: an entry screens on day D only when ``start_date <= D < end_date`` (None = open).

Speed, without losing a match: candidates are the names holding a word similar to one of the
query's distinctive words (a deletion-neighbourhood index finds every listed word within the
edits allowed), names of generic words only, and names that write query words together or
apart. Each gets an upper bound of its score from the weights it can match at most; names
whose bound is below the floor (review threshold less the country bonus) are not scored, and
words with long postings are not looked up when even a name matching all of them could not
reach the floor. So :meth:`ScreeningIndex.screen` reports every name the scorer accepts (the
tests compare it with :meth:`ScreeningIndex.name_score` on every listed name).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from anyascii import anyascii
from pydantic import BaseModel, ConfigDict, Field, model_validator
from rapidfuzz.distance import OSA

from exportcheck.model.countries import normalize_country
from exportcheck.model.parties import (
    ListEntry,
    MatchExplanation,
    PartyType,
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
    "name_alternatives",
    "name_variants",
    "normalize_name",
    "screen_parties",
]

DEFAULT_HIT_THRESHOLD = 90.0
DEFAULT_REVIEW_THRESHOLD = 80.0
#: similarity of an initial to a word it may stand for ("V." / "Vladimir")
INITIAL_SIMILARITY = 0.6
#: a spelling variant of a short word counts this much less when both words are words two
#: or more list entries use: a real name ("Wang") is less likely a misspelling of another
#: ("Kang") than an unknown word ("Mosk") is of a listed one ("Musk"), or a known name
#: ("Putin") of a word only one entry uses ("Pudin")
KNOWN_WORD_FACTOR = 0.8
KNOWN_SHORT = 5  # ... for short words, where one letter more often makes another name
#: generic words weigh this fraction of their rarity weight (weights are in (0, 1])
GENERIC_FACTOR = 0.3
#: score = DICE_SHARE * weighted Dice + (1 - DICE_SHARE) * mean of the two coverages
DICE_SHARE = 0.5
#: an unmatched generic word counts only this much less in the totals
UNMATCHED_GENERIC_DISCOUNT = 0.5
#: so does any unmatched word when the shorter name is matched in 2+ distinctive words
#: together rare enough to point to one party: their listed weights (times their
#: similarity: a misspelt word is weaker evidence) add up to STRONG_EVIDENCE. With weights
#: (ln(N/df) + 1) / (ln N + 1), a sum of 1.5 means about 0.02 entries of the SDN (N =
#: 7,400) would hold both words by chance ("Imad Khamis": 1.6; "Eduardo Gonzalez": 1.3, a
#: common pair of names).
EXTRA_NAME_DISCOUNT = 0.5
STRONG_EVIDENCE = 1.5
#: A person's name given without its middle names or patronymic (see _interior): the
#: shorter name's first and last words are the longer one's first and last, in order (or
#: the listed name is the query's first words, the query adding a family name). Its
#: extra words count EXTRA_NAME_DISCOUNT less already when the names matched (not
#: PARTICLES) weigh INTERIOR_EVIDENCE together: a first and a last name in their places are
#: rarer together than the same two words anywhere in a name ("Sergejs Lavrovs" / "Sergey
#: Viktorovich LAVROV": 1.35). Set after looking at the external pairs: 1.0 and 0.8 find
#: the same pairs; a larger discount for such words (0.75, 1.0) found one pair more and
#: three false ones.
INTERIOR_EVIDENCE = 1.0
#: Particles of names ("al", "bin", "de", "van" ...): many names share them, so they are no
#: evidence that one name is another less some words (STRONG_EVIDENCE and INTERIOR_EVIDENCE
#: count the names matched only).
PARTICLES = frozenset(
    "al bin bint abu umm de da di du del della der den van von la le".split()  # noqa: SIM905
)


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

# CJK ideographs and Hangul syllables: anyascii gives one capitalised syllable per character
# ("沧澜" → "CangLan"); each becomes a word of its own, so a listed "Canglan" matches two
# joined syllables (compounds, see _score_name) and "Cang Lan" matches syllable by syllable.
_SYLLABIC = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xF900, 0xFAFF))
# Hebrew vav written as Arabic waw is (anyascii: "w"), not "v": in unvocalised Hebrew it is
# mostly the vowel o or u ("הובלות" = "hovalot"), which consonant skeletons leave out.
_TRANSLIT: dict[str, str] = {"\u05d5": "w"}


def _transliterate(text: str) -> str:
    """Any script to ASCII with anyascii (a maintained transliteration table for all of
    Unicode: Cyrillic, Greek, Arabic, Hebrew, Georgian, Armenian, Devanagari, kana, Han,
    Hangul ...; Latin letters lose their diacritics, ``ß`` → ``ss``, ``ø`` → ``o``)."""
    if text.isascii():
        return text
    out: list[str] = []
    for c in text:
        if c.isascii():
            out.append(c)
            continue
        t = _TRANSLIT.get(c)
        if t is None:
            t = anyascii(c)
            o = ord(c)
            if any(lo <= o <= hi for lo, hi in _SYLLABIC):
                t = f" {t} "
            if len(_TRANSLIT) < 65_536:
                _TRANSLIT[c] = t
        out.append(t)
    return "".join(out)


_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_GERMAN_CHARS = frozenset("äöüÄÖÜ")

# Legal forms written in scripts whose transliteration would not read as one, replaced by
# Latin ones before tokenising (longest first).
_SCRIPT_FORMS = (
    ("股份有限公司", " co ltd "),
    ("有限责任公司", " llc "),
    ("有限責任公司", " llc "),
    ("有限公司", " co ltd "),
    ("株式会社", " kk "),
    ("有限会社", " yk "),
    ("合同会社", " llc "),
    ("公司", " co "),
    ("주식회사", " co ltd "),
    ("유한회사", " llc "),
    ('בע"מ', " ltd "),
    ("בע״מ", " ltd "),
    ("ကုမ္ပဏီလီမိတက်", " co ltd "),
    ("შპს", " llc "),
    ("ՍՊԸ", " llc "),
)
_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
_CHUNK = re.compile(r"[^\W_]+(?:\.[^\W_]+)*\.?")

_ABBREVIATIONS = {
    "intl": "international",
    "int": "international",
    "tech": "technology",
    "engg": "engineering",
    "mgmt": "management",
    "mgt": "management",
    "assoc": "associates",
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
# Countries abbreviated with dots ("U.S. Department of State" = "United States ..."); written
# without dots the letters may be a name ("Uk", a Korean given name).
_DOTTED_COUNTRIES = {
    "us": ("united", "states"),
    "usa": ("united", "states", "america"),
    "uk": ("united", "kingdom"),
    "uae": ("united", "arab", "emirates"),
}
_STOPWORDS = frozenset({"the", "and", "of", "for", "und", "et", "y", "ve"})
_PARTICLES = {"ibn": "bin", "ben": "bin", "bn": "bin", "el": "al"}
_NUMBER_WORDS = {
    w: n
    for n, words in enumerate(
        [
            "zero", "one first", "two second", "three third", "four fourth", "five fifth",
            "six sixth", "seven seventh", "eight eighth", "nine ninth", "ten tenth",
            "eleven eleventh", "twelve twelfth", "thirteen", "fourteen", "fifteen",
            "sixteen", "seventeen", "eighteen", "nineteen", "twenty twentieth",
        ]
    )
    for w in words.split()
}  # fmt: skip
_NUMBER_WORDS.update(
    {
        w: 10 * n
        for n, words in enumerate(
            ["", "", "", "thirty", "forty fourty", "fifty", "sixty", "seventy", "eighty",
             "ninety"]
        )
        for w in words.split()
    }
)  # fmt: skip
_ORDINAL = re.compile(r"(\d+)(?:st|nd|rd|th)")

# Legal-form phrases, written as they are spelled (they are normalised like names, so
# "Société Anonyme", "Perseroan Terbatas" and "Общество с ограниченной ответственностью"
# can be written as such). "anywhere" forms are dropped wherever they occur; "edge" forms
# (short, ambiguous words) only at the start or end of a name; "prefix" words (titles,
# vessel prefixes) only at the start.
_LEGAL_ANYWHERE = [
    # English
    "open joint stock company", "closed joint stock company", "public joint stock company",
    "private joint stock company", "joint stock company", "limited liability company",
    "limited liability partnership", "public limited company", "private limited company",
    "limited company", "joint stock", "private limited", "proprietary limited", "companies",
    "co", "company", "ltd", "limited", "corp", "corporation", "inc", "incorporated", "llc",
    "plc", "pte", "pvt", "pty", "llp", "wll",
    # German, Dutch, Nordic
    "aktiengesellschaft", "gesellschaft mit beschränkter haftung", "gmbh",
    "kommanditgesellschaft", "offene handelsgesellschaft", "gmbh co kg",
    "besloten vennootschap", "naamloze vennootschap", "commanditaire vennootschap",
    "aktiebolag", "aksjeselskap", "allmennaksjeselskap", "aktieselskab", "anpartsselskab",
    "osakeyhtiö", "julkinen osakeyhtiö", "oyj", "aps", "asa", "ehf",
    # French, Spanish, Portuguese, Italian, Romanian
    "société anonyme", "société à responsabilité limitée", "société par actions simplifiée",
    "société en nom collectif", "sarl", "suarl", "compagnie", "cie", "sociedad anónima",
    "sociedad anónima cerrada", "sociedad de responsabilidad limitada", "sociedad limitada",
    "sa de cv", "sab de cv", "s de rl de cv", "s de rl", "compañía", "cia", "ltda",
    "limitada", "sociedade anónima", "sociedade anônima", "sociedade limitada", "companhia",
    "società per azioni", "società a responsabilità limitata", "società in nome collettivo",
    "società in accomandita semplice", "srl", "srls", "spa", "snc", "sapa",
    "societatea cu răspundere limitată", "societate pe acțiuni",
    # Central and Eastern Europe
    "spółka z ograniczoną odpowiedzialnością", "spółka akcyjna", "spółka jawna",
    "spółka komandytowa", "spółka komandytowo akcyjna", "sp z oo", "sp z o o", "sp k",
    "sp j", "ska", "spol s ro", "spol s r o", "sro", "doo", "d o o", "dd", "d d", "kft",
    "korlátolt felelősségű társaság", "zrt", "nyrt", "részvénytársaság", "uab",
    "общество с ограниченной ответственностью", "акционерное общество",
    "открытое акционерное общество", "закрытое акционерное общество",
    "публичное акционерное общество", "товариство з обмеженою відповідальністю",
    "ooo", "oao", "zao", "pao", "jsc", "ojsc", "cjsc", "pjsc", "tov", "prat",
    # Turkish, Gulf, Asia
    "anonim şirketi", "limited şirketi", "san tic ltd sti", "san ve tic ltd sti",
    "san tic ltd st", "san tic", "sti", "fze", "fzco", "fzc", "fzllc", "sdn bhd",
    "sendirian berhad", "berhad", "bhd", "perseroan terbatas", "kabushiki kaisha",
    "kabushiki gaisha", "godo kaisha", "yugen kaisha",
]  # fmt: skip
_LEGAL_EDGE = [
    "ag", "ao", "sa", "sas", "sac", "kk", "bv", "nv", "oy", "ab", "as", "kg", "ug", "lp",
    "sl", "se", "pt", "tbk", "ooo", "est", "cv", "sia", "oü", "ip", "fop", "ano", "yk",
]  # fmt: skip
_PREFIXES = [
    "mr", "mrs", "ms", "miss", "dr", "prof", "sir", "monsieur", "madame", "mme", "mlle",
    "herr", "frau", "president", "shaikh", "sheikh", "messrs",
    "mv", "m v", "mt", "m t", "m s", "ss", "msv", "tb", "t b", "nm", "n m", "fv",
]  # fmt: skip


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

#: Words naming a line of business or a kind of firm: a name holding one is a company's,
#: not a vessel's or a person's ("Pioneer Supply" is not the vessel "PIONEER"). Words that
#: also name ships ("Star", "Express", "Pacific", "Energy", "Trader") are not among them.
COMPANY_WORDS = frozenset(
    _stem(w)
    for w in """
    trading industries industrial electronics engineering technologies systems services
    solutions holdings imports exports commercial enterprises manufacturing
    logistics shipping investments management consulting construction software
    semiconductors devices products supplies supply laboratories associates partners
    networks telecommunications communications pharmaceuticals chemicals textiles mining
    machinery equipment instruments materials
    """.split()  # noqa: SIM905
)


@dataclass(frozen=True, slots=True)
class NormalizedName:
    """A name as the matcher sees it."""

    tokens: tuple[str, ...]
    legal_forms: tuple[str, ...]
    #: words of a name written surname first ("KHAMIS, Imad Mohammad"): how many of the
    #: tokens come before the comma (0: none, or not written so)
    surname_words: int = 0
    #: written in an abjad (Arabic, Hebrew, Syriac script): its transliteration lacks most
    #: vowels, so its words are also compared on consonant skeletons (see _skeleton)
    abjad: bool = False

    @property
    def key(self) -> str:
        return " ".join(self.tokens)


def _basic_tokens(text: str) -> list[str]:
    """Text → normalised word tokens (before legal-form removal)."""
    if not text.isascii():
        for native, latin in _SCRIPT_FORMS:
            if native in text:
                text = text.replace(native, latin)
    text = _transliterate(text.casefold()).casefold()
    text = text.replace("&", " and ").replace("+", " and ")
    text = _APOSTROPHES.sub("", text)
    tokens: list[str] = []
    for chunk in _CHUNK.findall(text):
        pieces = [p for p in chunk.split(".") if p]
        if len(pieces) > 1 and all(len(p) <= 2 for p in pieces):
            joined = "".join(pieces)
            pieces = list(_DOTTED_COUNTRIES.get(joined, (joined,)))
        for p in pieces:
            p = _stem(_ABBREVIATIONS.get(p, p))
            if p not in _STOPWORDS:
                tokens.append(p)
    return _numbers(_particles(_join_initials(tokens)))


def _join_initials(tokens: list[str]) -> list[str]:
    """Initials written apart are one word, as written with dots (``N K`` = ``N.K.`` →
    ``nk``)."""
    if sum(1 for t in tokens if len(t) == 1) < 2:
        return tokens
    out: list[str] = []
    run = False  # the last word is a run of single letters
    for t in tokens:
        prev = out[-1] if out else ""
        if len(t) == 1 and t.isalpha() and (run or (len(prev) == 1 and prev.isalpha())):
            out[-1] += t
            run = True
        else:
            out.append(t)
            run = False
    return [t for t in out if t not in _STOPWORDS]  # "O F" is "of", not initials


def _particles(tokens: list[str]) -> list[str]:
    """Arabic name particles in one spelling: ``ibn``/``ben`` → ``bin``, ``el`` → ``al``,
    ``abd al`` → ``abdul`` (as ``Abd al-Rahman`` = ``Abdul Rahman``)."""
    out: list[str] = []
    for t in tokens:
        t = _PARTICLES.get(t, t)
        if t == "al" and out and out[-1] == "abd":
            out[-1] = "abdul"
            continue
        out.append(t)
    return out


def _numbers(tokens: list[str]) -> list[str]:
    """Numbers written out become digits: ``forty-four`` and ``forty 4`` → ``44``, ``three``
    → ``3``, ``first`` and ``1st`` → ``1``."""
    if not any(t in _NUMBER_WORDS or t[:1].isdigit() for t in tokens):
        return tokens
    out: list[str] = []
    tens_word = False  # the last token was "twenty" ... "ninety" written out
    for t in tokens:
        m = _ORDINAL.fullmatch(t)
        if m:
            t = m.group(1)
        value = _NUMBER_WORDS.get(t)
        if value is None and t.isdigit() and len(t) == 1:
            value = int(t)
        if tens_word and value is not None and 1 <= value <= 9:
            out[-1] = str(int(out[-1]) + value)  # "forty" "four" → 44
            tens_word = False
            continue
        tens_word = t in _NUMBER_WORDS and value is not None and value >= 20
        out.append(t if value is None else str(value))
    return out


def _phrases(items: Iterable[str]) -> list[tuple[str, ...]]:
    """Phrases as normalised tokens, longest first."""
    found = {tuple(_basic_tokens(p)) for p in items} - {()}
    return sorted(found, key=lambda p: (-len(p), p))


_LEGAL_ANYWHERE_P = _phrases(_LEGAL_ANYWHERE)
_LEGAL_ALL_P = _phrases([*_LEGAL_ANYWHERE, *_LEGAL_EDGE])
_PREFIXES_P = _phrases(_PREFIXES)  # titles and vessel prefixes: taken from the start only


def _by_length(phrases: list[tuple[str, ...]]) -> dict[int, frozenset[tuple[str, ...]]]:
    """The phrases by their number of words, longest first."""
    lengths = sorted({len(p) for p in phrases}, reverse=True)
    return {n: frozenset(p for p in phrases if len(p) == n) for n in lengths}


_LEGAL_ALL_BY_LEN = _by_length(_LEGAL_ALL_P)
_LEGAL_ANYWHERE_BY_LEN = _by_length(_LEGAL_ANYWHERE_P)
_LEGAL_WORDS = frozenset(w for p in _LEGAL_ALL_P for w in p)


def _is_company(form: NormalizedName) -> bool:
    """Whether a name is a company's: it has a company's legal form (titles and vessel
    prefixes are not) or a word naming a line of business (:data:`COMPANY_WORDS`)."""
    return any(w in _LEGAL_WORDS for w in form.legal_forms) or not COMPANY_WORDS.isdisjoint(
        form.tokens
    )


_START_BY_LEN = _by_length(sorted({*_LEGAL_ALL_P, *_PREFIXES_P}, key=lambda p: (-len(p), p)))
# The words phrases begin or end with: most words of a name begin or end none.
_START_FIRST = frozenset(p[0] for p in (*_LEGAL_ALL_P, *_PREFIXES_P))
_LEGAL_LAST = frozenset(p[-1] for p in _LEGAL_ALL_P)
_LEGAL_ANYWHERE_FIRST = frozenset(p[0] for p in _LEGAL_ANYWHERE_P)


def _split_legal(tokens: list[str]) -> NormalizedName:
    legal: list[str] = []
    head: list[str] = []
    tail: list[str] = []

    def take_edge(toks: list[str], from_start: bool) -> list[str]:
        changed = True
        while changed and toks:
            if (toks[0] if from_start else toks[-1]) not in (
                _START_FIRST if from_start else _LEGAL_LAST
            ):
                break  # no phrase begins (ends) with this word: the common case
            changed = False
            for n, phrases in (_START_BY_LEN if from_start else _LEGAL_ALL_BY_LEN).items():
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
        if core[i] not in _LEGAL_ANYWHERE_FIRST:
            out.append(core[i])
            i += 1
            continue
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


# Long one-word legal forms are recognised with one typo ("Aktiengeselschaft").
_LONG_FORMS = frozenset(p[0] for p in _LEGAL_ALL_P if len(p) == 1 and len(p[0]) >= 9)
_LONGEST_FORM = max(map(len, _LONG_FORMS))
_LONG_FORM_DELETES = {
    form[:i] + form[i + 1 :]: form
    for form in sorted(_LONG_FORMS, reverse=True)
    for i in range(len(form) + 1)  # i = len(form): the form itself
}


# A word one edit from a form of 8+ letters keeps its first three letters or its last three.
_LONG_FORM_HEADS = frozenset(f[:3] for f in _LONG_FORMS)
_LONG_FORM_TAILS = frozenset(f[-3:] for f in _LONG_FORMS)


def _legal_typo(token: str) -> str:
    """The long legal form ``token`` misspells by one edit, or ``token``."""
    if not 8 <= len(token) <= _LONGEST_FORM + 1 or token in _LONG_FORMS:
        return token
    if token[:3] not in _LONG_FORM_HEADS and token[-3:] not in _LONG_FORM_TAILS:
        return token
    for i in range(len(token) + 1):
        form = _LONG_FORM_DELETES.get(token[:i] + token[i + 1 :] if i < len(token) else token)
        if form is not None and OSA.distance(token, form, score_cutoff=1) <= 1:
            return form
    return token


def normalize_name(text: str) -> NormalizedName:
    """The main normalised form of a name (umlauts stripped: ``Müller`` → ``muller``). A name
    without a legal form written ``SURNAME, Given Names`` (one comma) records how many of its
    words are the surname (:attr:`NormalizedName.surname_words`)."""
    tokens = _basic_tokens(text)
    if any(len(t) >= 8 for t in tokens):
        tokens = [_legal_typo(t) for t in tokens]
    form = _split_legal(tokens)
    surname = 0
    if text.count(",") == 1 and not form.legal_forms:
        before = _basic_tokens(text.partition(",")[0])
        if 0 < len(before) < len(form.tokens) and form.tokens[: len(before)] == tuple(before):
            surname = len(before)
    abjad = not text.isascii() and _ABJAD.search(text) is not None
    if surname or abjad:
        return NormalizedName(form.tokens, form.legal_forms, surname, abjad)
    return form


#: Letters of the abjads: Hebrew, Arabic (with its supplements and presentation forms),
#: Syriac.
_ABJAD = re.compile(
    "[\u0590-\u05ff\ufb1d-\ufb4f\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff"
    "\ufb50-\ufdff\ufe70-\ufeff\u0700-\u074f]"
)


#: A legal form glued to the word before it: "SiemensAG", "AcmeGmbH" (a capital after a
#: lower-case letter; all-capital words are left alone).
_GLUED_FORM = re.compile(r"(?<=[a-z])(AG|GmbH|LLC|Ltd|LTD|Inc|INC|PLC|Corp|SRL|SpA|SARL|BV|NV)\b")


#: Short romanised syllables joined by a hyphen, as in Korean and Chinese given names
#: ("Yong-chol", "Jong-un"): also one word ("Yongchol"), as often written.
_SYLLABLES = re.compile(r"\b([^\W\d_]{2,5})-([^\W\d_]{2,5})\b")


#: A digit written for the letter it looks like ("Ig0r Sech1n", "I9or"): one between two
#: letters. The look-alikes of leetspeak; 2 and 6 stand for no one letter.
_LOOKALIKE = re.compile(r"(?<=[^\W\d_])[0134579]+(?=[^\W\d_])")
_LOOKALIKE_LETTERS = str.maketrans("0134579", "oieastg")


# Wade-Giles, the older romanisation of Mandarin ("Mao Tse-tung", "Hsi Chin-p'ing"), read as
# pinyin ("Mao Ze-dong", "Xi Jin-ping"): a syllable is an initial and a final; the
# apostrophe marks an aspirated initial (p' = pinyin p, p = pinyin b). The rules of the
# standard conversion tables, by initial and final, not a list of syllables or names.
_WG_INITIALS = {
    "ch'": "ch", "ts'": "c", "tz'": "c", "p'": "p", "t'": "t", "k'": "k", "hs": "x",
    "ch": "zh", "sh": "sh", "ts": "z", "tz": "z", "ss": "s", "sz": "s", "p": "b", "m": "m",
    "f": "f", "t": "d", "n": "n", "l": "l", "k": "g", "h": "h", "j": "r", "s": "s", "y": "y",
    "w": "w", "": "",
}  # fmt: skip
_WG_FINALS = {
    "a": "a", "ai": "ai", "an": "an", "ang": "ang", "ao": "ao", "e": "e", "eh": "e",
    "ei": "ei", "en": "en", "eng": "eng", "erh": "er", "o": "o", "ou": "ou", "ung": "ong",
    "ih": "i", "u": "u", "ua": "ua", "uai": "uai", "uan": "uan", "uang": "uang", "uei": "ui",
    "ui": "ui", "un": "un", "uo": "uo", "ueh": "ue", "i": "i", "ia": "ia", "iang": "iang",
    "iao": "iao", "ieh": "ie", "ien": "ian", "in": "in", "ing": "ing", "iu": "iu",
    "iung": "iong",
}  # fmt: skip
# What pinyin never writes: a Wade-Giles name has one of them.
_WG_MARK = re.compile(r"hs|ts|tz|ss|ih|ieh|ien|ung|uei|erh|[ptk]'")
_WG_MAY_MARK = re.compile(r"hs|ts|tz|ss|ih|ieh|ien|ung|uei|erh|[ptk]['’‘`´ʼ]", re.IGNORECASE)
_WG_WORD = re.compile(r"[a-z']+(?:-[a-z']+)*")
_WG_SEPARATORS = re.compile(r"(\s*,\s*|\s+)")


def _wade_giles_syllable(syllable: str) -> str | None:
    """The pinyin of one Wade-Giles syllable, or None when it is not one."""
    for n in (3, 2, 1, 0):
        initial, final = syllable[:n], syllable[n:]
        if initial not in _WG_INITIALS or final not in _WG_FINALS:
            continue
        out = _WG_FINALS[final]
        if final == "ih" and initial not in ("ch", "ch'", "sh", "j"):
            continue  # -ih follows only ch, sh, j (chih = zhi)
        if final == "u" and initial in ("ts", "tz", "ts'", "tz'", "ss", "sz"):
            out = "i"  # tzu = zi, ssu = si
        if final == "o" and initial in ("k", "k'", "h"):
            out = "e"  # ko = ge, ho = he
        pinyin = _WG_INITIALS[initial]
        if initial in ("ch", "ch'") and out.startswith("i"):
            pinyin = "j" if initial == "ch" else "q"  # chi = ji, ch'i = qi
        return pinyin + out
    return None


def _wade_giles(text: str) -> str | None:
    """``text`` written in pinyin when each of its words is one to three Wade-Giles
    syllables (joined by hyphens) and one has a mark of Wade-Giles (:data:`_WG_MARK`); else
    None. A name with any other word ("Kim Il Sung", "... Machinery Co.") is left alone."""
    lowered = _APOSTROPHES.sub("'", text.casefold()).strip()
    pieces = _WG_SEPARATORS.split(lowered)  # words and, between them, what separates them
    for k in range(0, len(pieces), 2):
        parts = pieces[k].split("-")
        pinyin = [_wade_giles_syllable(p) for p in parts] if _WG_WORD.fullmatch(pieces[k]) else []
        if not pinyin or len(parts) > 3 or None in pinyin:
            return None
        pieces[k] = "-".join(p for p in pinyin if p is not None)
    return "".join(pieces) if _WG_MARK.search(lowered) else None


def name_variants(text: str) -> list[NormalizedName]:
    """All normalised forms of a name: one; two for German umlauts (ü → u and ue); the form
    with a glued legal form split off ("SiemensAG" → "Siemens AG"); the form with short
    hyphenated syllables written together ("Kim Jong-un" → "Kim Jongun"); and the form with
    digits between letters read as the letters they look like ("Sech1n" → "Sechin")."""
    texts = [text]
    if _WG_MAY_MARK.search(text) and (pinyin := _wade_giles(text)) is not None:
        texts.append(pinyin)
    if _HAS_DIGIT(text) and _LOOKALIKE.search(text):
        texts.append(_LOOKALIKE.sub(lambda m: m.group().translate(_LOOKALIKE_LETTERS), text))
    if not _GERMAN_CHARS.isdisjoint(text):
        texts.append(text.translate(_GERMAN))
    if _GLUED_FORM.search(text):
        texts.extend([_GLUED_FORM.sub(r" \1", t) for t in texts])
    if "-" in text:
        texts.extend([_SYLLABLES.sub(r"\1\2", t) for t in texts if _SYLLABLES.search(t)])
    forms: list[NormalizedName] = []
    for t in texts:
        form = normalize_name(t)
        if form.tokens and form not in forms:
            forms.append(form)
    return forms


_PAREN = re.compile(r"\s*[(\[]([^()\[\]]*)[)\]]")
_PAREN_EX = re.compile(
    r"[(\[]\s*(?:ex\b[-.\s]*|f\.?k\.?a\.?\s|formerly\s|previously\s|a\.?k\.?a\.?\s)"
    r"\s*([^()\[\]]+)[)\]]",
    re.IGNORECASE,
)
_MARKER = re.compile(
    r"\s(?:f\.?k\.?a\.?|a\.?k\.?a\.?|d\.?b\.?a\.?|t/a|formerly(?:\s+known\s+as)?|"
    r"previously(?:\s+known\s+as)?|also\s+known\s+as|trading\s+as)\s",
    re.IGNORECASE,
)
_SLASH = re.compile(r"(?<=[^\W\d_]{2})\s*/\s*(?=[^\W\d_]{2})")
_LABEL = re.compile(r"^\s*+(?:[^\W_]++[\s.]*+){1,3}+:\s*(?=\S)")  # possessive: no backtracking
_CARE_OF = re.compile(r"\s+c/o\s.*$", re.IGNORECASE)
_TAIL = re.compile(r"(?:,|\s-)\s+")
_MAX_CUTS = 3  # commas or dashes looked at (each costs a normalisation of the part before)
_MAX_ALTERNATIVES = 8  # other names taken from one field (each is screened)
# What any of the above needs (a cheap test first: most names hold none of it).
_MAY_HOLD_MORE = re.compile(
    r"[(\[/:,]|\s-\s|\b(?:f\.?k\.?a|a\.?k\.?a|d\.?b\.?a|formerly|previously|also|trading)\b",
    re.IGNORECASE,
).search


def name_alternatives(text: str) -> list[str]:
    """Other texts one name field may hold besides the name as written: a former or other
    name in annotations ("Ocean Pioneer (ex-Cape Diamond)", "X f.k.a. Y"), each of several
    names joined by '/' ("Al-Qa'ida/Islamic Army"), the name after a label ("SHIPPER: ...")
    or before "c/o", and the name before an annotation after a comma or dash ("... Ltd,
    Sukkur Branch", "MV Costa do Marfim, port d'Abidjan", "... Inc, 12250 Brevard Ln"): cut
    there when the part before ends a name (a legal form or vessel prefix is found in it) or
    the part after holds a number. (A name without its parenthesised parts is another form
    of a *listed* name only, see _name_texts: a query's "Bank of China (Hong Kong)" must not
    become "Bank of China".)"""
    out: list[str] = []
    if not _MAY_HOLD_MORE(text):
        return out

    def add(t: str) -> None:
        t = " ".join(t.split()).strip(" ,;-")
        if t and t != text and t not in out and len(out) < _MAX_ALTERNATIVES:
            out.append(t)

    for m in itertools.islice(_PAREN_EX.finditer(text), _MAX_ALTERNATIVES):
        add(m.group(1))
        add(text[: m.start()] + " " + text[m.end() :])
    for part in _MARKER.split(f" {text} ") if _MARKER.search(f" {text} ") else ():
        add(part)
    if "/" in text and _SLASH.search(text):
        for part in _SLASH.split(text):
            add(part)
    label = _LABEL.match(text) if ":" in text else None
    if label:
        add(text[label.end() :])
    if "c/o" in text.casefold():
        add(_CARE_OF.sub("", text))
    for m in itertools.islice(_TAIL.finditer(text), _MAX_CUTS):
        head, tail = text[: m.start()], text[m.end() :]
        if not any(c.isdigit() for c in tail) and not normalize_name(head).legal_forms:
            continue
        first = _basic_tokens(tail)[:1]
        if first and first[0] in _LEGAL_WORDS:  # "Co., Ltd.": the comma is in a legal form
            continue
        add(head)
        break
    return out


def _initials(text: str) -> str:
    return "".join(w[0] for w in re.findall(r"[^\W\d_]+", text)).upper()


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


def _name_texts(name: str) -> list[tuple[str, str]]:
    """(display, text to match) for a listed name: the name itself; its alternatives
    (:func:`name_alternatives`: a former name, ...); without its parenthesised parts
    ("Academy ... (AASPT)"); and an acronym in parentheses that abbreviates the words before
    it ("Semiconductor Manufacturing International Corporation (SMIC)" → "SMIC")."""
    out = [(name, name)]
    out.extend((name, alt) for alt in name_alternatives(name))
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
# Token similarity
# --------------------------------------------------------------------------------------------


_HAS_DIGIT = re.compile(r"\d").search


def _edits_allowed(shorter: int) -> int:
    """Spelling edits (a letter inserted, deleted or changed, two neighbours swapped) allowed
    between two words, by the length of the shorter one: none below 4 letters, one up to 7
    letters (one typo in a 4-letter word), two from 8. Words of 6-7 letters that begin with
    the same three letters may differ by two ("Scholz" / "Schulze", "Qureshi" /
    "Quraishi"): see _token_sim."""
    return 0 if shorter < 4 else 1 if shorter <= 7 else 2


#: the shorter word's lengths at which two edits are allowed after a common start
_SAME_START = 3
_SAME_START_LENGTHS = (6, 7)


def _is_initial(token: str) -> bool:
    return len(token) == 1 and token.isalpha()


def _fuzzy_ok(token: str) -> bool:
    return len(token) >= 4 and _HAS_DIGIT(token) is None


def _token_sim(a: str, b: str) -> float:
    """1 for equal words; for spelling variants within the edits allowed, 1 - edits / length
    of the longer, romanisation variants of one sound counting half an edit; else 0. Words
    with digits must be equal."""
    if a == b:
        return 1.0
    la, lb = len(a), len(b)
    shorter = min(la, lb)
    k = _edits_allowed(shorter)
    if k == 0 or _HAS_DIGIT(a) or _HAS_DIGIT(b):
        return 0.0
    if shorter in _SAME_START_LENGTHS and a[:_SAME_START] == b[:_SAME_START]:
        k = 2
    if abs(la - lb) <= k:
        d = OSA.distance(a, b, score_cutoff=k)
        if d <= k:
            # Romanisation variants of one sound count as half an edit ("Volodymyr" /
            # "Volodimir", "Wolodymyr", "Hussain" / "Husain"): compared again folded.
            fd = OSA.distance(_romanised(a), _romanised(b), score_cutoff=d)
            return 1.0 - min(d, (d + fd) / 2.0) / max(la, lb)
    # More edits, all of them such variants: two count as one ("Joonng" / "Jong",
    # "Mousavi" / "Musawi"). Found by the folded word (ScreeningIndex._similar).
    if _romanised(a) == _romanised(b):
        d = OSA.distance(a, b, score_cutoff=2 * k)
        if d <= 2 * k:
            return 1.0 - d / 2.0 / max(la, lb)
    return 0.0


_ROMANISED = (("kh", "h"), ("ph", "f"), ("ck", "k"), ("ou", "u"), ("ee", "i"), ("w", "v"))
_DOUBLED = re.compile(r"(.)\1")


_ROMANISED_WORDS: dict[str, str] = {}


def _romanised(word: str) -> str:
    """A word with spellings of one sound in Latin romanisations made one: kh/h, ph/f,
    ck/k, ou/u, ee/i, w/v, y/i after the first letter, doubled letters single."""
    found = _ROMANISED_WORDS.get(word)
    if found is None:
        found = _fold_romanised(word)
        if len(_ROMANISED_WORDS) < 1 << 17:
            _ROMANISED_WORDS[word] = found
    return found


def _fold_romanised(word: str) -> str:
    for a, b in _ROMANISED:
        if a in word:
            word = word.replace(a, b)
    if "y" in word[1:]:
        word = word[0] + word[1:].replace("y", "i")
    return _DOUBLED.sub(r"\1", word)


#: similarity of two words whose consonant skeletons are equal, one of them written in an
#: abjad: a name matched only so scores 85, review and never a hit
SKELETON_SIMILARITY = 0.85
SKELETON_MIN = 2  # consonant classes a skeleton needs ("dawn" / "דון": d-n)
# Soundex's consonant classes (b f p v / c g j k q s x z / d t / l / m n / r), h its own
# (Arabic ha is a consonant: "Ahmad" is not "Muhammad"); vowels and w, y (written as, or
# not at all in, an abjad) are left out. Digraphs of one sound first.
_SKELETON_DIGRAPHS = (("kh", "k"), ("gh", "g"), ("sh", "s"), ("ch", "k"), ("th", "t"),
                      ("dh", "d"), ("ph", "f"), ("zh", "j"), ("ts", "s"), ("tz", "s"))  # fmt: skip
_SKELETON_CLASSES = str.maketrans("bfpvcgjkqsxzdtlmnrh", "1111222222223345567", "aeiouwy")
_SKELETONS: dict[str, str] = {}


def _skeleton(word: str) -> str:
    """A word's consonant skeleton: what a transliteration from an abjad (Arabic, Hebrew),
    which writes few vowels and some consonants alike, keeps of it ("fernando" and
    "frnndw" → "1653"; "shaltiel" and "sltyl" → "2434"). Digraphs of one sound become one
    letter, a word-final h goes (ta marbuta, Hebrew final he: "-ah"), letters become
    Soundex's consonant classes with h its own, vowels and w, y go, and a class repeated
    counts once. "" for a word with a digit or fewer than SKELETON_MIN classes."""
    found = _SKELETONS.get(word)
    if found is not None:
        return found
    w = word
    for a, b in _SKELETON_DIGRAPHS:
        if a in w:
            w = w.replace(a, b)
    if w.endswith("h"):
        w = w[:-1]
    codes = w.translate(_SKELETON_CLASSES)
    out = "" if not codes.isdigit() else _DOUBLED.sub(r"\1", codes)
    if len(out) < SKELETON_MIN or _HAS_DIGIT(word):
        out = ""
    if len(_SKELETONS) < 65_536:
        _SKELETONS[word] = out
    return out


def _compound_sim(whole: str, parts: Sequence[str]) -> float:
    """Similarity of one word to 2-4 adjacent words written together ("vanderbilt" / "van der
    bilt", "fridrichbuchenberg" / "friedrich buchenberg"): 1 when equal; with one edit when
    both are 4+ letters, start with the same letter, no part is a single letter, and the
    first part begins the word or the last part ends it unchanged (a part of 4+ letters);
    else 0."""
    joined = "".join(parts)
    if whole == joined:
        return 1.0
    lw, lj = len(whole), len(joined)
    if whole[0] != joined[0] or abs(lw - lj) > 1 or min(lw, lj) < 4:
        return 0.0
    if any(len(p) < 2 for p in parts):  # "elizabeth" + "w" is a word and an initial
        return 0.0
    first, last = parts[0], parts[-1]
    if not (
        (len(first) >= 4 and whole.startswith(first)) or (len(last) >= 4 and whole.endswith(last))
    ):
        return 0.0
    if _HAS_DIGIT(whole) or _HAS_DIGIT(joined) or OSA.distance(whole, joined, score_cutoff=1) > 1:
        return 0.0
    return 1.0 - 1.0 / max(lw, lj)


def _written_together(
    words: tuple[str, ...], used: set[int], others: tuple[str, ...], used_others: set[int]
) -> list[tuple[int, int, int, float]]:
    """Words left over on one side that write 2-4 adjacent words left over on the other
    together (:func:`_compound_sim`), as (word, first other word, number of them,
    similarity); marks them used."""
    out: list[tuple[int, int, int, float]] = []
    n = len(others)
    if n - len(used_others) < 2 or len(used) == len(words):
        return out
    for i, word in enumerate(words):
        if i in used:
            continue
        lw = len(word)
        found = None
        for j in range(n - 1):
            # a run starts with the word's first letter, and is about as long as the word
            if j in used_others or others[j][0] != word[0]:
                continue
            length = len(others[j])
            for k in range(j + 1, min(j + 4, n)):
                if k in used_others:
                    break
                length += len(others[k])
                if length > lw + 1:
                    break
                if length >= lw - 1:
                    s = _compound_sim(word, others[j : k + 1])
                    if s > 0:
                        found = (i, j, k + 1 - j, s)
                        break
            if found:
                break
        if found:
            used.add(i)
            used_others.update(range(found[1], found[1] + found[2]))
            out.append(found)
            if n - len(used_others) < 2:
                break
    return out


def _interior(
    matched: Sequence[tuple[int, int, float, int]],
    nq: int,
    nc: int,
    q_surname: int,
    c_surname: int,
    distinctive_q: set[int],
) -> bool:
    """Whether the shorter of two person's names is the longer one less some of its words:
    every word of the shorter (2 or more) matched a word of the longer in the same order,
    in the order of a person's name (a name written "SURNAME, Given ..." is read "Given ...
    SURNAME"); its first word is distinctively the longer one's first, and its last word
    the longer one's last, so that the words left out are middle names or a patronymic,
    unless the shorter is the listed name: a query may name more after all the listed
    names (a family or tribal name the list lacks: "DOST MOHAMMAD KHAN HAQQANI" / "DOST
    MOHAMMAD"). Words written together (compounds) do not count here."""
    if len(matched) < 2 or any(kind == _COMPOUND for *_, kind in matched):
        return False
    pairs = sorted(((i - q_surname) % nq, (j - c_surname) % nc, i) for i, j, _, _ in matched)
    if len(matched) == nq:
        short, long_ = nq, nc
    elif len(matched) == nc:
        pairs = sorted((b, a, i) for a, b, i in pairs)
        short, long_ = nc, nq
    else:
        return False
    if short == long_ or pairs[0][:2] != (0, 0) or pairs[0][2] not in distinctive_q:
        return False
    if short == nq and (
        pairs[-1][:2] != (short - 1, long_ - 1) or pairs[-1][2] not in distinctive_q
    ):
        return False
    return all(a[1] < b[1] for a, b in itertools.pairwise(pairs))


def _deletes(token: str, radius: int) -> set[str]:
    """Deletion neighbourhood: every string ``radius`` or fewer deletions from ``token``. Two
    words within k edits share a string of their radius-k neighbourhoods."""
    out = {token}
    frontier = {token}
    for _ in range(radius):
        frontier = {t[:i] + t[i + 1 :] for t in frontier for i in range(len(t))}
        out |= frontier
    return out


# --------------------------------------------------------------------------------------------
# The index
# --------------------------------------------------------------------------------------------


def _combine(mq: float, mc: float, wq: float, wc: float) -> float:
    if wq <= 0 or wc <= 0:
        return 0.0
    dice = (mq + mc) / (wq + wc)
    mean = (mq / wq + mc / wc) / 2.0
    return 100.0 * (DICE_SHARE * dice + (1.0 - DICE_SHARE) * mean)


def _upper(mq: float, mc: float, wq: float, wc: float, gq: float, gc: float, strong: bool) -> float:
    """An upper bound of the score of a pair whose matched weights are at most ``mq`` (query
    side: total ``wq``, of it generic ``gq``) and ``mc`` (listed side: ``wc``, ``gc``),
    whatever the alignment. Only unmatched words are discounted, by at most a half
    (UNMATCHED_GENERIC_DISCOUNT, EXTRA_NAME_DISCOUNT), and only generic ones unless
    ``strong`` (see _score_name): the totals are at least these lower bounds, and the score
    grows with the matched weights and falls with the totals."""
    mq = min(mq, wq)
    mc = min(mc, wc)
    if strong:  # every unmatched word may count half: total >= (full total + matched) / 2
        lq, lc = 0.5 * (wq + mq), 0.5 * (wc + mc)
    else:
        lq, lc = wq - 0.5 * gq, wc - 0.5 * gc
    if lq <= 0 or lc <= 0:
        return 100.0
    dice = min(1.0, (mq + mc) / (lq + lc))
    mean = (min(1.0, mq / lq) + min(1.0, mc / lc)) / 2.0
    return 100.0 * (DICE_SHARE * dice + (1.0 - DICE_SHARE) * mean)


@dataclass(frozen=True, slots=True)
class _Name:
    entry: int
    display: str
    tokens: tuple[str, ...]
    legal: tuple[str, ...]
    weight: float  # sum of token weights
    generic: float  # sum of the weights of generic tokens
    initials: float  # sum of the weights of one-letter tokens
    person: bool  # an individual's name (no company legal form)
    surname_words: int  # see NormalizedName.surname_words


@dataclass(frozen=True, slots=True)
class _Scored:
    """A name-only match, cached per normalised query (dates and country applied later)."""

    entry: int
    display: str
    score: float
    pairs: tuple[tuple[str, str], ...]
    query_only: tuple[str, ...]
    listed_only: tuple[str, ...]
    legal: tuple[str, ...]  # the listed name's legal forms (the query's: see ``form``)
    form: int  # which of the query's forms matched


@dataclass(frozen=True, slots=True)
class _Tables:
    """What the index looks words up in (shared by :meth:`ScreeningIndex.with_config`)."""

    names: list[_Name]
    weights: dict[str, float]
    postings: dict[str, list[int]]  # word → names holding it
    generic_postings: dict[str, list[int]]  # the same, for names of generic words only
    initial_postings: dict[str, list[int]]  # the same, for names with one-letter words
    deletes: dict[str, list[str]]  # deletion neighbourhood → words of the lists
    by_start: dict[str, list[str]]  # first three letters → words of 6-9 letters
    by_head: dict[tuple[str, int], list[str]]  # (first four letters, length) → words
    by_tail: dict[tuple[str, int], list[str]]  # (last four letters, length) → words
    by_romanised: dict[str, list[str]]  # romanisation variants folded (_romanised) → words
    known: frozenset[str]  # words two or more entries use: names in their own right
    abjad_skeletons: dict[str, list[str]]  # skeleton → words of names written in an abjad
    join_names: dict[tuple[str, ...], list[int]]  # 2-4 adjacent words → names holding them
    joins_exact: dict[str, list[tuple[str, ...]]]  # those words written together → them
    joins_by_first: dict[str, list[tuple[str, ...]]]  # their first word (4+ letters) → them
    joins_by_last: dict[str, list[tuple[str, ...]]]  # their last word (4+ letters) → them


_VARIANTS_LIMIT = 1 << 15  # names whose normalised forms are kept; a full table is emptied
_CACHE_LIMIT = 200_000  # words whose similar words are kept; a full table is emptied
_Match = tuple[int, int, float, int]  # (query word, listed word, similarity, kind)
_FormKey = tuple[tuple[str, ...], bool, int, bool]  # what a form's screening depends on
_TOKEN, _INITIAL, _COMPOUND = 0, 1, 2


class ScreeningIndex:
    """Listed names prepared for fast screening. Build once, screen many names."""

    def __init__(
        self, entries: Sequence[ListEntry], tables: _Tables, config: ScreeningConfig
    ) -> None:
        self.entries = tuple(entries)
        self.config = config
        self._t = tables
        self._names = tables.names
        self._weights = tables.weights
        self._unseen_weight = 1.0
        n = max(len(self.entries), 1)
        # "common" words are looked up only when the query's bound says they could matter
        self._common_df = max(40, n // 150)
        self._cache: dict[tuple[_FormKey, ...], list[_Scored]] = {}
        # Normalised forms of names already screened (a manifest repeats its consignees).
        self._variants: dict[str, list[NormalizedName]] = {}
        self._similar_cache: dict[str, dict[str, float]] = {}
        self._abjad_similar_cache: dict[str, dict[str, float]] = {}
        self._skeleton_words: dict[str, list[str]] | None = None  # skeleton → listed words
        self._compound_cache: dict[str, list[tuple[tuple[str, ...], float]]] = {}
        self._join_cache: dict[tuple[str, ...], list[tuple[str, float]]] = {}
        self._df_cache: dict[str, int] = {}
        self._weight_cache: dict[str, float] = {}
        self._names_of: list[list[int]] | None = None  # entry → its names (built when asked)
        # Vessels and aircraft: a name with a company's legal form never names one.
        self._crafts = [e.type in (PartyType.VESSEL, PartyType.AIRCRAFT) for e in self.entries]

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
        persons = [e.type == PartyType.INDIVIDUAL for e in entry_list]
        postings: dict[str, list[int]] = {}
        generic_postings: dict[str, list[int]] = {}
        initial_postings: dict[str, list[int]] = {}
        join_names: dict[tuple[str, ...], list[int]] = {}
        abjad_skeletons: dict[str, list[str]] = {}
        for t in sorted({t for _, _, form in names if form.abjad for t in form.tokens}):
            if sk := _skeleton(t):
                abjad_skeletons.setdefault(sk, []).append(t)
        for idx, (i, display, form) in enumerate(names):
            toks = form.tokens
            total = sum(weights[t] for t in toks)
            generic = sum(weights[t] for t in toks if t in GENERIC_WORDS)
            initials = sum(weights[t] for t in toks if _is_initial(t))
            person = persons[i] and not _is_company(form)
            built.append(
                _Name(
                    i,
                    display,
                    toks,
                    form.legal_forms,
                    total,
                    generic,
                    initials,
                    person,
                    form.surname_words,
                )
            )
            all_generic = all(t in GENERIC_WORDS for t in toks)
            for t in set(toks):
                postings.setdefault(t, []).append(idx)
                if all_generic:
                    generic_postings.setdefault(t, []).append(idx)
                if initials:
                    initial_postings.setdefault(t, []).append(idx)
            for m in (2, 3, 4):
                for j in range(len(toks) - m + 1):
                    join_names.setdefault(toks[j : j + m], []).append(idx)
        joins_exact: dict[str, list[tuple[str, ...]]] = {}
        joins_by_first: dict[str, list[tuple[str, ...]]] = {}
        joins_by_last: dict[str, list[tuple[str, ...]]] = {}
        for parts in join_names:
            joins_exact.setdefault("".join(parts), []).append(parts)
            if len(parts[0]) >= 4:
                joins_by_first.setdefault(parts[0], []).append(parts)
            if len(parts[-1]) >= 4:
                joins_by_last.setdefault(parts[-1], []).append(parts)
        deletes: dict[str, list[str]] = {}
        by_start: dict[str, list[str]] = {}
        by_head: dict[tuple[str, int], list[str]] = {}
        by_tail: dict[tuple[str, int], list[str]] = {}
        by_romanised: dict[str, list[str]] = {}
        for t in weights:
            if _fuzzy_ok(t):
                by_romanised.setdefault(_romanised(t), []).append(t)
                for variant in _deletes(t, _edits_allowed(len(t))):
                    deletes.setdefault(variant, []).append(t)
                if _SAME_START_LENGTHS[0] <= len(t) <= _SAME_START_LENGTHS[-1] + 2:
                    by_start.setdefault(t[:_SAME_START], []).append(t)
                # may write words together, one of them of 4+ letters at its start or end
                by_head.setdefault((t[:4], len(t)), []).append(t)
                by_tail.setdefault((t[-4:], len(t)), []).append(t)
        tables = _Tables(
            names=built,
            weights=weights,
            postings=postings,
            generic_postings=generic_postings,
            initial_postings=initial_postings,
            deletes=deletes,
            by_start=by_start,
            by_head=by_head,
            by_tail=by_tail,
            by_romanised=by_romanised,
            known=frozenset(t for t, d in df.items() if d >= 2),
            abjad_skeletons=abjad_skeletons,
            join_names=join_names,
            joins_exact=joins_exact,
            joins_by_first=joins_by_first,
            joins_by_last=joins_by_last,
        )
        return cls(entry_list, tables, config or ScreeningConfig())

    def with_config(self, config: ScreeningConfig) -> ScreeningIndex:
        """The same index with other thresholds (shares the prepared names)."""
        return ScreeningIndex(self.entries, self._t, config)

    @property
    def name_count(self) -> int:
        """Number of (name, spelling variant) strings indexed."""
        return len(self._names)

    # -- word level -------------------------------------------------------------------------

    def _near(self, token: str, radius: int) -> set[str]:
        """Words of the lists sharing a string of ``token``'s radius-``radius`` deletion
        neighbourhood (a superset of those within ``radius`` edits)."""
        out: set[str] = set()
        deletes = self._t.deletes
        for d in _deletes(token, radius):
            found = deletes.get(d)
            if found:
                out.update(found)
        return out

    def _similar(self, token: str, abjad: bool = False) -> dict[str, float]:
        """Words of the lists equal or similar to ``token`` (:meth:`_pair_sim`), with their
        similarity; ``abjad``: the word is written in an abjad. Exact: the deletion index
        holds every listed word's neighbourhood of the radius its length allows, and a query
        word uses its own; words of 6-7 letters that may differ by two after a common start
        are looked up by that start; words of the same consonant skeleton, by it."""
        cache = self._abjad_similar_cache if abjad else self._similar_cache
        hit = cache.get(token)
        if hit is not None:
            return hit
        out: dict[str, float] = {}
        if token in self._weights:
            out[token] = 1.0
        near: set[str] = set()
        if _fuzzy_ok(token):
            near = self._near(token, _edits_allowed(len(token)))
            if len(token) >= _SAME_START_LENGTHS[0] - 2:  # two edits after a common start
                near.update(self._t.by_start.get(token[:_SAME_START], ()))
            near.update(self._t.by_romanised.get(_romanised(token), ()))
        if abjad or self._t.abjad_skeletons:
            skeleton = _skeleton(token)
            if skeleton:
                near.update(self._t.abjad_skeletons.get(skeleton, ()))
                if abjad:
                    near.update(self._words_by_skeleton().get(skeleton, ()))
        for v in near:
            if v not in out:
                s = self._pair_sim(token, v, abjad)
                if s > 0:
                    out[v] = s
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        cache[token] = out
        return out

    def _words_by_skeleton(self) -> dict[str, list[str]]:
        """Every listed word by its consonant skeleton (built when a name written in an
        abjad is first screened)."""
        if self._skeleton_words is None:
            found: dict[str, list[str]] = {}
            for t in self._weights:
                if sk := _skeleton(t):
                    found.setdefault(sk, []).append(t)
            self._skeleton_words = found
        return self._skeleton_words

    def _compounds_of(self, token: str) -> list[tuple[tuple[str, ...], float]]:
        """Runs of 2-4 adjacent listed words that ``token`` writes together
        (:func:`_compound_sim` > 0). Exact: an equal run is looked up whole; a run one edit
        away keeps its first part at the start of the word or its last part at the end, and
        runs are indexed by both."""
        hit = self._compound_cache.get(token)
        if hit is not None:
            return hit
        t = self._t
        seen: set[tuple[str, ...]] = set(t.joins_exact.get(token, ()))
        if len(token) >= 5 and _HAS_DIGIT(token) is None:
            for p in range(4, len(token)):
                seen.update(t.joins_by_first.get(token[:p], ()))
                seen.update(t.joins_by_last.get(token[-p:], ()))
        out = [(parts, s) for parts in seen if (s := _compound_sim(token, parts)) > 0]
        if len(self._compound_cache) > _CACHE_LIMIT:
            self._compound_cache.clear()
        self._compound_cache[token] = out
        return out

    def _joined_in_lists(self, parts: tuple[str, ...]) -> list[tuple[str, float]]:
        """Listed words that the query words ``parts`` (adjacent) write together."""
        hit = self._join_cache.get(parts)
        if hit is not None:
            return hit
        joined = "".join(parts)
        found = {joined} if joined in self._weights else set()
        # One edit away, the first part begins the word or the last part ends it (4+ letters),
        # and the word is about as long as the parts together
        lj = len(joined)
        by_head, by_tail = self._t.by_head, self._t.by_tail
        for n in (lj - 1, lj, lj + 1):
            if len(parts[0]) >= 4:
                found.update(by_head.get((parts[0][:4], n), ()))
            if len(parts[-1]) >= 4:
                found.update(by_tail.get((parts[-1][-4:], n), ()))
        out = [(v, s) for v in found if (s := _compound_sim(v, parts)) > 0]
        if len(self._join_cache) > _CACHE_LIMIT:
            self._join_cache.clear()
        self._join_cache[parts] = out
        return out

    def _pair_sim(self, q: str, c: str, abjad: bool = False) -> float:
        """What :meth:`_similar` gives for query word ``q`` and listed word ``c``: their
        spelling similarity; SKELETON_SIMILARITY at least when one of them is written in an
        abjad (``abjad``: the query word) and their consonant skeletons are equal."""
        s = _token_sim(q, c)
        if (
            0 < s < 1
            and min(len(q), len(c)) <= KNOWN_SHORT
            and q in self._t.known
            and c in self._t.known
        ):
            s *= KNOWN_WORD_FACTOR
        if (
            s < SKELETON_SIMILARITY
            and (abjad or self._t.abjad_skeletons)
            and (sk := _skeleton(q))
            and sk == _skeleton(c)
            and (abjad or c in self._t.abjad_skeletons.get(sk, ()))
        ):
            return SKELETON_SIMILARITY
        return s

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
        q_surname: int | None = None,
    ) -> tuple[float, list[_Match], set[int], set[int]]:
        """Weighted Dice over a greedy one-to-one alignment of words: equal and similar words
        first, then initials ("V." / "Vladimir"), then words written together. ``q_surname``:
        the query's NormalizedName.surname_words when it may be a person's name (no company
        legal form), else None."""
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
        matched: list[_Match] = []
        for s, i, j in pairs:
            if i in used_q or j in used_c:
                continue
            used_q.add(i)
            used_c.add(j)
            matched.append((i, j, s, _TOKEN))
        mq = sum(s * q_weights[i] for i, _, s, _ in matched)
        mc = sum(s * w[c_tokens[j]] for _, j, s, _ in matched)
        nq, nc = len(q_tokens), len(c_tokens)
        # Initials: a single letter left over stands for a word left over on the other side.
        if (
            len(used_q) < nq
            and len(used_c) < nc
            and (name.initials or any(map(_is_initial, q_tokens)))
        ):
            for i, q in enumerate(q_tokens):
                if i in used_q:
                    continue
                for j, c in enumerate(c_tokens):
                    if j in used_c or c[0] != q[0] or _is_initial(q) == _is_initial(c):
                        continue
                    s = INITIAL_SIMILARITY
                    used_q.add(i)
                    used_c.add(j)
                    matched.append((i, j, s, _INITIAL))
                    mq += s * q_weights[i]
                    mc += s * w[c]
                    break
        # Words written together: one word equal to 2-4 adjacent words of the other side.
        if len(used_q) < nq and nc - len(used_c) >= 2:
            for i, j, m, s in _written_together(q_tokens, used_q, c_tokens, used_c):
                matched.extend((i, k, s, _COMPOUND) for k in range(j, j + m))
                mq += s * q_weights[i]
                mc += s * sum(w[c] for c in c_tokens[j : j + m])
        if len(used_c) < nc and nq - len(used_q) >= 2:
            for j, i, m, s in _written_together(c_tokens, used_c, q_tokens, used_q):
                matched.extend((k, j, s, _COMPOUND) for k in range(i, i + m))
                mq += s * sum(q_weights[i : i + m])
                mc += s * w[c_tokens[j]]
        strong_q: set[int] = set()
        strong_c: dict[int, float] = {}  # listed word → its similarity
        for i, j, s, kind in matched:
            q, c = q_tokens[i], c_tokens[j]
            distinct_words = kind != _INITIAL and not _is_initial(q) and not _is_initial(c)
            if distinct_words and q not in GENERIC_WORDS and c not in GENERIC_WORDS:
                strong_q.add(i)
                strong_c[j] = s
        distinctive = bool(strong_q)
        # When one name contains the other around a distinctive match, an extra generic word
        # ("Huawei Device" / "Huawei") counts half; so does any extra word when the shorter
        # name is matched in two distinctive words or more that weigh STRONG_EVIDENCE (a name
        # given without its middle names: "Imad Khamis" / "KHAMIS, Imad Mohammad Deeb"), or
        # only INTERIOR_EVIDENCE when both are person's names and the shorter one's first and
        # last words are the longer one's, in order (_interior). When both sides have words
        # the other lacks ("Atlas Consulting" / "Atlas Shipping"), those words tell the names
        # apart and generic ones count with their plain rarity weight.
        one_sided = len(used_q) == nq or len(used_c) == nc
        # Evidence that one name is the other less some words: the names matched, not the
        # particles between them ("al", "bin": many names share them).
        names_matched = [(j, s) for j, s in strong_c.items() if c_tokens[j] not in PARTICLES]
        evidence = (
            sum(s * w[c_tokens[j]] for j, s in names_matched)
            if one_sided and len(strong_q) >= 2 and len(names_matched) >= 2
            else 0.0
        )
        strong = evidence >= STRONG_EVIDENCE or (
            evidence >= INTERIOR_EVIDENCE
            and q_surname is not None
            and name.person
            and _interior(matched, nq, nc, q_surname, name.surname_words, strong_q)
        )
        if not distinctive:
            discount = extra = 0.0
        elif one_sided:
            discount = UNMATCHED_GENERIC_DISCOUNT
            extra = EXTRA_NAME_DISCOUNT if strong else 0.0
        else:
            discount = 1.0 - 1.0 / GENERIC_FACTOR  # negative: restores the full weight
            extra = 0.0
        wq = sum(q_weights)
        for i, t in enumerate(q_tokens):
            if i not in used_q:
                wq -= (discount if t in GENERIC_WORDS else extra) * q_weights[i]
        wc = name.weight
        for j, t in enumerate(c_tokens):
            if j not in used_c:
                wc -= (discount if t in GENERIC_WORDS else extra) * w[t]
        score = _combine(mq, mc, wq, wc)
        if matched and not distinctive and any(t not in GENERIC_WORDS for t in c_tokens):
            # Shared generic words (or initials) alone never reach review.
            score = min(score, self.config.review_threshold - self.config.country_bonus - 1.0)
        elif nc == 1 and len(used_q) < nq:
            # A one-word listed name (a vessel, an acronym) inside a longer query: review at most.
            score = min(score, self.config.hit_threshold - self.config.country_bonus - 0.1)
        return max(0.0, min(100.0, score)), matched, used_q, used_c

    def _prepare(self, form: NormalizedName) -> tuple[list[dict[str, float]], list[float]]:
        """The query's words: the listed words similar to each, and each one's weight."""
        abjad = form.abjad
        q_similar = [self._similar(t, abjad) for t in form.tokens]
        cache = self._weight_cache
        q_weights: list[float] = []
        for t, sim in zip(form.tokens, q_similar, strict=True):
            wt = None if abjad else cache.get(t)
            if wt is None:
                wt = self._query_weight(t, sim)
                if not abjad:
                    if len(cache) > _CACHE_LIMIT:
                        cache.clear()
                    cache[t] = wt
            q_weights.append(wt)
        return q_similar, q_weights

    def _candidates(
        self,
        q_tokens: tuple[str, ...],
        q_weights: list[float],
        q_similar: list[dict[str, float]],
        person: bool = False,
    ) -> list[int]:
        """Every listed name that can score at least the floor (review threshold less the
        country bonus) against the query, and few others.

        A name can only reach the floor through a *distinctive* match (two non-generic words,
        not an initial; see the caps in _score_name), unless all its words are generic. So
        names are gathered from the postings of the words similar to the query's distinctive
        words, of generic words for names of generic words only, and of words written
        together. Each gathered name gets an upper bound of its score (see _upper) from the
        weights it can match at most; names below the floor are not scored. Query words
        that cannot make a distinctive match alone (generic words, initials, generic
        variants) are not gathered: they add to the bound of each gathered name what they
        can match in it. Words with long postings ("common") are left out of the gathering
        when even a name matching all of them could not reach the floor, and are then
        matched the same way. ``person``: the query may be a person's name (it has no
        company legal form), so a listed person's name may lack middle names (see
        _interior)."""
        t = self._t
        w = self._weights
        floor = self.config.review_threshold - self.config.country_bonus
        nq = len(q_tokens)
        wq_total = sum(q_weights)
        gq = sum(x for q, x in zip(q_tokens, q_weights, strict=True) if q in GENERIC_WORDS)
        acc: dict[int, list[float]] = {}  # name → [matched query weight, listed weight, hits]
        # Words matched against the gathered names only: (query word, its weight, similar
        # words and similarities, whether a match counts as a hit).
        deferred: list[tuple[str, float, dict[str, float], int]] = []
        deferred_q = deferred_c = 0.0  # what they may add at most, for names not gathered
        common: list[int] = []

        def gather(found: Iterable[int], wq_i: float, wc_i: float, n_hits: int) -> None:
            get = acc.get
            for n in found:
                e = get(n)
                if e is None:
                    acc[n] = [wq_i, wc_i, n_hits]
                else:
                    e[0] += wq_i
                    e[1] += wc_i
                    e[2] += n_hits

        def gather_word(i: int, postings: dict[str, list[int]] = t.postings) -> None:
            """The names holding a word similar to query word ``i`` (distinctive); names of
            generic words only for its generic variants, which are deferred."""
            nonlocal deferred_q, deferred_c
            qw = q_weights[i]
            generic: dict[str, float] = {}
            for v, s in q_similar[i].items():
                # a match adds its similarity times the weights (s <= 1 for the others)
                if v in GENERIC_WORDS:
                    gather(t.generic_postings.get(v, ()), s * qw, s * w[v], 0)
                    generic[v] = s
                else:
                    gather(postings.get(v, ()), s * qw, s * w[v], 1)
            if generic:  # a variant of a generic word ("wealth" / "health")
                deferred.append((q_tokens[i], qw, generic, 0))
                deferred_q += qw
                deferred_c += max(x * w[v] for v, x in generic.items())

        for i, q in enumerate(q_tokens):
            sim = q_similar[i]
            if _is_initial(q):
                # an initial: equal to a listed initial, or standing for any word
                deferred.append((q, q_weights[i], sim, 0))
                deferred_q += q_weights[i]
                deferred_c += max([INITIAL_SIMILARITY, *(x * w[v] for v, x in sim.items())])
                continue
            if q in GENERIC_WORDS:
                for v, s in sim.items():
                    gather(t.generic_postings.get(v, ()), s * q_weights[i], s * w[v], 0)
                if sim:
                    deferred.append((q, q_weights[i], sim, 0))
                    deferred_q += q_weights[i]
                    deferred_c += max(x * w[v] for v, x in sim.items())
                continue
            if self._df(q, sim) > self._common_df:
                common.append(i)
            else:
                gather_word(i)
        for i, q in enumerate(q_tokens):  # a query word = listed words written together
            for parts, _ in self._compounds_of(q):
                wc_i = sum(w[p] for p in parts)
                gather(t.join_names.get(parts, ()), q_weights[i], wc_i, 1)
        for m in (2, 3, 4):  # a listed word = query words written together
            for i in range(nq - m + 1):
                parts = q_tokens[i : i + m]
                joined = self._joined_in_lists(parts)
                if joined:
                    wq_i = sum(q_weights[i : i + m])
                    for v, _ in joined:
                        gather(t.postings.get(v, ()), wq_i, w[v], m)
        # Common words: gathered only if a name matching all of them (and every deferred
        # word) might reach the floor; else they are deferred too.
        if common:
            common_q = sum(q_weights[i] for i in common)
            # (a word matched adds its similarity times the listed weight)
            common_c = sum(max(x * w[v] for v, x in q_similar[i].items()) for i in common)
            cq, cc = deferred_q + common_q, deferred_c + common_c
            # The evidence for the half discount of extra words: names matched, not particles
            # nor deferred words (generic words and initials are none), see _score_name.
            name_weights = [
                max((x * w[v] for v, x in q_similar[i].items() if v not in PARTICLES), default=0.0)
                for i in common
            ]
            names_c = sum(name_weights)
            strong_possible = sum(1 for x in name_weights if x) >= 2 and (
                names_c >= STRONG_EVIDENCE or (person and names_c >= INTERIOR_EVIDENCE)
            )
            # A name of unknown weight: its matched weight is at most its total (mc <= wc),
            # and the bound grows with wc up to there.
            later = common
            if _upper(cq, cc, wq_total, cc, gq, 0.0, strong_possible) >= floor:
                # A name matched through particles alone ("al", "bin") has no evidence for
                # the discount (one with names is gathered through them): if without it such
                # a name could not reach the floor, words that are only particles are
                # deferred (their postings are the longest).
                later = [i for i in common if PARTICLES.issuperset(q_similar[i])]
                pq = deferred_q + sum(q_weights[i] for i in later)
                pc = deferred_c + sum(max(x * w[v] for v, x in q_similar[i].items()) for i in later)
                if _upper(pq, pc, wq_total, pc, gq, 0.0, False) >= floor:
                    later = []
                for i in common:
                    if i not in later:
                        gather_word(i)
            # Names with initials are gathered all the same: an initial may match any query
            # word, which no bound of a name of unknown words can hold.
            for i in later:
                gather_word(i, t.initial_postings)
                deferred.append((q_tokens[i], q_weights[i], q_similar[i], 1))
                deferred_q += q_weights[i]
                deferred_c += max(x * w[v] for v, x in q_similar[i].items())
        # A listed initial may stand for any query word starting with its letter.
        init_q = INITIAL_SIMILARITY * sum(
            x for q, x in zip(q_tokens, q_weights, strict=True) if not _is_initial(q)
        )
        out: list[int] = []
        names = self._names
        lq_plain = wq_total - 0.5 * gq
        half = 1.0 - DICE_SHARE
        deferred_hits = sum(d[3] for d in deferred)

        def upper(mq: float, mc: float, h: float, name: _Name) -> float:
            """_upper, written out: it runs for every name gathered."""
            if name.initials:
                mq += init_q
                mc += INITIAL_SIMILARITY * name.initials
            wc = name.weight
            if mq > wq_total:
                mq = wq_total
            if mc > wc:
                mc = wc
            if h >= 2 and (
                mc >= STRONG_EVIDENCE or (person and name.person and mc >= INTERIOR_EVIDENCE)
            ):
                lq, lc = 0.5 * (wq_total + mq), 0.5 * (wc + mc)
            else:
                lq, lc = lq_plain, wc - 0.5 * name.generic
            if lq <= 0 or lc <= 0:
                return 100.0
            dice = (mq + mc) / (lq + lc)
            x, y = mq / lq, mc / lc
            return 100.0 * (
                DICE_SHARE * (dice if dice < 1.0 else 1.0)
                + half * ((x if x < 1.0 else 1.0) + (y if y < 1.0 else 1.0)) / 2.0
            )

        for n, (mq, mc, h) in acc.items():
            name = names[n]
            if deferred:
                # First with all that deferred words may add anywhere (cheap), then with
                # what they match in this name.
                if upper(mq + deferred_q, mc + deferred_c, h + deferred_hits, name) < floor:
                    continue
                tokens = name.tokens
                for q, qw, sim, counts in deferred:
                    bq = bc = 0.0
                    for c in tokens:
                        sc = sim.get(c, 0.0)
                        if not sc and len(q) == 1 and c[0] == q and len(c) > 1:
                            sc = INITIAL_SIMILARITY  # an initial for a word
                        if sc:
                            bq = max(bq, sc * qw)
                            bc = max(bc, sc * w[c])
                    if bq:
                        mq += bq
                        mc += bc
                        h += counts
            if upper(mq, mc, h, name) >= floor:
                out.append(n)
        return out

    def _df(self, token: str, similar: dict[str, float]) -> int:
        """How many names hold a word similar to ``token`` (postings' lengths). Kept for the
        similar words of a word not written in an abjad (:meth:`_similar`'s plain table)."""
        kept = similar is self._similar_cache.get(token)
        found = self._df_cache.get(token) if kept else None
        if found is None:
            postings = self._t.postings
            found = sum(len(postings.get(v, ())) for v in similar)
            if kept:
                if len(self._df_cache) > _CACHE_LIMIT:
                    self._df_cache.clear()
                self._df_cache[token] = found
        return found

    def _screen_form(self, form: NormalizedName, k: int) -> list[_Scored]:
        """The listed names that ``form`` (the query's ``k``-th form) may match."""
        q_tokens = form.tokens
        q_similar, q_weights = self._prepare(form)
        floor = self.config.review_threshold - self.config.country_bonus
        results: dict[int, _Scored] = {}
        company = _is_company(form)
        q_surname = None if company else form.surname_words
        crafts = self._crafts
        for n in self._candidates(q_tokens, q_weights, q_similar, not company):
            name = self._names[n]
            if company and crafts[name.entry]:
                continue  # a company is not a vessel or an aircraft
            score, matched, used_q, used_c = self._score_name(
                q_tokens, q_weights, q_similar, name, q_surname
            )
            if score < floor:
                continue
            prev = results.get(name.entry)
            if prev is not None and (prev.score, -len(prev.display)) >= (
                score,
                -len(name.display),
            ):
                continue
            seen_pairs: list[tuple[str, str]] = []
            for i, j, _, _ in sorted(matched):
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
                legal=name.legal,
                form=k,
            )
        return list(results.values())

    def _screen_names(self, forms: list[NormalizedName]) -> list[_Scored]:
        """The listed names the query's forms may match, each by its best form. Cached by
        what the matching depends on: the forms' words, whether each is a company's
        (:func:`_is_company`), written surname first, or in an abjad; not the legal forms
        themselves, which only the explanations name ("X Trading Ltd" = "X Trading GmbH")."""
        key = tuple((f.tokens, _is_company(f), f.surname_words, f.abjad) for f in forms)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        best: dict[int, _Scored] = {}
        for k, form in enumerate(forms):
            for s in self._screen_form(form, k):
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
            forms = []
            for text in (name, *name_alternatives(name)):
                for form in name_variants(text):
                    if form not in forms:
                        forms.append(form)
            self._variants[name] = forms
        return forms

    def name_score(self, query: str, entry: int) -> float:
        """The name score (0-100, before the country signal) of ``query`` against
        ``entries[entry]``: the best over the query's forms and the entry's names, by the same
        scoring as :meth:`screen`, comparing every word with every word, without candidate
        search or thresholds. A brute-force reference for benchmarks and tests;
        :meth:`screen` scores only candidates."""
        if self._names_of is None:
            names_of: list[list[int]] = [[] for _ in self.entries]
            for n, name in enumerate(self._names):
                names_of[name.entry].append(n)
            self._names_of = names_of
        best = 0.0
        for form in self._forms(query):
            if _is_company(form) and self._crafts[entry]:
                continue  # a company is not a vessel or an aircraft
            _, q_weights = self._prepare(form)
            for n in self._names_of[entry]:
                name = self._names[n]
                direct = [
                    {c: s for c in name.tokens if (s := self._pair_sim(q, c, form.abjad)) > 0}
                    for q in form.tokens
                ]
                q_surname = None if _is_company(form) else form.surname_words
                score = self._score_name(form.tokens, q_weights, direct, name, q_surname)[0]
                best = max(best, score)
        return best

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
                        legal_forms_ignored=tuple(
                            dict.fromkeys((*forms[s.form].legal_forms, *s.legal))
                        ),
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
