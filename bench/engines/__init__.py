"""The engines bench/evaluation.py runs side by side, behind one small interface.

Each engine evaluates some or all of the rules of bench/policy.yaml. Its input is prepared
once per record, outside the timed loop (as our facts are built once with build_facts): each
engine gets the record in the form its API takes. `run` is what the benchmark times; `fired`
turns run's result into rule ids for the cross-check and is not timed.

A peer expresses a rule only when its own language computes the same thing for ordinary
messages. Rules it cannot express are listed in `skipped` with the reason; adaptations that keep
the meaning but differ in exotic corner cases are listed in `caveats`. Nothing is precomputed
for a peer: a sub-expression it cannot say makes the whole rule skipped.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from dsl.contract.model import flatten
from dsl.contract.schema import as_json_data


@dataclass(frozen=True)
class Engine:
    name: str
    rules: tuple[str, ...]                      # rule ids it evaluates, in policy order
    prepare: Callable[[Any], Any]               # interpreter.Facts -> this engine's input (not timed)
    run: Callable[[Any], Any]                   # evaluate every rule on one prepared record (timed)
    fired: Callable[[Any], Iterable[str]]       # run's result -> ids of the rules that fired
    skipped: Mapping[str, str] = field(default_factory=dict)   # rule id -> why it cannot be expressed
    caveats: tuple[str, ...] = ()
    version: str = ""


# Why peers skip rules; shared so the results read the same for every peer.
MENTIONS = ("phrase list (`mentions`): whole-word match ignoring case, accents, curly quotes and runs of white "
            "space; no such operator, and a regex over the raw text cannot fold accents or spacing")


# The rules of bench/policy.yaml built on `mentions`; no peer can express them.
PHRASE_LIST_RULES = ("content.marketing", "content.subject-marketing", "review.incentive", "review.positive-only",
                     "review.removal", "content.off-amazon-payment", "content.offensive", "content.thank-you-only",
                     "content.dispatch-confirmation", "contact.phone")


def phrases(value) -> tuple[str, ...]:
    """A vocab entry as one flat tuple, exactly as the compiler flattens it."""
    return flatten(value)


def list_literal(values) -> str:
    """A list of strings written as a literal that rule-engine, CEL, ZEN and Cedar all read the same way."""
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


# A facts record with dates as ISO strings: the JSON form the Rust-backed peers read.
json_ready = as_json_data


def select(table: Mapping[str, str], skipped: Mapping[str, str], rule_ids: Iterable[str]) -> list[tuple[str, str]]:
    """(rule id, expression) in policy order; every rule must be either translated or skipped with a reason."""
    out = []
    for rule_id in rule_ids:
        if rule_id in table:
            out.append((rule_id, table[rule_id]))
        elif rule_id not in skipped:
            raise KeyError(f"rule {rule_id} has neither a translation nor a reason to skip it")
    unknown = (set(table) | set(skipped)) - set(rule_ids)
    if unknown:
        raise KeyError(f"translations for rules not in the policy: {sorted(unknown)}")
    return out
