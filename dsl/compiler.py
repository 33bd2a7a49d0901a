"""The policy compiler: a named list of pure stages, and a cache.

    load YAML with positions -> check shape -> merge extends -> parse -> resolve names and
    check types -> simplify -> check vocabulary use -> assemble (examples checked against the
    facts schema)

Input: a policy file path. Output: a frozen `model.Policy` whose rule conditions are typed,
simplified predicate trees (the interpreter lowers them to closures), with the warnings found
(`Policy.warnings`, which `permitted lint` shows). Errors: one PolicyError
carrying every problem found; parse and type problems are collected across all rules so an
author sees them all at once. The compiler keeps nothing between calls: the caller that compiles
many policies (permitted.store) keeps the results, and may lend a `BaseFiles` cache so that a
base file every marketplace extends is read once.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Callable

from dsl.contract import ast, tree
from dsl.contract import schema as facts_schema
from dsl.contract.errors import Diagnostic, PolicyError, did_you_mean
from dsl.contract.model import Example, Hint, NotChecked, Policy, Rule
from dsl.contract.resources import file_stamps
from dsl.contract.spans import Span
from dsl.contract.verdict import Severity
from dsl.stages.check import Context, check_condition, check_value, vocab_const
from dsl.stages.extends import Merged, Sourced, merge_extends
from dsl.stages.load import LoadedFile, load_file
from dsl.stages.parse import parse
from dsl.stages.shape import check_shape, shape_problems
from dsl.stages.simplify import simplify
from dsl.stages.usage import vocab_use


class BaseFiles:
    """Base files loaded and shape-checked, reused while unchanged on disk: every marketplace
    extends the same base, so a caller compiling several policies reads it once."""

    def __init__(self) -> None:
        self._files: dict[tuple[Path, str], tuple[tuple, LoadedFile]] = {}

    def load(self, path: Path, display: str) -> LoadedFile:
        stamp = file_stamps([path])
        hit = self._files.get((path, display))
        if hit is not None and hit[0] == stamp:
            return hit[1]
        loaded = _load_base(path, display)
        self._files[(path, display)] = (stamp, loaded)
        return loaded


Template = tuple[str | ast.Node, ...]                    # text and `{…}` values


@dataclass(frozen=True)
class ParsedRule:
    source: Sourced
    syntax: ast.Node | None                              # None: the condition did not parse
    hint: Template | None = None                         # None: none, or it did not parse
    not_checked: tuple[ast.Node, Template] | None = None   # (when, say); None: none, or it did not parse


@dataclass(frozen=True)
class CheckedRule:
    source: Sourced
    syntax: ast.Node
    condition: tree.Pred
    hint: Hint | None
    not_checked: NotChecked | None = None


@dataclass(frozen=True)
class Build:
    """What the stages pass along; each stage returns a new Build."""

    path: Path
    display: str
    loaded: LoadedFile | None = None
    merged: Merged | None = None
    parsed: tuple[ParsedRule, ...] = ()
    checked: tuple[CheckedRule, ...] = ()
    policy: Policy | None = None
    problems: tuple[Diagnostic, ...] = field(default=())
    broken_rules: frozenset[int] = frozenset()     # rules with shape errors, skipped by later stages
    vocab_read: frozenset[str] = frozenset()       # entries the conditions and hints name
    warnings: tuple[Diagnostic, ...] = ()
    bases: BaseFiles | None = field(default=None, compare=False)
    root: Path | None = None                       # the policy tree bases must be in (None: the file's own)


def _load(b: Build) -> Build:
    return replace(b, loaded=load_file(b.path, b.display))


def _shape(b: Build) -> Build:
    problems, broken = shape_problems(b.loaded)
    return replace(b, problems=b.problems + tuple(problems), broken_rules=frozenset(broken))


def _load_base(path: Path, display: str) -> LoadedFile:
    return check_shape(load_file(path, display))


def _merge(b: Build) -> Build:
    try:
        merged = merge_extends(b.loaded, b.bases.load if b.bases else _load_base, skip=b.broken_rules, root=b.root)
    except PolicyError as err:
        raise PolicyError(sorted(b.problems + err.diagnostics, key=_order)) from None
    return replace(b, merged=merged, problems=b.problems + merged.problems)


def _locator(s: Sourced, *keys: str) -> tuple[Callable[[int, int], Span], Callable[[Span | None], str | None]]:
    loaded, path = s.loaded, s.path + keys
    offsets = loaded.scalar_offsets(path) or [loaded.where[path].start]

    def locate(start: int, end: int) -> Span:
        a = offsets[min(start, len(offsets) - 1)]
        b = offsets[min(max(end - 1, start), len(offsets) - 1)] + 1
        return loaded.source.span(a, b)

    def line_of(span: Span | None) -> str | None:
        return loaded.source.line_text(span.line) if span else None

    return locate, line_of


def _hint_pieces(text: str) -> list[tuple[str, int, int]]:
    """Split a hint into ("text", a, b) and ("expr", a, b) pieces; `{{`/`}}` are literal braces."""
    pieces, buf_start, i = [], 0, 0
    while i < len(text):
        two = text[i:i + 2]
        if two in ("{{", "}}"):
            i += 2
            continue
        if text[i] == "{":
            close = text.find("}", i + 1)
            if close < 0:
                pieces.append(("unclosed", i, len(text)))
                return pieces
            pieces.append(("text", buf_start, i))
            pieces.append(("expr", i + 1, close))
            i = buf_start = close + 1
            continue
        i += 1
    pieces.append(("text", buf_start, len(text)))
    return pieces


def _template(s: Sourced, keys: tuple[str, ...], text: str, problems: list[Diagnostic]) -> Template | None:
    """A hint-like text parsed into literal parts and `{…}` values; None (problems added) when a
    value does not parse."""
    out: list = []
    locate, line_of = _locator(s, *keys)
    for kind, a, z in _hint_pieces(text):
        if kind == "text":
            out.append(text[a:z].replace("{{", "{").replace("}}", "}"))
        elif kind == "unclosed":
            span = locate(a, a + 1)
            problems.append(Diagnostic("P300", f"unclosed `{{` in {keys[-1]}", span, line_of(span),
                                       "close the value with `}`, or write `{{` for a literal brace"))
            return None
        else:
            try:
                out.append(parse(text[a:z], lambda x, y, a=a: locate(a + x, a + y), line_of))
            except PolicyError as err:
                problems.extend(err.diagnostics)
                return None
    return tuple(out)


def _condition(s: Sourced, keys: tuple[str, ...], when, problems: list[Diagnostic]) -> ast.Node | None:
    locate, line_of = _locator(s, *keys)
    try:
        return parse(when if isinstance(when, str) else str(when).lower(), locate, line_of)
    except PolicyError as err:
        problems.extend(err.diagnostics)
        return None


def _parse(b: Build) -> Build:
    problems: list[Diagnostic] = list(b.problems)
    out = []
    for s in b.merged.rules:
        rule = s.value
        condition = _condition(s, ("when",), rule["when"], problems)
        hint = _template(s, ("hint",), rule["hint"], problems) if "hint" in rule else None
        not_checked = None
        if "not_checked" in rule:
            when = _condition(s, ("not_checked", "when"), rule["not_checked"]["when"], problems)
            say = _template(s, ("not_checked", "say"), rule["not_checked"]["say"], problems)
            not_checked = None if when is None or say is None else (when, say)
        out.append(ParsedRule(s, condition, hint, not_checked))
    return replace(b, parsed=tuple(out), problems=tuple(problems))


def _checked_template(source: str, parts: Template, ctx: Context, when: tree.Pred) -> Hint:
    return Hint(source, tuple(p if isinstance(p, str) else check_value(p, ctx, when) for p in parts))


def _check(b: Build) -> Build:
    problems: list[Diagnostic] = list(b.problems)
    schema = facts_schema.load_schema()
    vocab = {name: vocab_const(s.value) for name, s in b.merged.vocab.items()}
    out, read = [], set()
    for parsed in b.parsed:
        s, condition = parsed.source, parsed.syntax
        if condition is None:
            continue
        _, line_of = _locator(s, "when")
        ctx = Context(schema, vocab, line_of)
        pred = check_condition(condition, ctx)
        hint = None if parsed.hint is None else _checked_template(s.value["hint"], parsed.hint, ctx, pred)
        not_checked = None
        if parsed.not_checked is not None:
            when, say = parsed.not_checked
            written = s.value["not_checked"]
            note_when = check_condition(when, ctx)
            not_checked = NotChecked(note_when, when, _checked_template(written["say"], say, ctx, note_when))
        read |= ctx.vocab_read
        if ctx.problems:
            problems.extend(ctx.problems)
            continue
        out.append(CheckedRule(s, condition, pred, hint, not_checked))
    return replace(b, checked=tuple(out), problems=tuple(problems), vocab_read=frozenset(read))


def _simplified_template(hint: Hint | None) -> Hint | None:
    return None if hint is None else Hint(hint.source, tuple(p if isinstance(p, str) else simplify(p) for p in hint.parts))


def _simplify(b: Build) -> Build:
    out = []
    for c in b.checked:
        nc = c.not_checked
        if nc is not None:
            nc = NotChecked(simplify(nc.condition), nc.syntax, _simplified_template(nc.say))
        out.append(replace(c, condition=simplify(c.condition), hint=_simplified_template(c.hint), not_checked=nc))
    return replace(b, checked=tuple(out))


def _usage(b: Build) -> Build:
    errors, warnings = vocab_use(b.merged, b.vocab_read)
    # A rule with errors may not have named all its entries: they would be reported as unused.
    return replace(b, problems=b.problems + tuple(errors),
                   warnings=() if b.problems else tuple(sorted(warnings, key=_order)))


def _examples(s: Sourced, marketplace: str | None, rule_ids: set[str]) -> tuple[tuple[Example, ...], list[Diagnostic]]:
    problems, out = [], []
    for j, ex in enumerate(s.value.get("examples", ())):
        path = ("examples", j)
        if "message" in ex:
            for where, message in facts_schema.message_problems(ex["message"]):
                span = s.loaded.span(s.path + path + ("message",) + where)
                problems.append(s.loaded.diagnostic(
                    "P600", f"example `{ex['name']}`: message.{'.'.join(map(str, where))}: {message}", span,
                    "an example message is an envelope: body or html, and the fields of policies/message.schema.json"))
        else:
            record = facts_schema.complete(ex["facts"], marketplace or "US")
            for where, message in facts_schema.problems(record):
                span = s.loaded.span(s.path + path + ("facts",) + where)
                problems.append(s.loaded.diagnostic(
                    "P600", f"example `{ex['name']}`: facts.{'.'.join(map(str, where))}: {message}",
                    span, "run `permitted facts` to see the facts and their types"))
        for key in ("expect", "undetermined", "not_checked"):
            for k, rule_id in enumerate(ex.get(key, ())):
                if rule_id not in rule_ids:
                    span = s.loaded.span(s.path + path + (key, k))
                    problems.append(s.loaded.diagnostic("P600", f"example `{ex['name']}` names unknown rule `{rule_id}`",
                                                        span, did_you_mean(rule_id, rule_ids)))
        out.append(Example(ex["name"], ex.get("facts"), tuple(ex["expect"]), tuple(ex.get("undetermined", ())),
                           s.span(*path), ex.get("message"), tuple(ex.get("not_checked", ()))))
    return tuple(out), problems


def _assemble(b: Build) -> Build:
    problems = list(b.problems)
    data = b.loaded.data
    market = data["marketplace"]
    rule_ids = {s.value["id"] for s in b.merged.rules}
    rules = []
    for c in b.checked:
        s = c.source
        examples, bad = _examples(s, None if market == "base" else market, rule_ids)
        problems.extend(bad)
        r = s.value
        rules.append(Rule(r["id"], r["title"], Severity(r["severity"]), r["clause"], c.condition, c.syntax, c.hint, examples,
                          s.loaded.file, s.span("id"), c.not_checked))
    try:
        effective = _dt.date.fromisoformat(data["effective"])
    except ValueError:
        problems.append(b.loaded.diagnostic("P200", f"effective: `{data['effective']}` is not a calendar date",
                                            b.loaded.span(("effective",)), "write the date as YYYY-MM-DD"))
    if problems:
        raise PolicyError(sorted(problems, key=_order))
    vocab = MappingProxyType({name: s.value for name, s in b.merged.vocab.items()})
    policy = Policy(
        id=f"{market.lower()}@{data['effective']}", name=data["policy"], marketplace=market,
        effective=effective, file=b.display, source=data["source"],
        description=data.get("description", ""), vocab=vocab, rules=tuple(rules),
        chain=b.merged.chain, removed=b.merged.removed, warnings=b.warnings)
    return replace(b, policy=policy)


def _order(d: Diagnostic) -> tuple:
    return (d.span.file, d.span.line, d.span.column) if d.span else ("", 0, 0)


STAGES: tuple[tuple[str, Callable[[Build], Build]], ...] = (
    ("load", _load),
    ("check shape", _shape),
    ("merge extends", _merge),
    ("parse", _parse),
    ("resolve names and check types", _check),
    ("simplify", _simplify),
    ("check vocabulary use", _usage),
    ("assemble", _assemble),
)


def compile_file(path: str | Path, display: str | None = None, bases: BaseFiles | None = None,
                 root: str | Path | None = None) -> Policy:
    """Run every stage on one policy file. Reports name the file as `display` (default: the path
    as given). `root`: the policy tree its `extends:` chain must stay in (default: the file's own,
    see dsl.stages.bases)."""
    b = Build(Path(path), display or str(path), bases=bases, root=Path(root) if root else None)
    for _name, stage in STAGES:
        b = stage(b)
    return b.policy


def compile_text(text: str, file: str = "<policy>", root: str | Path | None = None) -> Policy:
    """Compile a policy held in memory (tests, the API), as if it were the file `file`: `extends`
    is resolved from that file's folder (the working directory for a name such as `<policy>`) and
    stays in `root` (default: that file's policy tree)."""
    from dsl.stages.load import load_text

    b = Build(Path(file), file, loaded=load_text(text, file), root=Path(root) if root else None)
    for name, stage in STAGES:
        if name != "load":
            b = stage(b)
    return b.policy
