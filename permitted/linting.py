"""Linting one policy: compile it and keep what `permitted lint` reports about it.

Stage: application, over dsl.compiler. Input: a policy file, or a policy's text held in memory
(the service's `POST /v1/lint`). Output: `Linted` — the compiled policy or the diagnostics that
stopped it, and its warnings; `to_json()` is one entry of `lint --format json`. Errors: none
raised for the policy's own mistakes (they are the result); nothing here prints.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dsl.compiler import compile_file, compile_text
from dsl.contract.errors import Diagnostic, PolicyError
from dsl.contract.model import Policy


@dataclass(frozen=True)
class Linted:
    file: str                            # as the user names it
    policy: Policy | None                # None: it does not compile
    diagnostics: tuple[Diagnostic, ...]  # the errors, or the warnings of a policy that compiles

    @property
    def ok(self) -> bool:
        return self.policy is not None

    def to_json(self) -> dict:
        out: dict = {"file": self.file, "kind": "policy", "ok": self.ok}
        if self.policy is not None:
            out.update(policy=self.policy.id, rules=len(self.policy.rules))
        out["diagnostics"] = [d.to_json() for d in self.diagnostics]
        return out


def _linted(file: str, compile_it) -> Linted:
    try:
        policy = compile_it()
    except PolicyError as problem:
        return Linted(file, None, problem.diagnostics)
    # Warnings (e.g. P405, a vocab entry nothing reads) do not make a policy fail.
    return Linted(file, policy, policy.warnings)


def lint_file(path: Path, display: str, root: Path | None = None) -> Linted:
    return _linted(display, lambda: compile_file(path, display, root=root))


def lint_text(text: str, file: str, root: Path | None = None) -> Linted:
    """A policy held in memory, compiled as if it were the file `file` (its `extends:` resolved
    from that file's folder and kept inside `root`)."""
    return _linted(file, lambda: compile_text(text, file, root))
