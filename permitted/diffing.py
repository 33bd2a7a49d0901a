"""`permitted diff OLD NEW`: what an edit to a policy does, before it goes live.

Stage: application, over dsl.analysis.diff (structure), dsl.analysis.solve and dsl.analysis.witness (meaning) and the
checking of messages (corpus replay). Input: two policy references — a file, an id such as
`us@2018-10-12`, or a marketplace (its latest version) — and optionally a corpus of messages.
Output: a `DiffResult`, rendered by permitted.views.diff (the command is permitted.commands.diff).
Every witness shown has been evaluated on both compiled policies by interpreter.evaluation.evaluate and
found to be judged as claimed; a candidate that is not is never shown.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from dsl.analysis.diff import PolicyDiff, diff_policies
from dsl.analysis.solve import Bounds, Coverage, Encoder, Goal, rule_goals, verdict_goals
from dsl.analysis.witness import search
from dsl.contract.errors import Diagnostic, InputError, UsageError
from dsl.contract.model import Policy
from dsl.contract.schema import load_schema
from interpreter.evaluation.evaluate import evaluate
from interpreter.evaluation.program import lower_policy
from interpreter.evaluation.phrases import phrase_matcher
from interpreter.evaluation.report import Report
from interpreter.facts.record import build_facts

from permitted.checking import Choice, Judge, envelopes
from permitted.store import default_store



@dataclass(frozen=True)
class Witness:
    kind: str                 # rules: old-only | new-only | severity | undetermined; verdict: "blocked>allowed", …
    facts: Mapping            # the facts record as built (defaults are filled in when it is evaluated)
    old: str                  # the rule's outcome (fires | passes | undetermined | absent) or the verdict
    new: str
    old_report: Report
    new_report: Report


@dataclass(frozen=True)
class Comparison:
    subject: str              # a rule id, or "verdict"
    status: str               # differs | equivalent | undecided
    witnesses: tuple[Witness, ...]
    undecided: tuple[str, ...] = ()   # kinds of difference the solver allowed but no candidate survived


@dataclass(frozen=True)
class ReplayGroup:
    old: str
    new: str
    rules: tuple[str, ...]    # rules whose outcome differs on these messages
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Replay:
    corpus: str
    messages: int             # messages judged by both policies
    errors: tuple[tuple[str, str], ...]   # (source, reason) of messages that could not be read or judged
    groups: tuple[ReplayGroup, ...]

    @property
    def changed(self) -> int:
        return sum(len(g.sources) for g in self.groups)


@dataclass(frozen=True)
class DiffResult:
    structure: PolicyDiff
    rules: tuple[Comparison, ...]
    verdict: Comparison
    coverage: Coverage
    replay: Replay | None = None

    @property
    def equivalent(self) -> bool:
        return self.verdict.status == "equivalent" and not (self.replay and self.replay.changed)


# ---- loading -----------------------------------------------------------------------------------

def policy_path(ref: str) -> Path:
    """A policy file, an id, or a marketplace's latest version (not the one in force today: a
    diff is how a version is reviewed before it takes effect)."""
    return default_store().path(ref, latest=True)


def load(ref: str, policy_root: Path | None = None) -> Policy:
    """`policy_root`: the policy tree its `extends:` must stay in (see dsl.stages.bases)."""
    return default_store(policy_root).load(ref, latest=True).policy


# ---- meaning -----------------------------------------------------------------------------------

class _Matcher:
    """The oracle the solver asks about texts: the real `mentions` matcher."""

    def finds(self, phrases: tuple[str, ...], text: str) -> bool:
        return bool(phrase_matcher(tuple(phrases))(text))


def outcome(report: Report, rule_id: str, policy: Policy) -> str:
    if policy.rule(rule_id) is None:
        return "absent"
    if any(v.rule == rule_id for v in report.violations):
        return "fires"
    if any(u.rule == rule_id for u in report.undetermined):
        return "undetermined"
    return "passes"


_RULE_CLAIMS: dict[str, Callable[[str, str], bool]] = {
    "old-only": lambda a, b: a == "fires" and b in ("passes", "absent"),
    "new-only": lambda a, b: b == "fires" and a in ("passes", "absent"),
    "severity": lambda a, b: a == b == "fires",
    "undetermined": lambda a, b: (a == "undetermined") != (b == "undetermined"),
}


def _market(old: Policy, new: Policy) -> str:
    allowed = load_schema().field("message", "marketplace").type.enum or ()
    return next((p.marketplace for p in (new, old) if p.marketplace in allowed), allowed[0] if allowed else "US")


class Semantics:
    """Both policies encoded once; each question is a goal formula plus a claim the evaluator checks."""

    def __init__(self, old: Policy, new: Policy, bounds: Bounds):
        self.old, self.new, self.market = old, new, _market(old, new)
        self.programs = lower_policy(old), lower_policy(new)
        self.enc = Encoder([r.condition for r in old.rules] + [r.condition for r in new.rules], _Matcher(), bounds)
        self.a = {r.id: self.enc.encode(r.condition) for r in old.rules}
        self.b = {r.id: self.enc.encode(r.condition) for r in new.rules}

    def _ask(self, subject: str, goals: list[Goal],
             judged: Callable[[Report, Report], tuple[str, str]], claims: Mapping[str, Callable]) -> Comparison:
        witnesses, undecided, proved = [], [], True
        for kind, goal, needed in goals:
            found_reports: list = []

            def verify(record: dict, kind=kind, found_reports=found_reports) -> bool:
                try:
                    facts = build_facts(record, self.market, source="<witness>")
                except InputError:
                    return False
                reports = tuple(evaluate(program, facts) for program in self.programs)
                found_reports[:] = reports
                return claims[kind](*judged(*reports))

            found = search(self.enc, goal, needed, verify)
            if found.status == "witness":
                old_report, new_report = found_reports
                witnesses.append(Witness(kind, found.facts, *judged(old_report, new_report), old_report, new_report))
            elif found.status == "undecided":
                undecided.append(kind)
            proved = proved and found.status == "none"
        status = "differs" if witnesses else "equivalent" if proved else "undecided"
        return Comparison(subject, status, tuple(witnesses), tuple(undecided))

    def rule(self, rule_id: str) -> Comparison:
        old_rule, new_rule = self.old.rule(rule_id), self.new.rule(rule_id)
        changed = bool(old_rule and new_rule and old_rule.severity != new_rule.severity)
        goals = rule_goals(self.a.get(rule_id), self.b.get(rule_id), changed)

        def judged(ro: Report, rn: Report) -> tuple[str, str]:
            return outcome(ro, rule_id, self.old), outcome(rn, rule_id, self.new)

        return self._ask(rule_id, goals, judged, _RULE_CLAIMS)

    def verdict(self) -> Comparison:
        goals = verdict_goals([(r.severity, self.a[r.id]) for r in self.old.rules],
                              [(r.severity, self.b[r.id]) for r in self.new.rules])
        claims = {kind: (lambda a, b, pair=tuple(kind.split(">")): (a, b) == pair) for kind, _, _ in goals}
        return self._ask("verdict", goals, lambda ro, rn: (ro.verdict, rn.verdict), claims)


def semantic_subjects(structure: PolicyDiff) -> list[str]:
    """Rules whose outcome can change: added, removed, or changed in condition or severity."""
    out = []
    for change in structure.rules:
        if change.status != "changed" or {"when", "vocab", "severity"} & set(change.fields):
            out.append(change.id)
    return out


def compare(old: Policy, new: Policy, bounds: Bounds = Bounds()) -> DiffResult:
    structure = diff_policies(old, new)
    sem = Semantics(old, new, bounds)
    rules = tuple(sem.rule(rule_id) for rule_id in semantic_subjects(structure))
    return DiffResult(structure, rules, sem.verdict(), sem.enc.coverage())


# ---- corpus replay -----------------------------------------------------------------------------

def _outcomes(report: Report) -> dict[str, str]:
    out = {u.rule: "undetermined" for u in report.undetermined}
    out.update({v.rule: v.severity for v in report.violations})
    return out


def replay(old: Policy, new: Policy, corpus: str, marketplace: str | None = None) -> Replay:
    """Every message of the corpus judged by both policies; the ones whose verdict changes, grouped.
    Messages that name no marketplace are read as `marketplace` (default: the new policy's), the
    same for both sides, so the two reports differ only by policy."""
    if not Path(corpus).exists():
        raise UsageError([Diagnostic("U100", f"corpus `{corpus}` not found",
                                     help="give a JSONL or mbox file, or a folder of messages")])
    market = marketplace or _market(old, new)
    judges = tuple(Judge(Choice(market, policy=str(Path(p.file).resolve()))) for p in (old, new))
    errors, groups, total = [], {}, 0
    for source, envelope in envelopes([corpus]):
        rows = [judge.row(source, envelope) for judge in judges]
        bad = next((row for row in rows if not row.ok), None)
        if bad is not None:
            reason = bad.error[0].message if bad.error else "could not be judged"
            errors.append((source, reason.removeprefix(f"{source}: ")))
            continue
        total += 1
        ro, rn = rows[0].report, rows[1].report
        if ro.verdict == rn.verdict:
            continue
        a, b = _outcomes(ro), _outcomes(rn)
        responsible = tuple(sorted(r for r in set(a) | set(b) if a.get(r) != b.get(r)))
        groups.setdefault((ro.verdict, rn.verdict, responsible), []).append(source)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return Replay(corpus, total, tuple(errors),
                  tuple(ReplayGroup(o, n, rules, tuple(sources)) for (o, n, rules), sources in ordered))
