"""Stage 8: lower a compiled policy to Python closures.

Input: a dsl.contract.model.Policy (its conditions checked and simplified). Output: a `Program` —
per rule a function `f(data, env)` returning True, False or None (unknown), where `data` is a facts
record and `env` a list of quantifier variable slots — which keeps the closure of every node it
lowered, so that tracing evidence reuses them instead of lowering again. Whoever compiles a
policy lowers it once (permitted.store) and evaluates every message with the Program. Three-valued logic: `false and unknown` is false, `true or unknown` is true, and an
operator or comparison with an unknown argument is unknown. Closures are specialised for the
common shapes (a fact compared with a constant, a phrase list known at compile time) because
evaluation runs for every rule of every message.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Callable, assert_never

from dsl.contract import tree
from dsl.contract.model import Policy, Rule
from dsl.contract.regex import PolicyRegex, compile_policy_regex
from dsl.contract.types import Regex

from interpreter.evaluation.operators import IMPLEMENTATIONS
from interpreter.evaluation.phrases import Finder, PhraseSet, phrase_matcher, regex_hits
from interpreter.evaluation.sentences import Stretch, near
from interpreter.facts.lexicon import Lexicon

Fn = Callable[[dict, list], object]

_OPS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
        ">=": operator.ge}


def compile_regex(value: Regex) -> PolicyRegex:
    # A policy's pattern runs on RE2, in time linear in the text whatever the pattern (a policy
    # may come from anyone's pull request); the check stage refused what RE2 cannot run.
    return compile_policy_regex(value.pattern, value.flags)


def _const(value: object) -> object:
    if isinstance(value, Regex):
        return compile_regex(value)
    return value


def _path_getter(path: tuple[str, ...], base: Fn | None, slot: int | None) -> Fn:
    if slot is not None:
        if not path:
            return lambda d, e: e[slot]
        if len(path) == 1:
            (a,) = path
            return lambda d, e: e[slot].get(a)

    if slot is None and len(path) == 2:
        a, b = path

        def get2(d, e):
            x = d.get(a)
            return None if x is None else x.get(b)
        return get2
    if slot is None and len(path) == 3:
        a, b, c = path

        def get3(d, e):
            x = d.get(a)
            x = None if x is None else x.get(b)
            return None if x is None else x.get(c)
        return get3

    def get(d, e):
        x = e[slot] if slot is not None else d
        for p in path:
            if x is None:
                return None
            x = x.get(p)
        return x
    return get


@dataclass(frozen=True)
class Program:
    """A policy lowered to closures."""
    policy: Policy
    rules: tuple[tuple[Rule, Fn], ...]
    slots: int                                   # quantifier variable slots an evaluation needs
    noted: tuple[Rule, ...] = ()                 # rules with a not-checked note
    # The closure of each node lowered so far, by node identity: the nodes belong to `policy`,
    # which this Program keeps alive, so an identity is never reused while the entry exists.
    _closures: dict[int, Fn] = field(default_factory=dict, repr=False, compare=False)
    # The nodes of each subtree outside its quantifiers, by the subtree's identity (as above).
    _outside: dict[int, tuple] = field(default_factory=dict, repr=False, compare=False)

    def closure(self, node: tree.Pred) -> Fn:
        """The closure of any node of the policy's conditions (lowered on first use)."""
        return lower(node, self._closures)

    def items(self, node: tree.Quant) -> Fn:
        """The closure giving the items a quantifier reads: its collection's, or only those
        whose body can be true where the quantifier knows which (`_quant`)."""
        self.closure(node)
        picked = getattr(self._closures, "picked", None)
        found = picked.get(id(node)) if picked is not None else None
        return found if found is not None else self.closure(node.collection)

    def outside_quantifiers(self, node: tree.Pred) -> tuple:
        """`node` and its descendants, in order, but not those inside a quantifier (what
        explaining a rule reads as the values of one evaluation); walked once per node."""
        found = self._outside.get(id(node))
        if found is None:
            found = self._outside[id(node)] = tuple(_outside_quantifiers(node))
        return found


def _outside_quantifiers(node: tree.Pred):
    yield node
    if not isinstance(node, tree.Quant):
        for child in tree.children(node):
            yield from _outside_quantifiers(child)


class Closures(dict):
    """The closures lowered so far, by node identity, and the phrase set of the policy they
    belong to: every phrase list any of its conditions names, in one automaton, so a text is
    scanned once for all of them (interpreter.evaluation.phrases)."""

    def __init__(self, phrases: PhraseSet):
        super().__init__()
        self.phrases = phrases
        # Per quantifier (by node identity, as above), the items it reads, where that is fewer
        # than its collection's (`_quant`): explaining a rule reads the same ones.
        self.picked: dict[int, Fn] = {}


def _matcher(phrases, memo: dict[int, Fn] | None) -> Finder:
    phrases = tuple(phrases)
    return memo.phrases.matcher(phrases) if isinstance(memo, Closures) else phrase_matcher(phrases)


def lower_policy(policy: Policy) -> Program:
    # The phrase set the policy's lexicon built: the normaliser's phrase lists and the rules' in
    # one automaton, so a text is folded and scanned once for both.
    closures = Closures(Lexicon.of(policy).phrases)
    rules = tuple((r, lower(r.condition, closures)) for r in policy.rules)
    slots = max((tree.slots_used(root) for r in policy.rules for root in r.trees), default=0)
    noted = tuple(r for r in policy.rules if r.not_checked is not None)
    return Program(policy, rules, slots, noted, closures)


def lower(node: tree.Pred, memo: dict[int, Fn] | None = None) -> Fn:
    """The closure of one node; with `memo`, every node lowered on the way is recorded there."""
    if memo is None:
        return _lower(node, None)
    fn = memo.get(id(node))
    if fn is None:
        fn = memo[id(node)] = _lower(node, memo)
    return fn


def _lower(node: tree.AnyPred, memo: dict[int, Fn] | None) -> Fn:
    match node:
        case tree.Const():
            value = _const(node.value)
            return lambda d, e: value
        case tree.Fact():
            return _path_getter(node.path, None, None)
        case tree.Field():
            return _path_getter(node.path, None, node.slot)
        case tree.ListOf():
            items = [lower(i, memo) for i in node.items]

            def list_of(d, e):
                values = [f(d, e) for f in items]
                return None if any(v is None for v in values) else values
            return list_of
        case tree.Exists():
            target = lower(node.target, memo)
            return lambda d, e: target(d, e) is not None
        case tree.NonEmpty():
            inner = lower(node.operand, memo)
            tested = _mentioned(node.operand, memo)
            if tested is not None:
                return tested

            def non_empty(d, e):
                v = inner(d, e)
                return None if v is None else len(v) > 0
            return non_empty
        case tree.Not():
            inner = lower(node.operand, memo)

            def not_(d, e):
                v = inner(d, e)
                return None if v is None else not v
            return not_
        case tree.And():
            return _junction([lower(o, memo) for o in node.operands], stop=False)
        case tree.Or():
            return _junction([lower(o, memo) for o in node.operands], stop=True)
        case tree.Compare():
            return _compare(node, memo)
        case tree.Call():
            return _call(node, memo)
        case tree.Quant():
            return _quant(node, memo)
        case _:
            assert_never(node)


def _junction(parts: list[Fn], stop: bool) -> Fn:
    """`and` (stop at False) or `or` (stop at True), Kleene style."""
    if len(parts) == 2:
        first, second = parts

        def two(d, e):
            a = first(d, e)
            if a is stop:
                return stop
            b = second(d, e)
            if b is stop:
                return stop
            return None if a is None or b is None else not stop
        return two
    parts_t = tuple(parts)

    def many(d, e):
        unknown = False
        for f in parts_t:
            v = f(d, e)
            if v is stop:
                return stop
            if v is None:
                unknown = True
        return None if unknown else not stop
    return many


def _compare(node: tree.Compare, memo: dict[int, Fn] | None) -> Fn:
    left = lower(node.left, memo)
    op = node.op
    if isinstance(node.right, tree.Const) and op in ("in", "not in"):
        values = node.right.value
        try:
            values = frozenset(values)
        except TypeError:
            pass
        if op == "in":
            return lambda d, e: None if (v := left(d, e)) is None else v in values
        return lambda d, e: None if (v := left(d, e)) is None else v not in values
    if isinstance(node.right, tree.Const) and op in _OPS:
        c, fn = node.right.value, _OPS[op]
        if op == "==":
            return lambda d, e: None if (v := left(d, e)) is None else v == c
        if op == ">":
            return lambda d, e: None if (v := left(d, e)) is None else v > c
        return lambda d, e: None if (v := left(d, e)) is None else fn(v, c)
    right = lower(node.right, memo)
    if op == "in":
        fn = lambda a, b: a in b  # noqa: E731
    elif op == "not in":
        fn = lambda a, b: a not in b  # noqa: E731
    else:
        fn = _OPS[op]

    def compare(d, e):
        a = left(d, e)
        if a is None:
            return None
        b = right(d, e)
        if b is None:
            return None
        return fn(a, b)
    return compare


def _in_stretch(node: tree.Pred, phrases, memo: dict[int, Fn] | None):
    """For `mentions(s.text, L)` where `s` may be a sentence: a finder reading the hits from the
    scan of the text the sentence was cut from; None where a text must be scanned on its own."""
    if not (isinstance(node, tree.Field) and node.path == ("text",) and node.slot is not None
            and isinstance(memo, Closures)):
        return None
    return memo.phrases.stretch_matcher(tuple(phrases))


def _mentioned(node: tree.Pred, memo: dict[int, Fn] | None) -> Fn | None:
    """`mentions(T, L)` as a condition: whether T holds a hit of L, without making the hits —
    read from T's scan, or for a sentence from the stretch of its text's scan (a quantifier asks
    it of every sentence). None where the hits must be made (the reference, a list outside the
    policy's set)."""
    if not (isinstance(node, tree.Call) and node.op == "mentions" and isinstance(node.args[1], tree.Const)
            and isinstance(memo, Closures)):
        return None
    phrases = tuple(node.args[1].value)
    whole = memo.phrases.tester(phrases)
    if whole is None:
        return None
    text = lower(node.args[0], memo)
    if _in_stretch(node.args[0], phrases, memo) is None:
        return lambda d, e: None if (t := text(d, e)) is None else whole(t)
    return _by_item(node.args[0].slot, text, memo.phrases.stretch_tester(phrases), whole)


def _by_item(slot: int, text: Fn, in_stretch: Callable, in_text: Callable) -> Fn:
    """An operator on `s.text`: for a sentence `s`, asked of its stretch of the scanned text it was
    cut from (in_stretch(whole, start, end)); for any other item, of its own text (in_text)."""
    def by_item(d, e):
        item = e[slot]
        if type(item) is Stretch:
            return in_stretch(item.whole, item["start"], item["end"])
        return None if (t := text(d, e)) is None else in_text(t)
    return by_item


def _call(node: tree.Call, memo: dict[int, Fn] | None) -> Fn:
    args = [lower(a, memo) for a in node.args]
    if node.op == "mentions" and isinstance(node.args[1], tree.Const):
        find, text = _matcher(node.args[1].value, memo), args[0]
        inside = _in_stretch(node.args[0], node.args[1].value, memo)
        if inside is not None:
            return _by_item(node.args[0].slot, text, inside, find)
        return lambda d, e: None if (t := text(d, e)) is None else find(t)
    if node.op in ("mentions_near", "mentions_before") and all(isinstance(a, tree.Const) for a in node.args[1:]):
        find, text = _matcher(node.args[1].value, memo), args[0]
        other, words = _matcher(node.args[2].value, memo), node.args[3].value
        after = node.op == "mentions_before"
        inside = _in_stretch(node.args[0], node.args[1].value, memo)
        inside_other = _in_stretch(node.args[0], node.args[2].value, memo)
        if inside is not None and inside_other is not None:
            slot = node.args[0].slot

            def near_in(d, e):
                item = e[slot]
                if type(item) is Stretch:
                    w, a, b = item.whole, item["start"], item["end"]
                    return near(item["text"], inside(w, a, b), inside_other(w, a, b), words, after)
                return None if (t := text(d, e)) is None else near(t, find(t), other(t), words, after)
            return near_in
        return lambda d, e: None if (t := text(d, e)) is None else near(t, find(t), other(t), words, after)
    if node.op == "matches" and isinstance(node.args[1], tree.Const):
        pattern, text = compile_regex(node.args[1].value), args[0]
        return lambda d, e: None if (t := text(d, e)) is None else regex_hits(pattern, t)
    impl = IMPLEMENTATIONS[node.op]
    if len(args) == 1:
        (a,) = args
        return lambda d, e: None if (v := a(d, e)) is None else impl(v)
    if len(args) == 2:
        a, b = args

        def call2(d, e):
            x = a(d, e)
            if x is None:
                return None
            y = b(d, e)
            return None if y is None else impl(x, y)
        return call2

    def call(d, e):
        values = [f(d, e) for f in args]
        return None if any(v is None for v in values) else impl(*values)
    return call


# Operators whose items are stretches of their text argument, each with that stretch as `text`.
_STRETCHES = ("sentences", "sentence_runs")


def _required_lists(node: tree.Quant) -> list[tuple[str, ...]]:
    """For `any s in sentences(T): mentions(s.text, A) and …`, the phrase lists every matching
    sentence must mention. A sentence is a stretch of T, so a list T does not mention rules out
    every sentence: the quantifier is false without splitting T; and a sentence that holds no
    occurrence of A makes the body false, whatever else it reads."""
    coll = node.collection
    if node.kind != "any" or not (isinstance(coll, tree.Call) and coll.op in _STRETCHES):
        return []
    parts = node.body.operands if isinstance(node.body, tree.And) else (node.body,)
    out = []
    for p in parts:
        call = p.operand if isinstance(p, tree.NonEmpty) else None
        if (isinstance(call, tree.Call) and call.op == "mentions" and isinstance(call.args[1], tree.Const)
                and isinstance(call.args[0], tree.Field) and call.args[0].slot == node.slot
                and call.args[0].path == ("text",)):
            out.append(tuple(call.args[1].value))
    return out


def _quant(node: tree.Quant, memo: dict[int, Fn] | None) -> Fn:
    collection, body, slot = lower(node.collection, memo), lower(node.body, memo), node.slot
    stop = node.kind == "any"    # any stops at the first True, all at the first False
    required = _required_lists(node)
    if required:
        text, split = lower(node.collection.args[0], memo), collection
        phrases = memo.phrases if isinstance(memo, Closures) else None
        found = [(phrases.tester(lst) if phrases else None) or _matcher(lst, memo) for lst in required]
        # The body is read only for the stretches that hold an occurrence of the first list,
        # found from that list's occurrences: a quantifier over a text's sixty sentences, with
        # two of them naming the list, reads two (the others' bodies are false).
        pick = phrases.stretch_picker(required[0]) if phrases else None

        def collection(d, e):      # the whole text searched first; split only if every list is there
            t = text(d, e)
            if t is None:
                return None
            if not all(find(t) for find in found):
                return []
            items = split(d, e)
            return pick(t, items) if pick is not None and items and type(items[0]) is Stretch else items

        if isinstance(memo, Closures):
            memo.picked[id(node)] = collection

    def quant(d, e):
        items = collection(d, e)
        if items is None:
            return None
        unknown = False
        for item in items:
            e[slot] = item
            v = body(d, e)
            if v is stop:
                return stop
            if v is None:
                unknown = True
        return None if unknown else not stop
    return quant
