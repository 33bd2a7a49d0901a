"""Stages 5–6: resolve names and check types, turning a syntax tree into a predicate tree.

Input: an ast.Node, the facts schema, the policy's vocabulary and the declared operators.
Output: a typed tree.Pred, or PolicyError with every problem found in the condition:
unknown facts, fields, vocab names and operators with the nearest valid names (P400–P403),
shadowed names (P404), type errors (P500), wrong operator arguments (P501), enum values that
cannot occur (P502), optional facts read without an `exists(...)` guard (P503), bad regexes
(P504), values standing where a condition is needed (P505), and regexes that cannot run in
linear time on RE2 (P506, at the construct: dsl.contract.regex).
Names and types are checked in one pass: a quantifier's variable takes its fields from the
type of the list it ranges over, so binding names needs types.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Mapping, assert_never

from dsl.contract import ast, regex, tree
from dsl.contract.errors import Diagnostic, did_you_mean
from dsl.contract.model import flatten
from dsl.contract.operators import OPERATORS
from dsl.contract.schema import FactSchema
from dsl.contract.spans import Span
from dsl.contract.types import ANY, Type, accepts, list_of, unify
from dsl.format.condition import format_expr

RESERVED = ("vocab",)


@dataclass(frozen=True)
class Var:
    name: str
    slot: int
    type: Type


@dataclass
class Context:
    schema: FactSchema
    vocab: Mapping[str, tree.Const]
    line_of: Callable[[Span | None], str | None]
    problems: list[Diagnostic] = field(default_factory=list)
    vocab_read: set[str] = field(default_factory=set)      # entries named, for the unused-entry warning

    def error(self, code: str, message: str, span: Span | None, help: str | None = None) -> None:
        self.problems.append(Diagnostic(code, message, span, self.line_of(span), help))


def vocab_const(value: object) -> tree.Const:
    """The constant a vocab entry stands for: a scalar, a list, or phrase lists per language (flattened)."""
    if isinstance(value, dict):
        return tree.Const(flatten(value), list_of(Type("string")))
    if isinstance(value, list):
        item: Type | None = ANY
        for v in value:
            item = unify(item, Type(ast.literal_kind(v))) if item else None
        return tree.Const(tuple(value), list_of(item or ANY))
    return tree.Const(value, Type(ast.literal_kind(value)))


def check_condition(node: ast.Node, ctx: Context) -> tree.Pred:
    pred = _Checker(ctx).condition(node, {}, frozenset())
    return pred


def check_value(node: ast.Node, ctx: Context, when: tree.Pred | None = None) -> tree.Pred:
    """A hint's `{…}` value: any type, same name and guard rules. A hint is shown only when its
    condition `when` is true, so what that condition asserts present needs no guard again."""
    return _Checker(ctx).value(node, {}, _asserted([when]) if when is not None else frozenset())


_POISON = tree.Const(None, ANY)   # stands in for a subtree that already has an error


class _Checker:
    def __init__(self, ctx: Context):
        self.ctx = ctx

    # ---- conditions --------------------------------------------------------------------
    def condition(self, node: ast.Node, scope: dict[str, Var], guarded: frozenset[str]) -> tree.Pred:
        # What the operands before guard grows one operand at a time: recomputing it from all
        # of them for each operand would make a long condition quadratic to check.
        if isinstance(node, ast.And):
            out, known = [], guarded
            for operand in node.operands:
                out.append(self.condition(operand, scope, known))
                known = known | _asserted(out[-1:])
            return tree.And(tuple(out), node.span)
        if isinstance(node, ast.Or):
            out, known = [], guarded
            for operand in node.operands:
                out.append(self.condition(operand, scope, known))
                known = known | _refuted(out[-1:])
            return tree.Or(tuple(out), node.span)
        if isinstance(node, ast.Not):
            return tree.Not(self.condition(node.operand, scope, guarded), node.span)
        pred = self.value(node, scope, guarded)
        if pred is _POISON or pred.type.kind in ("bool", "any"):
            return pred
        if pred.type.is_list:
            return tree.NonEmpty(pred, getattr(node, "span", None))
        self.ctx.error("P505", f"`{_show(node)}` is a {pred.type}, not a condition", getattr(node, "span", None),
                       "compare it with something, e.g. `== ...` or `> 0`")
        return _POISON

    # ---- values ------------------------------------------------------------------------
    def value(self, node: ast.AnyNode, scope: dict[str, Var], guarded: frozenset[str]) -> tree.Pred:
        match node:
            case ast.And() | ast.Or() | ast.Not():
                return self.condition(node, scope, guarded)
            case ast.Literal():
                return self.literal(node)
            case ast.ListExpr():
                return self.list_expr(node, scope, guarded)
            case ast.Path():
                return self.path(node, scope, guarded)
            case ast.Call():
                return self.call(node, scope, guarded)
            case ast.Compare():
                return self.compare(node, scope, guarded)
            case ast.Quantifier():
                return self.quantifier(node, scope, guarded)
            case _:
                assert_never(node)

    def literal(self, node: ast.Literal) -> tree.Pred:
        value = node.value
        if isinstance(value, ast.Regex):
            flags = 0
            for f in value.flags:
                flags |= {"i": re.I, "m": re.M, "s": re.S, "x": re.X}[f]
            try:
                re.compile(value.pattern, flags)        # the dialect authors write, with its messages
            except re.error as exc:
                self.ctx.error("P504", f"bad regular expression: {exc.msg}", node.span,
                               f"at position {exc.pos} of the pattern" if exc.pos is not None else None)
                return _POISON
            found = regex.unsupported(value.pattern, value.flags)
            for problem in found:
                self.ctx.error("P506", f"{problem.message} cannot run in linear time",
                               _inside_regex(node.span, value.pattern, problem.start, problem.end), problem.help)
            if found:
                return _POISON
            try:
                regex.compile_policy_regex(value.pattern, value.flags)
            except regex.Refused as exc:
                self.ctx.error("P506", f"the regular expression cannot run in linear time: {exc}", node.span,
                               "policy regexes run on RE2 (see the README): simplify the pattern")
                return _POISON
        return tree.Const(value, Type(ast.literal_kind(value)), node.span)

    def list_expr(self, node: ast.ListExpr, scope, guarded) -> tree.Pred:
        items = [self.value(item, scope, guarded) for item in node.items]
        item_type: Type | None = ANY
        for pred, item in zip(items, node.items):
            if pred is _POISON:
                return _POISON
            joined = unify(item_type, pred.type)
            if joined is None:
                self.ctx.error("P500", f"a list cannot mix {item_type} and {pred.type}", getattr(item, "span", None))
                return _POISON
            item_type = joined
        if all(isinstance(p, tree.Const) for p in items):
            return tree.Const(tuple(p.value for p in items), list_of(item_type), node.span)
        return tree.ListOf(tuple(items), list_of(item_type), node.span)

    def path(self, node: ast.Path, scope: dict[str, Var], guarded: frozenset[str]) -> tree.Pred:
        head, rest = node.parts[0], node.parts[1:]
        schema = self.ctx.schema
        if head == "vocab":
            if len(rest) != 1:
                self.ctx.error("P401", "write a vocabulary entry as `vocab.NAME`", node.span)
                return _POISON
            const = self.ctx.vocab.get(rest[0])
            if const is None:
                self.ctx.error("P401", f"unknown vocabulary entry `vocab.{rest[0]}`", node.span,
                               did_you_mean(f"vocab.{rest[0]}", [f"vocab.{v}" for v in self.ctx.vocab])
                               or _known("vocabulary entries", self.ctx.vocab))
                return _POISON
            self.ctx.vocab_read.add(rest[0])
            return tree.Const(const.value, const.type, node.span)
        if head in scope:
            var = scope[head]
            walked = self._walk(var.type, rest, head, node, guarded)
            if walked is None:
                return _POISON
            type_, absent = walked
            return tree.Field(head, var.slot, rest, type_, absent, node.span)
        if head in schema.roots:
            if not rest:
                self.ctx.error("P500", f"`{head}` is a group of facts; name one of them", node.span,
                               did_you_mean(head, schema.all_paths()) or _known("facts", [f"{head}.{f}" for f in schema.fields(head)]))
                return _POISON
            walked = self._walk(Type("object", name=head), rest, head, node, guarded)
            if walked is None:
                return _POISON
            type_, absent = walked
            return tree.Fact(node.parts, type_, absent, node.span)
        candidates = list(scope) + [p for p in schema.all_paths()] + [f"vocab.{v}" for v in self.ctx.vocab]
        self.ctx.error("P400", f"unknown fact `{node.dotted}`", node.span,
                       did_you_mean(node.dotted, candidates) or "run `permitted facts` to list the facts a rule may use")
        return _POISON

    def _walk(self, type_: Type, rest: tuple[str, ...], head: str, node: ast.Path,
              guarded: frozenset[str]) -> tuple[Type, str] | None:
        absent = "present"
        walked = head
        for part in rest:
            if type_.kind == "list":
                self.ctx.error("P500", f"`{walked}` is a {type_}; it has no field `{part}`", node.span,
                               f"look inside the list with `any x in {walked}: x.{part} ...`")
                return None
            if type_.kind != "object":
                self.ctx.error("P403", f"`{walked}` is a {type_}; it has no field `{part}`", node.span)
                return None
            spec = self.ctx.schema.field(type_.name, part)
            if spec is None:
                fields = self.ctx.schema.fields(type_.name)
                code = "P400" if head in self.ctx.schema.roots else "P403"
                self.ctx.error(code, f"unknown {'fact' if code == 'P400' else 'field'} `{walked}.{part}`", node.span,
                               did_you_mean(f"{walked}.{part}", [f"{walked}.{f}" for f in fields])
                               or _known(f"fields of {walked}", fields))
                return None
            walked = f"{walked}.{part}"
            if spec.absent == "optional" and walked not in guarded and not self._in_exists:
                self.ctx.error("P503", f"`{walked}` may be absent; guard it with `exists({walked})`", node.span,
                               f"write `exists({walked}) and …` (or `not exists({walked}) or …`)")
                return None
            if spec.absent == "unknown" or (spec.absent == "optional" and absent != "unknown"):
                absent = spec.absent
            type_ = spec.type
        return type_, absent

    _in_exists = False

    def call(self, node: ast.Call, scope, guarded) -> tree.Pred:
        op = OPERATORS.get(node.name)
        if op is None:
            self.ctx.error("P402", f"unknown operator `{node.name}`", node.name_span or node.span,
                           did_you_mean(node.name, OPERATORS) or _known("operators", OPERATORS))
            return _POISON
        if len(node.args) != len(op.params):
            self.ctx.error("P501", f"`{op.name}` takes {len(op.params)} argument{'s' if len(op.params) != 1 else ''}, "
                           f"not {len(node.args)}", node.span, f"usage: {op.signature}")
            return _POISON
        if op.name == "exists":
            target = node.args[0]
            if not isinstance(target, ast.Path):
                self.ctx.error("P501", "`exists` takes a fact, e.g. exists(order.completed_at)", node.span)
                return _POISON
            self._in_exists = True
            try:
                pred = self.path(target, scope, guarded)
            finally:
                self._in_exists = False
            if pred is _POISON:
                return _POISON
            if not isinstance(pred, (tree.Fact, tree.Field)):
                self.ctx.error("P501", "`exists` takes a fact, not a vocabulary entry", node.span)
                return _POISON
            return tree.Exists(pred, node.span)
        args = []
        for param, arg in zip(op.params, node.args):
            pred = self.value(arg, scope, guarded)
            if pred is _POISON:
                return _POISON
            if not accepts(param.type, pred.type):
                self.ctx.error("P501", f"argument `{param.name}` of `{op.name}` must be a {param.type}, "
                               f"but `{_show(arg)}` is a {pred.type}", getattr(arg, "span", None), f"usage: {op.signature}")
                return _POISON
            args.append(pred)
        return tree.Call(op.name, tuple(args), op.returns, node.span)

    def compare(self, node: ast.Compare, scope, guarded) -> tree.Pred:
        left = self.value(node.left, scope, guarded)
        right = self.value(node.right, scope, guarded)
        if left is _POISON or right is _POISON:
            return _POISON
        lt, rt = left.type, right.type
        span = node.span
        if "regex" in (lt.kind, rt.kind, (lt.item or ANY).kind, (rt.item or ANY).kind):
            self.ctx.error("P500", "a regular expression can only be used in matches(text, /pattern/)", span,
                           f"write matches({_show(node.left)}, /pattern/)")
            return _POISON
        if node.op in ("in", "not in"):
            if rt.kind == "string" and lt.kind == "string":
                self.ctx.error("P500", f"`{node.op}` looks for an item in a list, and `{_show(node.right)}` is a string",
                               span, f"to look for a piece of text, use contains({_show(node.right)}, {_show(node.left)})")
                return _POISON
            if not rt.is_list:
                self.ctx.error("P500", f"`{node.op}` needs a list on its right, but `{_show(node.right)}` is a {rt}", span)
                return _POISON
            if unify(lt, rt.item or ANY) is None:
                self.ctx.error("P500", f"cannot look for a {lt} in a {rt}", span)
                return _POISON
            self._check_enum(lt, right, node.right, node.left)
            self._check_enum(rt.item or ANY, left, node.left, node.right)
            return tree.Compare(node.op, left, right, node.span)
        if unify(lt, rt) is None:
            hint = None
            if lt.is_list and rt.kind == "number":
                hint = f"to compare how many there are, write count({_show(node.left)}) {node.op} {_show(node.right)}"
            elif lt.kind == "date" and rt.kind == "string":
                hint = "write a date literal without quotes: 2020-11-06"
            self.ctx.error("P500", f"cannot compare a {lt} with a {rt}", span, hint)
            return _POISON
        if node.op in ("<", "<=", ">", ">=") and unify(lt, rt).kind not in ("number", "date", "any"):
            self.ctx.error("P500", f"`{node.op}` compares numbers or dates, not {lt}s", span)
            return _POISON
        self._check_enum(lt, right, node.right, node.left)
        self._check_enum(rt, left, node.left, node.right)
        return tree.Compare(node.op, left, right, node.span)

    def _check_enum(self, expected: Type, pred: tree.Pred, node: ast.Node, other: ast.Node) -> None:
        """A string literal compared with an enum fact must be one of its values."""
        if not expected.enum or not isinstance(pred, tree.Const):
            return
        values = pred.value if isinstance(pred.value, tuple) else (pred.value,)
        for value in values:
            if isinstance(value, str) and value not in expected.enum:
                self.ctx.error("P502", f"\"{value}\" is not a possible value of `{_show(other)}`", getattr(node, "span", None),
                               did_you_mean(value, expected.enum) or "possible values: " + ", ".join(expected.enum))

    def quantifier(self, node: ast.Quantifier, scope: dict[str, Var], guarded) -> tree.Pred:
        collection = self.value(node.collection, scope, guarded)
        if collection is _POISON:
            return _POISON
        if not collection.type.is_list:
            self.ctx.error("P500", f"`{node.kind}` ranges over a list, but `{_show(node.collection)}` is a {collection.type}",
                           node.collection.span if hasattr(node.collection, "span") else node.span)
            return _POISON
        if node.var in scope or node.var in self.ctx.schema.roots or node.var in RESERVED or node.var in OPERATORS:
            self.ctx.error("P404", f"the variable `{node.var}` hides another name", node.var_span or node.span,
                           "choose another variable name")
            return _POISON
        var = Var(node.var, len(scope), collection.type.item or ANY)
        inner = {**scope, node.var: var}
        body = self.condition(node.body, inner, guarded)
        return tree.Quant(node.kind, node.var, var.slot, collection, body, node.span)


def _inside_regex(span: Span | None, pattern: str, start: int, end: int) -> Span | None:
    """The span of pattern[start:end] inside a `/…/` literal written on one line (each `/` of the
    pattern is written `\\/`); the literal's span otherwise."""
    if span is None or span.line != span.end_line:
        return span
    column = span.column + 1 + start + pattern.count("/", 0, start)
    width = (end - start) + pattern.count("/", start, end)
    return Span(span.file, span.line, column, span.line, min(column + width, span.end_column))


def _asserted(preds: list[tree.Pred]) -> frozenset[str]:
    """Paths known present when all of `preds` are true."""
    out: set[str] = set()
    for p in preds:
        if isinstance(p, tree.Exists):
            out.add(p.target.dotted)
        elif isinstance(p, tree.And):
            out |= _asserted(list(p.operands))
        elif isinstance(p, tree.Not):
            out |= _refuted([p.operand])
    return frozenset(out)


def _refuted(preds: list[tree.Pred]) -> frozenset[str]:
    """Paths known present when all of `preds` are false."""
    out: set[str] = set()
    for p in preds:
        if isinstance(p, tree.Not):
            out |= _asserted([p.operand])
        elif isinstance(p, tree.Or):
            out |= _refuted(list(p.operands))
    return frozenset(out)


def _known(what: str, names) -> str:
    names = list(names)
    return f"known {what}: " + ", ".join(f"`{n}`" for n in names[:12]) + (" …" if len(names) > 12 else "") if names else f"there are no {what}"


def _show(node: ast.Node) -> str:
    """The canonical text of a subtree, for messages."""
    return format_expr(node, width=10_000)
