"""Evaluate a lowered policy against facts: the report of one message.

Stage: last. Input: an interpreter.evaluation.program.Program (a policy lowered once by whoever
compiled it) and interpreter.facts.record.Facts. Output: report.Report. Pure: the same inputs give
the same report. Only rules that fire or come out unknown are traced for evidence, hints and
needs, with the program's own closures.
"""
from __future__ import annotations

from dsl.contract.model import Hint, Policy, Rule

from interpreter.evaluation import trace
from interpreter.evaluation.program import Program, lower_policy
from interpreter.evaluation.report import NotCheckedNote, Report, Undetermined, Violation, verdict_of
from interpreter.facts.record import Facts


def outcomes(program: Program, facts: Facts) -> tuple[list[Rule], list[Rule]]:
    """The rules that fire and the rules that are undetermined, without explanations (the fast path)."""
    data, env = facts.data, [None] * program.slots
    fired, unknown = [], []
    for rule, fn in program.rules:
        v = fn(data, env)
        if v is True:
            fired.append(rule)
        elif v is None:
            unknown.append(rule)
    return fired, unknown


def not_checked(program: Program, judged: set[str], run: trace.Run) -> tuple[NotCheckedNote, ...]:
    """The notes of rules that neither fired nor were undetermined but say they were not checked
    (their note's condition true: unknown says nothing)."""
    return tuple(NotCheckedNote(r.id, r.title, render_hint(r.not_checked.say, run))
                 for r in program.noted if r.id not in judged and run.value(r.not_checked.condition) is True)


def render_hint(hint: Hint | None, run: trace.Run) -> str | None:
    if hint is None:
        return None
    out = []
    for part in hint.parts:
        out.append(part if isinstance(part, str) else _show(run.value(part)))
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


def evaluate(program: Program | Policy, facts: Facts) -> Report:
    """The report of one message. Give a Program to judge many messages: a Policy is lowered
    again on every call."""
    if isinstance(program, Policy):
        program = lower_policy(program)
    fired, unknown = outcomes(program, facts)
    run = trace.Run(program, facts.data, [None] * program.slots)
    violations = tuple(
        Violation(r.id, r.severity, r.title, r.clause, render_hint(r.hint, run), tuple(trace.evidence(r.condition, run)))
        for r in fired)
    undetermined = tuple(Undetermined(r.id, tuple(trace.needs(r.condition, run))) for r in unknown)
    notes = not_checked(program, {r.id for r in fired} | {r.id for r in unknown}, run) if program.noted else ()
    policy = program.policy
    return Report(verdict_of(violations, undetermined), facts.marketplace, policy.id, policy.file,
                  violations, undetermined, notes)
