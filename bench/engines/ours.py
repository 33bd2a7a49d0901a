"""Our engine: the compiled policy evaluated with interpreter.outcomes (fast path) or
interpreter.evaluation.evaluate (the full report: violations with evidence spans, hints, undetermined rules)."""
from __future__ import annotations

from dataclasses import replace
from importlib.metadata import version

from dsl.contract.model import Policy
from interpreter.evaluation.evaluate import evaluate, outcomes
from interpreter.evaluation.program import Program, lower_policy

from . import Engine


def subset(policy: Policy, rule_ids) -> Policy:
    """The same policy with only some of its rules, so we are timed on exactly the rules a peer runs."""
    keep = set(rule_ids)
    return replace(policy, rules=tuple(r for r in policy.rules if r.id in keep))


def make(policy: Policy, rule_ids=None, *, full_report: bool = False) -> Engine:
    policy = policy if rule_ids is None else subset(policy, rule_ids)
    program = lower_policy(policy)          # once, as the policy store does
    ids = tuple(r.id for r in policy.rules)
    if full_report:
        return Engine("ours: evaluate (report with evidence)", ids, prepare=lambda facts: facts,
                      run=lambda facts: evaluate(program, facts),
                      fired=lambda report: [v.rule for v in report.violations], version=version("permitted"))
    return Engine("ours: outcomes", ids, prepare=lambda facts: facts,
                  run=lambda facts: outcomes(program, facts),
                  fired=lambda result: [r.id for r in result[0]], version=version("permitted"))


def undetermined(program: Program, facts) -> list[str]:
    """Rules that came out unknown; the corpus knows every fact, so this must stay empty."""
    return [r.id for r in outcomes(program, facts)[1]]
