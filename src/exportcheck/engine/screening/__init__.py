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
   of business words folded (``technologies`` → ``technology``; a name keeps its final s:
   ``Williams`` is not ``William``). German umlauts give two variants (``Müller``
   → ``muller`` and ``mueller``), so both spellings match exactly; so does a legal form glued
   to a name (``SiemensAG`` → ``siemensag`` and ``siemens`` + AG), and digits written for
   the letters they look like (``Sech1n`` → ``sech1n`` and ``sechin``). A name in Wade-Giles,
   the older romanisation of Mandarin, is also read as pinyin by the rules of its initials
   and finals (``Mao Tse-tung`` → ``mao ze dong``, ``Hsi Chin-p'ing`` → ``xi jin ping``).
   A name field may hold more than one name (:func:`name_alternatives`): a former name in an
   annotation (``(ex-Cape Diamond)``, ``f.k.a.``), names joined by ``/``, the name after a
   label (``SHIPPER:``) or before ``c/o``, before an address or branch after a comma or dash
   and without its parenthesised parts: for a listed name always, for a query only
   against a listed name written without any, all of whose words it matches (``Deutsche
   Bank (Schweiz) AG`` / ``Deutsche Bank AG``, but not ``Bank of China (Hong Kong)`` /
   ``Bank of China (Singapore)``). Each is screened; an entry keeps its best score.
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
   / length, a final s counting half an edit (``Stars`` / ``Star``, ``Lavrovs`` / ``Lavrov``);
   tokens of 3 or fewer characters and tokens with digits must be equal. A word of
   a name written in an abjad (Arabic, Hebrew, Syriac script), whose transliteration lacks
   most vowels, also matches a word of the same consonant skeleton (:func:`consonant_skeleton`:
   ``فرناندو`` = ``frnndw`` / ``Fernando``) with ``SKELETON_SIMILARITY`` (0.85: a name matched
   only so is review, never a hit); so does a listed word written so. An initial
   matches a word starting with it ("V. Putin" / "Vladimir Putin"): the initial counts as
   matched in full, the word with ``INITIAL_SIMILARITY``; it never stands for the surname of
   a person's name ("John B. Adams" is not "BREDENKAMP, John A."), and a name matched
   through an initial is review at most (it does not confirm the word).
   A token equal to 2-4 adjacent tokens of the other side written together ("vanderbilt" /
   "van der bilt", with one typo for long ones) matches them all. If only generic tokens (or
   initials) match, the score is capped below the review threshold: shared generic words never
   make a hit on their own. When one name contains the other around a distinctive match, the
   extra generic words count half ("Huawei Device" vs "Huawei"); so do all extra words when the
   shorter name is matched in two or more distinctive words (names, not particles such as al,
   bin, de, van: ``PARTICLES``) rare enough together (``STRONG_EVIDENCE``) to point to one
   party: a name without its middle names or patronymic ("Imad Khamis" vs "KHAMIS, Imad Mohammad
   Deeb"), and a particle left over then counts nothing ("Boris Johnson" vs "Alexandre Boris de
   Pfeffel Johnson"). Between two person's names (a listed individual, a query without a company
   legal form) less evidence will do (``INTERIOR_EVIDENCE``) when the shorter name's first and
   last words are the longer one's first and last, in order, reading "SURNAME, Given Middle" as
   "Given Middle SURNAME" ("Sergey Lavrov" vs "LAVROV, Sergey Viktor"), or the listed name is
   the query's first words ("DOST MOHAMMAD KHAN HAQQANI" vs "DOST MOHAMMAD"). An East Slavic
   patronymic (``-ovich``, ``-evna`` ... after the first given name, not the surname) left over
   on one side only is left out of that side's total: outside Russia, Ukraine and Belarus (and
   in their passports) a name is written without it ("Sergejs Lavrovs" vs "LAVROV, Sergey
   Viktorovich"); one on each side tells two persons apart. When both names have words the other
   lacks ("Atlas Consulting" vs "Atlas Shipping") they count with their plain rarity weight, as
   conflicting evidence. A one-word listed name found inside a longer query scores below the hit
   threshold (review at most), and below review when the query holds its plural or singular
   (``Maple Trading`` / ``MAPLES SA``); an individual's one-word name (a nickname) never
   makes a company's name review (``Orion Supply Ltd``, ``Orion GmbH`` / ``ORION``).
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

The package, by seam: :mod:`~.config` (thresholds and factors), :mod:`~.tokens` (text to
words), :mod:`~.legal` (legal forms), :mod:`~.normalise` (names and their variants),
:mod:`~.similarity` (words), :mod:`~.scoring` (names), :mod:`~.tables` (what the index is
built of), :mod:`~.candidates` (the candidate search) and :mod:`~.index` (the index and
screening). Everything other modules import is re-exported here.
"""

from __future__ import annotations

from exportcheck.engine.screening.config import (
    DEFAULT_HIT_THRESHOLD,
    DEFAULT_REVIEW_THRESHOLD,
    DICE_SHARE,
    EXTRA_NAME_DISCOUNT,
    GENERIC_FACTOR,
    INITIAL_SIMILARITY,
    INTERIOR_EVIDENCE,
    KNOWN_SHORT,
    KNOWN_WORD_FACTOR,
    PARTICLES,
    STRONG_EVIDENCE,
    UNMATCHED_GENERIC_DISCOUNT,
    ScreeningConfig,
)
from exportcheck.engine.screening.index import ScreeningIndex, screen_parties
from exportcheck.engine.screening.legal import LEGAL_ANYWHERE_P, split_legal
from exportcheck.engine.screening.normalise import (
    name_alternatives,
    name_variants,
    normalize_name,
)
from exportcheck.engine.screening.similarity import (
    SKELETON_MIN,
    SKELETON_SIMILARITY,
    token_sim,
)
from exportcheck.engine.screening.tokens import COMPANY_WORDS, GENERIC_WORDS, NormalizedName

__all__ = [
    "COMPANY_WORDS",
    "DEFAULT_HIT_THRESHOLD",
    "DEFAULT_REVIEW_THRESHOLD",
    "DICE_SHARE",
    "EXTRA_NAME_DISCOUNT",
    "GENERIC_FACTOR",
    "GENERIC_WORDS",
    "INITIAL_SIMILARITY",
    "INTERIOR_EVIDENCE",
    "KNOWN_SHORT",
    "KNOWN_WORD_FACTOR",
    "LEGAL_ANYWHERE_P",
    "PARTICLES",
    "SKELETON_MIN",
    "SKELETON_SIMILARITY",
    "STRONG_EVIDENCE",
    "UNMATCHED_GENERIC_DISCOUNT",
    "NormalizedName",
    "ScreeningConfig",
    "ScreeningIndex",
    "name_alternatives",
    "name_variants",
    "normalize_name",
    "screen_parties",
    "split_legal",
    "token_sim",
]
