"""A manifest settings file (``check --config FILE``): how an ERP's export is to be read.

YAML, every key optional::

    columns:                      # exportcheck field: the column's header in your files
      destination: Ship To Country
      part_number: Material
      ship_date: Goods Issue Date
    sheet: Orders                 # a workbook's sheet (default: the first)
    decimal_comma: true           # numbers such as 30.000,00
    date_format: DD.MM.YYYY       # ship dates such as 01.06.2025

Options given on the command line win over the file (``--column`` per field). Unknown keys
and fields are errors naming the file, line and key.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from exportcheck.errors import InputError
from exportcheck.model.manifest import HQ_SUFFIX, KNOWN_FIELDS, PARENT_SUFFIX
from exportcheck.model.params import PARAMS
from exportcheck.readers.manifest import ReadOptions, date_pattern, normalize_header
from exportcheck.readers.yamlsafe import load_path

MAX_CONFIG_BYTES = 1024 * 1024


class ManifestSettings(BaseModel):
    """What a settings file may say (see the module doc)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: dict[str, str] = Field(
        default_factory=dict, description="exportcheck field -> the header in the file"
    )
    sheet: str | None = None
    decimal_comma: bool = False
    date_format: str | None = None

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        for field in value:
            check_field(field)
        return value

    @field_validator("date_format")
    @classmethod
    def _format(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                date_pattern(value)
            except InputError as exc:
                raise ValueError(exc.message) from None
        return value


def check_field(field: str) -> str:
    """The normalised field a column is mapped to; ValueError for a field exportcheck does not
    read (a party column's attributes ``<party>_hq_country`` etc. are fields too)."""
    name = normalize_header(field)
    if name in KNOWN_FIELDS or name in PARAMS or name.endswith((HQ_SUFFIX, PARENT_SUFFIX)):
        return name
    raise ValueError(
        f"'{field}' is not a field exportcheck reads (e.g. destination, part_number, eccn, "
        "ship_date, quantity, consignee, end_user, or a technical parameter such as tpp)"
    )


def parse_column_options(values: list[str] | None) -> dict[str, str]:
    """``--column FIELD=HEADER`` (repeatable) → {field: header}; InputError when malformed."""
    out: dict[str, str] = {}
    for raw in values or []:
        field, sep, header = raw.partition("=")
        if not sep or not field.strip() or not header.strip():
            raise InputError(
                f"'{raw}' is not FIELD=HEADER (e.g. destination=\"Ship To Country\")",
                field="--column",
            )
        try:
            name = check_field(field)
        except ValueError as exc:
            raise InputError(str(exc), field="--column") from None
        if name in out:
            raise InputError(f"field '{name}' is mapped twice", field="--column")
        out[name] = header.strip()
    return out


def load_settings(path: Path) -> ManifestSettings:
    """Read and validate a settings file."""
    doc = load_path(path, MAX_CONFIG_BYTES, str(path))
    data = {} if doc.data is None else doc.data
    try:
        return ManifestSettings.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        field = ".".join(str(p) for p in loc) or None
        raise doc.error(f"invalid settings: {err['msg']}", loc, field) from None


def read_options(
    config: Path | None,
    columns: list[str] | None,
    sheet: str | None,
    decimal_comma: bool | None,
    date_format: str | None,
) -> ReadOptions:
    """The manifest's read options: the settings file, then the command line over it."""
    settings = load_settings(config) if config is not None else ManifestSettings()
    mapped = {check_field(k): v for k, v in settings.columns.items()}
    mapped.update(parse_column_options(columns))
    return ReadOptions(
        columns=tuple(mapped.items()),
        sheet=sheet if sheet is not None else settings.sheet,
        decimal_comma=settings.decimal_comma if decimal_comma is None else decimal_comma,
        date_format=date_format if date_format is not None else settings.date_format,
    )
