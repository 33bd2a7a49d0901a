"""Run the `examples:` of every rule: each a small test of the rule as it stands in a policy.

Input: compiled policies. Output: one `ExampleResult` per example, named `market:rule:example`
(e.g. `uk:styling.no-emoji:smiley`). An example passes when every rule in `expect` fires, the
rule it belongs to fires exactly when it is listed, and every rule in `undetermined` is
undetermined, and every rule in `not_checked` says so (the example's own rule says so only
when listed). Used by `permitted test` and by the pytest suite.
"""
from __future__ import annotations

from dataclasses import dataclass

from dsl.contract.errors import InputError
from dsl.contract.model import Example, Policy, Rule
from interpreter.evaluation.evaluate import evaluate
from interpreter.evaluation.program import Program, lower_policy
from interpreter.evaluation.report import Report
from interpreter.facts.normalise import normalise
from interpreter.facts.record import build_facts


@dataclass(frozen=True)
class ExampleResult:
    name: str                      # market:rule:example
    policy: Policy
    rule: Rule
    example: Example
    passed: bool
    problems: tuple[str, ...]      # what did not match, in words
    report: Report | None


def example_name(policy: Policy, rule: Rule, example: Example) -> str:
    return f"{policy.marketplace.lower()}:{rule.id}:{example.name}"


def run_example(program: Program, rule: Rule, example: Example) -> ExampleResult:
    policy = program.policy
    name = example_name(policy, rule, example)
    market = None if policy.marketplace == "base" else policy.marketplace
    try:
        if example.message is not None:
            facts = normalise(example.message, market or "US", source=name, policy=policy)
        else:
            facts = build_facts(example.facts, market or "US", source=name)
    except InputError as err:
        return ExampleResult(name, policy, rule, example, False, tuple(d.message for d in err.diagnostics), None)
    report = evaluate(program, facts)
    fired = {v.rule for v in report.violations}
    unknown = {u.rule for u in report.undetermined}
    problems = []
    for rule_id in example.expect:
        if rule_id not in fired:
            state = "undetermined" if rule_id in unknown else "did not fire"
            problems.append(f"expected `{rule_id}` to fire, but it {state}")
    if rule.id not in example.expect and rule.id in fired:
        problems.append(f"expected `{rule.id}` not to fire, but it fired")
    for rule_id in example.undetermined:
        if rule_id not in unknown:
            state = "fired" if rule_id in fired else "was judged (not fired)"
            problems.append(f"expected `{rule_id}` to be undetermined, but it {state}")
    if rule.id in unknown and rule.id not in example.undetermined and rule.id not in example.expect:
        needs = next(u.needs for u in report.undetermined if u.rule == rule.id)
        problems.append(f"`{rule.id}` was undetermined (needs {', '.join(needs)}); give those facts in the example "
                        "or list the rule under `undetermined:`")
    noted = {n.rule for n in report.not_checked}
    for rule_id in example.not_checked:
        if rule_id not in noted:
            problems.append(f"expected `{rule_id}` to say it was not checked, but it said nothing")
    if rule.id in noted and rule.id not in example.not_checked:
        says = next(n.says for n in report.not_checked if n.rule == rule.id)
        problems.append(f"`{rule.id}` said it was not checked (\"{says}\"); list it under `not_checked:` if it should")
    return ExampleResult(name, policy, rule, example, not problems, tuple(problems), report)


def run_examples(policy: Policy | Program, selector: str | None = None) -> list[ExampleResult]:
    program = policy if isinstance(policy, Program) else lower_policy(policy)
    policy = program.policy
    out = []
    for rule in policy.rules:
        for example in rule.examples:
            if selector and selector not in example_name(policy, rule, example):
                continue
            out.append(run_example(program, rule, example))
    return out
