"""permitted: check a seller's message to a marketplace buyer against the marketplace's rules.

Python API (more arrives with the message checker): compile a policy and evaluate facts.

    from permitted import load_policy, evaluate, build_facts
    policy = load_policy("UK")                       # the version in force today
    report = evaluate(policy, build_facts({"message": {"text": "Hi :)", ...}}))
"""
from __future__ import annotations

import datetime as _dt

from dsl import Policy, PolicyError, compile_policy
from dsl.registry import resolve
from interpreter import Report, build_facts, evaluate


def load_policy(ref: str, as_of: _dt.date | None = None) -> Policy:
    """A compiled policy: `ref` is a marketplace (UK), an id (uk@2020-11-06) or a policy file path."""
    return compile_policy(resolve(ref, as_of))


__all__ = ["load_policy", "evaluate", "build_facts", "Policy", "PolicyError", "Report"]
