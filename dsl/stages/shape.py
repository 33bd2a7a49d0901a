"""Stage 2: check the shape of a loaded policy file against policies/policy.schema.json.

Input: `LoadedFile`. Output: nothing (the data is known to be well-shaped) or PolicyError with
every shape problem at once: unknown keys with the nearest valid key (P201), missing keys (P202),
wrong types or values (P200), each pointing at the key or value in the file.
"""
from __future__ import annotations

import difflib
import json
from functools import lru_cache

import jsonschema

from dsl.contract.errors import Diagnostic, PolicyError, did_you_mean
from dsl.contract.resources import policies_dir
from dsl.stages.load import LoadedFile
from dsl.stages.vocab import EDIT_KEYS


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((policies_dir() / "policy.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _allowed_keys(error: jsonschema.ValidationError) -> list[str]:
    return list(error.schema.get("properties", {}))


def _missing_key(error: jsonschema.ValidationError) -> str:
    return error.message.split("'")[1] if "'" in error.message else error.message


def _misspelt_keys(errors) -> set[tuple[tuple, str]]:
    """(mapping path, valid key) pairs for which the mapping has a near-miss unknown key."""
    out = set()
    for error in errors:
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = _allowed_keys(error)
            for key in error.instance:
                if key not in allowed:
                    for near in difflib.get_close_matches(key, allowed, n=1, cutoff=0.7):
                        out.add((tuple(error.absolute_path), near))
    return out


def _where(path: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".") or "the file"


def diagnose(loaded: LoadedFile, error: jsonschema.ValidationError) -> list[Diagnostic]:
    """The diagnostics of one schema error, positioned in the YAML file (policies and clause lists)."""
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = _allowed_keys(error)
        out = []
        for key in error.instance:
            if key in allowed:
                continue
            out.append(loaded.diagnostic(
                "P201", f"unknown key `{key}` in {_where(path)}", loaded.key_span(path + (key,)),
                did_you_mean(key, allowed) or "allowed keys: " + ", ".join(f"`{k}`" for k in allowed)))
        return out
    if error.validator == "required":
        missing = _missing_key(error)
        return [loaded.diagnostic("P202", f"missing key `{missing}` in {_where(path)}",
                                  loaded.key_span(path) if path else loaded.span(path),
                                  f"add `{missing}:` here")]
    if error.validator == "enum":
        choices = [str(c) for c in error.validator_value]
        return [loaded.diagnostic("P200", f"{_where(path)} must be one of {', '.join(choices)}",
                                  loaded.span(path), did_you_mean(str(error.instance), choices))]
    if error.validator == "oneOf" and path and path[0] == "vocab":
        return _vocab_problems(loaded, error, path)
    if error.validator == "pattern" and (path[-1:] == ("id",) or path[-2:-1] in (("expect",), ("undetermined",), ("not_checked",), ("remove",))):
        return [loaded.diagnostic("P200", f"`{error.instance}` is not a valid rule id",
                                  loaded.span(path), "rule ids are lower case words joined by dots, e.g. styling.no-emoji")]
    if error.validator == "propertyNames":
        return [loaded.diagnostic("P200", f"{_where(path)}: {error.message}", loaded.span(path),
                                  "vocab names are lower case with underscores; languages are codes like en or ar")]
    return [loaded.diagnostic("P200", f"{_where(path)}: {error.message}", loaded.span(path))]


def _meant_as_edit(entry: object) -> bool:
    """Was this entry meant as changes to an inherited one? Its keys are `add`/`remove` or near them
    (`adds:`, `ad:`), not language codes."""
    return isinstance(entry, dict) and any(difflib.get_close_matches(str(k), EDIT_KEYS, n=1, cutoff=0.7) for k in entry)


def _vocab_problems(loaded: LoadedFile, error: jsonschema.ValidationError, path: tuple) -> list[Diagnostic]:
    """A vocab entry that fits none of its forms: for an edit (`add:`/`remove:`), the edit's own
    problems (an unknown key with the nearest valid one); otherwise which forms there are."""
    if len(path) == 2 and _meant_as_edit(error.instance):
        branch = next((i for i, form in enumerate(error.validator_value)
                       if form.get("$ref", "").endswith("/vocab_edit")), None)
        inner = [e for e in error.context if e.relative_schema_path and e.relative_schema_path[0] == branch]
        if inner:
            return [d for e in inner for d in diagnose(loaded, e)]
    if len(path) == 3:
        return [loaded.diagnostic(
            "P200", f"`{path[2]}` in vocab entry `{path[1]}` must be a list of values ([...]) "
            "or phrase lists per language ({en: [...], ar: [...]})", loaded.span(path))]
    return [loaded.diagnostic(
        "P200", f"vocab entry `{path[1] if len(path) > 1 else '?'}` must be a value, a list of values, "
        "phrase lists per language ({en: [...], ar: [...]}), or changes to a base's entry "
        "({add: ..., remove: ...})", loaded.span(path))]


def schema_errors(validator: jsonschema.protocols.Validator, data) -> list[jsonschema.ValidationError]:
    """The schema errors of a YAML document in file order, without a "missing key" that is reported
    already as the unknown key that is probably the same key misspelt."""
    found = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    misspelt = _misspelt_keys(found)
    return [e for e in found
            if not (e.validator == "required" and (tuple(e.absolute_path), _missing_key(e)) in misspelt)]


def shape_problems(loaded: LoadedFile) -> tuple[list[Diagnostic], set[int]]:
    """Every shape problem, and the indexes of the rules they are confined to.

    Raises PolicyError at once when a problem lies outside the rules (the file as a whole is
    unusable); otherwise the caller may skip the broken rules and go on finding other errors.
    """
    if not isinstance(loaded.data, dict):
        raise PolicyError([loaded.diagnostic("P200", "a policy file must be a YAML mapping (policy:, marketplace:, rules:, …)",
                                             loaded.span(()))])
    problems: list[Diagnostic] = []
    broken_rules: set[int] = set()
    fatal = False
    for error in schema_errors(_validator(), loaded.data):
        problems.extend(diagnose(loaded, error))
        path = tuple(error.absolute_path)
        if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
            broken_rules.add(path[1])
        else:
            fatal = True
    problems.sort(key=lambda d: (d.span.line, d.span.column) if d.span else (0, 0))
    if fatal:
        raise PolicyError(problems)
    return problems, broken_rules


def check_shape(loaded: LoadedFile) -> LoadedFile:
    problems, _ = shape_problems(loaded)
    if problems:
        raise PolicyError(problems)
    return loaded
