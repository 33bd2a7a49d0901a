"""Parse stage: conditions -> syntax trees, and syntax errors named the way an author thinks."""
from __future__ import annotations

import datetime as dt

import pytest

from dsl.contract.ast import And, Call, Compare, ListExpr, Literal, Not, Or, Path, Quantifier, Regex
from dsl.contract.errors import PolicyError
from dsl.stages.parse import parse_plain

P = lambda s: Path(tuple(s.split(".")))  # noqa: E731
L = Literal

PARSES = [
    ("count(message.emoji) > 0", Compare(">", Call("count", (P("message.emoji"),)), L(0))),
    ("a and b and c", And((P("a"), P("b"), P("c")))),
    ("(a and b) and (c and d)", And((P("a"), P("b"), P("c"), P("d")))),
    ("a or b and c", Or((P("a"), And((P("b"), P("c")))))),
    ("not a and b", And((Not(P("a")), P("b")))),
    ("not a == 1", Not(Compare("==", P("a"), L(1)))),
    ("x in [1, 2,]", Compare("in", P("x"), ListExpr((L(1), L(2))))),
    ("x not in vocab.hosts", Compare("not in", P("x"), P("vocab.hosts"))),
    ("message.sent_at >= 2020-11-06", Compare(">=", P("message.sent_at"), L(dt.date(2020, 11, 6)))),
    ("n == -2.5", Compare("==", P("n"), L(-2.5))),
    ("s == 'it\\'s'", Compare("==", P("s"), L("it's"))),
    ('s == "say \\"hi\\""', Compare("==", P("s"), L('say "hi"'))),
    ("matches(t, /a\\/b/i)", Call("matches", (P("t"), L(Regex("a/b", "i"))))),
    ("flag == true", Compare("==", P("flag"), L(True))),
    ("android == 1", Compare("==", P("android"), L(1))),      # keywords do not eat longer names
    ("a and any l in m.links: l.x or b",
     And((P("a"), Quantifier("any", "l", P("m.links"), Or((P("l.x"), P("b"))))))),
    ("all i in m.images: exists(i.alt)", Quantifier("all", "i", P("m.images"), Call("exists", (P("i.alt"),)))),
    ("(any l in m: l.x) and b", And((Quantifier("any", "l", P("m"), P("l.x")), P("b")))),
    ("f()", Call("f", ())),
    ("  a\n  and b  ", And((P("a"), P("b")))),
]


@pytest.mark.parametrize("text,tree", PARSES, ids=[p[0] for p in PARSES])
def test_parses(text, tree):
    assert parse_plain(text) == tree


SYNTAX_ERRORS = [
    # text, message, help fragment, column of the caret
    ("a and", "dangling `and`: a condition must follow it", "remove the `and`", 5),
    ("a or", "dangling `or`: a condition must follow it", "remove the `or`", 4),
    ("(a and b", "unclosed parenthesis", "this `(` is never closed", 1),
    ("count(message.emoji > 0", "unclosed parenthesis", "this `(` is never closed", 6),
    ("a and (b or f(c) > 3", "unclosed parenthesis", "this `(` is never closed", 7),
    ("any x in y z", "missing `:` after quantifier", "any x in LIST: CONDITION", 12),
    ("any x: y", "a quantifier needs `in` after its variable", "", 6),
    ("a ==", "missing value after `==`", "", 4),
    ("a)", "unexpected `)` with nothing open to close", "", 2),
    ("a b", "two conditions side by side", "`and` or `or`", 3),
    ("a = 1", "`=` is not a comparison", "use `==`", 3),
    ("a && b", "`&` is not an operator", "use `and`", 3),
    ('a == "abc', "unclosed string", "", 6),
    ("a in [1, 2", "unclosed list", "this `[` is never closed", 6),
    ("a == b == c", "comparisons cannot be chained", "", 8),
    ("x == 2020-02-30", "`2020-02-30` is not a calendar date", "YYYY-MM-DD", 6),
    ("   ", "empty condition", "", 1),
]


@pytest.mark.parametrize("text,message,help_,column", SYNTAX_ERRORS, ids=[e[0] for e in SYNTAX_ERRORS])
def test_syntax_errors_are_named(text, message, help_, column):
    with pytest.raises(PolicyError) as info:
        parse_plain(text)
    (d,) = info.value.diagnostics
    assert d.code == "P300"
    assert d.message == message
    assert help_ in (d.help or "")
    assert d.span.column == column


def test_spans_are_excluded_from_equality_but_kept():
    a, b = parse_plain("x == 1"), parse_plain("x   ==   1")
    assert a == b
    assert a.span.column == 1 and b.right.span.column == 10


def test_deep_nesting_is_an_error_not_a_crash():
    with pytest.raises(PolicyError) as info:
        parse_plain("not " * 500 + "a")
    assert info.value.diagnostics[0].message.startswith("condition nested too deeply")


def test_absurdly_long_numbers_are_an_error_not_a_crash():
    with pytest.raises(PolicyError) as info:
        parse_plain("x > " + "1" * 5000)
    assert info.value.diagnostics[0].message == "number too long"


def test_unicode_escapes_in_strings():
    assert parse_plain('s == "a\\u001fb"') == Compare("==", P("s"), L("a\x1fb"))
