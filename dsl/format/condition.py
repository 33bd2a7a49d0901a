"""The canonical text of a condition: spacing, parentheses only where needed, line breaks.

Stage: used by `permitted fmt`, `explain`, `diff` and error messages. Input: an ast.Node.
Output: text that parses back to the same tree (a property test checks it). Long `and`/`or`
chains break with the connective leading each line; nested groups indent by two spaces.
"""
from __future__ import annotations

import datetime as _dt
import decimal
import unicodedata
from typing import assert_never

from dsl.contract import ast

WIDTH = 88

# Binding strength; higher binds tighter.
_OR, _AND, _NOT, _CMP, _ATOM = 1, 2, 3, 4, 5


def _prec(node: ast.Node) -> int:
    if isinstance(node, ast.Or):
        return _OR
    if isinstance(node, ast.And):
        return _AND
    if isinstance(node, (ast.Not, ast.Quantifier)):
        return _NOT
    if isinstance(node, ast.Compare):
        return _CMP
    return _ATOM


def literal_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Plain decimal notation (the language has no exponents), with every digit repr keeps.
        text = format(decimal.Decimal(repr(value)), "f")
        return text if "." in text else text + ".0"
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, ast.Regex):
        return "/" + value.pattern.replace("/", "\\/") + "/" + value.flags
    if isinstance(value, str):
        return '"' + "".join(_escape(ch) for ch in value) + '"'
    if isinstance(value, tuple):
        return "[" + ", ".join(literal_text(v) for v in value) + "]"
    raise TypeError(f"not a literal: {value!r}")


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}


def _escape(ch: str) -> str:
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if unicodedata.category(ch) in ("Cc", "Cs"):        # invisible or unwritable in a YAML file
        return f"\\u{ord(ch):04x}"
    return ch


def _needs_parens(child: ast.Node, parent_prec: int, tail: bool) -> bool:
    if isinstance(child, ast.Quantifier):
        # A quantifier's body runs to the end; anything after it would be swallowed.
        return not tail or parent_prec >= _CMP
    return _prec(child) < parent_prec or (_prec(child) == parent_prec and parent_prec == _CMP)


def _one(node: ast.AnyNode, tail: bool = True) -> str:
    match node:
        case ast.And() | ast.Or():
            word = " and " if isinstance(node, ast.And) else " or "
            prec = _prec(node) + 1   # a same-kind child cannot occur (trees are flat); a looser one needs ()
            last = len(node.operands) - 1
            return word.join(_wrap(operand, prec, tail and i == last) for i, operand in enumerate(node.operands))
        case ast.Not():
            return "not " + _wrap(node.operand, _NOT, tail)
        case ast.Compare():
            return f"{_wrap(node.left, _CMP + 1, False)} {node.op} {_wrap(node.right, _CMP + 1, tail)}"
        case ast.Quantifier():
            return f"{node.kind} {node.var} in {_wrap(node.collection, _ATOM, False)}: {_wrap(node.body, _OR, tail)}"
        case ast.Call():
            return f"{node.name}(" + ", ".join(_one(a) for a in node.args) + ")"
        case ast.ListExpr():
            return "[" + ", ".join(_one(i) for i in node.items) + "]"
        case ast.Path():
            return node.dotted
        case ast.Literal():
            return literal_text(node.value)
        case _:
            assert_never(node)


def _wrap(node: ast.Node, parent_prec: int, tail: bool) -> str:
    if _needs_parens(node, parent_prec, tail):
        return "(" + _one(node) + ")"
    return _one(node, tail)


def _lines(node: ast.Node, width: int, tail: bool) -> list[str]:
    flat = _one(node, tail)
    if len(flat) <= width:
        return [flat]
    if isinstance(node, (ast.And, ast.Or)):
        word = "and" if isinstance(node, ast.And) else "or"
        out: list[str] = []
        last = len(node.operands) - 1
        for i, operand in enumerate(node.operands):
            lead = "" if i == 0 else word + " "
            out.extend(_operand_lines(operand, _prec(node) + 1, tail and i == last, width - len(lead), lead))
        return out
    if isinstance(node, ast.Quantifier):
        head = f"{node.kind} {node.var} in {_wrap(node.collection, _ATOM, False)}:"
        return [head] + ["  " + line for line in _lines(node.body, width - 2, tail)]
    if isinstance(node, ast.Not) and isinstance(node.operand, (ast.And, ast.Or)):
        return ["not ("] + ["  " + line for line in _lines(node.operand, width - 2, True)] + [")"]
    return [flat]


def _operand_lines(node: ast.Node, parent_prec: int, tail: bool, width: int, lead: str) -> list[str]:
    # An `and` group that must break inside an `or` gets parentheses: not needed for meaning,
    # but flat lines of mixed `and`/`or` are easy to misread.
    group = isinstance(node, ast.And) and parent_prec == _AND and len(_one(node, tail)) > width
    if group or _needs_parens(node, parent_prec, tail):
        flat = "(" + _one(node) + ")"
        if len(flat) <= width:
            return [lead + flat]
        inner = _lines(node, width - 2, True)
        return [lead + "("] + ["  " + line for line in inner] + [")"]
    inner = _lines(node, width, tail)
    return [lead + inner[0]] + inner[1:]


def format_expr(node: ast.Node, width: int = WIDTH) -> str:
    """Canonical text of a condition; several lines when it does not fit in `width`."""
    return "\n".join(_lines(node, width, True))
