"""Every rule's `examples:` in every bundled policy version, one pytest case each
(named like `uk:styling.no-emoji:smiley`)."""
from __future__ import annotations

import pytest

from dsl.compiler import compile_file
from dsl.registry import policy_files, versions
from permitted.examples import example_name, run_example
from permitted.store import default_store
from permitted.views.terminal import example_failure


def _cases():
    for vs in versions().values():
        for v in vs:
            program = default_store().compiled(v.path).program
            policy = program.policy
            for rule in policy.rules:
                for example in rule.examples:
                    yield pytest.param(program, rule, example, id=example_name(policy, rule, example))


@pytest.mark.parametrize("program,rule,example", list(_cases()))
def test_example(program, rule, example):
    result = run_example(program, rule, example)
    assert result.passed, example_failure(result).plain


def test_every_bundled_policy_file_compiles():
    for path in policy_files():
        compile_file(path)


def test_every_marketplace_has_a_policy_and_examples():
    every = versions()
    assert {"UK", "US"} <= set(every)
    for vs in every.values():
        for v in vs:
            policy = default_store().policy(v.path)
            assert policy.rules, v.id
            for rule in policy.rules:
                assert len(rule.examples) >= 2, f"{v.id}:{rule.id} needs an example that fires and a near miss"
