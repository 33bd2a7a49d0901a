"""What a command loads: `permitted check` imports only what judging a message needs.

A cold `check` is a user waiting at a terminal, and most of its time is imports. The command
line imports only the module of the verb it runs (permitted.cli.VERBS), and the check path
imports its heavy libraries only for the messages that need them. These tests run the command
in a fresh interpreter and look at `sys.modules` afterwards: they test what is imported, not
how long it takes.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs the command line in this process, then prints the modules it imported.
_RUN = """
import json, sys
from permitted.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""

# What the other verbs need, and `check` must not load: the web service, Dask, the solver of
# `diff`, the audit's process pool, and the compiler and its YAML reader (the policy comes from
# the on-disk cache once a run has kept it; a text message is no YAML file).
NOT_FOR_CHECK = ("fastapi", "uvicorn", "starlette", "dask", "distributed", "z3", "lark", "dsl.compiler",
                 "dsl.stages", "yaml", "permitted.service", "permitted.linting", "permitted.coverage",
                 "dsl.analysis", "permitted.batch", "permitted.pool")
# What a plain-text message does not need: the HTML parser and its CSS selectors, the e-mail
# parser (nor importlib.metadata, which reads package metadata with it).
NOT_FOR_PLAIN_TEXT = ("bs4", "soupsieve", "email", "importlib.metadata")


def _imported(argv: list[str], cache: Path) -> set[str]:
    env = {**os.environ, "PERMITTED_CACHE_DIR": str(cache)}
    env.pop("PERMITTED_REFERENCE", None)
    done = subprocess.run([sys.executable, "-c", _RUN, *argv], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] in (0, 1, 4), done.stdout
    return set(result["modules"])


def _loaded(modules: set[str], names) -> list[str]:
    return sorted(m for m in modules for name in names if m == name or m.startswith(name + "."))


def test_check_with_a_warm_cache_imports_only_what_judging_needs(tmp_path):
    message = tmp_path / "one.txt"
    message.write_text("Hello,\n\nYour order has shipped and should arrive on Tuesday.\n\nThank you,\nAcme Books\n")
    argv = ["check", str(message), "-m", "UK"]
    first = _imported(argv, tmp_path / "cache")          # compiles the policy and keeps it
    assert "lark" in first
    warm = _imported(argv, tmp_path / "cache")
    assert _loaded(warm, NOT_FOR_CHECK) == []
    assert _loaded(warm, NOT_FOR_PLAIN_TEXT) == []
    # the other verbs' modules stay unimported: only check's own was loaded
    assert _loaded(warm, ["permitted.commands"]) == sorted(
        {"permitted.commands", "permitted.commands.check", "permitted.commands.messages",
         "permitted.commands.options", "permitted.commands.output"})


def test_help_lists_every_verb_without_importing_one(tmp_path):
    from permitted.cli import VERBS

    env = {**os.environ, "PERMITTED_CACHE_DIR": str(tmp_path)}
    code = "import sys\nfrom permitted.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n" \
           "print(sorted(m for m in sys.modules if m.startswith('permitted.commands.')))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for verb, (_, help_line) in VERBS.items():
        assert f"    {verb} " in done.stdout and help_line.split()[0] in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_every_verb_in_the_table_is_added_by_its_module():
    import argparse
    import importlib

    from permitted.cli import VERBS

    for verb, (module, _) in VERBS.items():
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(module).add_parser(sub)
        assert verb in sub.choices, f"{module} does not add `{verb}`"
