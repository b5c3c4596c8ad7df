"""Scoring a query against one listed name: a weighted Dice over a one-to-one alignment of
words (equal and similar words, initials, words written together), with the discounts for
unmatched words and the caps described in :mod:`exportcheck.engine.screening`; and the upper
bound of that score the candidate search uses (:func:`score_bound`).
"""

from __future__ import annotations

from collections.abc import Sequence

from exportcheck.engine.screening.config import (
    DICE_SHARE,
    EXTRA_NAME_DISCOUNT,
    GENERIC_FACTOR,
    INITIAL_SIMILARITY,
    INTERIOR_EVIDENCE,
    PARTICLES,
    STRONG_EVIDENCE,
    UNMATCHED_GENERIC_DISCOUNT,
    ScreeningConfig,
)
from exportcheck.engine.screening.similarity import (
    COMPOUND,
    INITIAL,
    TOKEN,
    TokenMatch,
    interior,
    is_initial,
    is_plural_pair,
    patronymics,
    surname_positions,
    written_together,
)
from exportcheck.engine.screening.tables import ListedName
from exportcheck.engine.screening.tokens import GENERIC_WORDS


def _combine(mq: float, mc: float, wq: float, wc: float) -> float:
    if wq <= 0 or wc <= 0:
        return 0.0
    dice = (mq + mc) / (wq + wc)
    mean = (mq / wq + mc / wc) / 2.0
    return 100.0 * (DICE_SHARE * dice + (1.0 - DICE_SHARE) * mean)


def score_bound(
    mq: float,
    mc: float,
    wq: float,
    wc: float,
    gq: float,
    gc: float,
    strong: bool,
    patronymic_q: float = 0.0,
    patronymic_c: float = 0.0,
    particles_q: float = 0.0,
    particles_c: float = 0.0,
) -> float:
    """An upper bound of the score of a pair whose matched weights are at most ``mq`` (query
    side: total ``wq``, of it generic ``gq``) and ``mc`` (listed side: ``wc``, ``gc``),
    whatever the alignment. Only unmatched words are discounted, by at most a half
    (UNMATCHED_GENERIC_DISCOUNT, EXTRA_NAME_DISCOUNT), and only generic ones unless
    ``strong`` (see _score_name), but for patronymics (weighing at most ``patronymic_q`` and
    ``patronymic_c``), which may be left out, and particles (``particles_q``,
    ``particles_c``), which may be when ``strong``:
    the totals are at least these lower bounds, and the score grows with the matched
    weights and falls with the totals."""
    mq = min(mq, wq)
    mc = min(mc, wc)
    if strong:  # every unmatched word may count half: total >= (full total + matched) / 2
        lq = 0.5 * (wq + mq - patronymic_q - particles_q)
        lc = 0.5 * (wc + mc - patronymic_c - particles_c)
    else:
        lq, lc = wq - 0.5 * gq - patronymic_q, wc - 0.5 * gc - patronymic_c
    if lq <= 0 or lc <= 0:
        return 100.0
    dice = min(1.0, (mq + mc) / (lq + lc))
    mean = (min(1.0, mq / lq) + min(1.0, mc / lc)) / 2.0
    return 100.0 * (DICE_SHARE * dice + (1.0 - DICE_SHARE) * mean)


def score_name(
    q_tokens: tuple[str, ...],
    q_weights: list[float],
    q_similar: Sequence[dict[str, float]],
    name: ListedName,
    weights: dict[str, float],
    config: ScreeningConfig,
    q_surname: int | None = None,
) -> tuple[float, list[TokenMatch], set[int], set[int]]:
    """Weighted Dice over a greedy one-to-one alignment of words: equal and similar words
    first, then initials ("V." / "Vladimir"), then words written together. ``q_surname``:
    the query's NormalizedName.surname_words when it may be a person's name (no company
    legal form), else None."""
    c_tokens = name.tokens
    w = weights
    matched, used_q, used_c, mq, mc = _align(q_tokens, q_weights, q_similar, name, w, q_surname)
    nq, nc = len(q_tokens), len(c_tokens)
    # When one name contains the other around a distinctive match, an extra generic word
    # ("Huawei Device" / "Huawei") counts half; so does any extra word when the evidence is
    # strong (see _evidence). When both sides have words the other lacks ("Atlas
    # Consulting" / "Atlas Shipping"), those words tell the names apart and generic ones
    # count with their plain rarity weight.
    one_sided = len(used_q) == nq or len(used_c) == nc
    distinctive, strong = _evidence(q_tokens, matched, one_sided, name, w, q_surname)
    if not distinctive:
        discount = extra = 0.0
    elif one_sided:
        discount = UNMATCHED_GENERIC_DISCOUNT
        extra = EXTRA_NAME_DISCOUNT if strong else 0.0
    else:
        discount = 1.0 - 1.0 / GENERIC_FACTOR  # negative: restores the full weight
        extra = 0.0
    # A patronymic left over on one side only is left out: a person's name is written
    # without it outside Russia, Ukraine and Belarus ("Sergejs Lavrovs" / "Sergey
    # Viktorovich LAVROV"); one on each side tells two persons apart.
    drop_q, drop_c = _lone_patronymics(q_tokens, used_q, name, used_c, q_surname)
    wq = sum(q_weights)
    for i, t in enumerate(q_tokens):
        if i in drop_q:
            wq -= q_weights[i]
        elif i not in used_q:
            wq -= _discount(t, discount, extra) * q_weights[i]
    wc = name.weight
    for j, t in enumerate(c_tokens):
        if j in drop_c:
            wc -= w[t]
        elif j not in used_c:
            wc -= _discount(t, discount, extra) * w[t]
    score = _combine(mq, mc, wq, wc)
    if matched and not distinctive and any(t not in GENERIC_WORDS for t in c_tokens):
        # Shared generic words (or initials) alone never reach review.
        score = min(score, config.review_threshold - config.country_bonus - 1.0)
    elif nc == 1 and name.person and q_surname is None:
        # An individual's one-word name (a nickname: "ORION", an a.k.a. of a person) is no
        # evidence that a company ("Orion Supply Ltd", "Orion GmbH") is that person.
        score = min(score, below(config.review_threshold, config))
    elif any(kind == INITIAL for *_, kind in matched):
        # An initial stands for a word, it does not confirm it ("A. Lukashenko" may be
        # another Lukashenko than Alyaksandr): review at most.
        score = min(score, below(config.hit_threshold, config))
    elif nc == 1 and len(used_q) < nq:
        # A one-word listed name (a vessel, an acronym) inside a longer query: review at most;
        # and not even that when the query holds its plural or singular ("Maple Trading" /
        # "MAPLES SA"): another word, the only evidence. (A misspelling still is review:
        # "Rosoboroneksportt Trading".)
        cap = config.hit_threshold
        if any(is_plural_pair(q_tokens[i], c_tokens[j]) for i, j, _, _ in matched):
            cap = config.review_threshold
        score = min(score, below(cap, config))
    return max(0.0, min(100.0, score)), matched, used_q, used_c


def below(threshold: float, config: ScreeningConfig) -> float:
    """The highest name score that stays below ``threshold`` even with the country bonus:
    what a score capped to "review at most" (the hit threshold) or to "no match" (the
    review threshold) may be."""
    return threshold - config.country_bonus - 0.1


def _discount(token: str, generic: float, extra: float) -> float:
    """How much less an unmatched word counts: a generic word ``generic``, another word
    ``extra``; a particle nothing when other words count less ("Boris Johnson" /
    "Alexandre Boris de Pfeffel Johnson"): it only joins the names it stands before."""
    if token in GENERIC_WORDS:
        return generic
    if extra and token in PARTICLES:
        return 1.0
    return extra


def _lone_patronymics(
    q_tokens: tuple[str, ...],
    used_q: set[int],
    name: ListedName,
    used_c: set[int],
    q_surname: int | None,
) -> tuple[frozenset[int], frozenset[int]]:
    """The patronymics (:func:`patronymics`) left over unmatched on one side of two
    person's names when the other side has none left over: (query's, listed name's)."""
    none: frozenset[int] = frozenset()
    if q_surname is None or not name.person:
        return none, none
    pq = patronymics(q_tokens, q_surname) - used_q
    pc = name.patronymics - used_c
    if pq and pc:
        return none, none
    return pq, pc


def _align(
    q_tokens: tuple[str, ...],
    q_weights: list[float],
    q_similar: Sequence[dict[str, float]],
    name: ListedName,
    w: dict[str, float],
    q_surname: int | None = None,
) -> tuple[list[TokenMatch], set[int], set[int], float, float]:
    """The greedy one-to-one alignment: (matches, query words used, listed words used,
    matched query weight, matched listed weight). An initial stands for a word, but not
    for the surname of a person's name (``q_surname``: see score_name)."""
    c_tokens = name.tokens
    pairs: list[tuple[float, int, int]] = []
    for i, sim_map in enumerate(q_similar):
        for j, c in enumerate(c_tokens):
            s = sim_map.get(c, 0.0)
            if s > 0:
                pairs.append((s, i, j))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    used_q: set[int] = set()
    used_c: set[int] = set()
    matched: list[TokenMatch] = []
    for s, i, j in pairs:
        if i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        matched.append((i, j, s, TOKEN))
    mq = sum(s * q_weights[i] for i, _, s, _ in matched)
    mc = sum(s * w[c_tokens[j]] for _, j, s, _ in matched)
    nq, nc = len(q_tokens), len(c_tokens)
    # Initials: a single letter left over stands for a word left over on the other side.
    if len(used_q) < nq and len(used_c) < nc and (name.initials or any(map(is_initial, q_tokens))):
        q_last = surname_positions(nq, q_surname)
        c_last = surname_positions(nc, name.surname_words if name.person else None)
        for i, q in enumerate(q_tokens):
            if i in used_q:
                continue
            for j, c in enumerate(c_tokens):
                if j in used_c or c[0] != q[0] or is_initial(q) == is_initial(c):
                    continue
                if (j in c_last) if is_initial(q) else (i in q_last):
                    continue  # "John B. Adams" is not "BREDENKAMP, John A."
                s = INITIAL_SIMILARITY
                used_q.add(i)
                used_c.add(j)
                matched.append((i, j, s, INITIAL))
                # all an initial says is matched; the word it stands for only in part
                mq += (1.0 if is_initial(q) else s) * q_weights[i]
                mc += (1.0 if is_initial(c) else s) * w[c]
                break
    # Words written together: one word equal to 2-4 adjacent words of the other side.
    if len(used_q) < nq and nc - len(used_c) >= 2:
        for i, j, m, s in written_together(q_tokens, used_q, c_tokens, used_c):
            matched.extend((i, k, s, COMPOUND) for k in range(j, j + m))
            mq += s * q_weights[i]
            mc += s * sum(w[c] for c in c_tokens[j : j + m])
    if len(used_c) < nc and nq - len(used_q) >= 2:
        for j, i, m, s in written_together(c_tokens, used_c, q_tokens, used_q):
            matched.extend((k, j, s, COMPOUND) for k in range(i, i + m))
            mq += s * sum(q_weights[i : i + m])
            mc += s * w[c_tokens[j]]
    return matched, used_q, used_c, mq, mc


def _evidence(
    q_tokens: tuple[str, ...],
    matched: list[TokenMatch],
    one_sided: bool,
    name: ListedName,
    w: dict[str, float],
    q_surname: int | None,
) -> tuple[bool, bool]:
    """(distinctive, strong): whether two non-generic words matched (not initials); and
    whether the shorter name (``one_sided``) is matched in two distinctive words or more
    that weigh STRONG_EVIDENCE (a name given without its middle names: "Imad Khamis" /
    "KHAMIS, Imad Mohammad Deeb"), or only INTERIOR_EVIDENCE when both are person's names
    and the shorter one's first and last words are the longer one's, in order
    (interior)."""
    c_tokens = name.tokens
    strong_q: set[int] = set()
    strong_c: dict[int, float] = {}  # listed word → its similarity
    for i, j, s, kind in matched:
        q, c = q_tokens[i], c_tokens[j]
        distinct_words = kind != INITIAL and not is_initial(q) and not is_initial(c)
        if distinct_words and q not in GENERIC_WORDS and c not in GENERIC_WORDS:
            strong_q.add(i)
            strong_c[j] = s
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
        and interior(matched, len(q_tokens), len(c_tokens), q_surname, name.surname_words, strong_q)
    )
    return bool(strong_q), strong
