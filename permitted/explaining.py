"""Explaining a rule: which policies hold it, and the facts it reads.

Stage: application, over the policy store. Input: a rule id and how to choose the policies to
look in (a policy, a marketplace, a day; by default every marketplace's version in force).
Output: `Found` — the policy and rule first found, and the other policies that hold the same
id — and, for a rule, the facts-schema entry of each fact it reads. Errors: UsageError U100 for
a rule no selected policy holds (with the nearest ids); PolicyError P700 for a policy or
marketplace that names none. Used by `permitted explain` and the service's `GET /v1/rules/{id}`.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path

from dsl.contract.errors import Diagnostic, PolicyError, UsageError, did_you_mean
from dsl.contract.model import Policy, Rule
from dsl.contract.schema import FactSchema

from permitted.store import PolicyStore


@dataclass(frozen=True)
class Found:
    policy: Policy
    rule: Rule
    also_in: tuple[str, ...]      # ids of the other selected policies with a rule of this id


def policies_for(store: PolicyStore, policy: str | None = None, marketplace: str | None = None,
                 as_of: _dt.date | None = None) -> list[Path]:
    """The policy files to look in: the one named, else the marketplace's version in force on
    `as_of` (today), else every marketplace's version in force then."""
    if policy or marketplace:
        return [store.path(policy or marketplace, as_of)]
    out = []
    for market in store.catalogue.versions:
        try:
            out.append(store.path(market, as_of))
        except PolicyError:          # no version of this marketplace in force on that day
            continue
    return out


def find_rule(store: PolicyStore, rule_id: str, policy: str | None = None, marketplace: str | None = None,
              as_of: _dt.date | None = None) -> Found:
    found, known = [], set()
    for path in policies_for(store, policy, marketplace, as_of):
        compiled = store.compiled(path).policy
        known.update(r.id for r in compiled.rules)
        rule = compiled.rule(rule_id)
        if rule is not None:
            found.append((compiled, rule))
    if not found:
        raise UsageError([Diagnostic("U100", f"no rule `{rule_id}` in the selected policies",
                                     help=did_you_mean(rule_id, known) or "run `permitted test` to list rule names")])
    return Found(found[0][0], found[0][1], tuple(p.id for p, _ in found[1:]))


def facts_read(rule: Rule, schema: FactSchema) -> list[tuple[str, object]]:
    """(path, the schema's field spec) of each fact the rule reads that the schema describes."""
    out = []
    for path in rule.reads:
        parts = path.split(".")
        spec, object_name = None, parts[0]
        for p in parts[1:]:
            spec = schema.field(object_name, p)
            if spec is None:
                break
            object_name = spec.type.name if spec.type.kind == "object" else ""
        if spec is not None:
            out.append((path, spec))
    return out
