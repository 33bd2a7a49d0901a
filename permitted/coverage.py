"""Coverage of the guideline texts by a policy's rules: clause → rules → examples.

Stage: analysis of compiled policies. Input: the clause lists in `policies/clauses/` (one YAML
file per guideline text, checked against `policies/clauses.schema.json`) and compiled policies.
Output: one frozen `Coverage` per policy — every clause of the texts that apply to it with the
rules citing it and their number of examples, the clauses no rule covers, and the rules whose
`clause:` is found in none of those texts (rendered by permitted.views.coverage). Errors:
PolicyError for a clause file that cannot be read or is ill-shaped (P100–P202, file:line:col) and
for an unknown policy (P700); UsageError when no clause list applies to the policy asked for.

A rule covers a clause when every fragment of its citation (cut at "…" or "...") occurs in the
clause's text, both folded alike: case, runs of white space, curly quotes and dashes, accents;
punctuation at either end of a fragment does not count.
"""
from __future__ import annotations

import difflib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import jsonschema

from dsl.contract.errors import Diagnostic, PolicyError, UsageError, did_you_mean
from dsl.contract.model import Policy, Rule
from dsl.contract.resources import display_path, policies_dir
from dsl.contract.spans import Span
from dsl.stages.load import LoadedFile, load_file
from dsl.stages.shape import diagnose, schema_errors
from interpreter.evaluation.phrases import folded

from permitted.store import default_store


_ELLIPSIS = re.compile(r"…|\.\.\.")


# ---- matching ----------------------------------------------------------------------------------

def normalise(text: str) -> str:
    """Text as citations are compared: folded (case, white space, quotes, dashes, accents), trimmed."""
    return _trim(folded(text))


def _trim(text: str) -> str:
    start, end = 0, len(text)
    while start < end and (text[start].isspace() or unicodedata.category(text[start]).startswith("P")):
        start += 1
    while end > start and (text[end - 1].isspace() or unicodedata.category(text[end - 1]).startswith("P")):
        end -= 1
    return text[start:end]


def fragments(citation: str) -> tuple[str, ...]:
    """The verbatim pieces of a rule's `clause:`, normalised; empty pieces (a leading "…") dropped."""
    return tuple(f for f in (normalise(part) for part in _ELLIPSIS.split(citation)) if f)


def cites(pieces: Sequence[str], clause_text: str) -> bool:
    """Whether a citation's fragments all occur in a clause's normalised text."""
    return bool(pieces) and all(p in clause_text for p in pieces)


def closeness(pieces: Sequence[str], clause_text: str) -> float:
    """How much of a citation a clause holds: per fragment the longest run it shares with the
    clause, summed and divided by the citation's length (1.0 when the clause is cited)."""
    total = sum(len(p) for p in pieces)
    if not total:
        return 0.0
    shared = 0
    for p in pieces:
        match = difflib.SequenceMatcher(None, p, clause_text, autojunk=False).find_longest_match(
            0, len(p), 0, len(clause_text))
        shared += match.size
    return shared / total


# ---- clause lists ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Clause:
    id: str
    text: str
    list: str                          # the clause list's name (its file name without .yaml)
    section: str | None = None
    informational: bool = False
    why: str | None = None
    restates: str | None = None
    normal: str = field(default="", compare=False, repr=False)
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class ClauseList:
    name: str
    file: str
    title: str
    date: str | None
    applies_to: tuple[str, ...]
    clauses: tuple[Clause, ...]

    def applies(self, policy_id: str, marketplace: str) -> bool:
        return policy_id in self.applies_to or marketplace.upper() in self.applies_to


def clauses_dir() -> Path:
    return policies_dir() / "clauses"


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((policies_dir() / "clauses.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _shape(loaded: LoadedFile) -> list[Diagnostic]:
    if not isinstance(loaded.data, dict):
        return [loaded.diagnostic("P200", "a clause list must be a YAML mapping (source:, applies_to:, clauses:)",
                                  loaded.span(()))]
    problems: list[Diagnostic] = []
    for error in schema_errors(_validator(), loaded.data):
        path = tuple(error.absolute_path)
        if error.validator == "pattern" and path[-1:] in (("id",), ("restates",)):
            problems.append(loaded.diagnostic("P200", f"`{error.instance}` is not a valid clause id", loaded.span(path),
                                              "clause ids are lower case words joined by dots, e.g. uk.content.phone-numbers"))
        elif error.validator == "pattern" and path[:1] == ("applies_to",):
            problems.append(loaded.diagnostic("P200", f"`{error.instance}` is neither a policy id nor a marketplace",
                                              loaded.span(path), "write a policy id such as uk@2020-11-06 or a marketplace such as UK"))
        else:
            problems.extend(diagnose(loaded, error))
    return problems


def _read(path: Path) -> tuple[LoadedFile, ClauseList]:
    loaded = load_file(path, display_path(path))
    problems = _shape(loaded)
    if problems:
        raise PolicyError(sorted(problems, key=lambda d: (d.span.line, d.span.column) if d.span else (0, 0)))
    data, name = loaded.data, path.stem
    clauses = tuple(
        Clause(c["id"], c["text"], name, c.get("section"), c.get("kind") == "informational", c.get("why"),
               c.get("restates"), normalise(c["text"]), loaded.span(("clauses", i, "id")))
        for i, c in enumerate(data["clauses"]))
    source = data["source"]
    return loaded, ClauseList(name, loaded.file, source["title"], source.get("date"), tuple(data["applies_to"]), clauses)


def _cross_check(read: list[tuple[LoadedFile, ClauseList]]) -> list[Diagnostic]:
    """Clause ids are unique across every list; `restates:` names a clause that does not itself
    restate, and that needs a rule if the restating clause does."""
    problems, seen = [], {}
    for loaded, lst in read:
        for c in lst.clauses:
            if c.id in seen:
                problems.append(loaded.diagnostic("P200", f"duplicate clause id `{c.id}`", c.span,
                                                  f"`{c.id}` is already the id of a clause at {seen[c.id].span}"))
            else:
                seen[c.id] = c
    for loaded, lst in read:
        for i, c in enumerate(lst.clauses):
            if c.restates is None:
                continue
            target = seen.get(c.restates)
            span = loaded.span(("clauses", i, "restates"))
            if target is None:
                problems.append(loaded.diagnostic("P200", f"`restates:` names no clause: `{c.restates}`", span,
                                                  did_you_mean(c.restates, seen) or "use the id of a clause in another list"))
            elif target.id == c.id:
                problems.append(loaded.diagnostic("P200", f"clause `{c.id}` restates itself", span,
                                                  "name the clause of another text that says the same"))
            elif target.restates is not None:
                problems.append(loaded.diagnostic("P200", f"`{c.restates}` restates a clause itself", span,
                                                  f"name the clause it restates, `{target.restates}`"))
            elif target.informational and not c.informational:
                problems.append(loaded.diagnostic("P200", f"`{c.id}` needs a rule but restates an informational clause, "
                                                  f"`{c.restates}`", span, "mark it `kind: informational` too, with a `why:`"))
    return problems


def load_clause_lists(folder: Path | None = None) -> tuple[ClauseList, ...]:
    """Every clause list in the folder (the bundled ones by default); all problems at once."""
    folder = folder or clauses_dir()
    read, problems = [], []
    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        raise UsageError([Diagnostic("U100", f"no clause lists in {display_path(folder)}",
                                     help="write one YAML file per guideline text (policies/clauses.schema.json)")])
    for path in paths:
        try:
            read.append(_read(path))
        except PolicyError as problem:
            problems.extend(problem.diagnostics)
    problems.extend(_cross_check(read))
    if problems:
        raise PolicyError(problems)
    return tuple(lst for _, lst in read)


# Every clause list writes `clauses:` at the start of a line, and no policy does (a policy has `policy:`).
_CLAUSES_KEY = re.compile(r"^clauses[ \t]*:", re.MULTILINE)
_POLICY_KEY = re.compile(r"^policy[ \t]*:", re.MULTILINE)


def is_clause_list(path: Path) -> bool:
    """Whether a YAML file is a clause list rather than a policy: it sits in a `clauses/` folder,
    or it writes `clauses:` and not `policy:` (so `permitted lint` checks it by its own schema)."""
    if path.parent.name == "clauses":
        return True
    try:
        with path.open("rb") as f:
            head = f.read(1_000_000).decode("utf-8", "replace")
    except OSError:
        return False
    return bool(_CLAUSES_KEY.search(head)) and not _POLICY_KEY.search(head)


def clause_list_files(paths: Sequence[str] | None = None) -> list[Path]:
    """The clause lists in the `clauses/` folders below the given folders (the bundled ones by
    default); files named directly are left to the caller (`is_clause_list`)."""
    roots = [Path(p) for p in paths] if paths else [policies_dir()]
    out: list[Path] = []
    for root in roots:
        if root.is_dir():
            out.extend(sorted(p for p in root.rglob("*.y*ml") if p.suffix in (".yaml", ".yml")
                              and "clauses" in p.relative_to(root).parts[:-1]))
    return out


def check_clause_lists(paths: Sequence[Path]) -> list[tuple[Path, ClauseList | None, tuple[Diagnostic, ...]]]:
    """Each clause list checked as `permitted coverage` reads it — its schema, and clause ids and
    `restates:` across the lists of its folder — with the problems found in it (none: its list)."""
    by_folder: dict[Path, list[Path]] = {}
    for path in paths:
        by_folder.setdefault(path.parent, []).append(path)
    out = []
    for folder, asked in by_folder.items():
        siblings = sorted(set(folder.glob("*.yaml")) | set(asked)) if folder.name == "clauses" else asked
        read, problems = [], {}
        for path in siblings:
            try:
                read.append(_read(path))
            except PolicyError as problem:
                problems[path] = list(problem.diagnostics)
        across = _cross_check(read)
        lists = {Path(loaded.file).resolve(): lst for loaded, lst in read}
        for path in asked:
            name = display_path(path)
            found = problems.get(path, []) + [d for d in across if d.span is not None and d.span.file == name]
            out.append((path, None if found else lists.get(path.resolve()), tuple(found)))
    return out


# ---- coverage ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Covered:
    """One clause and the rules covering it (directly, or through the clause it restates)."""

    clause: Clause
    rules: tuple[str, ...]
    examples: int

    @property
    def missing(self) -> bool:
        return not self.rules and not self.clause.informational


@dataclass(frozen=True)
class Misquote:
    """A rule whose citation occurs in none of the clauses of the texts that apply to its policy."""

    rule: str
    citation: str
    file: str
    line: int | None
    nearest: Clause | None


@dataclass(frozen=True)
class Coverage:
    policy: str
    file: str
    lists: tuple[ClauseList, ...]
    clauses: tuple[Covered, ...]
    misquotes: tuple[Misquote, ...]
    rules: int
    examples: int

    @property
    def uncovered(self) -> tuple[Covered, ...]:
        return tuple(c for c in self.clauses if c.missing)

    @property
    def ok(self) -> bool:
        return not self.uncovered and not self.misquotes


def applicable(policy: Policy, lists: Sequence[ClauseList]) -> tuple[ClauseList, ...]:
    return tuple(lst for lst in lists if lst.applies(policy.id, policy.marketplace))


def cover(policy: Policy, lists: Sequence[ClauseList]) -> Coverage:
    """Match every rule of a compiled policy against the clauses of the lists that apply to it."""
    relevant = applicable(policy, lists)
    if not relevant:
        known = sorted({a for lst in lists for a in lst.applies_to})
        raise UsageError([Diagnostic("U100", f"no clause list applies to {policy.id}",
                                     help="clause lists apply to: " + ", ".join(known))])
    everywhere = {c.id: c for lst in lists for c in lst.clauses}
    pieces = {r.id: fragments(r.clause) for r in policy.rules}

    def citing(clause: Clause) -> list[Rule]:
        return [r for r in policy.rules if cites(pieces[r.id], clause.normal)]

    rows, found = [], set()
    for lst in relevant:
        for clause in lst.clauses:
            direct = citing(clause)
            found.update(r.id for r in direct)
            via = citing(everywhere[clause.restates]) if clause.restates else []
            rules = list({r.id: r for r in direct + via}.values())
            rows.append(Covered(clause, tuple(r.id for r in rules), sum(len(r.examples) for r in rules)))
    candidates = [c.clause for c in rows]
    misquotes = tuple(
        Misquote(r.id, r.clause, display_path(Path(r.file)), r.span.line if r.span else None,
                 max(candidates, key=lambda c: closeness(pieces[r.id], c.normal)) if pieces[r.id] else None)
        for r in policy.rules if r.id not in found)
    # Shown as the user would write them, however the (cached) policy was first compiled.
    return Coverage(policy.id, display_path(Path(policy.file)), relevant, tuple(rows), misquotes, len(policy.rules),
                    sum(len(r.examples) for r in policy.rules))


def policy_ids(lists: Sequence[ClauseList]) -> tuple[str, ...]:
    """Every policy a clause list applies to: the ids named, and the bundled versions of the
    marketplaces named (an id whose file does not exist yet is kept, so it can be reported)."""
    out: dict[str, None] = {}
    bundled = default_store().catalogue.versions
    for lst in lists:
        for entry in lst.applies_to:
            for pid in ([entry] if "@" in entry else [v.id for v in bundled.get(entry, [])]):
                out.setdefault(pid, None)
    return tuple(out)


def targets(refs: Sequence[str], lists: Sequence[ClauseList]) -> list[Path]:
    """The policy files asked for; by default every bundled version some clause list applies to."""
    if refs:
        return [default_store().path(r) for r in refs]
    return [v.path for vs in default_store().catalogue.versions.values() for v in vs
            if any(lst.applies(v.id, v.marketplace) for lst in lists)]
