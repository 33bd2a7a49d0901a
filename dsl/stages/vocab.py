"""Stage 3, vocabulary part: a child's `add:`/`remove:` applied to the entries its bases define.

Input: an inherited entry's value (phrase lists per language, or a plain list) and the edit
written in the child (`{add: ..., remove: ...}`, already shape-checked). Output: the entry's new
value — the base's items minus those removed, then the added items it lacks, per language — and
the problems found, each pointing into the child. An entry the bases do not have is reported by
the caller (P216), which knows the bases' names.
Errors (returned, not raised, so every edit is checked): removing an item the base's list does
not have (P217), an edit whose form does not fit the entry (P218: items per language for a
plain list or the other way round, or any edit of a setting).
"""
from __future__ import annotations

from dsl.contract.errors import Diagnostic, did_you_mean
from dsl.stages.load import Key, LoadedFile

EDIT_KEYS = ("add", "remove")


def is_edit(entry: object) -> bool:
    """Does a vocab entry as written change an inherited entry rather than define one?"""
    return isinstance(entry, dict) and any(k in entry for k in EDIT_KEYS)


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "phrase lists per language"
    if isinstance(value, list):
        return "a plain list"
    return "a setting"


def apply_edit(name: str, base: object, where: str, edit: dict, loaded: LoadedFile,
               path: Key) -> tuple[object, list[Diagnostic]]:
    """The entry `name` after `edit`; `base` is its inherited value, written at `where` (file:line)."""
    problems: list[Diagnostic] = []
    if not isinstance(base, (dict, list)):
        problems.append(loaded.diagnostic(
            "P218", f"`vocab.{name}` is a setting (at {where}): it has no items to add or remove",
            loaded.key_span(path), f"write the new value instead: `{name}: ...`"))
        return base, problems
    for key in EDIT_KEYS:
        if key in edit and isinstance(edit[key], dict) != isinstance(base, dict):
            form = "{en: [...], ar: [...]}" if isinstance(base, dict) else "[...]"
            problems.append(loaded.diagnostic(
                "P218", f"`vocab.{name}` is {_kind(base)} (at {where}), so `{key}` takes {form}",
                loaded.key_span(path + (key,)), f"write `{key}: {form}`"))
    if problems:
        return base, problems
    if isinstance(base, dict):
        value = {language: list(items) for language, items in base.items()}
        for language, items in (edit.get("remove") or {}).items():
            problems += _remove(value.get(language, []), items, f"`vocab.{name}` ({language})", where,
                                loaded, path + ("remove", language))
        for language, items in (edit.get("add") or {}).items():
            _add(value.setdefault(language, []), items)
        return value, problems
    value = list(base)
    problems += _remove(value, edit.get("remove") or [], f"`vocab.{name}`", where, loaded, path + ("remove",))
    _add(value, edit.get("add") or [])
    return value, problems


def _remove(items: list, gone: list, what: str, where: str, loaded: LoadedFile, path: Key) -> list[Diagnostic]:
    problems = []
    for i, item in enumerate(gone):
        if item in items:
            items.remove(item)
            continue
        near = did_you_mean(str(item), [str(x) for x in items])
        problems.append(loaded.diagnostic(
            "P217", f"cannot remove `{item}` from {what}: the base's list at {where} does not have it",
            loaded.span(path + (i,)), near or "only items the base lists can be removed"))
    return problems


def _add(items: list, more: list) -> None:
    for item in more:
        if item not in items:          # an item the base already lists is kept once, in its place
            items.append(item)
