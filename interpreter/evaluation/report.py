"""The report of one evaluation (contract of `--format json`).

Stage: output of interpreter.evaluation.evaluate; input of the CLI's renderers and the API. The JSON shape
is stable: see DESIGN.md. Verdict: blocked if a `block` rule fires, else review if a `warn` rule
fires or a rule is undetermined, else allowed.
"""
from __future__ import annotations

from dataclasses import dataclass

from dsl.contract.verdict import Severity, Verdict
from dsl.contract.verdict import verdict_of as _verdict_of

from interpreter.evaluation.trace import Evidence


@dataclass(frozen=True)
class Violation:
    rule: str
    severity: Severity
    title: str
    clause: str
    hint: str | None
    evidence: tuple[Evidence, ...]

    def to_json(self) -> dict:
        out = {"rule": self.rule, "severity": self.severity, "title": self.title, "clause": self.clause}
        if self.hint is not None:
            out["hint"] = self.hint
        out["evidence"] = [e.to_json() for e in self.evidence]
        return out


@dataclass(frozen=True)
class Undetermined:
    rule: str
    needs: tuple[str, ...]

    def to_json(self) -> dict:
        return {"rule": self.rule, "needs": list(self.needs)}


@dataclass(frozen=True)
class NotCheckedNote:
    """A rule that could not be applied to this message, said so the seller knows (spelling in a
    language the checker has no dictionary for). It does not change the verdict."""
    rule: str
    title: str
    says: str

    def to_json(self) -> dict:
        return {"rule": self.rule, "title": self.title, "says": self.says}


@dataclass(frozen=True)
class Report:
    verdict: Verdict
    marketplace: str | None
    policy_id: str
    policy_file: str
    violations: tuple[Violation, ...]
    undetermined: tuple[Undetermined, ...]
    not_checked: tuple[NotCheckedNote, ...] = ()

    def to_json(self) -> dict:
        out = {
            "verdict": self.verdict,
            "marketplace": self.marketplace,
            "policy": {"id": self.policy_id, "file": self.policy_file},
            "violations": [v.to_json() for v in self.violations],
            "undetermined": [u.to_json() for u in self.undetermined],
        }
        if self.not_checked:        # absent when empty: most reports have none
            out["not_checked"] = [n.to_json() for n in self.not_checked]
        return out


def verdict_of(violations, undetermined) -> Verdict:
    return _verdict_of((v.severity for v in violations), bool(undetermined))
