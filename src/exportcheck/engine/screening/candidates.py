"""The candidate search of :meth:`ScreeningIndex.screen`: every listed name that can score at
least the floor (review threshold less the country bonus) against a query, and few others.

A name can only reach the floor through a *distinctive* match (two non-generic words, not an
initial; see the caps in :func:`~exportcheck.engine.screening.scoring.score_name`), unless
all its words are generic. So names are gathered from the postings of the words similar to
the query's distinctive words, of generic words for names of generic words only, and of
words written together. Each gathered name gets an upper bound of its score (see score_bound)
from the weights it can match at most; names below the floor are not scored. Query words
that cannot make a distinctive match alone (generic words, initials, generic variants) are
not gathered: they add to the bound of each gathered name what they can match in it. Words
with long postings ("common") are left out of the gathering when even a name matching all of
them could not reach the floor, and are then matched the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from exportcheck.engine.screening.config import (
    DICE_SHARE,
    INITIAL_SIMILARITY,
    INTERIOR_EVIDENCE,
    PARTICLES,
    STRONG_EVIDENCE,
)
from exportcheck.engine.screening.scoring import score_bound
from exportcheck.engine.screening.similarity import is_initial, patronymics
from exportcheck.engine.screening.tables import ListedName, NameTables
from exportcheck.engine.screening.tokens import GENERIC_WORDS

if TYPE_CHECKING:
    from exportcheck.engine.screening.index import ScreeningIndex

#: a word matched against the gathered names only: (query word, its weight, similar words
#: and similarities, whether a match counts as a hit)
_Deferred = tuple[str, float, dict[str, float], int]


class _Search:
    """One query's search: the names gathered so far, each with [matched query weight,
    listed weight, hits] at most, and the words deferred with what they may add at most to
    a name not gathered."""

    __slots__ = (
        "acc",
        "deferred",
        "deferred_c",
        "deferred_q",
        "gq",
        "particles_q",
        "patronymic_q",
        "q_similar",
        "q_tokens",
        "q_weights",
        "t",
        "w",
        "wq_total",
    )

    def __init__(
        self,
        tables: NameTables,
        q_tokens: tuple[str, ...],
        q_weights: list[float],
        q_similar: Sequence[dict[str, float]],
        q_surname: int | None,
    ) -> None:
        self.t = tables
        self.w = tables.weights
        self.q_tokens = q_tokens
        self.q_weights = q_weights
        self.q_similar = q_similar
        self.wq_total = sum(q_weights)
        self.gq = sum(x for q, x in zip(q_tokens, q_weights, strict=True) if q in GENERIC_WORDS)
        # a person's patronymic may be left out of the total (see score_name)
        self.patronymic_q = (
            0.0
            if q_surname is None
            else sum(q_weights[k] for k in patronymics(q_tokens, q_surname))
        )
        # so may its particles when the evidence is strong
        self.particles_q = sum(
            x for q, x in zip(q_tokens, q_weights, strict=True) if q in PARTICLES
        )
        self.acc: dict[int, list[float]] = {}
        self.deferred: list[_Deferred] = []
        self.deferred_q = 0.0
        self.deferred_c = 0.0

    def gather(self, found: Iterable[int], wq_i: float, wc_i: float, n_hits: int) -> None:
        acc = self.acc
        get = acc.get
        for n in found:
            e = get(n)
            if e is None:
                acc[n] = [wq_i, wc_i, n_hits]
            else:
                e[0] += wq_i
                e[1] += wc_i
                e[2] += n_hits

    def defer(self, q: str, qw: float, sim: dict[str, float], counts: int, most: float) -> None:
        """Match query word ``q`` against the gathered names only; ``most``: the listed
        weight it may match at most."""
        self.deferred.append((q, qw, sim, counts))
        self.deferred_q += qw
        self.deferred_c += most

    def gather_word(self, i: int, postings: dict[str, list[int]] | None = None) -> None:
        """The names holding a word similar to query word ``i`` (distinctive); names of
        generic words only for its generic variants, which are deferred."""
        t, w = self.t, self.w
        if postings is None:
            postings = t.postings
        qw = self.q_weights[i]
        generic: dict[str, float] = {}
        for v, s in self.q_similar[i].items():
            # a match adds its similarity times the weights (s <= 1 for the others)
            if v in GENERIC_WORDS:
                self.gather(t.generic_postings.get(v, ()), s * qw, s * w[v], 0)
                generic[v] = s
            else:
                self.gather(postings.get(v, ()), s * qw, s * w[v], 1)
        if generic:  # a variant of a generic word ("wealth" / "health")
            self.defer(self.q_tokens[i], qw, generic, 0, max(x * w[v] for v, x in generic.items()))


def candidates(
    index: ScreeningIndex,
    q_tokens: tuple[str, ...],
    q_weights: list[float],
    q_similar: Sequence[dict[str, float]],
    q_surname: int | None = None,
) -> list[int]:
    """The listed names (indexes into the index's names) that can score at least the floor
    against the query. ``q_surname``: not None when the query may be a person's name (it
    has no company legal form), its NormalizedName.surname_words: a listed person's name
    may lack middle names (see interior), and either may lack a patronymic."""
    person = q_surname is not None
    search = _Search(index._t, q_tokens, q_weights, q_similar, q_surname)
    floor = index.config.review_threshold - index.config.country_bonus
    common = _gather_words(search, index)
    _gather_joins(search, index)
    if common:
        _gather_common(search, common, floor, person)
    return _bounded(search, index._names, floor, person)


def _gather_words(search: _Search, index: ScreeningIndex) -> list[int]:
    """Gathers by the query's distinctive words and defers its initials and generic words;
    returns the distinctive words with long postings ("common"), not gathered yet."""
    t, w = search.t, search.w
    q_weights = search.q_weights
    common: list[int] = []
    for i, q in enumerate(search.q_tokens):
        sim = search.q_similar[i]
        if is_initial(q):
            # an initial: equal to a listed initial, or standing for any word
            most = max([INITIAL_SIMILARITY, *(x * w[v] for v, x in sim.items())])
            search.defer(q, q_weights[i], sim, 0, most)
            continue
        if q in GENERIC_WORDS:
            for v, s in sim.items():
                search.gather(t.generic_postings.get(v, ()), s * q_weights[i], s * w[v], 0)
            if sim:
                search.defer(q, q_weights[i], sim, 0, max(x * w[v] for v, x in sim.items()))
            continue
        if index._df(q, sim) > index._common_df:
            common.append(i)
        else:
            search.gather_word(i)
    return common


def _gather_joins(search: _Search, index: ScreeningIndex) -> None:
    """Gathers the names whose adjacent words a query word writes together, and those with
    a word that adjacent query words write together."""
    t, w = search.t, search.w
    q_tokens, q_weights = search.q_tokens, search.q_weights
    for i, q in enumerate(q_tokens):  # a query word = listed words written together
        for parts, _ in index._compounds_of(q):
            wc_i = sum(w[p] for p in parts)
            search.gather(t.join_names.get(parts, ()), q_weights[i], wc_i, 1)
    for m in (2, 3, 4):  # a listed word = query words written together
        for i in range(len(q_tokens) - m + 1):
            parts = q_tokens[i : i + m]
            joined = index._joined_in_lists(parts)
            if joined:
                wq_i = sum(q_weights[i : i + m])
                for v, _ in joined:
                    search.gather(t.postings.get(v, ()), wq_i, w[v], m)


def _gather_common(search: _Search, common: list[int], floor: float, person: bool) -> None:
    """Common words: gathered only if a name matching all of them (and every deferred word)
    might reach the floor; else they are deferred too."""
    w = search.w
    q_weights, q_similar = search.q_weights, search.q_similar
    wq_total, gq = search.wq_total, search.gq
    common_q = sum(q_weights[i] for i in common)
    # (a word matched adds its similarity times the listed weight)
    common_c = sum(max(x * w[v] for v, x in q_similar[i].items()) for i in common)
    cq, cc = search.deferred_q + common_q, search.deferred_c + common_c
    # The evidence for the half discount of extra words: names matched, not particles nor
    # deferred words (generic words and initials are none), see score_name.
    name_weights = [
        max((x * w[v] for v, x in q_similar[i].items() if v not in PARTICLES), default=0.0)
        for i in common
    ]
    names_c = sum(name_weights)
    strong_possible = sum(1 for x in name_weights if x) >= 2 and (
        names_c >= STRONG_EVIDENCE or (person and names_c >= INTERIOR_EVIDENCE)
    )
    # A name of unknown weight: its matched weight is at most its total (mc <= wc), and the
    # bound grows with wc up to there.
    later = common
    if (
        score_bound(
            cq,
            cc,
            wq_total,
            cc,
            gq,
            0.0,
            strong_possible,
            patronymic_q=search.patronymic_q,
            particles_q=search.particles_q,
        )
        >= floor
    ):
        # A name matched through particles alone ("al", "bin") has no evidence for the
        # discount (one with names is gathered through them): if without it such a name
        # could not reach the floor, words that are only particles are deferred (their
        # postings are the longest).
        later = [i for i in common if PARTICLES.issuperset(q_similar[i])]
        pq = search.deferred_q + sum(q_weights[i] for i in later)
        pc = search.deferred_c + sum(max(x * w[v] for v, x in q_similar[i].items()) for i in later)
        bound = score_bound(pq, pc, wq_total, pc, gq, 0.0, False, search.patronymic_q)
        if bound >= floor:
            later = []
        for i in common:
            if i not in later:
                search.gather_word(i)
    # Names with initials are gathered all the same: an initial may match any query word,
    # which no bound of a name of unknown words can hold.
    for i in later:
        search.gather_word(i, search.t.initial_postings)
        most = max(x * w[v] for v, x in q_similar[i].items())
        search.defer(search.q_tokens[i], q_weights[i], q_similar[i], 1, most)


def _bounded(search: _Search, names: list[ListedName], floor: float, person: bool) -> list[int]:
    """The gathered names whose bound, with what the deferred words match in them, reaches
    the floor."""
    w = search.w
    q_tokens, q_weights = search.q_tokens, search.q_weights
    wq_total = search.wq_total
    deferred, deferred_q, deferred_c = search.deferred, search.deferred_q, search.deferred_c
    # A listed initial may stand for any query word starting with its letter.
    q_first = {q[0] for q in q_tokens if not is_initial(q)}
    init_q = INITIAL_SIMILARITY * sum(
        x for q, x in zip(q_tokens, q_weights, strict=True) if not is_initial(q)
    )
    out: list[int] = []
    patronymic_q, particles_q = search.patronymic_q, search.particles_q
    lq_plain = wq_total - 0.5 * search.gq - patronymic_q
    half = 1.0 - DICE_SHARE
    deferred_hits = sum(d[3] for d in deferred)

    def upper(mq: float, mc: float, h: float, name: ListedName) -> float:
        """score_bound, written out: it runs for every name gathered."""
        if name.initials and any(x in q_first for x in name.initial_letters):
            mq += init_q
            mc += name.initials  # (all an initial says is matched: its full weight)
        wc = name.weight
        if mq > wq_total:
            mq = wq_total
        if mc > wc:
            mc = wc
        if h >= 2 and (
            mc >= STRONG_EVIDENCE or (person and name.person and mc >= INTERIOR_EVIDENCE)
        ):
            lq = 0.5 * (wq_total + mq - patronymic_q - particles_q)
            lc = 0.5 * (wc + mc - name.patronymic - name.particles)
        else:
            lq, lc = lq_plain, wc - 0.5 * name.generic - name.patronymic
        if lq <= 0 or lc <= 0:
            return 100.0
        dice = (mq + mc) / (lq + lc)
        x, y = mq / lq, mc / lc
        return 100.0 * (
            DICE_SHARE * (dice if dice < 1.0 else 1.0)
            + half * ((x if x < 1.0 else 1.0) + (y if y < 1.0 else 1.0)) / 2.0
        )

    for n, (mq, mc, h) in search.acc.items():
        name = names[n]
        if deferred:
            # First with all that deferred words may add anywhere (cheap), then with what
            # they match in this name.
            if upper(mq + deferred_q, mc + deferred_c, h + deferred_hits, name) < floor:
                continue
            tokens = name.tokens
            for q, qw, sim, counts in deferred:
                bq = bc = 0.0
                for c in tokens:
                    sc = sim.get(c, 0.0)
                    if not sc and len(q) == 1 and c[0] == q and len(c) > 1:
                        # an initial for a word: all the initial says is matched
                        bq = qw
                        bc = max(bc, INITIAL_SIMILARITY * w[c])
                    elif sc:
                        bq = max(bq, sc * qw)
                        bc = max(bc, sc * w[c])
                if bq:
                    mq += bq
                    mc += bc
                    h += counts
        if upper(mq, mc, h, name) >= floor:
            out.append(n)
    return out
