"""The tables a :class:`~exportcheck.engine.screening.index.ScreeningIndex` looks words up in,
built once from the list entries: every listed name's normalised forms, the words' rarity
weights, postings, and the word indexes that find similar words and words written together.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from exportcheck.engine.screening.config import GENERIC_FACTOR, PARTICLES
from exportcheck.engine.screening.legal import is_company
from exportcheck.engine.screening.normalise import name_texts, name_variants
from exportcheck.engine.screening.similarity import (
    SAME_START,
    SAME_START_LENGTHS,
    consonant_skeleton,
    deletion_neighbours,
    edits_allowed,
    fuzzy_ok,
    is_initial,
    patronymics,
    romanised_form,
)
from exportcheck.engine.screening.tokens import GENERIC_WORDS, NormalizedName
from exportcheck.model.parties import ListEntry, PartyType


@dataclass(frozen=True, slots=True)
class ListedName:
    entry: int
    display: str
    tokens: tuple[str, ...]
    legal: tuple[str, ...]
    weight: float  # sum of token weights
    generic: float  # sum of the weights of generic tokens
    initials: float  # sum of the weights of one-letter tokens
    initial_letters: str  # those tokens ("" when none)
    person: bool  # an individual's name (no company legal form)
    surname_words: int  # see NormalizedName.surname_words
    patronymics: frozenset[int]  # positions of its patronymics, a person's name's
    patronymic: float  # their weights' sum
    particles: float  # sum of the weights of its particles (PARTICLES)
    qualified: bool  # written with a parenthesised part (see NormalizedName.unqualified)


@dataclass(frozen=True, slots=True)
class ScoredName:
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
class NameTables:
    """What the index looks words up in (shared by :meth:`ScreeningIndex.with_config`)."""

    names: list[ListedName]
    weights: dict[str, float]
    postings: dict[str, list[int]]  # word → names holding it
    generic_postings: dict[str, list[int]]  # the same, for names of generic words only
    initial_postings: dict[str, list[int]]  # the same, for names with one-letter words
    deletes: dict[str, list[str]]  # deletion neighbourhood → words of the lists
    by_start: dict[str, list[str]]  # first three letters → words of 6-9 letters
    by_head: dict[tuple[str, int], list[str]]  # (first four letters, length) → words
    by_tail: dict[tuple[str, int], list[str]]  # (last four letters, length) → words
    by_romanised: dict[str, list[str]]  # romanisation variants folded (romanised_form) → words
    known: frozenset[str]  # words two or more entries use: names in their own right
    abjad_skeletons: dict[str, list[str]]  # skeleton → words of names written in an abjad
    join_names: dict[tuple[str, ...], list[int]]  # 2-4 adjacent words → names holding them
    joins_exact: dict[str, list[tuple[str, ...]]]  # those words written together → them
    joins_by_first: dict[str, list[tuple[str, ...]]]  # their first word (4+ letters) → them
    joins_by_last: dict[str, list[tuple[str, ...]]]  # their last word (4+ letters) → them


_Listed = tuple[int, str, NormalizedName]  # (entry, display name, one normalised form)


def build_tables(entries: Sequence[ListEntry]) -> NameTables:
    """The tables for ``entries`` (see :class:`NameTables`)."""
    names, df = _listed_forms(entries)
    weights = _token_weights(df, len(entries))
    persons = [e.type == PartyType.INDIVIDUAL for e in entries]
    built, postings, generic_postings, initial_postings, join_names = _index_names(
        names, weights, persons
    )
    joins_exact, joins_by_first, joins_by_last = _join_tables(join_names)
    deletes, by_start, by_head, by_tail, by_romanised = _word_tables(weights)
    return NameTables(
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
        abjad_skeletons=_abjad_skeletons(names),
        join_names=join_names,
        joins_exact=joins_exact,
        joins_by_first=joins_by_first,
        joins_by_last=joins_by_last,
    )


def _listed_forms(entries: Sequence[ListEntry]) -> tuple[list[_Listed], dict[str, int]]:
    """Every distinct normalised form of every entry's names and their alternatives, and
    each word's document frequency (how many entries use it)."""
    names: list[_Listed] = []
    df: dict[str, int] = {}
    for i, entry in enumerate(entries):
        seen_forms: set[tuple[str, ...]] = set()
        entry_tokens: set[str] = set()
        for full in entry.all_names:
            for display, text in name_texts(full):
                for form in name_variants(text):
                    if form.tokens in seen_forms:
                        continue
                    seen_forms.add(form.tokens)
                    names.append((i, display, form))
                    entry_tokens.update(form.tokens)
        for t in entry_tokens:
            df[t] = df.get(t, 0) + 1
    return names, df


def _token_weights(df: dict[str, int], n_entries: int) -> dict[str, float]:
    """Each word's inverse document frequency scaled to (0, 1]; generic words weigh
    GENERIC_FACTOR of that."""
    n_docs = max(n_entries, 1)
    max_idf = math.log(n_docs + 1) + 1.0
    weights: dict[str, float] = {}
    for t, d in df.items():
        w = (math.log((n_docs + 1) / (d + 1)) + 1.0) / max_idf
        if t in GENERIC_WORDS:
            w *= GENERIC_FACTOR
        weights[t] = w
    return weights


def _abjad_skeletons(names: list[_Listed]) -> dict[str, list[str]]:
    """The words of names written in an abjad, by their consonant skeletons."""
    abjad_skeletons: dict[str, list[str]] = {}
    for t in sorted({t for _, _, form in names if form.abjad for t in form.tokens}):
        if sk := consonant_skeleton(t):
            abjad_skeletons.setdefault(sk, []).append(t)
    return abjad_skeletons


_Postings = dict[str, list[int]]


def _index_names(
    names: list[_Listed], weights: dict[str, float], persons: list[bool]
) -> tuple[list[ListedName], _Postings, _Postings, _Postings, dict[tuple[str, ...], list[int]]]:
    """The names as the scorer sees them; the postings of their words (all names, names of
    generic words only, names with initials); and the names holding 2-4 adjacent words."""
    built: list[ListedName] = []
    postings: _Postings = {}
    generic_postings: _Postings = {}
    initial_postings: _Postings = {}
    join_names: dict[tuple[str, ...], list[int]] = {}
    for idx, (i, display, form) in enumerate(names):
        toks = form.tokens
        total = sum(weights[t] for t in toks)
        generic = sum(weights[t] for t in toks if t in GENERIC_WORDS)
        initials = sum(weights[t] for t in toks if is_initial(t))
        person = persons[i] and not is_company(form)
        patronyms = patronymics(toks, form.surname_words) if person else frozenset()
        built.append(
            ListedName(
                i,
                display,
                toks,
                form.legal_forms,
                total,
                generic,
                initials,
                "".join(t for t in toks if is_initial(t)),
                person,
                form.surname_words,
                patronyms,
                sum(weights[toks[k]] for k in patronyms),
                sum(weights[t] for t in toks if t in PARTICLES),
                "(" in display or "[" in display,
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
    return built, postings, generic_postings, initial_postings, join_names


_Joins = dict[str, list[tuple[str, ...]]]


def _join_tables(join_names: dict[tuple[str, ...], list[int]]) -> tuple[_Joins, _Joins, _Joins]:
    """Runs of adjacent listed words by the runs written together, by their first word and by
    their last (4+ letters)."""
    joins_exact: _Joins = {}
    joins_by_first: _Joins = {}
    joins_by_last: _Joins = {}
    for parts in join_names:
        joins_exact.setdefault("".join(parts), []).append(parts)
        if len(parts[0]) >= 4:
            joins_by_first.setdefault(parts[0], []).append(parts)
        if len(parts[-1]) >= 4:
            joins_by_last.setdefault(parts[-1], []).append(parts)
    return joins_exact, joins_by_first, joins_by_last


_Words = dict[str, list[str]]
_WordsBy = dict[tuple[str, int], list[str]]


def _word_tables(weights: dict[str, float]) -> tuple[_Words, _Words, _WordsBy, _WordsBy, _Words]:
    """The listed words that may be spelt otherwise (see fuzzy_ok) by: their deletion
    neighbourhoods, their first three letters (6-9 letters), their first and last four
    letters and length, and their romanisation variants folded."""
    deletes: _Words = {}
    by_start: _Words = {}
    by_head: _WordsBy = {}
    by_tail: _WordsBy = {}
    by_romanised: _Words = {}
    for t in weights:
        if fuzzy_ok(t):
            by_romanised.setdefault(romanised_form(t), []).append(t)
            for variant in deletion_neighbours(t, edits_allowed(len(t))):
                deletes.setdefault(variant, []).append(t)
            if SAME_START_LENGTHS[0] <= len(t) <= SAME_START_LENGTHS[-1] + 2:
                by_start.setdefault(t[:SAME_START], []).append(t)
            # may write words together, one of them of 4+ letters at its start or end
            by_head.setdefault((t[:4], len(t)), []).append(t)
            by_tail.setdefault((t[-4:], len(t)), []).append(t)
    return deletes, by_start, by_head, by_tail, by_romanised
