"""Syntax trees of the rule language, as written (the parser's output).

Stage: parse -> (format, resolve). Frozen dataclasses; `span` is excluded from equality so
tests compare whole trees and `parse(format(tree)) == tree` holds. `and`/`or` are n-ary and
never directly nested in themselves (the parser flattens `a and (b and c)`).
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from dsl.contract.spans import Span, span_field
from dsl.contract.types import Regex  # noqa: F401  (a literal value; re-exported for the parser)


@dataclass(frozen=True)
class Node:
    pass


@dataclass(frozen=True)
class Literal(Node):
    """A string, number, date, boolean or regex literal. Regexes keep pattern and flags."""

    value: object            # str | int | float | bool | datetime.date | Regex
    span: Span | None = span_field()


@dataclass(frozen=True)
class ListExpr(Node):
    items: tuple[Node, ...]
    span: Span | None = span_field()


@dataclass(frozen=True)
class Path(Node):
    """A dotted name: a fact (`message.links`), a variable field (`link.host`) or `vocab.x`."""

    parts: tuple[str, ...]
    span: Span | None = span_field()

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class Call(Node):
    name: str
    args: tuple[Node, ...]
    span: Span | None = span_field()
    name_span: Span | None = span_field()


@dataclass(frozen=True)
class Not(Node):
    operand: Node
    span: Span | None = span_field()


@dataclass(frozen=True)
class And(Node):
    operands: tuple[Node, ...]
    span: Span | None = span_field()


@dataclass(frozen=True)
class Or(Node):
    operands: tuple[Node, ...]
    span: Span | None = span_field()


COMPARE_OPS = ("==", "!=", "<", "<=", ">", ">=", "in", "not in")


@dataclass(frozen=True)
class Compare(Node):
    op: str
    left: Node
    right: Node
    span: Span | None = span_field()
    op_span: Span | None = span_field()


@dataclass(frozen=True)
class Quantifier(Node):
    kind: str                 # "any" | "all"
    var: str
    collection: Node
    body: Node
    span: Span | None = span_field()
    var_span: Span | None = span_field()


# The closed set of node classes: a function that handles every kind `match`es on them and ends
# with `case _: assert_never(node)` (see tree.AnyPred).
AnyNode = Literal | ListExpr | Path | Call | Not | And | Or | Compare | Quantifier


def literal_kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, _dt.date):
        return "date"
    if isinstance(value, Regex):
        return "regex"
    raise TypeError(f"not a literal: {value!r}")
