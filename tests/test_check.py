"""Resolve and check stage: every name and type is checked when the policy is compiled,
and each mistake points at the offending text inside the YAML file."""
from __future__ import annotations

import pytest

from dsl.contract import tree
from dsl.contract.errors import PolicyError
from dsl.contract.types import BOOL, NUMBER

from .policytext import compile_conditions

ERRORS = [
    # condition, code, message fragment, help fragment, underlined text
    ("count(message.link) > 0", "P400", "unknown fact `message.link`", "`message.links`", "message.link"),
    ("messages.text == \"x\"", "P400", "unknown fact `messages.text`", "message.text", "messages.text"),
    ("message.links > 2", "P500", "cannot compare a list of link with a number", "count(message.links) > 2",
     "message.links > 2"),
    ("message.sent_at > \"2020-01-01\"", "P500", "cannot compare a date with a string", "without quotes",
     "message.sent_at > \"2020-01-01\""),
    ("message.channel == \"emial\"", "P502", "\"emial\" is not a possible value of `message.channel`", "`email`", "\"emial\""),
    ("message.reason in [\"invoice\", \"reveiw_request\"]", "P502", "\"reveiw_request\"", "`review_request`",
     "[\"invoice\", \"reveiw_request\"]"),
    ("any link in message.links: link.anchor_text == \"x\"", "P503", "`link.anchor_text` may be absent",
     "exists(link.anchor_text)", "link.anchor_text"),
    ("mentions(message.text, vocab.marketting_phrases)", "P401", "unknown vocabulary entry", "`vocab.marketing_phrases`",
     "vocab.marketting_phrases"),
    ("count_of(message.emoji) > 0", "P402", "unknown operator `count_of`", "`count`", "count_of"),
    ("days_between(order.completed_at) > 30", "P501", "`days_between` takes 2 arguments, not 1", "usage:",
     "days_between(order.completed_at)"),
    ("len(message.links) > 3", "P501", "argument `text` of `len` must be a string", "usage: len(text: string)",
     "message.links"),
    ("matches(message.text, /(unclosed/)", "P504", "bad regular expression", "position", "/(unclosed/"),
    ("message.text", "P505", "`message.text` is a string, not a condition", "compare", "message.text"),
    ("count(message.emoji)", "P505", "is a number, not a condition", "", "count(message.emoji)"),
    ("any message in message.links: true", "P404", "the variable `message` hides another name", "", "message"),
    ("any link in message.text: true", "P500", "ranges over a list", "", "message.text"),
    ("\"hi\" in message.text", "P500", "`in` looks for an item in a list", "contains(message.text, \"hi\")",
     "\"hi\" in message.text"),
    ("link.host == \"x\"", "P400", "unknown fact `link.host`", "", "link.host"),
    ("any l in message.links: l.hots == \"x\"", "P403", "unknown field `l.hots`", "`l.host`", "l.hots"),
    ("message.links.host == \"x\"", "P500", "`message.links` is a list of link; it has no field `host`",
     "any x in message.links", "message.links.host"),
    ("message == 1", "P500", "`message` is a group of facts", "", "message"),
    ("message.styling.font_sizes > \"3\"", "P500", "cannot compare a number with a string", "", ""),
]


@pytest.mark.parametrize("condition,code,message,help_,underlined", ERRORS, ids=[e[0] for e in ERRORS])
def test_check_errors(condition, code, message, help_, underlined):
    with pytest.raises(PolicyError) as info:
        compile_conditions(condition)
    (d,) = info.value.diagnostics
    assert d.code == code
    assert message in d.message
    assert help_ in (d.help or "")
    assert d.span.file == "test.yaml" and d.span.line == 12     # the condition's line inside the `when: |` block
    line = d.source_line
    assert line is not None and condition.split("\n")[0] in line
    if underlined:
        assert line[d.span.column - 1:d.span.end_column - 1] == underlined


def test_every_error_in_every_rule_is_reported_at_once():
    with pytest.raises(PolicyError) as info:
        compile_conditions("count(message.link) > 0", "a and", "message.channel == \"emial\"")
    assert [d.code for d in info.value.diagnostics] == ["P400", "P300", "P502"]
    assert [d.span.line for d in info.value.diagnostics] == [12, 18, 24]


GUARDS_OK = [
    "any link in message.links: exists(link.anchor_text) and link.anchor_text == \"x\"",
    "any link in message.links: not exists(link.anchor_text) or link.anchor_text == \"x\"",
    "any link in message.links: link.explains and exists(link.anchor_text) and lower(link.anchor_text) == \"x\"",
    "any i in message.images: exists(i.width_percent) and (i.width_percent > 80 or i.animated)",
    "exists(message.subject) and contains(message.subject, \"sale\")",
]


@pytest.mark.parametrize("condition", GUARDS_OK)
def test_guarded_optional_facts_compile(condition):
    compile_conditions(condition)


def test_unknown_facts_need_no_guard_and_are_marked_unknown():
    policy = compile_conditions("days_between(order.completed_at, message.sent_at) > vocab.window_days")
    cond = policy.rules[0].condition
    facts = [n for n in tree.walk(cond) if isinstance(n, tree.Fact)]
    assert {(f.dotted, f.absent) for f in facts} == {("order.completed_at", "unknown"), ("message.sent_at", "unknown")}


def test_vocab_entries_become_typed_constants():
    policy = compile_conditions("count(message.emoji) > vocab.window_days")
    cond = policy.rules[0].condition
    assert cond == tree.Compare(">", tree.Call("count", (tree.Fact(("message", "emoji"), cond.left.args[0].type),), NUMBER),
                                tree.Const(30, NUMBER))


def test_a_list_as_condition_means_not_empty():
    cond = compile_conditions("mentions(message.text, vocab.marketing_phrases)").rules[0].condition
    assert isinstance(cond, tree.NonEmpty)
    assert cond.type == BOOL
