"""Policies and rules as JSON: what the service answers at /v1/policies and /v1/rules/{id}.

Stage: output. Input: compiled policies and rules (and the facts schema, for what a rule reads).
Output: plain JSON data — a policy's summary or its rules with titles, clauses and severities;
a rule as `permitted explain` shows it (clause, condition written the canonical way, hint, the
facts it reads, its examples). No errors.
"""
from __future__ import annotations

from dsl.contract.model import Policy, Rule
from dsl.contract.schema import FactSchema, as_json_data
from dsl.format.condition import format_expr

from permitted.explaining import facts_read


def policy_summary(policy: Policy, source_hash: str, in_force: bool) -> dict:
    return {"id": policy.id, "marketplace": policy.marketplace, "effective": policy.effective.isoformat(),
            "file": policy.file, "hash": source_hash, "rules": len(policy.rules), "in_force": in_force}


def policy_detail(policy: Policy, source_hash: str) -> dict:
    return {"id": policy.id, "name": policy.name, "marketplace": policy.marketplace,
            "effective": policy.effective.isoformat(), "file": policy.file, "source": policy.source,
            "description": policy.description, "hash": source_hash, "extends": list(policy.chain[:-1]),
            "rules": [{"id": r.id, "title": r.title, "severity": str(r.severity), "clause": r.clause,
                       "file": r.file, "line": r.span.line if r.span else None} for r in policy.rules]}


def rule_detail(policy: Policy, rule: Rule, schema: FactSchema, also_in: tuple[str, ...] = ()) -> dict:
    examples = []
    for e in rule.examples:
        example = {"name": e.name, "expect": list(e.expect), "undetermined": list(e.undetermined)}
        if e.message is not None:
            example["message"] = as_json_data(e.message)
        else:
            example["facts"] = as_json_data(e.facts)
        examples.append(example)
    return {"id": rule.id, "policy": policy.id, "title": rule.title, "severity": str(rule.severity),
            "clause": rule.clause, "condition": format_expr(rule.syntax, 84),
            "hint": rule.hint.source if rule.hint is not None else None,
            "file": rule.file, "line": rule.span.line if rule.span else None,
            "reads": [{"fact": path, "type": str(spec.type), "absent": spec.absent, "description": spec.description}
                      for path, spec in facts_read(rule, schema)],
            "examples": examples, "also_in": list(also_in)}
