"""Build message texts that contain exactly the phrase classes a solver model chose.

Stage: part of dsl.analysis.witness. Input: the encoder, a text's key and the model's values (which
phrase classes it contains, how long it is, which `contains`/`matches` it must satisfy). Output:
the text, or a constraint that rules out what could not be built (for the solver's next try).
A text is one phrase per class joined by a separator, padded with filler to the length asked
for; the oracle (the real matcher) then checks that it contains exactly those classes. A regex
the model wants matched gets a short generated sample: a bounded search where the encoding
does not reach, confirmed by the evaluator like everything else.
"""
from __future__ import annotations

import re
import re._parser as sre_parse

import z3

from dsl.analysis.domains import abstract
from dsl.analysis.solve import Encoder
from dsl.contract import tree

SEPARATORS = (". ", " | ", "\n\n")
ONE_SENTENCE = (" | ", ", ")
FILLERS = ("lorem ipsum", "qqq", "zx")


def requirement(node) -> tuple | None:
    """(text key, piece, where) for a free `contains`/`starts_with`/`ends_with`/`matches` the model wants true."""
    if not isinstance(node, tree.Call) or len(node.args) != 2 or not isinstance(node.args[1], tree.Const):
        return None
    if not isinstance(node.args[0], tree.Fact):       # a text inside a list item: left to verification
        return None
    key = ("f",) + node.args[0].path
    if node.op == "matches":
        sample = regex_sample(node.args[1].value.pattern)
        return None if sample is None else (key, sample, "contains")
    if node.op in ("contains", "starts_with", "ends_with"):
        return key, node.args[1].value, node.op
    return None


def realise(enc: Encoder, k: tuple, values: dict, used) -> tuple[str | None, z3.BoolRef | None]:
    """A text containing exactly the phrase classes the model chose for text `k`."""
    space = enc.texts.get(abstract(k))
    on = {c for c in range(len(space.classes)) if values.get(("on", k, c))} if space else set()
    chosen, covered = [], set()
    for c in sorted(on):
        if c in covered:
            continue
        options = [p for p in space.realisers[c] if space.trig[p] <= on]
        if not options:
            return None, _not_this(enc, k, on, space)
        best = min(options, key=lambda p: (len(space.trig[p]), len(p), p))
        chosen.append(best)
        covered |= space.trig[best]
    prefix, suffix = "", ""
    for free in (f for f in used if f[0] == "free" and values.get(f) is True):
        req = requirement(enc.vars[free].info)
        if req and req[0] == k:
            if req[2] == "starts_with":
                prefix = req[1]
            elif req[2] == "ends_with":
                suffix = req[1]
            else:
                chosen.append(req[1])
    length = values.get(("tlen", k))
    # A text the model wants as one sentence is joined with a separator that ends none.
    for sep in ONE_SENTENCE if values.get(("one", k)) else SEPARATORS:
        parts = ([prefix] if prefix else []) + chosen + ([suffix] if suffix else [])
        text = sep.join(parts)
        if length is not None:
            if len(text) > length:
                return None, _longer(enc, k, on, space, len(text))
            text = _pad(text, length, sep, space, enc, bool(suffix))
            if text is None:
                continue
        if space is None or _classes_in(enc, space, text) == on:
            return text, None
    return None, _not_this(enc, k, on, space)


def _classes_in(enc: Encoder, space, text: str) -> set[int]:
    return {c for c, members in enumerate(space.classes) if enc.oracle.finds(members, text)}


def _pad(text: str, length: int, sep: str, space, enc: Encoder, before: bool) -> str | None:
    """The text made exactly `length` characters long with filler that matches no phrase."""
    missing = length - len(text)
    glue = sep if text else ""
    room = missing - len(glue)
    if room <= 0:
        return text + " " * missing          # runs of white space match like one space
    for filler in FILLERS:
        if space is not None and _classes_in(enc, space, filler):
            continue
        run = ((filler + " ") * (room // (len(filler) + 1) + 1))[:room]
        return run + glue + text if before else text + glue + run
    return None


def _on_is(enc: Encoder, k, on: set[int], space) -> list:
    return [enc.vars[("on", k, c)].expr == (c in on) for c in range(len(space.classes))] if space else []


def _not_this(enc: Encoder, k, on, space) -> z3.BoolRef:
    same = _on_is(enc, k, on, space)
    return z3.Not(z3.And(same)) if same else z3.BoolVal(False)


def _longer(enc: Encoder, k, on, space, needed: int) -> z3.BoolRef:
    n = enc.vars[("tlen", k)].expr
    return z3.Implies(z3.And(_on_is(enc, k, on, space)) if space else z3.BoolVal(True), n >= needed)


def regex_sample(pattern: str) -> str | None:
    """A short string the pattern matches, for simple patterns (literals, classes, repeats,
    alternatives); None when the pattern uses something this generator does not follow."""
    try:
        parsed = sre_parse.parse(pattern)
    except re.error:
        return None
    try:
        return _gen(parsed)
    except (KeyError, ValueError, TypeError):
        return None


_CATEGORY = {"CATEGORY_DIGIT": "1", "CATEGORY_WORD": "a", "CATEGORY_SPACE": " ", "CATEGORY_NOT_DIGIT": "a",
             "CATEGORY_NOT_WORD": " ", "CATEGORY_NOT_SPACE": "a"}


def _gen(items) -> str:
    out = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_gen_in(arg))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, sub = arg
            out.append(_gen(sub) * max(low, 1))
        elif name == "SUBPATTERN":
            out.append(_gen(arg[-1]))
        elif name == "BRANCH":
            out.append(_gen(arg[1][0]))
        elif name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue
        elif name == "CATEGORY":
            out.append(_CATEGORY[str(arg)])
        else:
            raise ValueError(name)
    return "".join(out)


def _gen_in(items) -> str:
    op, arg = items[0]
    name = str(op)
    if name == "NEGATE":
        return "~" if len(items) > 1 else "a"
    if name == "LITERAL":
        return chr(arg)
    if name == "RANGE":
        return chr(arg[0])
    if name == "CATEGORY":
        return _CATEGORY[str(arg)]
    raise ValueError(name)
