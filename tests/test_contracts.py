"""Architecture contracts: layering, declared vs implemented operators, the facts schema's rules."""
from __future__ import annotations

import ast
import json
from pathlib import Path

from dsl.contract.operators import OPERATORS
from dsl.contract.schema import load_schema
from interpreter.evaluation.operators import IMPLEMENTATIONS

ROOT = Path(__file__).resolve().parent.parent
DSL_CONTRACT = {"dsl.contract.tree", "dsl.contract.types", "dsl.contract.spans", "dsl.contract.model", "dsl.contract.errors", "dsl.contract.schema", "dsl.contract.operators",
                "dsl.contract.resources"}


def imports(package: str) -> dict[str, set[str]]:
    """Modules each file of a package imports (absolute names; relative imports resolved)."""
    out = {}
    for path in sorted((ROOT / package).glob("*.py")):
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package if path.name != "__init__.py" or node.level == 1 else ""
                    module = f"{base}.{node.module}" if node.module else base
                    found.add(module)
                    found.update(f"{module}.{a.name}" for a in node.names)
                else:
                    found.add(node.module)
                    found.update(f"{node.module}.{a.name}" for a in node.names)
        out[path.name] = found
    return out


def test_dsl_never_imports_interpreter_or_application():
    for name, found in imports("dsl").items():
        assert not {m for m in found if m.split(".")[0] in ("interpreter", "permitted")}, name


def test_interpreter_imports_only_contract_modules_of_dsl():
    for name, found in imports("interpreter").items():
        dsl_modules = {m for m in found if m.startswith("dsl.") and m.count(".") == 1}
        bad = {m for m in dsl_modules if m not in DSL_CONTRACT and m.split(".")[1][0].islower()
               and (ROOT / "dsl" / (m.split(".")[1] + ".py")).exists()}
        assert not bad, f"interpreter/{name} imports {bad}"
        assert not {m for m in found if m.split(".")[0] == "permitted"}, name


def test_only_the_cli_prints():
    for package in ("dsl", "interpreter", "permitted"):
        for path in (ROOT / package).glob("*.py"):
            if path.name == "cli.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    assert node.func.id != "print", f"{path} prints"


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
