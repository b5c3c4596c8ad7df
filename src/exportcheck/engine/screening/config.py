"""Thresholds and knobs of the matcher: the defaults, the factors of the scoring (see
:mod:`exportcheck.engine.screening`, "How names are compared") and :class:`ScreeningConfig`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

DEFAULT_HIT_THRESHOLD = 90.0
DEFAULT_REVIEW_THRESHOLD = 80.0
#: similarity of a word to an initial that may stand for it ("Vladimir" / "V."); the
#: initial itself counts as matched in full (all it says is matched)
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
#: A person's name given without its middle names or patronymic (see interior): the
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
