"""Manifest lines and catalog entries, as the engine sees them (already parsed)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from exportcheck.model.fields import FIELDS

# A value as it came from the input file (CSV gives strings; JSON/YAML may give numbers).
Scalar = str | int | float | bool | None

#: What a party column (``consignee``, ``end_user``, a ``--party-columns`` one) may be told
#: about its party, in columns ``<party column><suffix>``: where it is headquartered, its
#: ultimate parent, and where that is headquartered. Every ``*_hq_country`` column holds a
#: country (ISO alpha-2, alpha-3 or English name).
HQ_SUFFIX = "_hq_country"
PARENT_SUFFIX = "_parent"
PARENT_HQ_SUFFIX = "_parent_hq_country"


def party_cells(role: str) -> tuple[str, str, str, str]:
    """The manifest columns of one party: its name, headquarters, parent, parent's HQ."""
    return (role, role + HQ_SUFFIX, role + PARENT_SUFFIX, role + PARENT_HQ_SUFFIX)


def is_country_column(name: str) -> bool:
    """Whether a (normalised) manifest column holds a country besides ``destination``."""
    return name.endswith(HQ_SUFFIX)


# Manifest columns with a meaning; every other column is carried through untouched.
KNOWN_FIELDS: tuple[str, ...] = (
    *(f.name for f in FIELDS),
    *party_cells("consignee")[1:],
    *party_cells("end_user")[1:],
)


class LineProblem(BaseModel):
    """Something wrong with one field of one line: the line becomes ``review``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str
    value: Scalar = None
    message: str


class Item(BaseModel):
    """What is shipped: identifiers and technical parameters (from the line and/or catalog)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    part_number: str | None = None
    eccn: str | None = None
    vendor: str | None = None
    category: str | None = None
    description: str | None = None
    params: dict[str, float] = Field(default_factory=dict)


class CatalogEntry(Item):
    """A product-master row keyed by part number."""

    part_number: str


class Catalog(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    entries: dict[str, CatalogEntry] = Field(
        default_factory=dict, description="keyed by casefolded, stripped part number"
    )

    @staticmethod
    def key(part_number: str) -> str:
        return " ".join(part_number.split()).casefold()

    def get(self, part_number: str | None) -> CatalogEntry | None:
        if not part_number:
            return None
        return self.entries.get(self.key(part_number))


def default_line_id(index: int) -> str:
    """The id of a line that gives none (or a blank one): its 1-based data row number (in a
    dataset, counted across its partitions in order). Every reader and the fast path use it."""
    return str(index)


class ManifestLine(BaseModel):
    """One input row, parsed. Unparseable values are left out and recorded in ``problems``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    index: int = Field(description="1-based data row number")
    source_line: int | None = Field(default=None, description="physical line in the file")
    line_id: str
    fields: dict[str, Scalar] = Field(
        default_factory=dict, description="every input column (normalised header) → raw value"
    )
    item: Item = Field(default_factory=Item)
    destination: str | None = Field(default=None, description="ISO alpha-2")
    ship_date: date | None = None
    end_use: str | None = None
    consignee: str | None = None
    end_user: str | None = None
    quantity: float | None = None
    unit_value: float | None = None
    problems: tuple[LineProblem, ...] = ()
