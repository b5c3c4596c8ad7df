"""Text to word tokens: transliteration to ASCII, abbreviations and name spellings unified,
particles, numbers, initials; the generic and company words; :class:`NormalizedName`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from anyascii import anyascii

HAS_DIGIT = re.compile(r"\d").search

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


GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
GERMAN_CHARS = frozenset("äöüÄÖÜ")

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
APOSTROPHES = re.compile(r"['’‘`´ʼ]")
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


def _fold_plural(token: str) -> str:
    """A plural of a word of the business vocabulary is folded ("Technologies" →
    "technology"); other words are names, where a final "s" makes another name ("Williams"
    is not "William", "MAPLES SA" not "Maple Trading"), so they are kept as written."""
    stem = _stem(token)
    return stem if stem in GENERIC_WORDS or stem in COMPANY_WORDS else token


@dataclass(frozen=True, slots=True)
class NormalizedName:
    """A name as the matcher sees it."""

    tokens: tuple[str, ...]
    legal_forms: tuple[str, ...]
    #: words of a name written surname first ("KHAMIS, Imad Mohammad"): how many of the
    #: tokens come before the comma (0: none, or not written so)
    surname_words: int = 0
    #: written in an abjad (Arabic, Hebrew, Syriac script): its transliteration lacks most
    #: vowels, so its words are also compared on consonant skeletons (see consonant_skeleton)
    abjad: bool = False
    #: a query without its parenthesised parts ("Deutsche Bank (Schweiz) AG" → "Deutsche
    #: Bank AG"): it matches only a listed name written without any, or two qualifiers
    #: ("Bank of China (Hong Kong)" / "(Singapore)") would be dropped to match, and only
    #: when it matches all of that name's words (the qualifier may be what tells a
    #: subsidiary from another: "Bowne Global Solutions II (U.K.)" / "... II Canada")
    unqualified: bool = False

    @property
    def key(self) -> str:
        return " ".join(self.tokens)


def basic_tokens(text: str) -> list[str]:
    """Text → normalised word tokens (before legal-form removal)."""
    if not text.isascii():
        for native, latin in _SCRIPT_FORMS:
            if native in text:
                text = text.replace(native, latin)
    text = _transliterate(text.casefold()).casefold()
    text = text.replace("&", " and ").replace("+", " and ")
    text = APOSTROPHES.sub("", text)
    tokens: list[str] = []
    for chunk in _CHUNK.findall(text):
        pieces = [p for p in chunk.split(".") if p]
        if len(pieces) > 1 and all(len(p) <= 2 for p in pieces):
            joined = "".join(pieces)
            pieces = list(_DOTTED_COUNTRIES.get(joined, (joined,)))
        for p in pieces:
            p = _fold_plural(_ABBREVIATIONS.get(p, p))
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
