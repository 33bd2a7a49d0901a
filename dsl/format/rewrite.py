"""`permitted fmt`: rewrite each rule's `when:` in canonical form, touching nothing else.

Input: a policy file's text. Output: the new text. A condition that fits on one line and is a
safe YAML plain scalar stays inline; anything else becomes a `|` block indented under its key.
Comments, key order, quoting of other values and blank lines are kept byte for byte. Before
returning, the new text is parsed again and every condition compared with the old one, so fmt
can never change meaning. Errors: PolicyError for YAML or condition syntax errors.
"""
from __future__ import annotations

import re

import yaml

from dsl.contract.errors import Diagnostic, PolicyError
from dsl.format.condition import WIDTH, format_expr
from dsl.stages.load import LoadedFile, load_text
from dsl.stages.parse import parse


def _conditions(loaded: LoadedFile):
    rules = loaded.data.get("rules") if isinstance(loaded.data, dict) else None
    for i, rule in enumerate(rules if isinstance(rules, list) else ()):
        if isinstance(rule, dict) and isinstance(rule.get("when"), str):
            path = ("rules", i, "when")
            offsets = loaded.scalar_offsets(path)

            def locate(a, b, offsets=offsets):
                return loaded.source.span(offsets[min(a, len(offsets) - 1)], offsets[min(max(b - 1, a), len(offsets) - 1)] + 1)
            yield path, parse(rule["when"], locate, lambda s: loaded.source.line_text(s.line))


def _plain_safe(text: str) -> bool:
    try:
        return yaml.safe_load("k: " + text) == {"k": text}
    except yaml.YAMLError:
        return False


def format_text(text: str, file: str = "<policy>") -> str:
    loaded = load_text(text, file)
    problems: list[Diagnostic] = []
    edits: list[tuple[int, int, str]] = []
    conditions = []
    try:
        conditions = list(_conditions(loaded))
    except PolicyError as err:
        problems.extend(err.diagnostics)
    if problems:
        raise PolicyError(problems)
    for path, node in conditions:
        loc = loaded.where[path]
        key_col = loaded.source.position(loc.key_start)[1] - 1
        start, end = loc.start, loc.end
        if loc.style in ("|", ">"):
            end = len(text[:end].rstrip())          # the block ends at its last non-blank character
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        rest = text[end:line_end]                   # a comment after a plain scalar, if any
        canonical = format_expr(node, WIDTH - key_col - 2)
        inline = "\n" not in canonical and _plain_safe(canonical) and key_col + len("when: ") + len(canonical) <= WIDTH
        if inline:
            replacement = canonical
        else:
            pad = " " * (key_col + 2)
            comment = rest if rest.strip() and loc.style not in ("|", ">") else ""
            # Keep `|`/`|-` and a comment, but not an indentation digit (`|4`): the content is re-indented.
            # A literal block keeps its chomping indicator and comment, loses an indentation digit
            # (the content is re-indented), and a folded block becomes literal so lines stay lines.
            header = re.sub(r"^[|>]([+-]?)[1-9]?([+-]?)", r"|\1\2", text[start:text.find("\n", start)]) \
                if loc.style in ("|", ">") else "|" + comment
            replacement = header.rstrip() + "\n" + "\n".join(pad + line for line in canonical.split("\n"))
            if comment:
                end = line_end
        if text[start:end] != replacement:
            edits.append((start, end, replacement))
    out = text
    for start, end, replacement in sorted(edits, reverse=True):
        out = out[:start] + replacement + out[end:]
    _same_meaning(conditions, out, file)
    return out


def _same_meaning(before, text: str, file: str) -> None:
    after = dict(_conditions(load_text(text, file)))
    for path, node in before:
        if after.get(path) != node:
            raise AssertionError(f"fmt would change the condition at {path} of {file}; file left unchanged")
