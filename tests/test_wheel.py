"""A wheel built from the repository carries grammar.lark, policies/ and the web page's files, and works
outside the checkout."""
from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from .conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True)
    (built,) = out.glob("permitted-*.whl")
    return built


@pytest.mark.slow
def test_wheel_carries_grammar_and_policies(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "dsl/grammar.lark" in names
    assert "permitted/policies/facts.schema.json" in names
    assert "permitted/policies/policy.schema.json" in names
    shipped = {n for n in names if n.startswith("permitted/policies/") and n.endswith(".yaml")}
    in_repo = {"permitted/policies/" + str(p.relative_to(ROOT / "policies")) for p in (ROOT / "policies").rglob("*.yaml")}
    assert shipped == in_repo
    # The web page of `permitted serve` is served from inside the package.
    assert {"permitted/service/static/" + n for n in ("index.html", "app.js", "app.css")} <= names


@pytest.mark.slow
def test_installed_wheel_compiles_its_own_policies(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = ("import dsl.contract.resources as r, dsl.registry as g, dsl.compiler\n"
              "assert str(r.grammar_path()).startswith(%r), r.grammar_path()\n"
              "paths = g.policy_files()\n"
              "assert paths and all(str(p).startswith(%r) for p in paths)\n"
              "for p in paths: dsl.compiler.compile_file(p)\n"
              "print(len(paths))\n") % (str(site), str(site))
    # Run away from the checkout so only the unpacked wheel (plus installed dependencies) is importable.
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 1
