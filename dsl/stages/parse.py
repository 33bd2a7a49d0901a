"""Stage 4: parse conditions and hint values with the Lark grammar (LALR) into dsl/ast.py trees.

Input: the text of a `when:` (or of a `{…}` in a hint) and a function placing offsets of that
text in the file. Output: an ast.Node with spans into the YAML file. Errors: PolicyError P300
with a human name for the mistake ("dangling `and`", "unclosed parenthesis", …), found by
matching the parser state against small broken examples, as Lark recommends; P301 for a
condition over MAX_CHARS characters or MAX_NODES parts.
"""
from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache
from typing import Callable

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

from dsl.contract import ast
from dsl.contract.errors import Diagnostic, PolicyError
from dsl.contract.resources import grammar_path
from dsl.contract.spans import Span

Locate = Callable[[int, int], Span]     # (start, end) offsets in the text -> span in the file
LineOf = Callable[[Span], str]


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr",
                propagate_positions=True, maybe_placeholders=False)


# Broken inputs, by what is wrong with them. The parser's state at the error picks the label.
_SYNTAX_EXAMPLES: dict[str, list[str]] = {
    "dangling": ["a and", "a or", "not", "a and not", "x == 1 and", "any x in y: a and", "(a and)", "f(a and)"],
    "unclosed-paren": ["(a", "(a and b", "count(a", "f(a, b", "((a)", "(a or b", "f(a", "a and (b or c > 3",
                       "(a == 1", "a and (b", "(a or b == 1", "(f(a) > 1", "not (a", "(a in b", "(a.b"],
    "unclosed-list": ["[1", "a in [1, 2", "a in [1,", "a in [\"x\""],
    "missing-colon": ["any x in y", "any x in y z", "all x in y.z a", "any x in y.z == 1", "all x in f(y) a"],
    "missing-in": ["any x: y", "all x y: z", "any x.y in z: a"],
    "missing-variable": ["any in x: y", "all: x", "any 1 in x: y"],
    "missing-operand": ["a ==", "a >", "a in", "a not in", "a !=", "a <= ", "a == )", "a == and"],
    "unexpected-close": ["a)", "(a))", "f(a))", "a]"],
    "missing-connective": ["a b", "a == 1 b", "f(a) b", "a == 1 b == 2", "true false", "\"x\" \"y\"", "a (b)"],
    "comparison-chain": ["a == b == c", "a < b < c", "a in b in c", "a == b in c"],
}

_MESSAGES = {
    "dangling": ("dangling `{tok}`: a condition must follow it", "finish the condition or remove the `{tok}`"),
    "unclosed-paren": ("unclosed parenthesis", "add the missing `)`"),
    "unclosed-list": ("unclosed list", "add the missing `]`"),
    "missing-colon": ("missing `:` after quantifier", "write `any x in LIST: CONDITION`"),
    "missing-in": ("a quantifier needs `in` after its variable", "write `any x in LIST: CONDITION`"),
    "missing-variable": ("a quantifier needs a variable name", "write `any x in LIST: CONDITION`"),
    "missing-operand": ("missing value after `{tok}`", "compare with a fact, a literal or a call"),
    "unexpected-close": ("unexpected `{tok}` with nothing open to close", "remove it, or add the opening bracket"),
    "missing-connective": ("two conditions side by side", "join them with `and` or `or`"),
    "comparison-chain": ("comparisons cannot be chained", "write `a == b and b == c`"),
}

_CHAR_HELP = {
    "=": ("`=` is not a comparison", "use `==` to compare"),
    "&": ("`&` is not an operator", "use `and`"),
    "|": ("`|` is not an operator", "use `or`"),
    "!": ("`!` is not an operator", "use `not`, or `!=` to compare"),
    '"': ("unclosed string", "close the string with `\"` on the same line"),
    "'": ("unclosed string", "close the string with `'` on the same line"),
    "/": ("unclosed or empty regular expression", "write a regex as /pattern/ with flags i, m, s or x after it"),
    "+": ("arithmetic is not part of the rule language", "compare values directly, e.g. `days_between(a, b) > 30`"),
    "*": ("arithmetic is not part of the rule language", "compare values directly"),
    "#": ("comments are not allowed inside a condition", "put comments on YAML lines outside the condition"),
}


def _label(error: UnexpectedInput, text: str) -> str | None:
    try:
        return error.match_examples(_parser().parse, _SYNTAX_EXAMPLES, use_accepts=True)
    except Exception:  # noqa: BLE001 - a failed guess only loses the name, never the error
        return None


def _syntax_error(error: UnexpectedInput, text: str, locate: Locate) -> Diagnostic:
    pos = getattr(error, "pos_in_stream", None)
    if isinstance(error, UnexpectedCharacters):
        char = text[error.pos_in_stream] if error.pos_in_stream < len(text) else ""
        pair = text[error.pos_in_stream:error.pos_in_stream + 2]
        if pair in ("=>", "=<"):
            message, help_ = f"`{pair}` is not a comparison", f"use `{pair[::-1]}`"
        else:
            message, help_ = _CHAR_HELP.get(char, (f"unexpected character `{char}`", "check the spelling of the condition"))
        span = locate(error.pos_in_stream, error.pos_in_stream + 1)
        return Diagnostic("P300", message, span, None, help_)
    token = getattr(error, "token", None)
    at_end = isinstance(error, UnexpectedEOF) or (token is not None and token.type == "$END")
    if at_end:
        pos = len(text.rstrip())
        span = locate(max(pos - 1, 0), max(pos, 1))
    else:
        pos = token.start_pos
        span = locate(pos, token.end_pos or pos + 1)
    label = _label(error, text)
    if label is None:
        what = "end of condition" if at_end else f"`{token}`"
        return Diagnostic("P300", f"unexpected {what}", span, None, "check the condition against the rule language in the README")
    tok = str(token) if token is not None and not at_end else _last_word(text)
    message, help_ = _MESSAGES[label]
    if label in ("unclosed-paren", "unclosed-list"):
        opener = _unmatched(text, "(" if label == "unclosed-paren" else "[", pos)
        if opener is not None:
            span = locate(opener, opener + 1)
            help_ = f"this `{text[opener]}` is never closed; add `{')' if text[opener] == '(' else ']'}` where it ends"
    return Diagnostic("P300", message.format(tok=tok), span, None, help_.format(tok=tok))


def _unmatched(text: str, opener: str, before: int) -> int | None:
    """Offset of the last bracket of this kind still open at `before`, skipping strings and regexes."""
    closer = {"(": ")", "[": "]"}[opener]
    stack: list[int] = []
    i, quote = 0, None
    while i < min(before, len(text)):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "\"'/":
            quote = ch
        elif ch == opener:
            stack.append(i)
        elif ch == closer and stack:
            stack.pop()
        i += 1
    return stack[-1] if stack else None


def _last_word(text: str) -> str:
    words = text.split()
    return words[-1] if words else ""


def _unquote(raw: str) -> str:
    body, out, i = raw[1:-1], [], 0
    escapes = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'"}
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            if body[i + 1] == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2:i + 6]):
                out.append(chr(int(body[i + 2:i + 6], 16)))
                i += 6
                continue
            out.append(escapes.get(body[i + 1], "\\" + body[i + 1]))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


class _ToAst(Transformer):
    def __init__(self, locate: Locate):
        super().__init__()
        self.locate = locate
        self.problems: list[Diagnostic] = []

    def _span(self, meta) -> Span | None:
        return self.locate(meta.start_pos, meta.end_pos) if not getattr(meta, "empty", True) else None

    def _tok_span(self, tok: Token) -> Span:
        return self.locate(tok.start_pos, tok.end_pos)

    @v_args(meta=True)
    def or_expr(self, meta, items):
        return ast.Or(_flatten(ast.Or, items), self._span(meta))

    @v_args(meta=True)
    def and_expr(self, meta, items):
        return ast.And(_flatten(ast.And, items), self._span(meta))

    @v_args(meta=True)
    def not_(self, meta, items):
        return ast.Not(items[0], self._span(meta))

    @v_args(meta=True)
    def quantifier(self, meta, items):
        kind, var, collection, body = items
        return ast.Quantifier(str(kind), str(var), collection, body, self._span(meta), self._tok_span(var))

    @v_args(meta=True)
    def compare(self, meta, items):
        left, op, right = items
        return ast.Compare(str(op), left, right, self._span(meta), self._tok_span(op))

    @v_args(meta=True)
    def in_(self, meta, items):
        return ast.Compare("in", items[0], items[1], self._span(meta))

    @v_args(meta=True)
    def not_in(self, meta, items):
        return ast.Compare("not in", items[0], items[1], self._span(meta))

    @v_args(meta=True)
    def call(self, meta, items):
        name, *args = items
        return ast.Call(str(name), tuple(args), self._span(meta), self._tok_span(name))

    @v_args(meta=True)
    def path(self, meta, items):
        return ast.Path(tuple(str(t) for t in items), self._span(meta))

    @v_args(meta=True)
    def list(self, meta, items):
        return ast.ListExpr(tuple(items), self._span(meta))

    def string(self, items):
        (tok,) = items
        return ast.Literal(_unquote(str(tok)), self._tok_span(tok))

    def number(self, items):
        (tok,) = items
        text = str(tok)
        if len(text) > 300:       # Python refuses to read integers of thousands of digits
            self.problems.append(Diagnostic("P300", "number too long", self._tok_span(tok), None,
                                            "numbers in conditions have at most 300 characters"))
            return ast.Literal(0, self._tok_span(tok))
        return ast.Literal(float(text) if "." in text else int(text), self._tok_span(tok))

    def date(self, items):
        (tok,) = items
        try:
            value = _dt.date.fromisoformat(str(tok))
        except ValueError:
            self.problems.append(Diagnostic("P300", f"`{tok}` is not a calendar date", self._tok_span(tok),
                                            None, "write dates as YYYY-MM-DD"))
            value = _dt.date(1970, 1, 1)
        return ast.Literal(value, self._tok_span(tok))

    def regex(self, items):
        (tok,) = items
        text = str(tok)
        close = text.rfind("/")
        pattern = text[1:close].replace("\\/", "/")
        return ast.Literal(ast.Regex(pattern, text[close + 1:]), self._tok_span(tok))

    def true(self, items):
        return ast.Literal(True, self._tok_span(items[0]))

    def false(self, items):
        return ast.Literal(False, self._tok_span(items[0]))


def _flatten(kind: type, items) -> tuple:
    out = []
    for item in items:
        out.extend(item.operands if isinstance(item, kind) else (item,))
    return tuple(out)


# Later stages walk trees recursively; a bound keeps them far from Python's recursion limit.
MAX_DEPTH = 100
# A condition is read by people: the longest bundled one has about 900 characters and a dozen
# terms. The bounds keep a pasted or generated one (a policy may come from anyone's pull
# request) from costing seconds of compile time and memory per term: each stage is linear in a
# condition's size, and these keep that size small.
MAX_CHARS = 10_000
MAX_NODES = 2_000


def _measure(tree) -> tuple[int, int]:
    """Depth and number of nodes of a Lark tree, measured without recursion (the input may be
    adversarial)."""
    deepest, count, stack = 0, 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        count += 1
        if isinstance(node, Tree):
            stack.extend((child, depth + 1) for child in node.children)
    return deepest, count


_SPLIT = "split it into several rules, or put long lists of words in `vocab:` and use `mentions`"


def parse(text: str, locate: Locate, line_of: LineOf) -> ast.Node:
    """Parse one condition; raise PolicyError (P300) with the file position of the mistake."""
    if not text.strip():
        span = locate(0, 1)
        raise PolicyError([Diagnostic("P300", "empty condition", span, line_of(span), "write the condition after `when:`")])
    if len(text) > MAX_CHARS:
        span = locate(0, 1)
        raise PolicyError([Diagnostic("P301", f"condition too long ({len(text):,} characters; at most {MAX_CHARS:,})",
                                      span, line_of(span), _SPLIT)])
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as error:
        d = _syntax_error(error, text, locate)
        raise PolicyError([Diagnostic(d.code, d.message, d.span, line_of(d.span), d.help)]) from None
    deepest, nodes = _measure(tree)
    if deepest > MAX_DEPTH:
        span = locate(0, len(text))
        raise PolicyError([Diagnostic("P300", f"condition nested too deeply ({deepest} levels; at most {MAX_DEPTH})",
                                      span, line_of(span), "split it into simpler conditions or rules")])
    if nodes > MAX_NODES:
        span = locate(0, 1)
        raise PolicyError([Diagnostic("P301", f"condition too large ({nodes:,} parts; at most {MAX_NODES:,})",
                                      span, line_of(span), _SPLIT)])
    builder = _ToAst(locate)
    node = builder.transform(tree) if isinstance(tree, Tree) else tree
    if isinstance(node, Token):  # a lone literal token is not reached by the transformer
        node = builder.transform(Tree("start", [node])).children[0]
    if builder.problems:
        raise PolicyError([Diagnostic(d.code, d.message, d.span, line_of(d.span), d.help) for d in builder.problems])
    return node


def parse_plain(text: str, file: str = "<condition>") -> ast.Node:
    """Parse a condition that is not inside a file (tests, the API, the REPL-like commands)."""
    from dsl.contract.spans import SourceText
    source = SourceText(file, text)
    return parse(text, source.span, lambda s: source.line_text(s.line))
