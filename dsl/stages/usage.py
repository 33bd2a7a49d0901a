"""Stage 7: how the vocabulary is used.

Input: the merged vocabulary (each entry with the file that last wrote it), the entries rule
conditions and hints name (collected while checking), and the entries the facts stage reads
(dsl.contract.vocab.READ_BY_FACTS). Output: errors and warnings.
Errors: an entry the facts stage reads that is not a list of words, or for a setting not a whole
number (P218), which the normaliser could not use. Warnings: an entry written in the file being compiled that nothing reads (P405)
— a misspelt name, or a list left behind when a rule changed. Entries a base writes are left to
the base's own lint, so each warning is shown once, in the file that can fix it.
"""
from __future__ import annotations

from dsl.contract.errors import Diagnostic, did_you_mean
from dsl.contract.vocab import READ_BY_FACTS
from dsl.stages.extends import Merged, Sourced


def _is_words(value: object) -> bool:
    if isinstance(value, dict):
        return all(isinstance(item, str) for items in value.values() for item in items)
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _not_words(name: str, s: Sourced, use: str) -> Diagnostic:
    return s.loaded.diagnostic(
        "P218", f"`vocab.{name}` must be phrase lists per language or a list of words: the normaliser reads "
        f"it ({use})", s.loaded.key_span(s.path), f"write `{name}: {{en: [...]}}`")


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _not_count(name: str, s: Sourced, use: str) -> Diagnostic:
    return s.loaded.diagnostic(
        "P218", f"`vocab.{name}` must be a whole number, 0 or more: the normaliser reads it ({use})",
        s.loaded.key_span(s.path), f"write `{name}: 4`")


def vocab_use(merged: Merged, read: frozenset[str]) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """(errors, warnings) about the merged vocabulary, given the entries the rules read."""
    errors = [(_not_count if v.number else _not_words)(v.name, merged.vocab[v.name], v.use) for v in READ_BY_FACTS
              if v.name in merged.vocab and not (_is_count if v.number else _is_words)(merged.vocab[v.name].value)]
    used = read | {v.name for v in READ_BY_FACTS}
    warnings = []
    for name, s in merged.vocab.items():
        if name in used or s.loaded is not merged.top:
            continue
        warnings.append(s.loaded.diagnostic(
            "P405", f"`vocab.{name}` is not read by any rule", s.loaded.key_span(s.path),
            did_you_mean(name, used) or f"use it in a condition as `vocab.{name}`, or remove it"))
    return errors, warnings
