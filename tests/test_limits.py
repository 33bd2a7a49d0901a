"""Every bound README's *Limits* table states, tried at its edge: the largest input within it is
read, the smallest beyond it gets the code the table names.

Rows the other hostile-input tests already try are named in INDEX with the tests that do, so this
file is the table's index: a row without a test would be a claim unchecked.
"""
from __future__ import annotations

import time

import pytest

from dsl.compiler import compile_text
from dsl.contract.errors import TEXT_LIMIT, Diagnostic, InputError, PolicyError
from dsl.stages.load import MAX_INTEGER_CHARS
from dsl.stages.parse import MAX_DEPTH
from interpreter.read.bounded import MAX_INTEGER_DIGITS, MAX_NESTING
from interpreter.facts.html import read_html
from interpreter.read.envelope import DEFAULT_LIMIT, envelope_of

from .policytext import ROOT, policy_yaml
from .test_hostile_policies import HEAD

# README's Limits table, row by row (its first cell) -> the tests that try the row at its edge.
INDEX = {
    "a message (file, standard input, one line of a JSONL archive, one message of an mbox)":
        "test_message_bounds_hold_at_their_edge; test_exit_codes.py (standard input)",
    "nesting of a JSON or YAML envelope (or SP-API body)":
        "test_message_bounds_hold_at_their_edge; test_hostile_messages.py (YAML, 100,000 levels)",
    "an integer in a JSON or YAML envelope": "test_message_bounds_hold_at_their_edge; test_hostile_messages.py (YAML)",
    "YAML anchors and aliases in a message file": "test_hostile_messages.py::test_hostile_envelopes_are_clean_errors",
    "duplicate keys in a JSON or YAML envelope; `NaN`, `Infinity`, `.inf`":
        "test_hostile_messages.py::test_hostile_envelopes_are_clean_errors",
    "dates and times (`sent_at`, `order.*_at`)": "test_hostile_messages.py, test_dates.py",
    "a policy file": "test_hostile_policies.py::test_lint_and_fmt_refuse_unreadable_and_special_files_cleanly",
    "nesting of a policy file": "test_hostile_policies.py::test_yaml_nesting_and_huge_integers_in_a_policy_are_p100",
    "an integer in a policy file": "test_policy_bounds_hold_at_their_edge",
    "a condition (`when:`, or a `{…}` in a hint)":
        "test_policy_bounds_hold_at_their_edge; test_hostile_policies.py::test_a_condition_too_long_or_too_large_is_p301",
    "a diagnostic": "test_a_diagnostic_message_is_cut_at_its_limit; "
                    "test_hostile_policies.py::test_a_diagnostic_keeps_a_bounded_excerpt_with_the_caret_in_place",
    "`extends:`": "test_hostile_policies.py (P219, P220)",
    "a policy regex": "test_policy_regex.py",
    "nesting of MIME parts in an e-mail": "test_mail_edges.py",
    "an e-mail header the reader interprets (Subject, Date, Content-*)": "test_mail_edges.py",
    "an e-mail's text part declared base64": "test_mail_edges.py",
    "nesting of CSS blocks and brackets (`<style>`, `style=`)": "test_css_nesting_is_read_without_recursion",
    "time to judge one message in `audit`": "test_audit_limits.py::test_a_message_over_the_time_limit_is_one_error_row",
}


def _envelope_codes(text: str, suffix: str = ".json") -> list[str]:
    try:
        envelope_of(text.encode(), suffix, "m" + suffix)
    except InputError as error:
        return [d.code for d in error.diagnostics]
    return []


def _policy_codes(text: str) -> list[str]:
    try:
        compile_text(text, "p.yaml")
    except PolicyError as error:
        return [d.code for d in error.diagnostics if d.severity == "error"]
    return []


def _nested(depth: int) -> str:
    return '{"body": "x", "h": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


# (the README row, within the bound, beyond it, the code beyond it)
MESSAGE_BOUNDS = [
    ("a message: --max-size, default 1,000,000 bytes", '{"body": "' + "x" * (DEFAULT_LIMIT - 12) + '"}',
     '{"body": "' + "x" * (DEFAULT_LIMIT - 11) + '"}', "I101"),
    ("nesting of a JSON envelope: 64 levels", _nested(MAX_NESTING), _nested(MAX_NESTING + 1), "I102"),
    ("an integer in a JSON envelope: 100 digits", '{"body": "x", "history": {"review_requests_sent": '
     + "1" * MAX_INTEGER_DIGITS + "}}", '{"body": "x", "history": {"review_requests_sent": '
     + "1" * (MAX_INTEGER_DIGITS + 1) + "}}", "I102"),
]


@pytest.mark.parametrize("row,within,beyond,code", MESSAGE_BOUNDS, ids=[r[0] for r in MESSAGE_BOUNDS])
def test_message_bounds_hold_at_their_edge(row, within, beyond, code):
    assert code not in _envelope_codes(within), row       # read (the schema may still refuse it: I100)
    assert code in _envelope_codes(beyond), row


POLICY_BOUNDS = [
    ("an integer in a policy file: 100 characters", HEAD + "rules: []\nvocab: {n: " + "1" * MAX_INTEGER_CHARS + "}\n",
     HEAD + "rules: []\nvocab: {n: " + "1" * (MAX_INTEGER_CHARS + 1) + "}\n", "P100"),
    ("a number in a condition: 300 characters", policy_yaml("count(message.emoji) > " + "1" * 300),
     policy_yaml("count(message.emoji) > " + "1" * 301), "P300"),
    # Levels of the syntax tree: the condition's own, one per `not`, and the fact's.
    ("a condition: 100 levels of nesting", policy_yaml("not " * (MAX_DEPTH - 2) + "message.is_html"),
     policy_yaml("not " * (MAX_DEPTH - 1) + "message.is_html"), "P300"),
]


@pytest.mark.parametrize("row,within,beyond,code", POLICY_BOUNDS, ids=[r[0] for r in POLICY_BOUNDS])
def test_policy_bounds_hold_at_their_edge(row, within, beyond, code):
    assert code not in _policy_codes(within), row
    assert code in _policy_codes(beyond), row


def test_a_diagnostic_message_is_cut_at_its_limit():
    long = "x" * (TEXT_LIMIT + 500)
    d = Diagnostic("P201", long, help=long)
    assert len(d.message) < len(long) and "characters left out" in d.message
    assert Diagnostic("P201", "x" * TEXT_LIMIT).message == "x" * TEXT_LIMIT


def test_css_nesting_is_read_without_recursion():
    """100,000 nested braces in a <style> block, or brackets in a style attribute, exhausted the
    stack (tinycss2 writes nested blocks back out by recursion); thousands of rules met by
    thousands of differently classed elements took time quadratic in their number."""
    started = time.monotonic()
    for html in ("<style>p{color:red" + "{" * 100_000 + "}</style><p>hi</p>",
                 '<p style="margin:' + "([{" * 50_000 + '">hi</p>'):
        assert read_html(html).text == "hi"
    rules = "".join(f".c{i}{{margin:0 {i % 40}%}}" for i in range(10_000))
    read_html(f"<style>{rules}</style>" + "".join(f'<p class="c{i}">x</p>' for i in range(10_000)))
    assert time.monotonic() - started < 30


def test_every_limits_row_has_a_test():
    """README's Limits table and INDEX name the same rows: a new bound gets a test with it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Limits", 1)[1].split("\n\n")[2]
    rows = [line.split("|")[1].strip() for line in table.splitlines()[2:] if line.startswith("|")]
    assert rows == list(INDEX)
