"""The layering of DESIGN.md, checked on the source: the model imports nothing above it, the
engine (pure core) reads no files and renders nothing, readers only build the model and
formats only render it; the streaming check's pipeline joins them, and none of them imports
it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "exportcheck"

# layer -> the exportcheck packages its modules may import (itself included)
ALLOWED = {
    "model": {"model", "errors"},
    "engine": {"engine", "model", "errors"},
    "formats": {"formats", "model", "errors"},
    "readers": {"readers", "model", "errors"},
    "pipeline": {"pipeline", "readers", "engine", "formats", "model", "errors"},
}


def imported(path: Path) -> set[str]:
    """The exportcheck subpackages ``path`` imports, at any depth (function-level too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "exportcheck" and len(parts) > 1:
                found.add(parts[1])
            elif parts[0] == "exportcheck":
                found.add("")  # the top-level package (the library API)
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_what_is_below_it(layer: str) -> None:
    bad = {
        str(path.relative_to(PACKAGE)): sorted(imported(path) - ALLOWED[layer])
        for path in sorted((PACKAGE / layer).rglob("*.py"))
    }
    assert {k: v for k, v in bad.items() if v} == {}


def test_the_check_sees_a_wrong_import(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text(
        "def f():\n    from exportcheck.engine.inforce import version_in_force\n", "utf-8"
    )
    assert imported(path) - ALLOWED["formats"] == {"engine"}


def test_no_lower_layer_imports_the_pipeline() -> None:
    """The pipeline sits above model, engine, formats and readers (only the API, the bulk
    runner, the CLI and the tests use it)."""
    assert all(
        "pipeline" not in allowed for layer, allowed in ALLOWED.items() if layer != "pipeline"
    )
