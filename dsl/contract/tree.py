"""Predicate trees: the checked, typed form of a condition (contract module).

Stage: resolve/check -> simplify -> (interpreter.evaluation.program, diff, explain). Every node knows its
type. Facts carry how they may be absent: "present" (always there), "unknown" (the sender did
not tell us; a rule that needs it is undetermined) or "optional" (naturally absent; the
checker demands an `exists(...)` guard). Evaluation is three-valued: true, false, unknown.
Spans are kept for messages but excluded from equality.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from dsl.contract.spans import Span, span_field
from dsl.contract.types import BOOL, Type


@dataclass(frozen=True)
class Pred:
    """A node; value nodes have a `type` field, condition nodes are always bool."""


@dataclass(frozen=True)
class Cond(Pred):
    type = BOOL          # a class attribute, not a field: conditions are bool by construction


@dataclass(frozen=True)
class Const(Pred):
    value: object          # bool | int | float | str | date | ast.Regex | tuple of those
    type: Type
    span: Span | None = span_field()


@dataclass(frozen=True)
class Fact(Pred):
    """A fact from the root of the facts record, e.g. ("message", "links")."""

    path: tuple[str, ...]
    type: Type
    absent: str = "present"
    span: Span | None = span_field()

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True)
class Field(Pred):
    """A quantifier variable, or a field of it: `link` or `link.host`."""

    var: str
    slot: int
    path: tuple[str, ...]
    type: Type
    absent: str = "present"
    span: Span | None = span_field()

    @property
    def dotted(self) -> str:
        return ".".join((self.var,) + self.path)


@dataclass(frozen=True)
class ListOf(Pred):
    items: tuple[Pred, ...]
    type: Type
    span: Span | None = span_field()


@dataclass(frozen=True)
class Call(Pred):
    op: str
    args: tuple[Pred, ...]
    type: Type
    span: Span | None = span_field()


@dataclass(frozen=True)
class Exists(Cond):
    target: Pred           # Fact | Field
    span: Span | None = span_field()


@dataclass(frozen=True)
class NonEmpty(Cond):
    """A list standing as a condition: true when it has at least one item."""

    operand: Pred
    span: Span | None = span_field()


@dataclass(frozen=True)
class Not(Cond):
    operand: Pred
    span: Span | None = span_field()


@dataclass(frozen=True)
class And(Cond):
    operands: tuple[Pred, ...]
    span: Span | None = span_field()


@dataclass(frozen=True)
class Or(Cond):
    operands: tuple[Pred, ...]
    span: Span | None = span_field()


@dataclass(frozen=True)
class Compare(Cond):
    op: str                # == != < <= > >= in "not in"
    left: Pred
    right: Pred
    span: Span | None = span_field()


@dataclass(frozen=True)
class Quant(Cond):
    kind: str              # any | all
    var: str
    slot: int
    collection: Pred
    body: Pred
    span: Span | None = span_field()


# The closed set of node classes. A function that handles every kind of node `match`es on them
# and ends with `case _: assert_never(node)`, so a new kind of node fails loudly where it is missed.
AnyPred = Const | Fact | Field | ListOf | Call | Exists | NonEmpty | Not | And | Or | Compare | Quant


def children(node: AnyPred) -> tuple[Pred, ...]:
    match node:
        case And() | Or():
            return node.operands
        case Not() | NonEmpty():
            return (node.operand,)
        case Exists():
            return (node.target,)
        case Compare():
            return (node.left, node.right)
        case Quant():
            return (node.collection, node.body)
        case Call():
            return node.args
        case ListOf():
            return node.items
        case Const() | Fact() | Field():
            return ()
        case _:
            assert_never(node)


def walk(node: Pred):
    yield node
    for child in children(node):
        yield from walk(child)


def facts_read(node: Pred) -> tuple[str, ...]:
    """The root fact paths a tree reads, in first-use order."""
    seen: dict[str, None] = {}
    for n in walk(node):
        if isinstance(n, Fact):
            seen.setdefault(n.dotted, None)
    return tuple(seen)


def slots_used(node: Pred) -> int:
    """How many quantifier variable slots evaluation needs."""
    return max((n.slot + 1 for n in walk(node) if isinstance(n, Quant)), default=0)
