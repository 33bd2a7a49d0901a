"""Evaluate a compiled policy against facts: the report of one message.

Stage: last. Input: a dsl.contract.model.Policy and interpreter.facts.record.Facts. Output: report.Report.
Pure: the same inputs give the same report. Each policy is lowered to closures once (cached);
only rules that fire or come out unknown are traced for evidence, hints and needs.
"""
from __future__ import annotations

from dataclasses import dataclass

from dsl.contract import tree
from dsl.contract.model import Hint, Policy, Rule

from interpreter.evaluation import trace
from interpreter.evaluation.program import lower
from interpreter.evaluation.report import Report, Undetermined, Violation, verdict_of
from interpreter.facts.record import Facts


@dataclass(frozen=True)
class Program:
    policy: Policy
    rules: tuple[tuple[Rule, object], ...]
    slots: int


_PROGRAMS: dict[int, Program] = {}
_PROGRAMS_MAX = 64    # policies in use at once; a recompiled policy replaces its old program


def program(policy: Policy) -> Program:
    """The policy lowered to closures, once per compiled policy (keyed by identity, which is cheap)."""
    hit = _PROGRAMS.get(id(policy))
    if hit is not None and hit.policy is policy:
        return hit
    if len(_PROGRAMS) >= _PROGRAMS_MAX:
        _PROGRAMS.clear()
    rules = tuple((r, lower(r.condition)) for r in policy.rules)
    slots = max((tree.slots_used(r.condition) for r in policy.rules), default=0)
    hit = _PROGRAMS[id(policy)] = Program(policy, rules, slots)
    return hit


def outcomes(policy: Policy, facts: Facts) -> tuple[list[Rule], list[Rule]]:
    """The rules that fire and the rules that are undetermined, without explanations (the fast path)."""
    prog = program(policy)
    data, env = facts.data, [None] * prog.slots
    fired, unknown = [], []
    for rule, fn in prog.rules:
        v = fn(data, env)
        if v is True:
            fired.append(rule)
        elif v is None:
            unknown.append(rule)
    return fired, unknown


def render_hint(hint: Hint | None, data: dict, env: list) -> str | None:
    if hint is None:
        return None
    out = []
    for part in hint.parts:
        out.append(part if isinstance(part, str) else _show(trace.value(part, data, env)))
    return "".join(out)


def _label(item):
    """How a list item reads in a hint: its text, else its first text-valued field (an address, a file name)."""
    if not isinstance(item, dict):
        return item
    if "text" in item:
        return item["text"]
    return next((v for v in item.values() if isinstance(v, str)), "?")


def _show(value) -> str:
    if value is None:
        return "?"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ", ".join(_show(_label(v)) for v in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def evaluate(policy: Policy, facts: Facts) -> Report:
    fired, unknown = outcomes(policy, facts)
    data = facts.data
    env = [None] * program(policy).slots
    violations = tuple(
        Violation(r.id, r.severity, r.title, r.clause, render_hint(r.hint, data, env),
                  tuple(trace.evidence(r.condition, data, env)))
        for r in fired)
    undetermined = tuple(Undetermined(r.id, tuple(trace.needs(r.condition, data, env))) for r in unknown)
    return Report(verdict_of(violations, undetermined), facts.marketplace, policy.id, policy.file,
                  violations, undetermined)
