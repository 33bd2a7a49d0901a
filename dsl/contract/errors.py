"""The one error shape of permitted (contract module).

Stage: every stage. Input: whatever went wrong. Output: `Diagnostic` values with a stable
code, a message, a span into the file the user edits, the source line, and a help line.
A stage that finds problems raises `PolicyError` (a policy file is wrong), `InputError`
(a message or facts record is wrong) or `UsageError` (the command line is wrong), each holding
every diagnostic found, so the user sees all of them at once. A few codes are warnings
(`WARNINGS`): found in a policy that still compiles, they ride on it (`Policy.warnings`).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable

from dsl.contract.spans import Span

# Stable codes: never renumber; add new ones at the end of their block.
CODES: dict[str, str] = {
    "P100": "yaml-syntax",
    "P101": "duplicate-key",
    "P102": "yaml-alias",
    "P103": "file-unreadable",
    "P200": "bad-shape",
    "P201": "unknown-key",
    "P202": "missing-key",
    "P210": "extends-not-found",
    "P211": "extends-cycle",
    "P212": "duplicate-rule",
    "P213": "override-without-base",
    "P214": "redefined-without-override",
    "P215": "remove-unknown-rule",
    "P216": "vocab-edit-without-base",
    "P217": "remove-unknown-item",
    "P218": "vocab-kind-mismatch",
    "P300": "syntax-error",
    "P400": "unknown-fact",
    "P401": "unknown-vocab",
    "P402": "unknown-operator",
    "P403": "unknown-field",
    "P404": "shadowed-name",
    "P405": "unused-vocab",
    "P500": "type-mismatch",
    "P501": "bad-arguments",
    "P502": "impossible-value",
    "P503": "unguarded-optional",
    "P504": "bad-regex",
    "P505": "not-a-condition",
    "P600": "bad-example",
    "P700": "no-policy",
    "I100": "bad-facts",
    "I101": "input-unreadable",
    "U100": "usage",
}

# Codes that flag something suspicious in a policy that still compiles: `permitted lint` shows
# them, and they never stop a policy from being used.
WARNINGS: frozenset[str] = frozenset({"P405"})


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    span: Span | None = None
    source_line: str | None = None
    help: str | None = None

    @property
    def name(self) -> str:
        return CODES[self.code]

    @property
    def severity(self) -> str:
        return "warning" if self.code in WARNINGS else "error"

    def to_json(self) -> dict:
        out: dict = {"code": self.code, "name": self.name, "severity": self.severity, "message": self.message}
        if self.span is not None:
            out.update(file=self.span.file, line=self.span.line, column=self.span.column,
                       end_line=self.span.end_line, end_column=self.span.end_column)
        if self.help:
            out["help"] = self.help
        return out


class Problem(Exception):
    """Base of the errors a user can cause; carries every diagnostic found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = tuple(diagnostics)
        assert self.diagnostics, "a Problem needs at least one diagnostic"
        for d in self.diagnostics:
            assert d.code in CODES, d.code
        super().__init__("; ".join(f"{d.code} {d.message}" for d in self.diagnostics))

    def __reduce__(self):
        # Batch workers send errors back to the parent; rebuild from the diagnostics, not the text.
        return type(self), (self.diagnostics,)


class PolicyError(Problem):
    """A policy file cannot be compiled."""


class InputError(Problem):
    """A message or a facts record cannot be understood."""


class UsageError(Problem):
    """The command line or API call is wrong."""


def did_you_mean(word: str, choices: Iterable[str], n: int = 3) -> str | None:
    """A help line naming the nearest valid choices, or None when nothing is near."""
    close = difflib.get_close_matches(word, list(choices), n=n, cutoff=0.7)
    if not close:
        return None
    return "did you mean " + " or ".join(f"`{c}`" for c in close) + "?"
