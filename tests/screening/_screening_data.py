"""Shared data for the screening tests: paths of the sample lists and the labelled corpus."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(__file__).resolve().parents[3] / "shared"
LISTS = SHARED / "data" / "lists"
SHIPPED_LISTS = REPO / "rules" / "lists"
CORPUS = Path(__file__).resolve().parent / "corpus.csv"
CORPUS_DATE = date(2025, 6, 1)


@dataclass(frozen=True)
class Pair:
    query: str
    list_code: str
    listed_name: str
    expected: bool
    note: str
    line: int


def read_corpus(path: Path = CORPUS) -> list[Pair]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return [
            Pair(
                r["query"],
                r["list_code"],
                r["listed_name"],
                r["expected"].strip() == "yes",
                r["note"],
                i + 2,
            )
            for i, r in enumerate(reader)
        ]


def need_lists() -> Path:
    if not (LISTS / "ofac-sdn.csv").is_file():
        pytest.skip(f"sample lists not found in {LISTS}")
    return LISTS
