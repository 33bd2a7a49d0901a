"""Rendered lint errors for broken policy files, compared with golden files.

What a compliance analyst sees for each mistake — code, file:line:col, the source line, the
caret, the help — is part of the product; any change to it shows up here.
"""
from __future__ import annotations

import json

import pytest

from .conftest import FIXTURES

BROKEN = sorted(p.name for p in (FIXTURES / "broken").glob("*.yaml"))


@pytest.mark.parametrize("name", BROKEN)
def test_lint_output(cli, golden, name):
    code, out, err = cli("lint", f"tests/fixtures/broken/{name}")
    assert code == 2
    golden(f"errors/{name[:-5]}.txt", out + err)


@pytest.mark.parametrize("name", BROKEN)
def test_lint_json(cli, name):
    code, out, _ = cli("lint", "--format", "json", f"tests/fixtures/broken/{name}")
    assert code == 2
    (result,) = json.loads(out)
    assert result["ok"] is False and result["diagnostics"]
    for d in result["diagnostics"]:
        assert d["code"][0] == "P" and d["line"] >= 1 and d["column"] >= 1
