"""Fixtures for the screening tests: the sample list files and a full index."""

from __future__ import annotations

from pathlib import Path

import pytest
from _screening_data import SHIPPED_LISTS, need_lists

from exportcheck.engine.screening import ScreeningConfig, ScreeningIndex
from exportcheck.model.parties import ListEntry
from exportcheck.readers.lists import load_lists


@pytest.fixture(scope="session")
def lists_dir() -> Path:
    return need_lists()


@pytest.fixture(scope="session")
def all_entries(lists_dir: Path) -> list[ListEntry]:
    entries, _ = load_lists([SHIPPED_LISTS, lists_dir])
    return entries


@pytest.fixture(scope="session")
def full_index(all_entries: list[ListEntry]) -> ScreeningIndex:
    return ScreeningIndex.build(all_entries, ScreeningConfig())
