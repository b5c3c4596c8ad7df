"""Finding the partitions of a dataset: a folder (its ``*.csv`` and ``*.parquet`` files, in
its subfolders too) or a glob, in a deterministic order (sorted by path as written)."""

from __future__ import annotations

import glob
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from exportcheck.errors import InputError

#: The kinds of partition file, by suffix (lower case).
KINDS = {".csv": "csv", ".parquet": "parquet"}
_GLOB_CHARS = frozenset("*?[")


class Partition(BaseModel):
    """One partition of a dataset: its number (0-based, in dataset order), its file as
    shown in messages and in the report's sources, and its kind (``csv`` or ``parquet``).
    ``first_index`` is the global number of its first data record (1-based), once counted."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: int
    path: str
    kind: str
    first_index: int = 1


def is_dataset(manifest: Path) -> bool:
    """Whether ``manifest`` names a dataset (a folder, or a glob that is not a file)."""
    if manifest.is_dir():
        return True
    return not manifest.exists() and bool(_GLOB_CHARS.intersection(str(manifest)))


def find_partitions(spec: Path) -> list[Partition]:
    """The partition files of a folder or glob, sorted by path; refuses an empty dataset and
    files of other kinds matched by a glob."""
    text = str(spec)
    if spec.is_dir():
        found = sorted(
            (p for p in spec.rglob("*") if p.is_file() and p.suffix.lower() in KINDS),
            key=lambda p: p.as_posix(),
        )
        where = f"the folder '{text}'"
    else:
        # glob.glob: Path.glob takes no absolute patterns
        matched = glob.glob(text, recursive=True)  # noqa: PTH207
        found = sorted((Path(p) for p in matched), key=lambda p: str(p))
        found = [p for p in found if p.is_file()]
        where = f"the pattern '{text}'"
        for p in found:
            if p.suffix.lower() not in KINDS:
                raise InputError(
                    f"{where} matches a file that is neither CSV nor Parquet",
                    file=str(p),
                    hint="a dataset is made of .csv and .parquet files",
                )
    if not found:
        raise InputError(
            f"no .csv or .parquet files in {where}",
            file=text,
            hint="give a folder or a quoted glob of partition files",
        )
    return [
        Partition(number=k, path=str(p), kind=KINDS[p.suffix.lower()]) for k, p in enumerate(found)
    ]
