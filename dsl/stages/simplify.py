"""Stage 7: simplify predicate trees without changing their meaning.

Input/output: tree.Pred. Folds constants, flattens and de-duplicates `and`/`or`, removes double
negation and pushes `not` into comparisons. Every step is valid in three-valued (true / false /
unknown) logic; a property test evaluates random trees before and after on random facts.
"""
from __future__ import annotations

import operator

from dsl.contract import tree
from dsl.contract.types import BOOL

_NEGATED = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">", "in": "not in", "not in": "in"}
_FOLD = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
         "in": lambda a, b: a in b, "not in": lambda a, b: a not in b}


def _bool(value: bool) -> tree.Const:
    return tree.Const(value, BOOL)


def _is(node: tree.Pred, value: bool) -> bool:
    return isinstance(node, tree.Const) and node.value is value


def _seen(p: tree.Pred, seen: set, out: list[tree.Pred]) -> bool:
    """Whether `p` equals an operand already kept, remembering it if not. Trees are hashable
    unless a constant holds a mapping (a vocab setting's value): those are compared one by one."""
    try:
        if p in seen:
            return True
        seen.add(p)
        return False
    except TypeError:
        return p in out


def simplify(node: tree.Pred) -> tree.Pred:
    if isinstance(node, (tree.And, tree.Or)):
        kind = type(node)
        unit, zero = (True, False) if kind is tree.And else (False, True)
        out: list[tree.Pred] = []
        seen: set = set()           # hashable operands kept so far: a long condition stays linear
        for operand in node.operands:
            s = simplify(operand)
            parts = s.operands if isinstance(s, kind) else (s,)
            for p in parts:
                if _is(p, zero):
                    return _bool(zero)
                if _is(p, unit) or _seen(p, seen, out):
                    continue
                out.append(p)
        if not out:
            return _bool(unit)
        return out[0] if len(out) == 1 else kind(tuple(out), node.span)
    if isinstance(node, tree.Not):
        inner = simplify(node.operand)
        if isinstance(inner, tree.Not):
            return inner.operand
        if isinstance(inner, tree.Const) and isinstance(inner.value, bool):
            return _bool(not inner.value)
        if isinstance(inner, tree.Compare):
            return tree.Compare(_NEGATED[inner.op], inner.left, inner.right, node.span)
        return tree.Not(inner, node.span)
    if isinstance(node, tree.Compare):
        left, right = simplify(node.left), simplify(node.right)
        if isinstance(left, tree.Const) and isinstance(right, tree.Const):
            return _bool(bool(_FOLD[node.op](left.value, right.value)))
        return tree.Compare(node.op, left, right, node.span)
    if isinstance(node, tree.Quant):
        collection = simplify(node.collection)
        if isinstance(collection, tree.Const) and collection.value == ():
            return _bool(node.kind == "all")
        return tree.Quant(node.kind, node.var, node.slot, collection, simplify(node.body), node.span)
    if isinstance(node, tree.NonEmpty):
        inner = simplify(node.operand)
        if isinstance(inner, tree.Const):
            return _bool(bool(inner.value))
        return tree.NonEmpty(inner, node.span)
    if isinstance(node, tree.Call):
        return tree.Call(node.op, tuple(simplify(a) for a in node.args), node.type, node.span)
    if isinstance(node, tree.ListOf):
        return tree.ListOf(tuple(simplify(i) for i in node.items), node.type, node.span)
    return node
