"""The import graph of the project's packages and the folder rules it must keep (DESIGN.md).

Read from the source with `ast`, so nothing is imported to check it, and imports inside functions
count like any other. Kept apart from the tests so a test can run the same rules on a planted tree
and prove they fail.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

PACKAGES = ("dsl", "interpreter", "permitted")

# The layers of the application package, highest first: a module may import its own layer or a
# lower one. Services are permitted's top-level modules (checking, batch, examples, …) and the
# HTTP service (permitted.service), which may use the views for the JSON it answers.
APPLICATION_LAYERS = ("permitted.__main__", "permitted.cli", "permitted.commands", "permitted.service",
                      "permitted.views", "permitted")


@dataclass(frozen=True)
class Edge:
    source: str          # importing module, dotted
    target: str          # imported module, dotted (a module of the project or an outside one)
    line: int


def modules(root: Path) -> dict[str, Path]:
    """Every module of the project's packages under `root`, by dotted name."""
    out = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


def _resolved(name: str, known: dict[str, Path]) -> str:
    """`from a.b import c` names module a.b.c when there is one, else a.b itself."""
    return name if name in known else name.rpartition(".")[0] if name.rpartition(".")[0] in known else name


def edges(root: Path) -> list[Edge]:
    known = modules(root)
    out = []
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                out.extend(Edge(name, a.name, node.lineno) for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                targets = {_resolved(f"{base}.{a.name}", known) for a in node.names}
                out.extend(Edge(name, t, node.lineno) for t in sorted(targets))
    return out


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _layer(module: str) -> int:
    return next(i for i, prefix in enumerate(APPLICATION_LAYERS) if _within(module, prefix))


def violations(root: Path) -> list[str]:
    """Each import that breaks a folder rule, as `file:line: module imports target (rule)`."""
    known = modules(root)
    out = []
    for e in edges(root):
        rule = None
        if _within(e.source, "dsl") and (_within(e.target, "interpreter") or _within(e.target, "permitted")):
            rule = "the policy language knows nothing of the interpreter or the application"
        elif _within(e.source, "interpreter") and _within(e.target, "permitted"):
            rule = "the interpreter knows nothing of the application"
        elif (_within(e.source, "interpreter") and _within(e.target, "dsl")
              and not _within(e.target, "dsl.contract") and e.target != "dsl"):
            rule = "the interpreter may import only dsl.contract"
        elif (_within(e.target, "z3") and not _within(e.source, "dsl.analysis")):
            rule = "only dsl.analysis uses the solver"
        elif ((_within(e.target, "dask") or _within(e.target, "distributed"))
              and e.source != "permitted.distributed.cluster"):
            rule = "only permitted.distributed.cluster uses Dask"
        elif (_within(e.source, "permitted") and _within(e.target, "permitted") and e.target in known
              and e.target != "permitted" and _layer(e.target) < _layer(e.source)):
            rule = f"{APPLICATION_LAYERS[_layer(e.source)]} may not import the layer above it"
        if rule:
            out.append(f"{known[e.source].relative_to(root)}:{e.line}: {e.source} imports {e.target} ({rule})")
    return out


def cycles(root: Path) -> list[tuple[str, ...]]:
    """The import cycles among the project's modules: each strongly connected group of two or
    more modules (or a module importing itself), in a stable order. Importing a package's
    `__init__` for a name it re-exports counts as importing the package."""
    known = modules(root)
    graph: dict[str, set[str]] = {m: set() for m in known}
    for e in edges(root):
        if e.target in known:
            graph[e.source].add(e.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(v: str) -> None:          # Tarjan's algorithm; the graph is small, recursion is fine
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1 or v in graph[v]:
                found.append(tuple(sorted(group)))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)
