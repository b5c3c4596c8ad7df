"""The screening index: listed names prepared for fast screening (:class:`ScreeningIndex`),
the word-level look-ups it caches (similar words, words written together), and the
screening of names against it (:meth:`ScreeningIndex.screen`, :func:`screen_parties`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date

from exportcheck.engine.screening.candidates import candidates
from exportcheck.engine.screening.config import (
    GENERIC_FACTOR,
    KNOWN_SHORT,
    KNOWN_WORD_FACTOR,
    ScreeningConfig,
)
from exportcheck.engine.screening.legal import is_company
from exportcheck.engine.screening.normalise import (
    name_alternatives,
    name_variants,
    without_parentheses,
)
from exportcheck.engine.screening.scoring import below, score_name
from exportcheck.engine.screening.similarity import (
    SAME_START,
    SAME_START_LENGTHS,
    SKELETON_SIMILARITY,
    compound_sim,
    consonant_skeleton,
    deletion_neighbours,
    edits_allowed,
    fuzzy_ok,
    is_plural_pair,
    romanised_form,
    token_sim,
)
from exportcheck.engine.screening.tables import ListedName, NameTables, ScoredName, build_tables
from exportcheck.engine.screening.tokens import GENERIC_WORDS, HAS_DIGIT, NormalizedName
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

_VARIANTS_LIMIT = 1 << 15  # names whose normalised forms are kept; a full table is emptied
_CACHE_LIMIT = 200_000  # words whose similar words are kept; a full table is emptied
_FormKey = tuple[tuple[str, ...], bool, int, bool, bool]  # what a form's screening depends on


class ScreeningIndex:
    """Listed names prepared for fast screening. Build once, screen many names."""

    def __init__(
        self, entries: Sequence[ListEntry], tables: NameTables, config: ScreeningConfig
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
        self._cache: dict[tuple[_FormKey, ...], list[ScoredName]] = {}
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

    @classmethod
    def build(
        cls, entries: Iterable[ListEntry], config: ScreeningConfig | None = None
    ) -> ScreeningIndex:
        entry_list = list(entries)
        return cls(entry_list, build_tables(entry_list), config or ScreeningConfig())

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
        for d in deletion_neighbours(token, radius):
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
        if fuzzy_ok(token):
            near = self._near(token, edits_allowed(len(token)))
            if len(token) >= SAME_START_LENGTHS[0] - 2:  # two edits after a common start
                near.update(self._t.by_start.get(token[:SAME_START], ()))
            near.update(self._t.by_romanised.get(romanised_form(token), ()))
        if abjad or self._t.abjad_skeletons:
            skeleton = consonant_skeleton(token)
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
                if sk := consonant_skeleton(t):
                    found.setdefault(sk, []).append(t)
            self._skeleton_words = found
        return self._skeleton_words

    def _compounds_of(self, token: str) -> list[tuple[tuple[str, ...], float]]:
        """Runs of 2-4 adjacent listed words that ``token`` writes together
        (:func:`compound_sim` > 0). Exact: an equal run is looked up whole; a run one edit
        away keeps its first part at the start of the word or its last part at the end, and
        runs are indexed by both."""
        hit = self._compound_cache.get(token)
        if hit is not None:
            return hit
        t = self._t
        seen: set[tuple[str, ...]] = set(t.joins_exact.get(token, ()))
        if len(token) >= 5 and HAS_DIGIT(token) is None:
            for p in range(4, len(token)):
                seen.update(t.joins_by_first.get(token[:p], ()))
                seen.update(t.joins_by_last.get(token[-p:], ()))
        out = [(parts, s) for parts in seen if (s := compound_sim(token, parts)) > 0]
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
        out = [(v, s) for v in found if (s := compound_sim(v, parts)) > 0]
        if len(self._join_cache) > _CACHE_LIMIT:
            self._join_cache.clear()
        self._join_cache[parts] = out
        return out

    def _pair_sim(self, q: str, c: str, abjad: bool = False) -> float:
        """What :meth:`_similar` gives for query word ``q`` and listed word ``c``: their
        spelling similarity; SKELETON_SIMILARITY at least when one of them is written in an
        abjad (``abjad``: the query word) and their consonant skeletons are equal."""
        s = token_sim(q, c)
        if (
            0 < s < 1
            and min(len(q), len(c)) <= KNOWN_SHORT
            and not is_plural_pair(q, c)
            and q in self._t.known
            and c in self._t.known
        ):
            s *= KNOWN_WORD_FACTOR
        if (
            s < SKELETON_SIMILARITY
            and (abjad or self._t.abjad_skeletons)
            and (sk := consonant_skeleton(q))
            and sk == consonant_skeleton(c)
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

    def _screen_form(self, form: NormalizedName, k: int) -> list[ScoredName]:
        """The listed names that ``form`` (the query's ``k``-th form) may match."""
        q_tokens = form.tokens
        q_similar, q_weights = self._prepare(form)
        floor = self.config.review_threshold - self.config.country_bonus
        results: dict[int, ScoredName] = {}
        company = is_company(form)
        q_surname = None if company else form.surname_words
        crafts = self._crafts
        weights, config = self._weights, self.config
        for n in candidates(self, q_tokens, q_weights, q_similar, q_surname):
            name = self._names[n]
            if company and crafts[name.entry]:
                continue  # a company is not a vessel or an aircraft
            if form.unqualified and name.qualified:
                continue  # see _without_qualifier
            score, matched, used_q, used_c = score_name(
                q_tokens, q_weights, q_similar, name, weights, config, q_surname
            )
            if form.unqualified:
                score = self._without_qualifier(score, name, used_c)
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
            results[name.entry] = ScoredName(
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

    def _screen_names(self, forms: list[NormalizedName]) -> list[ScoredName]:
        """The listed names the query's forms may match, each by its best form. Cached by
        what the matching depends on: the forms' words, whether each is a company's
        (:func:`is_company`), written surname first, or in an abjad; not the legal forms
        themselves, which only the explanations name ("X Trading Ltd" = "X Trading GmbH")."""
        key = tuple(
            (f.tokens, is_company(f), f.surname_words, f.abjad, f.unqualified) for f in forms
        )
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        best: dict[int, ScoredName] = {}
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
            bare = without_parentheses(name)
            for form in name_variants(bare) if bare else ():
                if all(f.tokens != form.tokens for f in forms):
                    forms.append(replace(form, unqualified=True))
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
            if is_company(form) and self._crafts[entry]:
                continue  # a company is not a vessel or an aircraft
            _, q_weights = self._prepare(form)
            for n in self._names_of[entry]:
                name = self._names[n]
                if form.unqualified and name.qualified:
                    continue  # see _without_qualifier
                direct = [
                    {c: s for c in name.tokens if (s := self._pair_sim(q, c, form.abjad)) > 0}
                    for q in form.tokens
                ]
                q_surname = None if is_company(form) else form.surname_words
                score, _, _, used_c = score_name(
                    form.tokens, q_weights, direct, name, self._weights, self.config, q_surname
                )
                if form.unqualified:
                    score = self._without_qualifier(score, name, used_c)
                best = max(best, score)
        return best

    def _without_qualifier(self, score: float, name: ListedName, used_c: set[int]) -> float:
        """The score of a query's form without its parenthesised parts
        (NormalizedName.unqualified; never scored against a listed name written with some):
        0 unless it matches all the listed name's words, and review at most, as the
        qualifier left out may name another party (a subsidiary, a branch)."""
        if len(used_c) < len(name.tokens):
            return 0.0
        return min(score, below(self.config.hit_threshold, self.config))

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
