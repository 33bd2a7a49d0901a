"""Shared test helpers: golden files and a captured console for the CLI."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from the current output")


@pytest.fixture
def golden(request):
    """Compare text with tests/golden/<name>; `pytest --update-golden` rewrites the file instead."""
    update = request.config.getoption("--update-golden")

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update or not path.exists():
            if not update:
                pytest.fail(f"golden file {path} is missing; run pytest --update-golden to create it")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        assert text == path.read_text(encoding="utf-8"), f"output differs from {path} (pytest --update-golden to accept)"

    return check


class Captured:
    """Run the CLI as a user would and capture what it prints, uncoloured, 100 columns wide."""

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        from permitted.cli import main

        out, err = io.StringIO(), io.StringIO()
        code = main(list(argv), Console(file=out, width=100, color_system=None, highlight=False),
                    Console(file=err, width=100, color_system=None, highlight=False))
        return code, out.getvalue(), err.getvalue()


@pytest.fixture
def cli(monkeypatch):
    monkeypatch.chdir(ROOT)
    return Captured()
