"""Structural difference between two compiled policies: what an edit changes, as written.

Stage: after compiling both sides (used by `permitted diff`; the semantic side is dsl.analysis.solve).
Input: two `model.Policy` values. Output: a frozen `PolicyDiff` — header fields that differ,
rules added / removed / changed (which fields, the old and new condition in canonical text and
a word-level diff of them), and vocabulary changes (phrases per list and language, settings).
A rule is compared by its compiled tree, whose equality leaves out source positions, so a rule
that only moved or was reformatted is unchanged. A rule whose condition is the same as written
but reads a vocabulary entry that changed is changed too (field `vocab`). Pure; no errors.
"""
from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Mapping

from dsl.contract import ast
from dsl.contract.model import Policy, Rule
from dsl.contract.schema import as_json_data
from dsl.format.condition import format_expr, literal_text

RULE_FIELDS = ("title", "severity", "clause", "hint", "when", "vocab", "examples")
HEADER_FIELDS = ("marketplace", "effective", "source", "description", "bases", "removed")


@dataclass(frozen=True)
class WordOp:
    op: str                  # equal | delete | insert
    text: str


@dataclass(frozen=True)
class FieldChange:
    name: str
    old: object
    new: object


@dataclass(frozen=True)
class ExampleChange:
    name: str
    status: str              # added | removed | changed


@dataclass(frozen=True)
class RuleChange:
    id: str
    status: str              # added | removed | changed
    fields: tuple[str, ...]  # of RULE_FIELDS; empty for added and removed rules
    old: Rule | None
    new: Rule | None
    old_when: str | None     # canonical text (dsl.format.condition)
    new_when: str | None
    words: tuple[WordOp, ...]
    vocab: tuple[str, ...]   # vocabulary entries the rule reads that changed
    examples: tuple[ExampleChange, ...]
    details: tuple[FieldChange, ...]   # old and new value of title, severity, clause, hint


@dataclass(frozen=True)
class VocabChange:
    name: str
    status: str              # added | removed | changed
    kind: str                # phrases (per language) | list | setting
    added: tuple[tuple[str, str], ...]     # (language, item); language "" for plain lists
    removed: tuple[tuple[str, str], ...]
    old: object              # settings: the values; otherwise None
    new: object


@dataclass(frozen=True)
class PolicyDiff:
    old: Policy
    new: Policy
    header: tuple[FieldChange, ...]
    rules: tuple[RuleChange, ...]
    vocab: tuple[VocabChange, ...]
    unchanged: tuple[str, ...]          # rule ids on both sides whose compiled rules are equal

    @property
    def changed(self) -> bool:
        return bool(self.rules or self.vocab)


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|/(?:[^/\\]|\\.)+/[a-z]*|[\w.]+|[^\w\s]+|\s+')


def word_diff(old: str, new: str) -> tuple[WordOp, ...]:
    """Word-level difference: string literals, regexes and dotted names count as one word."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out: list[WordOp] = []

    def add(op: str, text: str) -> None:
        if text:
            if out and out[-1].op == op:
                out[-1] = WordOp(op, out[-1].text + text)
            else:
                out.append(WordOp(op, text))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            add("equal", "".join(a[i1:i2]))
        else:
            add("delete", "".join(a[i1:i2]))
            add("insert", "".join(b[j1:j2]))
    return tuple(out)


def vocab_read(rule: Rule) -> tuple[str, ...]:
    """The vocabulary entries a rule's condition names, in order of first use."""
    seen: dict[str, None] = {}

    def visit(node) -> None:
        if isinstance(node, ast.Path) and node.parts[0] == "vocab" and len(node.parts) == 2:
            seen.setdefault(node.parts[1], None)
        for child in _ast_children(node):
            visit(child)

    visit(rule.syntax)
    return tuple(seen)


def _ast_children(node) -> tuple:
    if isinstance(node, (ast.And, ast.Or)):
        return node.operands
    if isinstance(node, ast.Not):
        return (node.operand,)
    if isinstance(node, ast.Compare):
        return (node.left, node.right)
    if isinstance(node, ast.Quantifier):
        return (node.collection, node.body)
    if isinstance(node, ast.Call):
        return node.args
    if isinstance(node, ast.ListExpr):
        return node.items
    return ()


def _json(value) -> str:
    return json.dumps(as_json_data(value), sort_keys=True, ensure_ascii=False)


def _examples(old: Rule, new: Rule) -> tuple[ExampleChange, ...]:
    def key(e) -> str:
        return _json({"expect": e.expect, "undetermined": e.undetermined, "facts": e.facts, "message": e.message})

    a, b = {e.name: key(e) for e in old.examples}, {e.name: key(e) for e in new.examples}
    out = [ExampleChange(n, "removed") for n in a if n not in b]
    out += [ExampleChange(n, "added") for n in b if n not in a]
    out += [ExampleChange(n, "changed") for n in a if n in b and a[n] != b[n]]
    return tuple(out)


def _rule_change(old: Rule, new: Rule, vocab_changed: set[str]) -> RuleChange | None:
    details = []
    for name in ("title", "severity", "clause"):
        if getattr(old, name) != getattr(new, name):
            details.append(FieldChange(name, getattr(old, name), getattr(new, name)))
    old_hint = old.hint.source if old.hint else None
    new_hint = new.hint.source if new.hint else None
    if old_hint != new_hint:
        details.append(FieldChange("hint", old_hint, new_hint))
    fields = [d.name for d in details]
    vocab: tuple[str, ...] = ()
    if old.condition != new.condition:
        if old.syntax != new.syntax:
            fields.append("when")
        vocab = tuple(n for n in dict.fromkeys(vocab_read(old) + vocab_read(new)) if n in vocab_changed)
        if vocab:
            fields.append("vocab")
    examples = _examples(old, new)
    if examples:
        fields.append("examples")
    if not fields:
        return None
    old_when, new_when = format_expr(old.syntax), format_expr(new.syntax)
    return RuleChange(old.id, "changed", tuple(f for f in RULE_FIELDS if f in fields), old, new, old_when, new_when,
                      word_diff(old_when, new_when) if old_when != new_when else (), vocab, examples, tuple(details))


def _one_sided(rule: Rule, status: str) -> RuleChange:
    when = format_expr(rule.syntax)
    old, new = (rule, None) if status == "removed" else (None, rule)
    return RuleChange(rule.id, status, (), old, new, when if old else None, when if new else None, (), (), (), ())


def _items(value) -> tuple[str, list[tuple[str, str]]] | None:
    """A vocab entry as (kind, [(language, item)]) when it is a list, else None (a setting)."""
    if isinstance(value, Mapping):
        return "phrases", [(lang, item) for lang, items in value.items() for item in items]
    if isinstance(value, (list, tuple)):
        return "list", [("", item) for item in value]
    return None


def _shown(item) -> str:
    return item if isinstance(item, str) else literal_text(item)


def _vocab_change(name: str, old, new) -> VocabChange | None:
    if old is None or new is None:
        value = new if old is None else old
        items = _items(value)
        pairs = tuple((lang, _shown(i)) for lang, i in items[1]) if items else ()
        kind = items[0] if items else "setting"
        added, removed = (pairs, ()) if old is None else ((), pairs)
        return VocabChange(name, "added" if old is None else "removed", kind, added, removed,
                           None if items else old, None if items else new)
    if _json(old) == _json(new):
        return None
    a, b = _items(old), _items(new)
    if a is None or b is None:
        return VocabChange(name, "changed", "setting", (), (), old, new)
    before = [(lang, _shown(i)) for lang, i in a[1]]
    after = [(lang, _shown(i)) for lang, i in b[1]]
    added = tuple(p for p in dict.fromkeys(after) if p not in set(before))
    removed = tuple(p for p in dict.fromkeys(before) if p not in set(after))
    kind = a[0] if a[0] == b[0] else "list"
    return VocabChange(name, "changed", kind, added, removed, None, None)


def _header(policy: Policy, name: str):
    # The last file of the chain is the policy itself, which the diff names anyway.
    return policy.chain[:-1] if name == "bases" else getattr(policy, name)


def diff_policies(old: Policy, new: Policy) -> PolicyDiff:
    header = tuple(FieldChange(f, _header(old, f), _header(new, f)) for f in HEADER_FIELDS
                   if _header(old, f) != _header(new, f))
    vocab = []
    for name in dict.fromkeys(list(old.vocab) + list(new.vocab)):
        change = _vocab_change(name, old.vocab.get(name), new.vocab.get(name))
        if change is not None:
            vocab.append(change)
    vocab_changed = {v.name for v in vocab}
    rules, unchanged = [], []
    for rule in old.rules:
        other = new.rule(rule.id)
        if other is None:
            rules.append(_one_sided(rule, "removed"))
            continue
        change = _rule_change(rule, other, vocab_changed)
        if change is None:
            unchanged.append(rule.id)
        else:
            rules.append(change)
    old_ids = {r.id for r in old.rules}
    rules += [_one_sided(r, "added") for r in new.rules if r.id not in old_ids]
    return PolicyDiff(old, new, header, tuple(rules), tuple(vocab), tuple(unchanged))
