"""Name normalisation: the normalised form of a name (:func:`normalize_name`), its other
spellings (:func:`name_variants`: umlauts, Wade-Giles read as pinyin, glued legal forms,
syllables joined, look-alike digits, joined initials apart), and the other names one name
field may hold (:func:`name_alternatives`, and for listed names :func:`name_texts`).
"""

from __future__ import annotations

import itertools
import re

from exportcheck.engine.screening.legal import LEGAL_WORDS, is_company, legal_typo, split_legal
from exportcheck.engine.screening.tokens import (
    APOSTROPHES,
    GERMAN,
    GERMAN_CHARS,
    HAS_DIGIT,
    NormalizedName,
    basic_tokens,
)


def normalize_name(text: str) -> NormalizedName:
    """The main normalised form of a name (umlauts stripped: ``Müller`` → ``muller``). A name
    without a legal form written ``SURNAME, Given Names`` (one comma) records how many of its
    words are the surname (:attr:`NormalizedName.surname_words`)."""
    tokens = basic_tokens(text)
    if any(len(t) >= 8 for t in tokens):
        tokens = [legal_typo(t) for t in tokens]
    form = split_legal(tokens)
    surname = 0
    if text.count(",") == 1 and not form.legal_forms:
        before = basic_tokens(text.partition(",")[0])
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
    lowered = APOSTROPHES.sub("'", text.casefold()).strip()
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
    hyphenated syllables written together ("Kim Jong-un" → "Kim Jongun"); the form with
    digits between letters read as the letters they look like ("Sech1n" → "Sechin"); and a
    person's name with joined initials apart ("JC Juncker" → "J C Juncker")."""
    texts = [text]
    if _WG_MAY_MARK.search(text) and (pinyin := _wade_giles(text)) is not None:
        texts.append(pinyin)
    if HAS_DIGIT(text) and _LOOKALIKE.search(text):
        texts.append(_LOOKALIKE.sub(lambda m: m.group().translate(_LOOKALIKE_LETTERS), text))
    if not GERMAN_CHARS.isdisjoint(text):
        texts.append(text.translate(GERMAN))
    if _GLUED_FORM.search(text):
        texts.extend([_GLUED_FORM.sub(r" \1", t) for t in texts])
    if "-" in text:
        texts.extend([_SYLLABLES.sub(r"\1\2", t) for t in texts if _SYLLABLES.search(t)])
    forms: list[NormalizedName] = []
    for t in texts:
        form = normalize_name(t)
        if form.tokens and form not in forms:
            forms.append(form)
        apart = _initials_apart(form)
        if apart is not None and apart not in forms:
            forms.append(apart)
    return forms


_CONSONANTS = re.compile(r"[b-df-hj-np-tv-xz]{2}")  # no vowel, no y: initials ("jc")
_ROMAN = re.compile(r"(?=.)m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})")
_NOT_INITIALS = frozenset({"dr", "mr", "st", "jr", "sr", "nr"})  # titles, suffixes
_NAME_WORD = re.compile(r"[a-z]*[aeiouy][a-z]*").fullmatch


def _joined_initials(token: str) -> bool:
    return (
        _CONSONANTS.fullmatch(token) is not None
        and token not in _NOT_INITIALS
        and _ROMAN.fullmatch(token) is None
    )


def _initials_apart(form: NormalizedName) -> NormalizedName | None:
    """A person's name with a word of two consonants ("JC Juncker", "J.-C. Juncker": joined
    initials; not a Roman numeral, a title or "Jr") read with that word's letters as
    initials ("J C Juncker"), which stand for words ("Jean Claude"); None when there is no
    such word, or for a company's name or one without a word of a name (an acronym)."""
    if form.abjad or len(form.tokens) < 2 or not any(map(_joined_initials, form.tokens)):
        return None
    if is_company(form) or not any(len(t) >= 3 and _NAME_WORD(t) for t in form.tokens):
        return None  # a company's letters, an acronym ("PFLP-GC")
    tokens: list[str] = []
    surname = form.surname_words
    for k, t in enumerate(form.tokens):
        if _joined_initials(t):
            tokens.extend(t)
            surname += len(t) - 1 if k < form.surname_words else 0
        else:
            tokens.append(t)
    return NormalizedName(tuple(tokens), form.legal_forms, surname, form.abjad)


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
    of a listed name, see name_texts; of a query only against a listed name written without
    any, all of whose words it matches (NormalizedName.unqualified): a query's "Bank of
    China (Hong Kong)" must not become the "Bank of China" of "Bank of China (Singapore)".)"""
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
        first = basic_tokens(tail)[:1]
        if first and first[0] in LEGAL_WORDS:  # "Co., Ltd.": the comma is in a legal form
            continue
        add(head)
        break
    return out


def _initials(text: str) -> str:
    return "".join(w[0] for w in re.findall(r"[^\W\d_]+", text)).upper()


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


def without_parentheses(name: str) -> str:
    """The name without its parenthesised (or bracketed) parts; "" when it has none or
    nothing else."""
    if "(" not in name and "[" not in name:
        return ""
    bare = " ".join(_PAREN.sub(" ", name).split())
    return bare if bare != name else ""


def name_texts(name: str) -> list[tuple[str, str]]:
    """(display, text to match) for a listed name: the name itself; its alternatives
    (:func:`name_alternatives`: a former name, ...); without its parenthesised parts
    ("Academy ... (AASPT)"); and an acronym in parentheses that abbreviates the words before
    it ("Semiconductor Manufacturing International Corporation (SMIC)" → "SMIC")."""
    out = [(name, name)]
    out.extend((name, alt) for alt in name_alternatives(name))
    if "(" not in name and "[" not in name:
        return out
    bare = without_parentheses(name)
    if bare:
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
