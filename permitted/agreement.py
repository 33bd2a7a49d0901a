"""How far a policy agrees with labelled messages: judging them and tallying the results.

Stage: application, the service of `permitted eval`. Input: a JSONL file of labelled messages
(permitted.labelled), a policy choice (permitted.checking.Choice), the known gaps. Output: an
`Evaluation`, frozen — each row's outcome, agreement overall and by kind, buyer language and
marketplace, the confusion table, and per rule and per label code how often it fired and how
precise and complete it was. Errors: PolicyError for a bad protocol or label-code file or a
policy that cannot be loaded, UsageError for a file that cannot be read; a line that cannot be
judged is an error row, never an exception.

Definitions (also in README.md, `permitted eval`):
- a row *agrees* by the corpus protocol's rule (permitted.labelled.agrees); a known gap still
  counts as a disagreement: the gaps file explains a number, it does not change it;
- a row's *expected rules* are the rules its plain form lists, or for a corpus row the rules the
  label-code mapping gives its codes; a rule that *fired* is a violation in the report
  (an undetermined rule did not fire);
- per rule: `true` = rows where it fired and was expected; precision = true / fired; recall =
  true / rows that expected it and were judged by a policy that has it. A rule no row could expect (in no code's list and named by no
  plain row) has neither: its firings are counted, and those on rows labelled allowed shown;
- per code: `caught` = rows labelled with the code on which at least one of its rules fired;
  recall = caught / rows labelled with it;
- the per-rule and per-code tallies count judged rows (error rows count only in the agreement and
  the confusion table), and list the rules that fired or were expected and the codes some row
  carries.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping

from dsl.contract.verdict import Verdict

from permitted.checking import Checked, Choice, Judge
from permitted.corpus import LabelCodes, load_label_codes, load_protocol
from permitted.labelled import NONE, Labelled, Row, agrees, load_known_gaps, read_labelled
from permitted.store import PolicyStore, default_store

VERDICTS = (*Verdict, "error")          # the confusion table's columns
GROUPINGS = ("kind", "language", "marketplace")


@dataclass(frozen=True)
class Outcome:
    row: Row
    checked: Checked | None              # None for a line that is not a labelled message
    known_gap: str | None = None         # why the checker is known to judge this row otherwise
    # The rules of the policy that judged the row: a rule it lacks could not have fired, so the
    # row does not count against that rule's recall.
    in_force: frozenset[str] = frozenset()

    @property
    def verdict(self) -> str:
        return self.checked.verdict if self.checked is not None else "error"

    @property
    def agrees(self) -> bool:
        return isinstance(self.row, Labelled) and agrees(self.row.expected, self.verdict)

    @property
    def fired(self) -> tuple[str, ...]:
        report = self.checked.report if self.checked is not None else None
        return tuple(dict.fromkeys(v.rule for v in report.violations)) if report is not None else ()

    @property
    def status(self) -> str:
        """agrees | disagrees | known gap | gap closed (a known gap that now agrees: drop it from the file)."""
        if self.known_gap is not None:
            return "gap closed" if self.agrees else "known gap"
        return "agrees" if self.agrees else "disagrees"


@dataclass(frozen=True)
class Count:
    name: str
    agreed: int
    total: int

    @property
    def ratio(self) -> float | None:
        return self.agreed / self.total if self.total else None


@dataclass(frozen=True)
class RuleTally:
    rule: str
    codes: tuple[str, ...]               # the label codes that list it
    fired: int                           # judged rows on which it fired
    fired_on_allowed: int                # ... of which labelled allowed
    true: int                            # ... of which expected it
    expected: int                        # judged rows that expected it
    labelled: bool                       # some row could expect it (a code lists it, or a plain row names it)

    @property
    def precision(self) -> float | None:
        return self.true / self.fired if self.labelled and self.fired else None

    @property
    def recall(self) -> float | None:
        return self.true / self.expected if self.expected else None


@dataclass(frozen=True)
class CodeTally:
    code: str
    rules: tuple[str, ...]
    labelled: int                        # judged rows labelled with the code
    caught: int                          # ... on which one of its rules fired

    @property
    def recall(self) -> float | None:
        return self.caught / self.labelled if self.labelled else None


@dataclass(frozen=True)
class Evaluation:
    source: str
    policy: str | None                   # the one policy given, or None: each message's policy in force
    outcomes: tuple[Outcome, ...]
    overall: Count
    by: Mapping[str, tuple[Count, ...]]  # GROUPINGS -> one count per group
    labels: tuple[str, ...]              # the confusion table's rows (expected labels present)
    confusion: Mapping[tuple[str, str], int]   # (label, verdict) -> rows
    rules: tuple[RuleTally, ...]
    codes: tuple[CodeTally, ...]

    @property
    def disagreements(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if not o.agrees)

    @property
    def gaps_closed(self) -> tuple[Outcome, ...]:
        """Rows listed as known gaps that agree now: their entries can go."""
        return tuple(o for o in self.outcomes if o.status == "gap closed")


def policy_rules(store: PolicyStore, judge: Judge) -> Mapping[str, frozenset[str]]:
    """policy id -> its rule ids, for every bundled policy and the one policy given (which wins
    over a bundled version of the same id): what a label may name, and what each row faced."""
    compiled = [store.compiled(v.path) for versions in store.catalogue.versions.values() for v in versions]
    if judge.fixed is not None:
        compiled.append(judge.fixed)
    return MappingProxyType({c.policy.id: frozenset(r.id for r in c.policy.rules) for c in compiled})


def evaluate_file(path: str | Path, policy: str | None = None, known_gaps: str | Path | None = None,
                  store: PolicyStore | None = None) -> Evaluation:
    """Judge every labelled message of a JSONL file and tally the agreement with its labels."""
    store = store or default_store()
    judge = Judge(Choice(policy=policy), store)
    in_force = policy_rules(store, judge)
    rules = frozenset().union(*in_force.values())
    codes = load_label_codes(rules)
    gaps = load_known_gaps(known_gaps) if known_gaps is not None else {}
    outcomes = []
    for row in read_labelled(path, load_protocol(), codes, rules):
        checked = judge.row(row.source, dict(row.envelope)) if isinstance(row, Labelled) else None
        faced = in_force.get(checked.report.policy_id, frozenset()) if checked is not None and checked.ok else frozenset()
        outcomes.append(Outcome(row, checked, gaps.get(row.id), faced))
    return tally(str(path), policy, outcomes, codes)


def _counts(outcomes: Iterable[Outcome], key) -> tuple[Count, ...]:
    agreed: Counter = Counter()
    total: Counter = Counter()
    for o in outcomes:
        name = key(o.row)
        total[name] += 1
        agreed[name] += o.agrees
    # Groups by name, the rows that do not say last.
    return tuple(Count(name, agreed[name], total[name]) for name in sorted(total, key=lambda n: (n == NONE, n)))


def tally(source: str, policy: str | None, outcomes: Iterable[Outcome], codes: LabelCodes) -> Evaluation:
    outcomes = tuple(outcomes)
    by = MappingProxyType({g: _counts(outcomes, lambda row, g=g: getattr(row, g)) for g in GROUPINGS})
    label_of = [(o.row.expected or NONE, o.verdict) for o in outcomes]
    # Allowed and blocked always; review and "no label" when some row has them.
    labels = tuple(label for label in (*Verdict, NONE)
                   if label in (Verdict.ALLOWED, Verdict.BLOCKED) or any(l == label for l, _ in label_of))
    judged = [o for o in outcomes if o.checked is not None and o.checked.ok]
    return Evaluation(source, policy, outcomes, Count("all", sum(o.agrees for o in outcomes), len(outcomes)), by,
                      labels, MappingProxyType(Counter(label_of)), _rule_tallies(judged, codes, outcomes),
                      _code_tallies(judged, codes))


def _rule_tallies(judged: list[Outcome], codes: LabelCodes, outcomes: tuple[Outcome, ...]) -> tuple[RuleTally, ...]:
    named = codes.rules | {r for o in outcomes if isinstance(o.row, Labelled) and o.row.form == "plain" for r in o.row.rules}
    fired = {rule for o in judged for rule in o.fired}
    out = []
    for rule in sorted(named | fired):
        on = [o for o in judged if rule in o.fired]
        expected = sum(rule in o.row.rules and rule in o.in_force for o in judged)
        # A rule that neither fired nor was expected says nothing here (an SA rule on US messages).
        if on or expected:
            out.append(RuleTally(rule, codes.codes_of(rule), len(on), sum(o.row.expected == "allowed" for o in on),
                                 sum(rule in o.row.rules for o in on), expected, rule in named))
    return tuple(out)


def _code_tallies(judged: list[Outcome], codes: LabelCodes) -> tuple[CodeTally, ...]:
    out = []
    # The codes some judged row carries; one the mapping does not list shows with no rules.
    for code in sorted({c for o in judged for c in o.row.codes}):
        rules = codes.rules_of.get(code, ())
        labelled = [o for o in judged if code in o.row.codes]
        out.append(CodeTally(code, rules, len(labelled), sum(any(r in o.fired for r in rules) for o in labelled)))
    return tuple(out)


def meets(evaluation: Evaluation, minimum: float) -> bool:
    """Agreement at least `minimum` (a ratio 0–1). The tolerance is for a ratio typed as a rounded
    decimal: 52 of 55 meets 0.9454545 as well as 52/55 computed."""
    return evaluation.overall.agreed >= minimum * evaluation.overall.total - 1e-9
