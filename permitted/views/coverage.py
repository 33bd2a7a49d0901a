"""Show guideline coverage: rich tables for the terminal, or JSON.

Stage: output of `permitted coverage`. Input: permitted.coverage.Coverage results. Output: a rich
renderable or a JSON string. Nothing here prints.
"""
from __future__ import annotations

from typing import Sequence

from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from permitted.coverage import Clause, Coverage, Covered
from permitted.views.visible import json_text, visible, visible_line


def summary(c: Coverage) -> str:
    needed = [row for row in c.clauses if not row.clause.informational]
    informational = len(c.clauses) - len(needed)
    return (f"{c.policy}: {len(needed) - len(c.uncovered)} of {len(needed)} clauses covered, "
            f"{len(c.uncovered)} without a rule, {informational} informational; "
            f"citations not found: {len(c.misquotes)} of {c.rules} rules; {c.examples} examples")


def _clause_cell(clause: Clause) -> Text:
    cell = Text(visible_line(clause.id), style="bold cyan")
    cell.append("\n" + visible(clause.text))
    if clause.restates:
        cell.append(f"\nrestates {visible_line(clause.restates)}", style="dim")
    if clause.why:
        cell.append(f"\nwhy: {visible(clause.why)}", style="italic dim")
    return cell


def _rules_cell(row: Covered) -> Text:
    if row.missing:
        return Text("no rule", style="bold red")
    if not row.rules:
        return Text("informational", style="yellow")
    return Text("\n".join(map(visible_line, row.rules)))


def render(coverages: Sequence[Coverage], only_uncovered: bool = False) -> Group:
    parts: list = []
    for i, c in enumerate(coverages):
        if i:
            parts.append(Text(""))
        parts.append(Text.assemble((visible_line(c.policy), "bold"), "  ", (visible_line(c.file), "dim")))
        for lst in c.lists:
            rows = [row for row in c.clauses if row.clause.list == lst.name and (row.missing or not only_uncovered)]
            if not rows:
                continue
            dated = f", {lst.date}" if lst.date else ""
            table = Table(title=Text(visible_line(f"{lst.title}{dated}  ({lst.file})")), title_justify="left", show_lines=True,
                          expand=True)
            table.add_column("clause", ratio=3, overflow="fold", min_width=max(len(row.clause.id) for row in rows))
            # Rule ids are what an author searches for: keep each on one line.
            table.add_column("rules", no_wrap=True, min_width=max(len(r) for row in rows for r in row.rules + ("informational",)))
            table.add_column("examples", justify="right", no_wrap=True)
            for row in rows:
                table.add_row(_clause_cell(row.clause), _rules_cell(row), str(row.examples) if row.rules else "")
            parts.append(table)
        if c.misquotes:
            parts.append(Text("citations not found in the guideline text", style="bold red"))
        for m in c.misquotes:
            parts.append(Text.assemble("  ", (visible_line(m.rule), "bold cyan"), "  ",
                                       (visible_line(f"{m.file}:{m.line}" if m.line else m.file), "dim")))
            detail = Table.grid(padding=(0, 2))
            detail.add_column(no_wrap=True, style="dim")
            detail.add_column()
            detail.add_row("cites", Text(f"\u201c{visible(m.citation)}\u201d"))
            if m.nearest is not None:
                detail.add_row("nearest", Text.assemble((visible_line(m.nearest.id), "cyan"), f" \u201c{visible(m.nearest.text)}\u201d"))
            parts.append(Padding(detail, (0, 0, 0, 4)))
        parts.append(Text(visible_line(summary(c)), style="bold green" if c.ok else "bold red"))
    return Group(*parts)


def to_json(coverages: Sequence[Coverage], only_uncovered: bool = False) -> str:
    out = []
    for c in coverages:
        rows = [row for row in c.clauses if row.missing or not only_uncovered]
        out.append({
            "policy": c.policy, "file": c.file, "ok": c.ok,
            "lists": [{"name": lst.name, "file": lst.file, "title": lst.title, "date": lst.date} for lst in c.lists],
            "clauses": [{"id": row.clause.id, "list": row.clause.list, "section": row.clause.section,
                         "text": row.clause.text, "informational": row.clause.informational,
                         "restates": row.clause.restates, "rules": list(row.rules), "examples": row.examples}
                        for row in rows],
            "uncovered": [row.clause.id for row in c.uncovered],
            "citations_not_found": [{"rule": m.rule, "citation": m.citation, "file": m.file, "line": m.line,
                                     "nearest": m.nearest.id if m.nearest else None} for m in c.misquotes],
            "summary": summary(c)})
    return json_text(out, indent=2)
