"""Word similarity: spelling variants within the edits allowed (:func:`token_sim`),
romanisation variants (:func:`romanised_form`), consonant skeletons of words written in an abjad
(:func:`consonant_skeleton`), words written together (:func:`compound_sim`,
:func:`written_together`), a person's name without middle names (:func:`interior`), and
the deletion neighbourhoods the index finds similar words by (:func:`deletion_neighbours`).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence

from rapidfuzz.distance import OSA

from exportcheck.engine.screening.tokens import HAS_DIGIT

TokenMatch = tuple[int, int, float, int]  # (query word, listed word, similarity, kind)
TOKEN, INITIAL, COMPOUND = 0, 1, 2


def edits_allowed(shorter: int) -> int:
    """Spelling edits (a letter inserted, deleted or changed, two neighbours swapped) allowed
    between two words, by the length of the shorter one: none below 4 letters, one up to 7
    letters (one typo in a 4-letter word), two from 8. Words of 6-7 letters that begin with
    the same three letters may differ by two ("Scholz" / "Schulze", "Qureshi" /
    "Quraishi"): see token_sim."""
    return 0 if shorter < 4 else 1 if shorter <= 7 else 2


#: the shorter word's lengths at which two edits are allowed after a common start
SAME_START = 3
SAME_START_LENGTHS = (6, 7)


def is_initial(token: str) -> bool:
    return len(token) == 1 and token.isalpha()


# East Slavic patronymics (Russian, Ukrainian, Belarusian; a son's and a daughter's), romanised
_PATRONYMIC = re.compile(r"[a-z]{3,}(?:[eo]vi?tch|[eo]vich|[eo]vych|avich|[eo]vna|ivna|ichna)")


def surname_positions(n: int, surname_words: int | None) -> range:
    """The positions of the surname in a person's name of ``n`` words: the words before the
    comma (``surname_words``, see NormalizedName), else the last; none when not a person's
    name (``surname_words`` None) or of one word."""
    if surname_words is None or n < 2:
        return range(0)
    return range(surname_words) if surname_words else range(n - 1, n)


@functools.lru_cache(maxsize=1 << 14)
def patronymics(tokens: tuple[str, ...], surname_words: int) -> frozenset[int]:
    """The words of a person's name that are a patronymic in its place ("Viktorovich" in
    "Sergey Viktorovich Lavrov" or "LAVROV, Sergey Viktorovich"): ending as one does, after
    the first given name, not the surname (:func:`surname_positions`). Cached: a query's
    are asked for with every name it is scored against."""
    n = len(tokens)
    if n < 3:
        return frozenset()
    surname = surname_positions(n, surname_words)
    return frozenset(
        k
        for k in range(surname_words + 1, n)
        if k not in surname and _PATRONYMIC.fullmatch(tokens[k])
    )


def fuzzy_ok(token: str) -> bool:
    return len(token) >= 4 and HAS_DIGIT(token) is None


def is_plural_pair(a: str, b: str) -> bool:
    """One word is the other with a final "s" (a plural, a possessive, a Baltic ending:
    "Stars" / "Star", "Lavrovs" / "Lavrov"): not a second name of the same spelling
    (KNOWN_WORD_FACTOR); the s counts half an edit (token_sim)."""
    return a == b + "s" or b == a + "s"


def token_sim(a: str, b: str) -> float:
    """1 for equal words; for spelling variants within the edits allowed, 1 - edits / length
    of the longer, romanisation variants of one sound and a final s on one word only
    counting half an edit; else 0. Words with digits must be equal."""
    if a == b:
        return 1.0
    la, lb = len(a), len(b)
    shorter = min(la, lb)
    k = edits_allowed(shorter)
    if k == 0 or HAS_DIGIT(a) or HAS_DIGIT(b):
        return 0.0
    if shorter in SAME_START_LENGTHS and a[:SAME_START] == b[:SAME_START]:
        k = 2
    if abs(la - lb) <= k:
        d = OSA.distance(a, b, score_cutoff=k)
        if d <= k:
            # Romanisation variants of one sound count as half an edit ("Volodymyr" /
            # "Volodimir", "Wolodymyr", "Hussain" / "Husain"): compared again folded.
            fd = OSA.distance(romanised_form(a), romanised_form(b), score_cutoff=d)
            edits = min(d, (d + fd) / 2.0)
            # So does a final s on one word only ("Stars" / "Star", "Sergejs" / "Sergei").
            if (a[-1] == "s") != (b[-1] == "s"):
                x, y = (a[:-1], b) if a[-1] == "s" else (a, b[:-1])
                dx = OSA.distance(x, y, score_cutoff=d)
                fx = OSA.distance(romanised_form(x), romanised_form(y), score_cutoff=dx)
                edits = min(edits, min(dx, (dx + fx) / 2.0) + 0.5)
            return 1.0 - edits / max(la, lb)
    # More edits, all of them such variants: two count as one ("Joonng" / "Jong",
    # "Mousavi" / "Musawi"). Found by the folded word (ScreeningIndex._similar).
    if romanised_form(a) == romanised_form(b):
        d = OSA.distance(a, b, score_cutoff=2 * k)
        if d <= 2 * k:
            return 1.0 - d / 2.0 / max(la, lb)
    return 0.0


_ROMANISED = (("kh", "h"), ("ph", "f"), ("ck", "k"), ("ou", "u"), ("ee", "i"), ("w", "v"))
_DOUBLED = re.compile(r"(.)\1")
_VOWELS = frozenset("aeiou")


_ROMANISED_WORDS: dict[str, str] = {}


def romanised_form(word: str) -> str:
    """A word with spellings of one sound in Latin romanisations made one: kh/h, ph/f,
    ck/k, ou/u, ee/i, w/v, y/i after the first letter, a final j after a vowel i, doubled
    letters single."""
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
    if word[-1:] == "j" and word[-2:-1] in _VOWELS:  # "Sergej", "Nikolaj" / "-ei", "-ai"
        word = word[:-1] + "i"
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


def consonant_skeleton(word: str) -> str:
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
    if len(out) < SKELETON_MIN or HAS_DIGIT(word):
        out = ""
    if len(_SKELETONS) < 65_536:
        _SKELETONS[word] = out
    return out


def compound_sim(whole: str, parts: Sequence[str]) -> float:
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
    if HAS_DIGIT(whole) or HAS_DIGIT(joined) or OSA.distance(whole, joined, score_cutoff=1) > 1:
        return 0.0
    return 1.0 - 1.0 / max(lw, lj)


def written_together(
    words: tuple[str, ...], used: set[int], others: tuple[str, ...], used_others: set[int]
) -> list[tuple[int, int, int, float]]:
    """Words left over on one side that write 2-4 adjacent words left over on the other
    together (:func:`compound_sim`), as (word, first other word, number of them,
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
                    s = compound_sim(word, others[j : k + 1])
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


def interior(
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
    if len(matched) < 2 or any(kind == COMPOUND for *_, kind in matched):
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


def deletion_neighbours(token: str, radius: int) -> set[str]:
    """Deletion neighbourhood: every string ``radius`` or fewer deletions from ``token``. Two
    words within k edits share a string of their radius-k neighbourhoods."""
    out = {token}
    frontier = {token}
    for _ in range(radius):
        frontier = {t[:i] + t[i + 1 :] for t in frontier for i in range(len(t))}
        out |= frontier
    return out
