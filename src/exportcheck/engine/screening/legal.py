"""Legal forms, titles and vessel prefixes: taken out of a name before scoring
(:func:`split_legal`; long forms also with one typo, :func:`legal_typo`), and whether a
name is a company's (:func:`is_company`).
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz.distance import OSA

from exportcheck.engine.screening.tokens import COMPANY_WORDS, NormalizedName, basic_tokens

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


def _phrases(items: Iterable[str]) -> list[tuple[str, ...]]:
    """Phrases as normalised tokens, longest first."""
    found = {tuple(basic_tokens(p)) for p in items} - {()}
    return sorted(found, key=lambda p: (-len(p), p))


LEGAL_ANYWHERE_P = _phrases(_LEGAL_ANYWHERE)
_LEGAL_ALL_P = _phrases([*_LEGAL_ANYWHERE, *_LEGAL_EDGE])
_PREFIXES_P = _phrases(_PREFIXES)  # titles and vessel prefixes: taken from the start only


def _by_length(phrases: list[tuple[str, ...]]) -> dict[int, frozenset[tuple[str, ...]]]:
    """The phrases by their number of words, longest first."""
    lengths = sorted({len(p) for p in phrases}, reverse=True)
    return {n: frozenset(p for p in phrases if len(p) == n) for n in lengths}


_LEGAL_ALL_BY_LEN = _by_length(_LEGAL_ALL_P)
_LEGAL_ANYWHERE_BY_LEN = _by_length(LEGAL_ANYWHERE_P)
LEGAL_WORDS = frozenset(w for p in _LEGAL_ALL_P for w in p)


def is_company(form: NormalizedName) -> bool:
    """Whether a name is a company's: it has a company's legal form (titles and vessel
    prefixes are not) or a word naming a line of business (:data:`COMPANY_WORDS`)."""
    return any(w in LEGAL_WORDS for w in form.legal_forms) or not COMPANY_WORDS.isdisjoint(
        form.tokens
    )


_START_BY_LEN = _by_length(sorted({*_LEGAL_ALL_P, *_PREFIXES_P}, key=lambda p: (-len(p), p)))
# The words phrases begin or end with: most words of a name begin or end none.
_START_FIRST = frozenset(p[0] for p in (*_LEGAL_ALL_P, *_PREFIXES_P))
_LEGAL_LAST = frozenset(p[-1] for p in _LEGAL_ALL_P)
_LEGAL_ANYWHERE_FIRST = frozenset(p[0] for p in LEGAL_ANYWHERE_P)


def split_legal(tokens: list[str]) -> NormalizedName:
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


def legal_typo(token: str) -> str:
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
