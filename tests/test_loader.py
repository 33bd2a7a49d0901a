"""Load and shape stages: YAML with positions, strict keys, no aliases, no duplicate keys."""
from __future__ import annotations

import pytest

from dsl.compiler import compile_text
from dsl.contract.errors import PolicyError
from dsl.stages.load import load_text

HEADER = "policy: buyer-messaging\nmarketplace: UK\neffective: 2020-11-06\nsource: test\n"
RULE = "  - id: r\n    title: t\n    severity: block\n    clause: c\n    when: true\n"


def errors(text: str):
    with pytest.raises(PolicyError) as info:
        compile_text(text, "p.yaml")
    return info.value.diagnostics


def test_positions_inside_block_scalars_point_into_the_file():
    loaded = load_text("rules:\n  - when: |\n      a and\n        foo\n", "f.yaml")
    offsets = loaded.scalar_offsets(("rules", 0, "when"))
    value = loaded.get(("rules", 0, "when"))
    i = value.index("foo")
    assert loaded.source.position(offsets[i]) == (4, 9)


def test_positions_inside_folded_plain_scalars():
    loaded = load_text("when: a and\n  b\n", "f.yaml")
    offsets = loaded.scalar_offsets(("when",))
    assert loaded.get(("when",)) == "a and b"
    assert loaded.source.position(offsets[6]) == (2, 3)


SHAPE = [
    # text, code, message fragment, help fragment, (line, column)
    (HEADER + "rules:\n" + RULE.replace("severity", "severty"), "P201", "unknown key `severty`", "`severity`", (8, 5)),
    (HEADER + "rulez: []\n", "P201", "unknown key `rulez`", "`rules`", (5, 1)),
    (HEADER.replace("source: test\n", "") + "rules: []\n", "P202", "missing key `source`", "", (1, 1)),
    (HEADER + "rules:\n" + RULE.replace("block", "blok"), "P200", "must be one of block, warn", "`block`", (8, 15)),
    (HEADER + "rules:\n" + RULE.replace("id: r", "id: R!"), "P200", "`R!` is not a valid rule id", "lower case", (6, 9)),
    (HEADER + "a: 1\na: 2\nrules: []\n", "P101", "duplicate key `a`", "line 5", (6, 1)),
    (HEADER + "x: &anchor 1\nrules: []\n", "P102", "anchor `&anchor`", "extends", (5, 4)),
    (HEADER + "rules:\n  - &r {id: r}\n  - *r\n", "P102", "YAML anchor `&r`", "", (6, 5)),
    (HEADER + "rules: [\n", "P100", "YAML syntax", "", (6, 1)),
    (HEADER + "rules:\n" + RULE.replace("when: true", "when: any l in message.links: true"), "P100",
     "mapping values are not allowed", "`when: |`", (10, 33)),
    ("- just\n- a list\n", "P200", "must be a YAML mapping", "", (1, 1)),
    (HEADER + "0: zero\nrules: []\n", "P201", "unknown key `0`", "", (5, 1)),
    (HEADER + "description: !!int x\nrules: []\n", "P100", "YAML value cannot be read", "quote the value", (5, 14)),
    (HEADER.replace("2020-11-06", "2020-02-30") + "rules: []\n", "P200", "`2020-02-30` is not a calendar date", "", (3, 12)),
]


@pytest.mark.parametrize("text,code,message,help_,where", SHAPE, ids=[s[2] for s in SHAPE])
def test_shape_errors(text, code, message, help_, where):
    found = errors(text)
    d = next(d for d in found if d.code == code)
    assert message in d.message
    assert help_ in (d.help or "")
    assert (d.span.line, d.span.column) == where


def test_shape_errors_in_one_rule_do_not_hide_errors_in_others():
    text = HEADER + "rules:\n" + RULE.replace("severity", "severty") + RULE.replace("id: r", "id: s").replace(
        "when: true", "when: count(message.emojis) > 0")
    assert [d.code for d in errors(text)] == ["P201", "P400"]


def test_when_may_be_a_yaml_boolean():
    policy = compile_text(HEADER + "rules:\n" + RULE, "p.yaml")
    assert policy.rules[0].condition.value is True
