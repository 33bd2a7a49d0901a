"""Turn results into rich renderables (the CLI prints them; nothing here prints).

Input: diagnostics, compiled rules, the facts schema, example results. Output: rich Text,
Tree and Table objects, and plain strings for golden tests.
"""
from __future__ import annotations

import json

from rich.console import Group
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from dsl.contract.errors import Diagnostic
from dsl.contract.model import Policy, Rule
from dsl.contract.schema import FactSchema
from dsl.contract.verdict import Severity
from dsl.format.condition import format_expr

from permitted.examples import ExampleResult
from permitted.explaining import facts_read
from permitted.views.visible import visible, visible_line


def diagnostic_lines(d: Diagnostic) -> list[tuple[str, str]]:
    """(text, style) lines of one diagnostic, rustc style: header, location, source, caret, help.
    Every part may quote a message, a file name or a policy line: all are shown `visible`."""
    colour = "yellow" if d.severity == "warning" else "red"
    lines = [(visible(f"{d.severity}[{d.code}] {d.name}: {d.message}"), f"bold {colour}")]
    if d.span is not None:
        lines.append((visible_line(f"  --> {d.span.file}:{d.span.line}:{d.span.column}"), "cyan"))
        if d.source_line is not None:
            number = str(d.span.line)
            gutter = " " * len(number)
            start, end = d.caret()          # columns within the line as kept (an excerpt of a long one)
            lines.append((f" {gutter} |", "cyan"))
            lines.append((f" {number} | {visible_line(d.source_line)}", ""))
            lines.append((f" {gutter} | " + " " * _shown_width(d.source_line, 1, start)
                          + "^" * max(_shown_width(d.source_line, start, end), 1), f"bold {colour}"))
    if d.help:
        lines.append((visible(f"  = help: {d.help}"), "green"))
    return lines


def _shown_width(line: str, start: int, end: int) -> int:
    """How wide columns start..end (1-based, end excluded) of a line are once shown `visible`: a
    stand-in may be wider than the character it shows, and the caret must stay under it. Columns
    past the end of the line count one each (a caret may point just after the last character)."""
    piece = line[start - 1:end - 1]
    return len(visible_line(piece)) + (end - start) - len(piece)


def diagnostic_plain(d: Diagnostic) -> str:
    return "\n".join(text for text, _ in diagnostic_lines(d))


def diagnostics(ds) -> Text:
    out = Text()
    for i, d in enumerate(ds):
        if i:
            out.append("\n")
        for text, style in diagnostic_lines(d):
            out.append(text + "\n", style=style)
    return out


def diagnostics_json(ds) -> str:
    return json.dumps([d.to_json() for d in ds], indent=2, ensure_ascii=False)


def facts_tree(schema: FactSchema, only: str | None = None) -> Tree:
    root = Tree(Text("facts", style="bold"))

    def add(node: Tree, prefix: str, object_name: str, depth: int) -> None:
        for name, spec in schema.fields(object_name).items():
            path = f"{prefix}.{name}" if prefix else name
            label = Text(name, style="bold cyan")
            label.append(f"  {spec.type}", style="magenta")
            if spec.type.enum:
                label.append(" (" + " | ".join(spec.type.enum) + ")", style="magenta")
            if spec.absent != "present":
                label.append(f"  [{spec.absent}]", style="yellow")
            label.append(f"  {spec.description}", style="dim")
            child = node.add(label)
            target = spec.type.item if spec.type.is_list else spec.type
            if target is not None and target.kind == "object" and depth < 4:
                add(child, path, target.name, depth + 1)

    for r in schema.roots:
        if only and not (r == only.split(".")[0]):
            continue
        label = Text(r, style="bold cyan")
        label.append(f"  {schema.descriptions.get(r, '')}", style="dim")
        add(root.add(label), r, r, 1)
    return root


def rule_view(policy: Policy, rule: Rule, schema: FactSchema) -> Group:
    head = Text()
    head.append(rule.id, style="bold cyan")
    head.append(f"  [{rule.severity}]", style="bold red" if rule.severity == Severity.BLOCK else "bold yellow")
    head.append(visible_line(f"  {policy.id}  {rule.file}:{rule.span.line if rule.span else '?'}"), style="dim")
    parts = [head, Text(visible(rule.title), style="bold")]
    parts.append(Text.assemble(("clause: ", "bold"), visible(f"\u201c{rule.clause}\u201d")))
    parts.append(Text("condition:", style="bold"))
    parts.append(Text("  " + format_expr(rule.syntax, 84).replace("\n", "\n  "), style="green"))
    if rule.hint is not None:
        parts.append(Text.assemble(("hint: ", "bold"), visible(rule.hint.source)))
    reads = Table(title="facts it reads", title_justify="left", show_edge=False, pad_edge=False)
    reads.add_column("fact", style="cyan")
    reads.add_column("type", style="magenta")
    reads.add_column("when absent", style="yellow")
    reads.add_column("description")
    for path, spec in facts_read(rule, schema):
        reads.add_row(path, str(spec.type), spec.absent, spec.description)
    parts.append(reads)
    if rule.examples:
        ex = Table(title="examples", title_justify="left", show_edge=False, pad_edge=False)
        ex.add_column("name")
        ex.add_column("expect")
        ex.add_column("message or facts", overflow="fold")
        for e in rule.examples:
            given = {"message": e.message} if e.message is not None else e.facts
            ex.add_row(visible_line(e.name), ", ".join(e.expect) or "(nothing fires)", visible(json.dumps(given, ensure_ascii=False)))
        parts.append(ex)
    return Group(*parts)


def example_line(r: ExampleResult) -> Text:
    return Text.assemble(("PASS " if r.passed else "FAIL ", "bold green" if r.passed else "bold red"), visible_line(r.name))


def example_failure(r: ExampleResult) -> Text:
    out = Text()
    out.append(visible_line(f"  {r.example.span.file}:{r.example.span.line}") + "\n" if r.example.span else "", style="cyan")
    for p in r.problems:
        out.append(f"  - {visible(p)}\n", style="red")
    if r.report is not None:
        fired = [v.rule for v in r.report.violations]
        out.append(f"  expected: {', '.join(r.example.expect) or '(nothing)'}\n")
        out.append(f"  actual:   {', '.join(fired) or '(nothing)'}\n")
        for v in r.report.violations:
            for ev in v.evidence:
                where = f"{ev.start}..{ev.end} {ev.text!r}" if ev.start is not None else f"= {ev.value!r}"
                out.append(visible_line(f"    {v.rule}: {ev.fact} {where}") + "\n", style="dim")
        for u in r.report.undetermined:
            out.append(f"    {u.rule}: undetermined, needs {', '.join(u.needs)}\n", style="yellow")
    return out
