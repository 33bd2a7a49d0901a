"""Shared test helpers: Hypothesis profiles, golden files and a captured console for the CLI."""
from __future__ import annotations

import atexit
import io
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from rich.console import Console

ROOT = Path(__file__).resolve().parent.parent

# What the tests compile is kept in a folder of the run's own, deleted at its end, not in the
# user's cache folder: a run compiles policies at hundreds of temporary paths nothing reads again.
# The variable is inherited by every command the tests start.
if "PERMITTED_CACHE_DIR" not in os.environ:
    os.environ["PERMITTED_CACHE_DIR"] = tempfile.mkdtemp(prefix="permitted-tests-cache-")
    atexit.register(shutil.rmtree, os.environ["PERMITTED_CACHE_DIR"], ignore_errors=True)
GOLDEN = Path(__file__).resolve().parent / "golden"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Hypothesis profiles. `full` (what `make test` runs) gives every property test the number of
# examples it asks for with `examples(n)`; `quick`, the default for a plain `pytest`, a tenth of
# that, for the edit-and-rerun loop; `fuzz` many more (below). Choose with HYPOTHESIS_PROFILE=quick|full|fuzz, or pytest's
# `--hypothesis-profile`. Both build on the profile Hypothesis picked itself (its `ci` profile
# on CI services: derandomised, no example database).
FULL_EXAMPLES = 100
_base = settings.get_profile(settings.get_current_profile_name())
settings.register_profile("full", _base, max_examples=FULL_EXAMPLES)
settings.register_profile("quick", _base, max_examples=FULL_EXAMPLES // 10, deadline=None)
# `fuzz` (`make fuzz`): a campaign, FUZZ_EXAMPLES (default 1,000: ten times `full`) in place of
# `full`'s 100, so a property that asks for examples(60) runs 600; no deadlines, since a campaign
# reaches the slow inputs on purpose. Failures found are kept in the example database and replayed first.
settings.register_profile("fuzz", _base, max_examples=int(os.environ.get("FUZZ_EXAMPLES") or 1_000), deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or "quick")


def examples(full: int) -> int:
    """A property test's `max_examples`: `full` under the full profile, and the same share of
    the loaded profile's `max_examples` under any other (a tenth under `quick`)."""
    return max(1, full * settings.default.max_examples // FULL_EXAMPLES)


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
