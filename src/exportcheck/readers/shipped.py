"""Where the shipped rule sets and lists are.

In a wheel they are package data (``exportcheck/_shipped/rules``, copied from the top-level
``rules/`` by the build). In an editable install or a source checkout they are read from the
repository's ``rules/`` folder, so edits to the shipped rules take effect without a reinstall.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def shipped_rules_dir() -> Path:
    packaged = _PACKAGE_DIR / "_shipped" / "rules"
    if packaged.is_dir():
        return packaged
    checkout = _PACKAGE_DIR.parent.parent / "rules"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(  # pragma: no cover - broken installation
        f"shipped rules not found (looked in {packaged} and {checkout}); reinstall exportcheck"
    )


def shipped_rules_paths() -> list[Path]:
    """The shipped rule-set directory, minus the lists folder (lists load separately)."""
    return [shipped_rules_dir()]


def shipped_lists_paths() -> list[Path]:
    lists = shipped_rules_dir() / "lists"
    return [lists] if lists.is_dir() else []


def display_path(path: Path) -> str:
    """A stable name for a file: shipped files as ``shipped:rules/...``, others as given."""
    try:
        rel = path.resolve().relative_to(shipped_rules_dir().resolve())
    except ValueError:
        return str(path)
    return f"shipped:rules/{rel.as_posix()}"
