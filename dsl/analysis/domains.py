"""The finite choices under the solver's encoding: the values each string can take, and the
phrase classes each text can contain.

Stage: first step of dsl.analysis.solve. Input: the predicate trees of both policies, `Bounds`, and a
`TextOracle` (the real phrase matcher, passed in: dsl never imports the interpreter). Output:
`Domains` — per string (a fact, a field of any item of a list, or `lower`/`host_of`/… of one,
named by an abstract key) the values it is compared with, plus fresh ones; per text read by
`mentions`, a `TextSpace`: its phrases grouped into classes by the lists they belong to, and
for each phrase the classes a text holding it contains ("leave a review" holds "review").
Strings compared with each other share their values. No errors: anything unusual is simply
not given a domain, and the encoder treats it as a free variable.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Iterable, Protocol

from dsl.contract import tree
from dsl.contract.schema import FactSchema, FieldSpec

# Operators that look for phrase lists in their first argument, and how many lists they take.
PHRASE_OPERATORS = {"mentions": 1, "mentions_near": 2, "mentions_before": 2}

# Operators that split a text into stretches of it (items with text, start, end).
SENTENCE_OPERATORS = ("sentences", "sentence_runs")

FRESH = "other"                       # fresh string values: other1, other2 (no '-' or '_': language_of splits there)


@dataclass(frozen=True)
class Bounds:
    max_items: int = 2               # items per list (links, images, …)


class TextOracle(Protocol):
    def finds(self, phrases: tuple[str, ...], text: str) -> bool:
        """Whether the real `mentions` finds any of the phrases in the text."""


@dataclass
class TextSpace:
    """The phrases `mentions` looks for in one text, grouped into classes."""
    lists: list[tuple[str, ...]] = field(default_factory=list)
    classes: list[tuple[str, ...]] = field(default_factory=list)
    of_list: dict[tuple[str, ...], tuple[int, ...]] = field(default_factory=dict)
    trig: dict[str, frozenset[int]] = field(default_factory=dict)   # phrase -> classes a text holding it contains
    realisers: list[list[str]] = field(default_factory=list)        # per class: phrases that put it in a text


def key(node: tree.Pred, env: dict) -> tuple:
    """A value's name: ("f", *path) for a fact, ("i", item, *path) for a field of a list item
    (the item ("e", list key, index), or ("e", list key) for any item), ("c", op, *args) for a
    call, ("k", value) for a constant, ("n", node, env) for anything else."""
    if isinstance(node, tree.Fact):
        return ("f",) + node.path
    if isinstance(node, tree.Field):
        return ("i", env[node.slot][0]) + node.path
    if isinstance(node, tree.Const):
        return ("k", node.value)
    if isinstance(node, tree.Call):
        return ("c", node.op) + tuple(key(a, env) for a in node.args)
    return ("n", node, tuple(sorted((s, e[0]) for s, e in env.items())))


def one_sentence_body(node: tree.Quant) -> tree.Pred | None:
    """For `any s in sentences(T): …` (or sentence_runs), the body read as if T were one
    sentence: `s.text` replaced by T. None for any other quantifier. A text of one sentence is
    its only item, so this is exact for such texts; the solver leaves longer texts free."""
    coll = node.collection
    if not (isinstance(coll, tree.Call) and coll.op in SENTENCE_OPERATORS
            and isinstance(coll.args[0], (tree.Fact, tree.Field))):
        return None
    text = coll.args[0]

    def swap(n: tree.Pred) -> tree.Pred:
        if isinstance(n, tree.Field) and n.slot == node.slot and n.path == ("text",):
            return text
        if isinstance(n, tree.Field) and n.slot == node.slot:
            raise LookupError(n.dotted)      # start, end: positions are not modelled
        changes = {}
        for f in dataclasses.fields(n):
            v = getattr(n, f.name)
            if isinstance(v, tree.Pred):
                changes[f.name] = swap(v)
            elif isinstance(v, tuple) and v and all(isinstance(x, tree.Pred) for x in v):
                changes[f.name] = tuple(swap(x) for x in v)
        return dataclasses.replace(n, **changes) if changes else n

    try:
        return swap(node.body)
    except LookupError:
        return None


def as_membership(node: tree.Pred) -> tree.Pred:
    """`within_domains(host, [..])` read as `host in [..]`: the solver picks the host from the
    listed domains or fresh values, and an exact domain is within itself, so every witness found
    this way is real. A subdomain (`track.ups.com`) is not modelled: equivalence is claimed within
    that bound."""
    if isinstance(node, tree.Call) and node.op == "within_domains" and isinstance(node.args[1], tree.Const):
        return tree.Compare("in", node.args[0], node.args[1])
    return node


def abstract(k):
    """The key with item indexes dropped: the same field of every item shares one domain."""
    if isinstance(k, tuple):
        if len(k) == 3 and k[0] == "e" and isinstance(k[2], int):
            return ("e", abstract(k[1]))
        return tuple(abstract(x) for x in k)
    return k


def describe(k: tuple) -> str:
    """A key as a reader writes it: message.text, message.images[].alt, host_of(message.links[].url)."""
    if k[0] == "f":
        return ".".join(k[1:])
    if k[0] == "i":
        return describe(k[1][1]) + "[]" + "".join("." + p for p in k[2:])
    if k[0] == "c":
        return k[1] + "(" + ", ".join(describe(a) for a in k[2:]) + ")"
    if k[0] == "k":
        return repr(k[1])
    return "?"


def steps(schema: FactSchema, obj: str | None, path: tuple[str, ...]) -> Iterable[tuple[int, FieldSpec]]:
    """(index, field) along a path from an object of the facts schema, as far as the schema goes."""
    for i, part in enumerate(path):
        spec = schema.field(obj, part) if obj else None
        if spec is None:
            return
        yield i, spec
        obj = spec.type.name if spec.type.kind == "object" else None


def field_spec(schema: FactSchema, obj: str | None, path: tuple[str, ...]) -> FieldSpec | None:
    found = list(steps(schema, obj, path))
    return found[-1][1] if path and len(found) == len(path) else None


class Domains:
    def __init__(self, conditions: Iterable[tree.Pred], oracle: TextOracle, bounds: Bounds):
        self.bounds, self.oracle = bounds, oracle
        self.texts: dict[tuple, TextSpace] = {}
        self._parent: dict = {}
        self._consts: dict = {}
        self._enums: dict = {}
        for c in conditions:
            self._visit(c, {})
        self._strings = self._string_values()
        for space in self.texts.values():
            self._classify(space)

    def values(self, abstract_key: tuple) -> tuple[str, ...]:
        return self._strings.get(abstract_key, ())

    # ---- which strings are compared with what, which phrases each text is searched for ---------
    def _find(self, k):
        while self._parent.get(k, k) != k:
            k = self._parent[k]
        return k

    def _string(self, node, env) -> tuple | None:
        if isinstance(node, tree.Const) or node.type.kind != "string":
            return None
        k = key(node, env)
        self._parent.setdefault(k, k)
        if node.type.enum:
            self._enums.setdefault(k, set()).update(node.type.enum)
        return k

    def _visit(self, node: tree.Pred, env: dict) -> None:
        if isinstance(node, tree.Quant):
            self._visit(node.collection, env)
            single = one_sentence_body(node)
            if single is not None:
                self._visit(single, env)
                return
            if isinstance(node.collection, tree.Call):
                # Only lists of facts are enumerated: a quantifier over another operator's
                # result is a free variable, so its body adds no domains.
                return
            item = node.collection.type.item
            inner = {**env, node.slot: (("e", key(node.collection, env)), item.name if item else None)}
            self._visit(node.body, inner)
            return
        node = as_membership(node)
        if isinstance(node, tree.Compare):
            sides = [node.left] + (list(node.right.items) if isinstance(node.right, tree.ListOf) else [node.right])
            terms = [t for t in (self._string(s, env) for s in sides) if t is not None]
            consts = [s.value for s in sides if isinstance(s, tree.Const)]
            flat = [v for c in consts for v in (c if isinstance(c, tuple) else (c,)) if isinstance(v, str)]
            for t in terms[1:]:
                self._parent[self._find(t)] = self._find(terms[0])
            if terms:
                self._consts.setdefault(terms[0], []).extend(flat)
        if isinstance(node, tree.Call) and node.op in PHRASE_OPERATORS:
            for arg in node.args[1:PHRASE_OPERATORS[node.op] + 1]:
                if not isinstance(arg, tree.Const):
                    continue
                space = self.texts.setdefault(key(node.args[0], env), TextSpace())
                phrases = tuple(arg.value)
                if phrases not in space.lists:
                    space.lists.append(phrases)
        for child in tree.children(node):
            self._visit(child, env)

    def _string_values(self) -> dict:
        groups: dict = {}
        for k in self._parent:
            groups.setdefault(self._find(k), []).append(k)
        out = {}
        for members in groups.values():
            values: dict[str, None] = {}
            for m in members:
                values.update(dict.fromkeys(sorted(self._enums.get(m, ()))))
            for m in members:
                values.update(dict.fromkeys(self._consts.get(m, ())))
            if any(m not in self._enums for m in members):
                # enough fresh values for every item's copy of every member to differ
                for n in range(1, len(members) * max(1, self.bounds.max_items) + 1):
                    values.setdefault(f"{FRESH}{n}", None)
            for m in members:
                out[m] = tuple(values)
        return out

    def _classify(self, space: TextSpace) -> None:
        phrases: dict[str, set[int]] = {}
        for i, phrase_list in enumerate(space.lists):
            for p in phrase_list:
                phrases.setdefault(p, set()).add(i)
        by_sig: dict[frozenset, list[str]] = {}
        for p, sig in phrases.items():
            by_sig.setdefault(frozenset(sig), []).append(p)
        sigs = list(by_sig)
        space.classes = [tuple(by_sig[s]) for s in sigs]
        space.of_list = {phrase_list: tuple(c for c, s in enumerate(sigs) if i in s)
                         for i, phrase_list in enumerate(space.lists)}
        space.realisers = [[] for _ in sigs]
        for p in phrases:
            found = frozenset(c for c, members in enumerate(space.classes) if self.oracle.finds(members, p))
            space.trig[p] = found
            for c in found:
                space.realisers[c].append(p)
