"""Every rule's `examples:` in every bundled policy version, one pytest case each
(named like `uk:styling.no-emoji:smiley`)."""
from __future__ import annotations

import pytest

from dsl.compiler import compile_policy
from dsl.registry import policy_files, versions
from permitted.examples import example_name, run_example
from permitted.views.terminal import example_failure


def _cases():
    for vs in versions().values():
        for v in vs:
            policy = compile_policy(v.path)
            for rule in policy.rules:
                for example in rule.examples:
                    yield pytest.param(policy, rule, example, id=example_name(policy, rule, example))


@pytest.mark.parametrize("policy,rule,example", list(_cases()))
def test_example(policy, rule, example):
    result = run_example(policy, rule, example)
    assert result.passed, example_failure(result).plain


def test_every_bundled_policy_file_compiles():
    for path in policy_files():
        compile_policy(path)


def test_every_marketplace_has_a_policy_and_examples():
    every = versions()
    assert {"UK", "US"} <= set(every)
    for vs in every.values():
        for v in vs:
            policy = compile_policy(v.path)
            assert policy.rules, v.id
            for rule in policy.rules:
                assert len(rule.examples) >= 2, f"{v.id}:{rule.id} needs an example that fires and a near miss"
