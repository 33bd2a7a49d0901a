"""The compiled policy (contract module).

Stage: output of dsl.compiler, input of interpreter.evaluation.evaluate, diff, explain and the CLI.
Frozen values only: a compiled policy can be shared between threads and cached.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Mapping

from dsl.contract import ast, tree
from dsl.contract.errors import Diagnostic
from dsl.contract.spans import Span
from dsl.contract.verdict import Severity


@dataclass(frozen=True)
class Hint:
    """A hint's text split into literal parts and `{…}` values."""

    source: str
    parts: tuple[str | tree.Pred, ...]


@dataclass(frozen=True)
class NotChecked:
    """When a rule says it was not checked (a language with no dictionary), and what it says."""

    condition: tree.Pred          # checked and simplified
    syntax: ast.Node = field(compare=False)
    say: Hint


@dataclass(frozen=True)
class Example:
    name: str
    facts: Mapping | None = field(compare=False)      # the example's facts as written (partial), or
    expect: tuple[str, ...]
    undetermined: tuple[str, ...]
    span: Span | None = field(default=None, compare=False)
    message: Mapping | None = field(default=None, compare=False)   # a message envelope to normalise
    not_checked: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: Severity
    clause: str
    condition: tree.Pred          # checked and simplified
    syntax: ast.Node = field(compare=False)   # as written, for formatting
    hint: Hint | None
    examples: tuple[Example, ...]
    file: str
    span: Span | None = field(default=None, compare=False)
    not_checked: NotChecked | None = None

    @property
    def trees(self) -> list[tree.Pred]:
        """Every tree the rule may evaluate: its condition, its hint's values, its not-checked
        note's condition and values."""
        out = [self.condition] + [p for p in (self.hint.parts if self.hint else ()) if not isinstance(p, str)]
        if self.not_checked is not None:
            out.append(self.not_checked.condition)
            out += [p for p in self.not_checked.say.parts if not isinstance(p, str)]
        return out

    @property
    def reads(self) -> tuple[str, ...]:
        """Facts the condition reads, and the not-checked note's condition and values."""
        if self.not_checked is None:
            return tree.facts_read(self.condition)
        nc = self.not_checked
        roots = [self.condition, nc.condition] + [p for p in nc.say.parts if not isinstance(p, str)]
        return tuple(dict.fromkeys(path for root in roots for path in tree.facts_read(root)))


_PHRASE_OPS = ("mentions", "mentions_near", "mentions_before")


@dataclass(frozen=True)
class Policy:
    id: str                       # e.g. uk@2020-11-06
    name: str                     # e.g. buyer-messaging
    marketplace: str              # US, UK, SA, … or base
    effective: _dt.date
    file: str
    source: str
    description: str
    vocab: Mapping[str, object] = field(compare=False)   # merged with the bases' (lists per language kept)
    rules: tuple[Rule, ...]
    chain: tuple[str, ...]        # files from the farthest base to this one
    removed: tuple[str, ...] = ()
    warnings: tuple[Diagnostic, ...] = field(default=(), compare=False)   # shown by `permitted lint`

    @cached_property       # asked for every message a batch normalises; a policy never changes
    def reads(self) -> frozenset[str]:
        """Every fact path any rule's condition reads (the normaliser skips costly facts nobody reads)."""
        return frozenset(path for r in self.rules for path in r.reads)

    @cached_property       # the normaliser asks for the same entries for every message
    def _flat_vocab(self) -> Mapping[str, tuple]:
        return {name: flatten(value) for name, value in self.vocab.items()}

    @cached_property
    def phrase_lists(self) -> tuple[tuple[str, ...], ...]:
        """Every phrase list given as a constant to `mentions`, `mentions_near` or
        `mentions_before`, in any tree a rule evaluates."""
        out = []
        for rule in self.rules:
            for node in (n for root in rule.trees for n in tree.walk(root)):
                if isinstance(node, tree.Call) and node.op in _PHRASE_OPS:
                    out += [tuple(a.value) for a in node.args[1:3] if isinstance(a, tree.Const)
                            and isinstance(a.value, (tuple, list))]
        return tuple(out)

    def words(self, name: str) -> tuple[str, ...]:
        """A vocab entry as a flat tuple of words (all languages), empty when the policy has none."""
        return self._flat_vocab.get(name, ())

    def rule(self, rule_id: str) -> Rule | None:
        for r in self.rules:
            if r.id == rule_id:
                return r
        return None


def flatten(value) -> tuple:
    """A vocab entry as one tuple: a list as it is, phrase lists per language joined in order
    without repeats, a single value as a one-item tuple."""
    if isinstance(value, Mapping):
        seen: dict = {}
        for items in value.values():
            for item in items:
                seen.setdefault(item, None)
        return tuple(seen)
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)
