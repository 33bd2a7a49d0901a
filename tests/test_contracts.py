"""Architecture contracts: layering, declared vs implemented operators, the facts schema's rules."""
from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from dsl.contract.operators import OPERATORS
from dsl.contract.schema import load_schema
from interpreter.evaluation.operators import IMPLEMENTATIONS

from tests import architecture

ROOT = Path(__file__).resolve().parent.parent


def test_every_import_keeps_the_folder_rules():
    assert architecture.violations(ROOT) == []


def test_no_import_cycles():
    assert architecture.cycles(ROOT) == []


def _plant(tmp_path: Path, files: dict[str, str]) -> Path:
    """A small tree shaped like the project, with the given modules in it."""
    for package in architecture.PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(tmp_path).parents:
            if str(parent) != ".":
                (tmp_path / parent / "__init__.py").touch()
        path.write_text(text)
    return tmp_path


@pytest.mark.parametrize("files,broken", [
    ({"interpreter/facts/x.py": "from dsl.compiler import compile_file\n", "dsl/compiler.py": ""},
     "interpreter.facts.x imports dsl.compiler (the interpreter may import only dsl.contract)"),
    ({"interpreter/facts/x.py": "from dsl.contract import tree\n", "dsl/contract/tree.py": ""}, None),
    ({"interpreter/x.py": "import permitted.checking\n", "permitted/checking.py": ""},
     "interpreter.x imports permitted.checking (the interpreter knows nothing of the application)"),
    ({"dsl/stages/check.py": "def f():\n    from interpreter.evaluation import evaluate\n",
      "interpreter/evaluation/evaluate.py": ""},
     "dsl.stages.check imports interpreter.evaluation.evaluate (the policy language knows nothing"),
    ({"permitted/views/report.py": "from permitted.commands.check import FORMATS\n", "permitted/commands/check.py": ""},
     "permitted.views.report imports permitted.commands.check (permitted.views may not import the layer above it)"),
    ({"permitted/checking.py": "from .views import html\n", "permitted/views/html.py": ""},
     "permitted.checking imports permitted.views.html (permitted may not import the layer above it)"),
    ({"permitted/commands/check.py": "from permitted.views import html\n", "permitted/views/html.py": ""}, None),
    ({"permitted/diffing.py": "import z3\n"}, "permitted.diffing imports z3 (only dsl.analysis uses the solver)"),
    ({"dsl/analysis/solve.py": "import z3\n"}, None),
    ({"permitted/batch.py": "def f():\n    import dask.distributed\n"},
     "permitted.batch imports dask.distributed (only permitted.distributed.cluster uses Dask)"),
    ({"permitted/distributed/cluster.py": "def f():\n    import distributed\n"}, None),
])
def test_a_planted_bad_import_is_found(tmp_path, files, broken):
    found = architecture.violations(_plant(tmp_path, files))
    if broken is None:
        assert found == []
    else:
        assert len(found) == 1 and broken in found[0], found
        assert found[0].startswith(next(iter(files)) + ":"), "the report names the file and line"


def test_a_planted_cycle_is_found(tmp_path):
    root = _plant(tmp_path, {"permitted/a.py": "from permitted import b\n",
                             "permitted/b.py": "def later():\n    import permitted.c\n",
                             "permitted/c.py": "from permitted.a import x\n",
                             "permitted/d.py": "import permitted.a\n"})
    assert architecture.cycles(root) == [("permitted.a", "permitted.b", "permitted.c")]


def test_only_the_command_line_prints():
    """Everything else returns what it found; permitted.cli and permitted.commands show it."""
    for name, path in architecture.modules(ROOT).items():
        if name.startswith(("permitted.cli", "permitted.commands")):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id != "print", f"{path}:{node.lineno} prints"


def test_every_declared_operator_is_implemented_and_nothing_else():
    assert set(OPERATORS) == set(IMPLEMENTATIONS)
    for op in OPERATORS.values():
        assert op.doc and op.params is not None


def test_facts_schema_says_what_absence_means():
    raw = json.loads((ROOT / "policies" / "facts.schema.json").read_text(encoding="utf-8"))

    def visit(node, where):
        if node.get("type") == "object":
            assert node.get("additionalProperties") is False, f"{where} must be closed"
            for prop, sub in node.get("properties", {}).items():
                assert sub.get("description"), f"{where}.{prop} needs a description"
                if prop not in node.get("required", ()):
                    assert sub.get("x-absent") in ("unknown", "optional"), f"{where}.{prop} must declare x-absent"
                visit(sub, f"{where}.{prop}")
        if node.get("type") == "array":
            visit(node.get("items", {}), where + "[]")

    visit(raw, "facts")
    for name, node in raw["$defs"].items():
        visit(node, name)


def test_operator_result_types_exist_in_the_schema():
    schema = load_schema()
    for op in OPERATORS.values():
        t = op.returns.item if op.returns.is_list else op.returns
        if t.kind == "object":
            assert schema.fields(t.name), f"{op.name} returns {t}, which the facts schema does not define"
