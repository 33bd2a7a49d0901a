"""Encode predicate trees for the z3 solver: rule outcomes and verdicts over symbolic facts.

Stage: semantic side of `diff` (after compiling; dsl.analysis.witness turns models into facts). Input:
the conditions of both policies, `Bounds`, and a `TextOracle` — the real phrase matcher, passed
in because dsl never imports the interpreter. Output: per condition an `Outcome` — z3 formulas
for "true" and "false" (neither: unknown, as in interpreter.evaluation.program's Kleene logic) — and verdict
formulas. Facts become variables: booleans, numbers and dates (days), strings as an index into
the values they are compared with plus fresh ones, lists as a length of at most
`Bounds.max_items` with that many symbolic items, absent facts as presence flags. A text read
by `mentions` becomes a choice of which phrase classes it contains (phrases grouped by the
lists they are in), closed under containment as the oracle reports it ("leave a review"
contains "review"), so every real text is one of the choices: "no difference" is a proof
within the bounds. Anything else (regex `matches`, `contains`, …) is a free variable shared by
equal subtrees on both sides; witnesses built from those are only candidates until verified.
"""
from __future__ import annotations

import datetime as _dt
import itertools
from dataclasses import dataclass
from typing import Iterable

import z3

from dsl.contract import tree
from dsl.analysis.domains import (Bounds, Domains, TextOracle, TextSpace, abstract, as_membership, describe, key,
                                  one_sentence_body, steps)
from dsl.contract.schema import FactSchema, load_schema
from dsl.contract.verdict import Severity, Verdict

EPOCH = _dt.date(2020, 11, 1)        # day 0 of date variables; witnesses get dates near it
DATE_RANGE = 36_500                   # days either side


@dataclass(frozen=True)
class Outcome:
    t: z3.BoolRef
    f: z3.BoolRef
    used: frozenset

    @property
    def unknown(self) -> z3.BoolRef:
        return z3.And(z3.Not(self.t), z3.Not(self.f))


@dataclass(frozen=True)
class Coverage:
    """What an "equivalent" answer covers: list sizes, the phrases considered per text, and the
    parts of conditions encoded as free variables (a difference there can only be found, not ruled out)."""
    max_items: int
    texts: tuple[tuple[str, int, int], ...]      # (text, phrases, phrase lists)
    free: tuple[str, ...]


@dataclass(frozen=True)
class Var:
    key: tuple
    expr: z3.ExprRef
    kind: str                        # bool | num | date | str | len | on | tlen | present | free | group | one
    info: object = None              # str: abstract key (its values); len: item type; num: integer?; free: the node


class _Unsupported(Exception):
    pass


def days(value: _dt.date) -> int:
    return (value - EPOCH).days


class Encoder:
    def __init__(self, conditions: Iterable[tree.Pred], oracle: TextOracle, bounds: Bounds = Bounds(),
                 schema: FactSchema | None = None):
        self.schema = schema or load_schema()
        self.bounds = bounds
        self.oracle = oracle
        self.vars: dict[tuple, Var] = {}
        self.constraints: dict[tuple, list] = {}
        self.free: dict[str, None] = {}          # operators whose results are encoded as free variables
        self._used: set = set()
        self.domains = Domains(conditions, oracle, bounds)
        self.texts: dict[tuple, TextSpace] = self.domains.texts

    def coverage(self) -> Coverage:
        texts = tuple((describe(k), sum(len(c) for c in space.classes), len(space.lists))
                      for k, space in self.texts.items())
        return Coverage(self.bounds.max_items, texts, tuple(self.free))

    def domain(self, abstract_key: tuple) -> tuple[str, ...]:
        return self.domains.values(abstract_key)

    def _object_path(self, node: tree.Pred, env: dict):
        """(object name the path starts from, path) for a Fact or Field."""
        if isinstance(node, tree.Fact):
            return node.path[0], node.path[1:]
        return env[node.slot][1], node.path

    # ---- variables -------------------------------------------------------------------------
    def _var(self, key: tuple, kind: str, make, info=None, constraints=()) -> z3.ExprRef:
        v = self.vars.get(key)
        if v is None:
            v = self.vars[key] = Var(key, make(f"v{len(self.vars)}"), kind, info)
            self.constraints[key] = [c(v.expr) for c in constraints]
        self._used.add(key)
        return v.expr

    def _presence(self, node: tree.Pred, env: dict) -> z3.BoolRef:
        """True when the fact or field is there: every prefix that may be absent is present."""
        obj, path = self._object_path(node, env)
        head = ("f", node.path[0]) if isinstance(node, tree.Fact) else ("i", env[node.slot][0])
        out = [self._var(("present",) + head + path[:i + 1], "present", z3.Bool)
               for i, spec in steps(self.schema, obj, path) if spec.absent != "present"]
        return z3.And(out) if out else z3.BoolVal(True)

    def _raw(self, node, env) -> dict:
        """The fact's JSON Schema node (for integer, minimum, maximum)."""
        raw = self.schema.raw
        defs = raw.get("$defs", {})
        obj, path = self._object_path(node, env)
        current = raw["properties"].get(obj) or defs.get(obj, {})
        for part in path:
            current = current.get("properties", {}).get(part, {})
            if "$ref" in current:
                current = {**defs.get(current["$ref"].rsplit("/", 1)[-1], {}), **current}
        return current

    def _text(self, k: tuple) -> TextSpace | None:
        """The phrase space of a concrete text key, creating its class variables and closure."""
        space = self.texts.get(abstract(k))
        if space is None:
            return None
        group = ("text", k)
        if group not in self.vars:
            on = [self._var(("on", k, c), "on", z3.Bool, (k, c)) for c in range(len(space.classes))]
            closure = []
            for c in range(len(space.classes)):
                options = {space.trig[p] for p in space.realisers[c]}
                if frozenset({c}) in options:
                    continue
                closure.append(z3.Implies(on[c], z3.Or([z3.And([on[x] for x in sorted(o)]) for o in options])))
            self.vars[group] = Var(group, z3.BoolVal(True), "group", k)
            self.constraints[group] = closure
        self._used.add(group)
        for c in range(len(space.classes)):
            self._used.add(("on", k, c))
        return space

    # ---- values ------------------------------------------------------------------------------
    def val(self, node: tree.Pred, env: dict):
        """(defined, kind, expr): kind bool|num|str|list|hits|const."""
        if isinstance(node, tree.Const):
            return z3.BoolVal(True), "const", node.value
        if isinstance(node, (tree.Fact, tree.Field)):
            return self._path_val(node, env)
        if isinstance(node, tree.Call):
            return self._call_val(node, env)
        if isinstance(node, tree.Pred) and node.type.kind == "bool":
            o = self.cond(node, env)
            return z3.Or(o.t, o.f), "bool", o.t
        raise _Unsupported(node)

    def _path_val(self, node, env):
        d = self._presence(node, env)
        k = key(node, env)
        kind = node.type.kind
        if kind == "bool":
            return d, "bool", self._var(("val", k), "bool", z3.Bool)
        if kind == "number":
            raw = self._raw(node, env)
            cons = [lambda x: z3.IsInt(x)] if raw.get("type") == "integer" else []
            if "minimum" in raw:
                cons.append(lambda x, m=raw["minimum"]: x >= m)
            if "maximum" in raw:
                cons.append(lambda x, m=raw["maximum"]: x <= m)
            return d, "num", self._var(("val", k), "num", z3.Real, raw.get("type") == "integer", cons)
        if kind == "date":
            return d, "num", self._var(("val", k), "date", z3.Real, True,
                                       [z3.IsInt, lambda x: x >= -DATE_RANGE, lambda x: x <= DATE_RANGE])
        if kind == "string":
            return d, "str", self._string_var(k)
        if kind == "list":
            n = self._var(("len", k), "len", z3.Int, node.type.item.name if node.type.item else None,
                          [lambda x: x >= 0, lambda x: x <= self.bounds.max_items])
            return d, "list", (k, n)
        raise _Unsupported(node)

    def _string_var(self, k):
        domain = self.domain(abstract(k))
        if not domain:
            raise _Unsupported(k)
        return self._var(("val", k), "str", z3.Int, abstract(k), [lambda x: x >= 0, lambda x: x < len(domain)])

    def _call_val(self, node: tree.Call, env):
        op, args = node.op, node.args
        if op == "mentions" and isinstance(args[1], tree.Const) and isinstance(args[0], (tree.Fact, tree.Field)):
            d = self._presence(args[0], env)
            k = key(args[0], env)
            space = self._text(k)
            on = [self.vars[("on", k, c)].expr for c in space.of_list[tuple(args[1].value)]]
            return d, "hits", z3.Or(on) if on else z3.BoolVal(False)
        if (op in ("mentions_near", "mentions_before") and isinstance(args[0], (tree.Fact, tree.Field))
                and all(isinstance(a, tree.Const) for a in args[1:])):
            # How far apart the two mentions are is not modelled: a free variable that can be
            # true only when the text mentions both lists.
            d = self._presence(args[0], env)
            k = key(args[0], env)
            space = self._text(k)
            both = [z3.Or([self.vars[("on", k, c)].expr for c in space.of_list[tuple(a.value)]] or [z3.BoolVal(False)])
                    for a in args[1:3]]
            x = self._free(node, env, z3.Bool, op)
            self.constraints[("free", key(node, env))].append(z3.Implies(x, z3.And(both)))
            return d, "hits", x
        if op == "days_between":
            (da, ka, a), (db, kb, b) = self.val(args[0], env), self.val(args[1], env)
            return z3.And(da, db), "num", self._num(kb, b) - self._num(ka, a)
        if op == "count":
            d, kind, x = self.val(args[0], env)
            if kind == "list":
                return d, "num", z3.ToReal(x[1])
            if kind == "const":
                return d, "num", z3.RealVal(len(x))
            if kind == "hits":
                c = self._free(node, env, z3.Int, "count")
                self.constraints[("free", key(node, env))] = [c >= 0, (c > 0) == x]
                return d, "num", z3.ToReal(c)
        if op == "len" and isinstance(args[0], (tree.Fact, tree.Field)):
            d = self._presence(args[0], env)
            k = key(args[0], env)
            space = self._text(k)
            on = [self.vars[("on", k, c)].expr for c in range(len(space.classes))] if space else []
            n = self._var(("tlen", k), "tlen", z3.Int, None,
                          [lambda x: x >= 0, lambda x: z3.Implies(z3.Or(on), x >= 1) if on else x >= 0])
            return d, "num", z3.ToReal(n)
        if op in ("lower", "host_of", "language_of") and isinstance(args[0], (tree.Fact, tree.Field)):
            return self._presence(args[0], env), "str", self._string_var(key(node, env))
        membership = as_membership(node)
        if membership is not node:
            d, r = self._compare(membership, env)
            return d, "bool", r
        if op == "matches" and isinstance(args[1], tree.Const):
            return self._defined(args[0], env), "hits", self._free(node, env, z3.Bool, "matches")
        if node.type.kind == "bool":
            d = z3.And([self._defined(a, env) for a in args])
            return d, "bool", self._free(node, env, z3.Bool, op)
        raise _Unsupported(node)

    def _defined(self, node: tree.Pred, env: dict) -> z3.BoolRef:
        """Whether a value is known, without encoding the value itself."""
        if isinstance(node, (tree.Fact, tree.Field)):
            return self._presence(node, env)
        if isinstance(node, tree.Const):
            return z3.BoolVal(True)
        if isinstance(node, tree.Call):
            return z3.And([self._defined(a, env) for a in node.args])
        return self.val(node, env)[0]

    def _free(self, node, env, sort, what: str):
        k = ("free", key(node, env))
        self.free.setdefault(what, None)
        return self._var(k, "free", sort, node)

    def _num(self, kind, x):
        if kind == "const":
            if isinstance(x, _dt.date):
                return z3.RealVal(days(x))
            return z3.RealVal(repr(x)) if isinstance(x, float) else z3.RealVal(x)
        if kind != "num":
            raise _Unsupported(x)
        return x

    # ---- conditions --------------------------------------------------------------------------
    def encode(self, node: tree.Pred) -> Outcome:
        self._used = set()
        o = self.cond(node, {})
        return Outcome(o.t, o.f, frozenset(self._used))

    def cond(self, node: tree.Pred, env: dict) -> Outcome:
        try:
            return self._cond(node, env)
        except _Unsupported:
            k = ("free", key(node, env))
            self.free.setdefault(_free_name(node), None)
            t = self._var(k + ("t",), "free", z3.Bool, node)
            f = self._var(k + ("f",), "free", z3.Bool, node)
            self.constraints[k + ("f",)] = [z3.Not(z3.And(t, f))]
            return Outcome(t, f, frozenset())

    def _cond(self, node: tree.Pred, env: dict) -> Outcome:
        if isinstance(node, tree.Const) and isinstance(node.value, bool):
            return Outcome(z3.BoolVal(node.value), z3.BoolVal(not node.value), frozenset())
        if isinstance(node, tree.Not):
            o = self.cond(node.operand, env)
            return Outcome(o.f, o.t, frozenset())
        if isinstance(node, (tree.And, tree.Or)):
            parts = [self.cond(p, env) for p in node.operands]
            ts, fs = [p.t for p in parts], [p.f for p in parts]
            if isinstance(node, tree.And):
                return Outcome(z3.And(ts), z3.Or(fs), frozenset())
            return Outcome(z3.Or(ts), z3.And(fs), frozenset())
        if isinstance(node, tree.Exists):
            p = self._presence(node.target, env)
            return Outcome(p, z3.Not(p), frozenset())
        if isinstance(node, tree.NonEmpty):
            d, kind, x = self.val(node.operand, env)
            if kind == "list":
                x = x[1] > 0
            elif kind == "const":
                x = z3.BoolVal(bool(x))
            elif kind != "hits":
                raise _Unsupported(node)
            return Outcome(z3.And(d, x), z3.And(d, z3.Not(x)), frozenset())
        if isinstance(node, tree.Compare):
            d, r = self._compare(node, env)
            return Outcome(z3.And(d, r), z3.And(d, z3.Not(r)), frozenset())
        if isinstance(node, tree.Quant):
            return self._quant(node, env)
        d, kind, x = self.val(node, env)
        if kind != "bool":
            raise _Unsupported(node)
        return Outcome(z3.And(d, x), z3.And(d, z3.Not(x)), frozenset())

    def _quant(self, node: tree.Quant, env: dict) -> Outcome:
        single = one_sentence_body(node)
        if single is not None:
            return self._sentence_quant(node, single, env)
        d, kind, x = self.val(node.collection, env)
        if kind != "list":
            raise _Unsupported(node)
        k, n = x
        item = node.collection.type.item
        ts, fs = [], []
        for i in range(self.bounds.max_items):
            inner = {**env, node.slot: (("e", k, i), item.name if item else None)}
            o = self.cond(node.body, inner)
            active = n > i
            if node.kind == "any":
                ts.append(z3.And(active, o.t))
                fs.append(z3.Implies(active, o.f))
            else:
                ts.append(z3.Implies(active, o.t))
                fs.append(z3.And(active, o.f))
        if node.kind == "any":
            return Outcome(z3.And(d, z3.Or(ts)), z3.And(d, z3.And(fs)), frozenset())
        return Outcome(z3.And(d, z3.And(ts)), z3.And(d, z3.Or(fs)), frozenset())

    def _sentence_quant(self, node: tree.Quant, single: tree.Pred, env: dict) -> Outcome:
        """`any s in sentences(T): …`: exact when T is one sentence (a variable shared by every
        rule reading T, so witnesses are built as one sentence), free otherwise."""
        text = node.collection.args[0]
        one = self._var(("one", key(text, env)), "one", z3.Bool)
        o = self.cond(single, env)
        k = ("free", key(node, env))
        self.free.setdefault(node.collection.op, None)
        t = self._var(k + ("t",), "free", z3.Bool, node)
        f = self._var(k + ("f",), "free", z3.Bool, node)
        self.constraints[k + ("f",)] = [z3.Not(z3.And(t, f))]
        return Outcome(z3.If(one, o.t, t), z3.If(one, o.f, f), frozenset())

    def _index(self, k, value) -> int | None:
        domain = self.domain(abstract(k))
        return domain.index(value) if value in domain else None

    def _compare(self, node: tree.Compare, env: dict):
        op = node.op
        dl, kl, left = self.val(node.left, env)
        if op in ("in", "not in"):
            if isinstance(node.right, tree.ListOf):
                items = [self.val(i, env) for i in node.right.items]
                d = z3.And([dl] + [i[0] for i in items])
                r = z3.Or([self._equal((kl, left, node.left, env), (ki, xi, item, env))
                           for (_, ki, xi), item in zip(items, node.right.items)])
            else:
                dr, kr, right = self.val(node.right, env)
                if kr != "const":
                    raise _Unsupported(node)
                d = dl
                r = z3.Or([self._equal((kl, left, node.left, env), ("const", v, None, env)) for v in right])
            return d, (z3.Not(r) if op == "not in" else r)
        dr, kr, right = self.val(node.right, env)
        d = z3.And(dl, dr)
        if op in ("==", "!="):
            r = self._equal((kl, left, node.left, env), (kr, right, node.right, env))
            return d, (z3.Not(r) if op == "!=" else r)
        a, b = self._num(kl, left), self._num(kr, right)
        return d, {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]

    def _equal(self, a, b) -> z3.BoolRef:
        (ka, xa, na, env), (kb, xb, _, _) = a, b
        if ka == "const" and kb == "const":
            return z3.BoolVal(xa == xb)
        if ka == "const":
            return self._equal(b, a)
        if ka == "str":
            if kb == "const":
                i = self._index(key(na, env), xb)
                return z3.BoolVal(False) if i is None else xa == i
            if kb == "str":
                return xa == xb
        if ka == "bool":
            return xa == (z3.BoolVal(xb) if kb == "const" else xb)
        if ka == "num":
            return xa == self._num(kb, xb)
        raise _Unsupported(na)


def _free_name(node: tree.Pred) -> str:
    """What a free variable stands for, as the coverage note names it: the operator, also for a
    quantifier over an operator's result (`any s in sentences(…)`)."""
    if isinstance(node, tree.Quant) and isinstance(node.collection, tree.Call):
        node = node.collection
    return node.op if isinstance(node, tree.Call) else type(node).__name__.lower()


def verdicts(rules: list[tuple[str, Outcome]]) -> dict[str, z3.BoolRef]:
    """The verdict of a policy as formulas: blocked if a block rule fires, else review if a warn
    rule fires or any rule is unknown, else allowed (interpreter.evaluation.report.verdict_of)."""
    blocked = z3.Or([o.t for sev, o in rules if sev == Severity.BLOCK] or [z3.BoolVal(False)])
    flagged = z3.Or([o.t for sev, o in rules if sev != Severity.BLOCK] + [o.unknown for _, o in rules]
                    or [z3.BoolVal(False)])
    return {Verdict.BLOCKED: blocked, Verdict.REVIEW: z3.And(z3.Not(blocked), flagged),
            Verdict.ALLOWED: z3.And(z3.Not(blocked), z3.Not(flagged))}


def used(*outcomes: Outcome) -> frozenset:
    out: set = set()
    for o in outcomes:
        out |= o.used
    return frozenset(out)


# A question for the witness search: (kind, goal formula, the facts it needs).
_WORST_FIRST = (Verdict.BLOCKED, Verdict.REVIEW, Verdict.ALLOWED)      # the order witnesses are shown in
Goal = tuple[str, z3.BoolRef, frozenset]


def rule_goals(a: Outcome | None, b: Outcome | None, severity_changed: bool) -> list[Goal]:
    """What can differ for one rule between two policies (None: the rule is absent on that side):
    it fires only under one of them, it fires under both at another severity, or only one of
    them cannot judge it."""
    no, yes = z3.BoolVal(False), z3.BoolVal(True)
    at, af, au = (a.t, a.f, a.unknown) if a else (no, yes, no)
    bt, bf, bu = (b.t, b.f, b.unknown) if b else (no, yes, no)
    needed = used(*(o for o in (a, b) if o is not None))
    goals = [("old-only", z3.And(at, bf), needed), ("new-only", z3.And(bt, af), needed)]
    if severity_changed:
        goals.append(("severity", z3.And(at, bt), needed))
    goals.append(("undetermined", z3.Xor(au, bu), needed))
    return goals


def verdict_goals(old: list[tuple[str, Outcome]], new: list[tuple[str, Outcome]]) -> list[Goal]:
    """One goal per ordered pair of different verdicts, kind `x>y`: OLD gives x where NEW gives y."""
    va, vb = verdicts(old), verdicts(new)
    needed = used(*(o for _, o in old), *(o for _, o in new))
    return [(f"{x}>{y}", z3.And(va[x], vb[y]), needed) for x, y in itertools.permutations(_WORST_FIRST, 2)]
