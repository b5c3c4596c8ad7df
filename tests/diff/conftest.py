from __future__ import annotations

import pytest
import typer
from _diff_helpers import Run, make_app


@pytest.fixture(scope="session")
def app() -> typer.Typer:
    return make_app()


@pytest.fixture(scope="session")
def run(app: typer.Typer) -> Run:
    return Run(app)
