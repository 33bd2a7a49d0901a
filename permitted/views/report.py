"""The terminal report of `permitted check`: one message's verdict, its text with the offending
characters highlighted, the rules it breaks and how to fix them.

Stage: output, for the CLI (which prints; nothing here does). Input: `permitted.checking.Checked`
rows. Output: rich renderables — `report_view` for one message in full, `summary_view` for a
table of many. Highlights come from permitted.views.highlights, shared with the HTML report. Each
highlight is bracketed and numbered in the text (`[3 020 7946 0958]`), so it still shows where
it ends on a console without colour; the violations table refers to those numbers.
No errors: a row that could not be read shows its diagnostics.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dsl.contract.resources import display_path
from dsl.contract.verdict import Severity, Verdict
from interpreter.evaluation.report import Report, Undetermined

from permitted.checking import Checked
from permitted.views.highlights import Node, highlights, layout, numbers_of, values_of
from permitted.views.terminal import diagnostics
from permitted.views.visible import visible, visible_line

VERDICT_STYLE = {Verdict.ALLOWED: "bold green", Verdict.REVIEW: "bold yellow", Verdict.BLOCKED: "bold red",
                 "error": "bold magenta"}
_MARK_STYLE = {Severity.BLOCK: "bold white on red", Severity.WARN: "bold black on yellow"}
_LABEL_STYLE = {Severity.BLOCK: "bold red", Severity.WARN: "bold yellow"}


def policy_line(report: Report) -> str:
    return visible_line(f"{report.policy_id} ({display_path(Path(report.policy_file))})")


def could_not_judge(u: Undetermined) -> str:
    return "could not judge: needs " + ", ".join(u.needs)


def counts(report: Report) -> str:
    blocks = sum(v.severity == Severity.BLOCK for v in report.violations)
    warns = len(report.violations) - blocks
    parts = [f"{len(report.violations)} violation{'s' * (len(report.violations) != 1)}"]
    if report.violations:
        parts[0] += f" ({blocks} block, {warns} warn)"
    parts.append(f"{len(report.undetermined)} undetermined")
    return ", ".join(parts)


def _heading(row: Checked) -> Text:
    verdict = row.verdict
    head = Text(verdict.upper(), style=VERDICT_STYLE[verdict])
    head.append(f"  {visible_line(row.source)}", style="bold")
    if row.report is not None:
        head.append(f"  policy {policy_line(row.report)}", style="dim")
        head.append(f"\n{counts(row.report)}", style="dim")
    return head


def _append(out: Text, nodes: tuple[Node, ...], style: str = "") -> None:
    for node in nodes:
        if isinstance(node, str):
            out.append(visible(node), style=style)
            continue
        h = node.highlight
        label = _LABEL_STYLE[h.severity]
        if h.empty:
            out.append(f"[{h.number} ", style=label)
            out.append(f"\u2039{h.what()}\u203a", style="italic " + label)
            out.append("]", style=label)
            continue
        out.append(f"[{h.number} " if node.first else f"[{h.number}\u2026 ", style=label)
        _append(out, node.children, _MARK_STYLE[h.severity])
        out.append("]", style=label)


def message_text(row: Checked) -> Text:
    """The message (subject first, if any) with every evidence span bracketed and numbered."""
    out = Text()
    if row.subject:
        out.append("Subject: ", style="bold")
        out.append(visible_line(row.subject) + "\n\n")
    if row.report is not None:
        _append(out, layout(row.text, highlights(row.report, row.text)))
    else:
        out.append(visible(row.text))
    out.rstrip()
    return out


def violations_table(row: Checked) -> Table:
    assert row.report is not None
    marks = highlights(row.report, row.text)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=True)
    table.add_column("where", max_width=11)
    table.add_column("rule", style="cyan", no_wrap=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("problem, guideline and fix", overflow="fold", ratio=1)
    for v in row.report.violations:
        where = " ".join(f"[{n}]" for n in numbers_of(v, marks)) or "\u2014"
        problem = Text(visible_line(v.title), style="bold")
        problem.append(f"\n\u201c{visible(v.clause)}\u201d", style="italic dim")
        if v.hint:
            problem.append("\nfix: ", style="bold green")
            problem.append(visible(v.hint), style="green")
        for value in values_of(v):
            problem.append(f"\nfound {visible_line(value)}", style="dim")
        table.add_row(Text(where, style=_LABEL_STYLE.get(v.severity, "")), v.rule,
                      Text(v.severity, style=_LABEL_STYLE.get(v.severity, "")), problem)
    return table


def _rule_lines(lines, mark: str, style: str) -> Text:
    """One line per (rule, what is said of it): a mark, the rule id, the words."""
    out = Text()
    for rule, said in lines:
        out.append("\n" if out else "")
        out.append(f"{mark} ", style=f"bold {style}")
        out.append(rule, style="cyan")
        out.append(f"  {said}", style=style)
    return out


def undetermined_text(report: Report) -> Text:
    return _rule_lines(((u.rule, could_not_judge(u)) for u in report.undetermined), "?", "yellow")


def not_checked_text(report: Report) -> Text:
    return _rule_lines(((n.rule, visible_line(n.says)) for n in report.not_checked), "-", "dim")


def report_view(row: Checked) -> RenderableType:
    """One message in full: verdict line, highlighted text, violations, undetermined rules, rules
    that say they were not checked."""
    if row.report is None:
        return Group(_heading(row), diagnostics(row.error))
    parts: list[RenderableType] = [_heading(row),
                                   Panel(message_text(row), title="message", title_align="left",
                                         box=box.ROUNDED, expand=True)]
    if row.report.violations:
        parts.append(violations_table(row))
    if row.report.undetermined:
        parts.append(undetermined_text(row.report))
    if row.report.not_checked:
        parts.append(not_checked_text(row.report))
    return Group(*parts)


def summary_view(rows: Iterable[Checked]) -> Table:
    """One line per message, for a batch: verdict, source, the rules it breaks, what is undetermined."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("verdict", no_wrap=True)
    table.add_column("message", overflow="fold")
    table.add_column("rules broken", overflow="fold")
    table.add_column("could not judge", overflow="fold")
    for row in rows:
        verdict = row.verdict
        if row.report is None:
            broken = Text(visible("; ".join(f"{d.code} {d.message}" for d in row.error)), style="magenta")
            unknown = ""
        else:
            broken = Text("\n".join(v.rule for v in row.report.violations) or "\u2014")
            unknown = "\n".join(u.rule for u in row.report.undetermined)
        table.add_row(Text(verdict.upper(), style=VERDICT_STYLE[verdict]), Text(visible_line(row.source)), broken, unknown)
    return table

