"""Merge stage: bases, overrides, removals, cycles — and the compile cache."""
from __future__ import annotations

import os

import pytest

from dsl.compiler import compile_file
from dsl.contract.errors import PolicyError
from permitted.store import PolicyStore


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def head(market="UK", extends=None):
    text = f"policy: buyer-messaging\nmarketplace: {market}\neffective: 2020-11-06\nsource: test\n"
    return text + (f"extends: {extends}\n" if extends else "")


def rule(rule_id, when="true", extra=""):
    return f"  - id: {rule_id}\n    title: t\n    severity: block\n    clause: c\n    when: {when}\n{extra}"


@pytest.fixture
def base(tmp_path):
    return write(tmp_path / "base" / "b.yaml", head("base") + "vocab:\n  words: {en: [a, b]}\n  limit: 3\nrules:\n"
                 + rule("one", "count(message.emoji) > vocab.limit") + rule("two") + rule("three"))


def test_rules_and_vocab_are_inherited_and_overridden(tmp_path, base):
    child = write(tmp_path / "uk" / "2020-11-06.yaml", head("UK", "../base/b.yaml")
                  + "remove: [three]\nvocab:\n  limit: 5\nrules:\n"
                  + rule("two", "false", "    override: true\n") + rule("four"))
    policy = compile_file(child)
    assert [r.id for r in policy.rules] == ["one", "two", "four"]
    assert policy.rule("two").condition.value is False
    assert policy.rule("one").condition.right.value == 5           # the child's vocab entry wins
    assert policy.rule("one").file.endswith("b.yaml")
    assert policy.removed == ("three",)
    assert policy.id == "uk@2020-11-06"


MERGE_ERRORS = [
    ("rules:\n" + rule("two"), "P214", "rule `two` is already defined in", "override: true"),
    ("rules:\n" + rule("five", extra="    override: true\n"), "P213", "`five` overrides nothing", ""),
    ("remove: [thre]\nrules: []\n", "P215", "cannot remove `thre`", "`three`"),
    ("rules:\n" + rule("x") + rule("x"), "P212", "duplicate rule id `x`", "line 7"),
]


@pytest.mark.parametrize("body,code,message,help_", MERGE_ERRORS, ids=[m[1] for m in MERGE_ERRORS])
def test_merge_errors(tmp_path, base, body, code, message, help_):
    child = write(tmp_path / "uk" / "x.yaml", head("UK", "../base/b.yaml") + body)
    with pytest.raises(PolicyError) as info:
        compile_file(child)
    (d,) = info.value.diagnostics
    assert (d.code, d.span.file) == (code, str(child))
    assert message in d.message and help_ in (d.help or "")


def test_extends_cycle_is_reported(tmp_path):
    a = write(tmp_path / "a.yaml", head("base", "b.yaml") + "rules: []\n")
    write(tmp_path / "b.yaml", head("base", "a.yaml") + "rules: []\n")
    with pytest.raises(PolicyError) as info:
        compile_file(a)
    (d,) = info.value.diagnostics
    assert d.code == "P211" and "a.yaml -> b.yaml -> a.yaml" in d.message


def test_missing_base_suggests_a_near_name(tmp_path, base):
    child = write(tmp_path / "base" / "c.yaml", head("UK", "bb.yaml") + "rules: []\n")
    with pytest.raises(PolicyError) as info:
        compile_file(child)
    (d,) = info.value.diagnostics
    assert d.code == "P210" and d.help == "did you mean `b.yaml`?"
    assert (d.span.line, d.span.column) == (5, 10)


def test_errors_in_a_base_point_into_the_base(tmp_path):
    write(tmp_path / "base.yaml", head("base") + "rules:\n" + rule("one", "count(message.emojis) > 0"))
    child = write(tmp_path / "child.yaml", head("UK", "base.yaml") + "rules: []\n")
    with pytest.raises(PolicyError) as info:
        compile_file(child)
    (d,) = info.value.diagnostics
    assert d.span.file.endswith("base.yaml") and d.code == "P400"


def test_store_reuses_until_a_file_in_the_chain_changes(tmp_path, base):
    store = PolicyStore()
    child = write(tmp_path / "uk" / "c.yaml", head("UK", "../base/b.yaml") + "rules: []\n")
    first = store.compiled(child)
    assert store.compiled(child) is first
    write(base, base.read_text().replace("limit: 3", "limit: 4"))
    os.utime(base, ns=(os.stat(base).st_atime_ns, os.stat(base).st_mtime_ns + 10_000_000))
    second = store.compiled(child)
    assert second is not first and second.policy.rule("one").condition.right.value == 4
    assert second.program.policy is second.policy, "the program is lowered from the policy it is handed out with"
