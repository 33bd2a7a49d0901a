"""Stage 3: merge a policy with the base it `extends:`, by rule id.

Input: a shape-checked `LoadedFile`. Output: `Merged` — the rules and vocabulary in force, each
remembering the file it was written in, so later errors point into the right file.
A rule that redefines an inherited id needs `override: true`; `remove:` drops inherited rules.
A vocabulary entry of the child replaces the base's entry of the same name, unless it is written
as changes to it (`{add: ..., remove: ...}`, applied by dsl.stages.vocab): a marketplace adds its
own wording to the shared lists, and a misspelt name is an error instead of a list nobody reads.
A base must be a policy file inside the policy tree (dsl.stages.bases): anything else is refused
(P219), and a base that is not a policy (P220) is named, never quoted.
Errors: base not found (P210), extends cycle (P211), refused (P219) and not a policy (P220)
raise PolicyError; duplicate rule id in
a file (P212), override with nothing to override (P213), redefinition without override (P214),
removing an unknown rule (P215), changes to an entry no base defines (P216), removing an item
the base's list lacks (P217) and changes that do not fit the entry (P218) are returned in
`Merged.problems` so the rest can still be checked.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from dsl.contract.errors import Diagnostic, PolicyError, did_you_mean
from dsl.contract.resources import display_path
from dsl.contract.spans import Span
from dsl.stages.bases import Refused, locate_base, looks_like_policy, policy_root
from dsl.stages.load import Key, LoadedFile
from dsl.stages.vocab import apply_edit, is_edit


@dataclass(frozen=True)
class Sourced:
    """A piece of policy data and where it was written (for a vocab entry a child edits with
    `add:`/`remove:`, the merged value and the edit)."""

    value: object
    loaded: LoadedFile
    path: Key

    def span(self, *more) -> Span:
        return self.loaded.span(self.path + tuple(more))


@dataclass(frozen=True)
class Merged:
    top: LoadedFile
    vocab: dict[str, Sourced]
    rules: list[Sourced]          # each value a rule mapping
    chain: tuple[str, ...]
    removed: tuple[str, ...]
    problems: tuple[Diagnostic, ...] = ()    # rule and vocab problems; the rules concerned are left out


def merge_extends(loaded: LoadedFile, load: Callable[[Path, str], LoadedFile],
                  stack: tuple[Path, ...] = (), skip: frozenset[int] = frozenset(),
                  root: Path | None = None, trees: tuple[Path, ...] = ()) -> Merged:
    """`load(path, display)` loads and shape-checks a base file (the compiler passes its stages).

    `skip`: indexes of this file's rules that already have errors and take no further part.
    `root`: a policy tree the bases may be in besides this file's own (`--policy-root`);
    `trees`: the trees of the file compiled first, passed down its chain.
    """
    data = loaded.data
    here = Path(loaded.file).resolve()
    trees = trees or (policy_root(here),) + ((root.resolve(),) if root else ())
    problems: list[Diagnostic] = []

    base: Merged | None = None
    if isinstance(data.get("extends"), str):       # anything else is a shape error, already reported
        span = loaded.span(("extends",))
        try:
            target = locate_base(data["extends"], here, trees)
        except Refused as refused:
            raise PolicyError([loaded.diagnostic("P219", refused.message, span, refused.help)]) from None
        if target in stack or target == here:
            cycle = " -> ".join(p.name for p in (*stack, here, target))
            raise PolicyError([loaded.diagnostic("P211", f"`extends` makes a cycle: {cycle}", span,
                                                 "a base must not extend, directly or not, a policy that extends it")])
        try:
            found = target.is_file()
        except OSError as exc:      # e.g. a name longer than the file system allows
            raise PolicyError([loaded.diagnostic("P210", f"base policy `{data['extends']}` cannot be read: {exc.strerror}",
                                                 span)]) from None
        if not found:
            nearby = [p.name for p in target.parent.glob("*.yaml") if p.resolve() != here] if target.parent.is_dir() else []
            raise PolicyError([loaded.diagnostic("P210", f"base policy `{data['extends']}` not found", span,
                                                 did_you_mean(target.name, nearby) or f"looked for {target}")])
        display = display_path(Path(loaded.file).parent / data["extends"])
        try:
            base_file = load(target, display)
        except PolicyError:
            if looks_like_policy(target):
                raise
            # Its errors would quote its lines, and it may be any file: name it, quote nothing.
            raise PolicyError([loaded.diagnostic(
                "P220", f"base `{display}` is not a policy file", span,
                "a base is a policy file (with `policy:`, `marketplace: base`, …); its content is not shown")]) from None
        base = merge_extends(base_file, load, stack + (here,), trees=trees)

    rules: dict[str, Sourced] = {r.value["id"]: r for r in base.rules} if base else {}
    vocab: dict[str, Sourced] = dict(base.vocab) if base else {}

    removed = tuple(data.get("remove", ()))
    for i, rule_id in enumerate(removed):
        if rule_id not in rules:
            problems.append(loaded.diagnostic("P215", f"cannot remove `{rule_id}`: no inherited rule has that id",
                                              loaded.span(("remove", i)), did_you_mean(rule_id, rules)))
        rules.pop(rule_id, None)

    seen_here: dict[str, int] = {}
    for i, rule in enumerate(data.get("rules", ())):
        if i in skip:
            continue
        rule_id = rule["id"]
        id_span = loaded.span(("rules", i, "id"))
        if rule_id in seen_here:
            first = loaded.span(("rules", seen_here[rule_id], "id"))
            problems.append(loaded.diagnostic("P212", f"duplicate rule id `{rule_id}`", id_span,
                                              f"`{rule_id}` is already defined on line {first.line}"))
            continue
        seen_here[rule_id] = i
        inherited = rules.get(rule_id)
        sourced = Sourced(rule, loaded, ("rules", i))
        if rule.get("override"):
            if inherited is None:
                problems.append(loaded.diagnostic("P213", f"`{rule_id}` overrides nothing: no inherited rule has this id",
                                                  loaded.key_span(("rules", i, "override")),
                                                  did_you_mean(rule_id, rules) or "remove `override: true`"))
                continue
        elif inherited is not None:
            where = inherited.span()
            problems.append(loaded.diagnostic("P214", f"rule `{rule_id}` is already defined in {where.file}:{where.line}",
                                              id_span, "add `override: true` to replace the inherited rule, or choose another id"))
            continue
        rules[rule_id] = sourced   # an override keeps the inherited rule's place in the order

    inherited_vocab = base.vocab if base else {}
    for name, entry in (data.get("vocab") or {}).items():
        path = ("vocab", name)
        if not is_edit(entry):
            vocab[name] = Sourced(entry, loaded, path)
            continue
        inherited = inherited_vocab.get(name)
        if inherited is None:
            problems.append(loaded.diagnostic(
                "P216", f"`vocab.{name}` adds to or removes from an entry no base defines", loaded.key_span(path),
                did_you_mean(name, inherited_vocab)
                or (f"define it here: `{name}:` with its values, without `add:`/`remove:`" if base
                    else "this file extends no base: give the entry its values, without `add:`/`remove:`")))
            continue
        where = inherited.span()
        value, found = apply_edit(name, inherited.value, f"{where.file}:{where.line}", entry, loaded, path)
        problems.extend(found)
        vocab[name] = Sourced(value, loaded, path)     # the file that last changed it, for `permitted lint`

    chain = (base.chain if base else ()) + (loaded.file,)
    inherited_problems = base.problems if base else ()
    return Merged(loaded, vocab, list(rules.values()), chain, removed, inherited_problems + tuple(problems))
