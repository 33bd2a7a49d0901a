"""Fuzzing the compiler: conditions generated from the grammar itself, and real policy files
damaged line by line, get a compiled policy or diagnostics — never a traceback.

tests/test_properties.py throws token soups and broken YAML at the compiler; here the inputs are
what an author is likelier to write: sentences of the rule language (grammar.lark, expanded by
hypothesis.extra.lark with the facts, operators and vocabulary a policy really names) and a
bundled policy file with a few of its lines deleted, repeated, swapped or cut. What a user would
notice if a property broke: `permitted lint` crashing (exit 70) on a policy it should explain,
a caret under the wrong line, `fmt` changing what a condition means.

`make test` runs these with the `full` profile; `make fuzz` with the `fuzz` profile.
"""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark import Lark

from dsl.compiler import compile_text
from dsl.contract.errors import PolicyError
from dsl.contract.resources import grammar_path, policies_dir
from dsl.format.condition import format_expr
from dsl.stages.parse import parse_plain

from . import strategies as s
from .conftest import examples
from .test_properties import _assert_points_into, _outcome

SETTINGS = settings(deadline=None, max_examples=examples(200), suppress_health_check=[HealthCheck.too_slow])


def _schema_names() -> list[str]:
    """Every property name of the facts schema, and the roots and operators a condition starts with."""
    schema = json.loads((policies_dir() / "facts.schema.json").read_text(encoding="utf-8"))
    names: set[str] = {"message", "order", "history", "vocab", "link", "image", "phone", "count", "exists",
                       "mentions", "matches", "days_between", "length", "lower", "x"}
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            names.update(k for k in node.get("properties", {}) if k.isidentifier())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return sorted(names)


# Sentences of grammar.lark, production by production (hypothesis.extra.lark.from_lark expands
# the grammar too, but spends half a second on each example): names from the facts schema and
# the operators, literals right and wrong (impossible dates, regexes RE2 refuses), every
# connective, quantifier, comparison, call and list. The first test checks that each one is a
# sentence of the grammar as Lark reads it, so this stays true to grammar.lark.
_names = (st.sampled_from(_schema_names()) | st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True)) \
    .filter(lambda n: n not in s.KEYWORDS)
_literals = st.one_of(
    s.number_texts, st.sampled_from(["true", "false"]),
    st.sampled_from(["2020-11-06", "2021-02-30", "0000-00-00", "9999-12-31"]),
    st.sampled_from(['"coupon"', "'x'", '""', r'"a\"b"', '"é😀"', r"'\n'"]),
    st.sampled_from(["/a+/", "/(?i)x/i", r"/\d{3}/", "/[/", "/(a)\\1/", "/a{1001}/", "/./msx"]),
)
_paths = st.lists(_names, min_size=1, max_size=3).map(".".join)


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    operand = inner.map("({})".format)           # where the grammar takes an operand, not an expression
    args = st.lists(inner, max_size=3).map(", ".join)
    return st.one_of(
        st.builds("{} or {}".format, inner, inner), st.builds("{} and {}".format, inner, inner),
        inner.map("not {}".format), operand,
        st.builds("{} {} in {}: {}".format, st.sampled_from(["any", "all"]), _names, operand, inner),
        st.builds("{} {} {}".format, operand, st.sampled_from(["==", "!=", "<=", ">=", "<", ">", "in", "not in"]),
                  operand),
        st.builds("{}({})".format, _names, args),
        st.builds("[{}{}]".format, args, st.sampled_from(["", ","])).map(lambda t: t.replace("[,]", "[]")),
    )


grammar_conditions = st.recursive(_literals | _paths, _extend, max_leaves=12)
_LARK = Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr")


@SETTINGS
@given(grammar_conditions)
def test_a_sentence_of_the_grammar_parses_and_formats_back_to_itself(condition):
    """A condition written in the grammar parses (or is refused with a diagnostic, for the
    bounds and literals the grammar does not check), and its canonical form parses to the same
    tree: `fmt` never changes what a condition means."""
    _LARK.parse(condition)                   # a sentence of the grammar, or the generator is wrong
    try:
        tree = parse_plain(condition)
    except PolicyError as err:
        _assert_points_into(err, condition, "<condition>")
        return
    assert parse_plain(format_expr(tree)) == tree


@SETTINGS
@given(grammar_conditions, st.booleans())
def test_a_rule_with_a_sentence_of_the_grammar_compiles_or_points_at_it(condition, quoted):
    """A policy whose rule's condition is any sentence of the grammar compiles, or every
    diagnostic has a known code and a line and column inside the file."""
    text, first, last = s.policy_with_condition(condition, quoted)
    err = _outcome(compile_text, text)
    if err is not None:
        _assert_points_into(err, text, "<policy>")


_BUNDLED = policies_dir() / "base" / "attachments.yaml"


@st.composite
def damaged_policies(draw) -> str:
    """A bundled policy file with up to four of its lines deleted, repeated, swapped, cut short or
    given a piece of YAML or of the rule language."""
    lines = _BUNDLED.read_text(encoding="utf-8").split("\n")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["delete", "repeat", "swap", "cut", "insert"]))
        if kind == "delete":
            del lines[at]
        elif kind == "repeat":
            lines.insert(at, lines[at])
        elif kind == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif kind == "cut":
            lines[at] = lines[at][:draw(st.integers(0, len(lines[at])))]
        else:
            column = draw(st.integers(0, len(lines[at])))
            piece = draw(st.sampled_from(s.YAML_TOKENS + s.CONDITION_TOKENS))
            lines[at] = lines[at][:column] + piece + lines[at][column:]
    return "\n".join(lines)


@SETTINGS
@given(damaged_policies())
def test_a_damaged_policy_file_compiles_or_points_into_it(text):
    """A real policy file with a few lines broken compiles, or gets diagnostics with known codes
    on lines of the file, quoted as they are there."""
    err = _outcome(lambda t: compile_text(t, "<policy>", root=policies_dir()), text)
    if err is not None:
        _assert_points_into(err, text, "<policy>")
