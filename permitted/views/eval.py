"""How a policy agrees with labelled messages, shown: rich tables, the JSON contract, Markdown.

Stage: output of `permitted eval`. Input: a permitted.agreement.Evaluation (and the minimum
agreement asked for, if any). Output: a rich renderable (`render`), a JSON string (`to_json`, a
stable contract documented in README.md) or Markdown for a pull request (`markdown`). Nothing here
prints.
"""
from __future__ import annotations

import json

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from dsl.contract.schema import as_json_data
from interpreter.evaluation.report import Violation

from permitted.agreement import GROUPINGS, VERDICTS, Count, Evaluation, Outcome, meets
from permitted.labelled import NONE, Labelled
from permitted.views.report import VERDICT_STYLE, could_not_judge
from permitted.views.terminal import diagnostic_plain
from permitted.views.visible import json_text, markdown_cell, visible, visible_line

SNIPPET = 60                 # characters of evidence shown per hit
_TABLE = {"show_edge": False, "pad_edge": False, "collapse_padding": True}   # no frame; fits 100 columns
_STATUS_STYLE = {"known gap": "yellow", "gap closed": "bold cyan"}


# ---- shared wording ----------------------------------------------------------------------------

def ratio(value: float | None) -> str:
    return NONE if value is None else f"{value:.3f}"


def agreement_line(e: Evaluation, minimum: float | None = None) -> str:
    line = f"agreement {e.overall.agreed} of {e.overall.total} ({ratio(e.overall.ratio)})"
    if minimum is not None:
        line += f", minimum {minimum:g}: " + ("met" if meets(e, minimum) else "NOT met")
    return line


def policy_words(e: Evaluation) -> str:
    return f"policy {e.policy}" if e.policy else "each message's policy in force on the day it was sent"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET else text[:SNIPPET - 1] + "\u2026"


def snippets(v: Violation) -> list[str]:
    """The evidence of one violation, short: the characters found in the message; only when there
    are none, the facts and their values (`message.reason = "invoice"`, which alone says little)."""
    hits = [_short(ev.text) for ev in v.evidence if ev.start is not None and ev.text]
    values = [f"{ev.fact} = {json.dumps(as_json_data(ev.value), ensure_ascii=False)}" for ev in v.evidence
              if ev.start is None]
    return list(dict.fromkeys(hits or values))


def _violations(o: Outcome) -> tuple[Violation, ...]:
    return o.checked.report.violations if o.checked is not None and o.checked.report is not None else ()


def _label(o: Outcome) -> str:
    return o.row.expected or NONE


# ---- JSON ------------------------------------------------------------------------------------------

def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _group(name: str) -> str | None:
    return None if name == NONE else name          # JSON says "not given" as null


def _count(c: Count) -> dict:
    return {"group": _group(c.name), "agreed": c.agreed, "total": c.total, "ratio": _round(c.ratio)}


def _row_json(o: Outcome) -> dict:
    row = o.row
    report = o.checked.report if o.checked is not None else None
    errors = o.checked.error if o.checked is not None else row.errors
    return {
        "id": row.id, "source": row.source, "form": row.form if isinstance(row, Labelled) else None,
        "kind": _group(row.kind), "language": _group(row.language), "marketplace": _group(row.marketplace),
        "expected": row.expected, "verdict": o.verdict, "agrees": o.agrees, "status": o.status,
        "known_gap": o.known_gap, "doubt": row.doubt, "note": row.note,
        "codes": list(row.codes), "expected_rules": sorted(row.rules),
        "fired": [{"rule": v.rule, "severity": v.severity, "evidence": snippets(v)} for v in _violations(o)],
        "undetermined": [u.to_json() for u in report.undetermined] if report is not None else [],
        "errors": [d.to_json() for d in errors],
    }


def to_json(e: Evaluation, minimum: float | None = None) -> str:
    data = {
        "input": e.source,
        "policy": e.policy,
        "agreement": {"agreed": e.overall.agreed, "total": e.overall.total, "ratio": _round(e.overall.ratio)},
        "min_agreement": None if minimum is None else {"required": minimum, "met": meets(e, minimum)},
        "by": {g: [_count(c) for c in e.by[g]] for g in GROUPINGS},
        "confusion": [{"label": _group(label), **{v: e.confusion.get((label, v), 0) for v in VERDICTS}} for label in e.labels],
        "rules": [{"rule": r.rule, "codes": list(r.codes), "fired": r.fired, "fired_on_allowed": r.fired_on_allowed,
                   "true": r.true, "expected": r.expected, "precision": _round(r.precision), "recall": _round(r.recall)}
                  for r in e.rules],
        "codes": [{"code": c.code, "rules": list(c.rules), "labelled": c.labelled, "caught": c.caught,
                   "recall": _round(c.recall)} for c in e.codes],
        "rows": [_row_json(o) for o in e.outcomes],
    }
    return json_text(data, indent=2)


# ---- terminal --------------------------------------------------------------------------------------

def _groups_table(e: Evaluation) -> Table:
    table = Table("by", "group", title="agreement by group", box=box.SIMPLE_HEAD, **_TABLE)
    for name in ("agreed", "of", "ratio"):
        table.add_column(name, justify="right", no_wrap=True, min_width=len(name))
    for g in GROUPINGS:
        counts = e.by[g]
        for i, c in enumerate(counts):
            table.add_row(g if i == 0 else "", visible_line(c.name), str(c.agreed), str(c.total), ratio(c.ratio),
                          end_section=i == len(counts) - 1 and g != GROUPINGS[-1])
    return table


def _confusion_table(e: Evaluation) -> Table:
    table = Table("label \\ verdict", title="labels and verdicts", box=box.SIMPLE_HEAD, **_TABLE)
    for v in VERDICTS:
        table.add_column(Text(v, style=VERDICT_STYLE[v]), justify="right", no_wrap=True)
    table.add_column("total", justify="right", no_wrap=True)
    for label in e.labels:
        counts = [e.confusion.get((label, v), 0) for v in VERDICTS]
        table.add_row(label, *map(str, counts), str(sum(counts)))
    return table


def _rules_table(e: Evaluation) -> Table:
    # The codes of each rule are in the codes table; here, room for the numbers.
    table = Table(title="rules (true: fired where expected; —: no label names the rule, or it never fired)",
                  box=box.SIMPLE_HEAD, **_TABLE)
    # Rule ids are what a reader searches for: never cut short.
    table.add_column("rule", no_wrap=True, min_width=max((len(r.rule) for r in e.rules), default=4))
    for name in ("fired", "on allowed", "true", "expected", "precision", "recall"):
        table.add_column(name, justify="right", no_wrap=True, min_width=len(name))
    for r in e.rules:
        table.add_row(r.rule, str(r.fired), str(r.fired_on_allowed), str(r.true), str(r.expected),
                      ratio(r.precision), ratio(r.recall))
    return table


def _codes_table(e: Evaluation) -> Table:
    table = Table(title="label codes (caught: one of its rules fired)", box=box.SIMPLE_HEAD, **_TABLE)
    table.add_column("code", no_wrap=True)
    for name in ("labelled", "caught", "recall"):
        table.add_column(name, justify="right", no_wrap=True, min_width=len(name))
    table.add_column("rules", no_wrap=True)
    for c in e.codes:
        table.add_row(c.code, str(c.labelled), str(c.caught), ratio(c.recall),
                      "\n".join(c.rules) or Text("no rule", style="bold red"))
    return table


def _disagreement(o: Outcome) -> Text:
    row = o.row
    out = Text()
    if row.id != row.source:          # a line without an id goes by its place in the file
        out.append(visible_line(row.id) + "  ", style="bold")
    out.append(f"expected {_label(o)}, got ")
    out.append(o.verdict, style=VERDICT_STYLE[o.verdict])
    out.append(f"  {visible_line(row.source)}", style="dim")
    if row.doubt:
        out.append("  DOUBT", style="bold magenta")
    if o.known_gap is not None:
        out.append(f"\n  {o.status}: ", style=_STATUS_STYLE[o.status])
        out.append(visible(o.known_gap))
    if row.codes:
        out.append("\n  codes: ", style="dim")
        out.append(visible_line(", ".join(row.codes)))
    elif isinstance(row, Labelled) and row.form == "plain" and row.rules:
        out.append("\n  expected rules: ", style="dim")
        out.append(visible_line(", ".join(sorted(row.rules))))
    if row.note:
        out.append("\n  note: ", style="dim")
        out.append(visible(row.note), style="italic")
    for v in _violations(o):
        out.append("\n  fired: ", style="dim")
        out.append(v.rule, style="cyan")
        shown = snippets(v)
        if shown:
            out.append("  " + visible_line(", ".join(f"\u201c{s}\u201d" for s in shown)), style="dim")
    if o.checked is not None and o.checked.report is not None:
        for u in o.checked.report.undetermined:
            out.append("\n  ? ", style="yellow")
            out.append(u.rule, style="cyan")
            out.append(f"  {could_not_judge(u)}", style="yellow")
    errors = o.checked.error if o.checked is not None else row.errors
    for d in errors:
        out.append("\n  " + diagnostic_plain(d).replace("\n", "\n  "), style="magenta")
    return out


def render(e: Evaluation, minimum: float | None = None, summary_only: bool = False) -> RenderableType:
    head = Text()
    head.append(agreement_line(e, minimum), style="bold green" if minimum is None or meets(e, minimum) else "bold red")
    head.append(f"\n{e.source}: {e.overall.total} rows, judged by {policy_words(e)}", style="dim")
    parts: list[RenderableType] = [head, Text(), _groups_table(e), Text(), _confusion_table(e)]
    if not summary_only:
        parts += [Text(), _rules_table(e), Text(), _codes_table(e), Text()]
        gone = e.disagreements
        parts.append(Text(f"disagreements ({len(gone)})" if gone else "no disagreements", style="bold"))
        parts += [_disagreement(o) for o in gone]
    for o in e.gaps_closed:
        parts.append(_gap_closed(o))
    return Group(*parts)


def gap_closed_words(o: Outcome) -> str:
    return f"{o.row.id} agrees now ({o.row.expected}, got {o.verdict}): drop it from the known gaps"


def _gap_closed(o: Outcome) -> Text:
    out = Text("gap closed: ", style=_STATUS_STYLE["gap closed"])
    out.append(gap_closed_words(o))
    out.append(f"  (was: {visible(o.known_gap)})", style="dim")
    return out


# ---- Markdown --------------------------------------------------------------------------------------

def _cell(value: object) -> str:
    return markdown_cell(str(value)).strip() or " "


def _md_table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines + [""]


def _md_fired(o: Outcome) -> str:
    parts = [f"`{v.rule}`" + (" (" + ", ".join(f"\u201c{s}\u201d" for s in snippets(v)) + ")" if snippets(v) else "")
             for v in _violations(o)]
    if o.checked is not None and o.checked.report is not None:
        parts += [f"`{u.rule}`? {could_not_judge(u)}" for u in o.checked.report.undetermined]
    errors = o.checked.error if o.checked is not None else o.row.errors
    parts += [f"{d.code} {d.message}" for d in errors]
    return "; ".join(parts) or NONE


def _md_note(o: Outcome) -> str:
    parts = []
    if o.known_gap is not None:
        parts.append(f"**{o.status}**: {o.known_gap}")
    if o.row.note and o.row.doubt:
        note = o.row.note.lstrip()
        parts.append("**DOUBT**" + note[len("DOUBT"):])
    elif o.row.note:
        parts.append(o.row.note)
    return " ".join(parts)


def markdown(e: Evaluation, minimum: float | None = None, summary_only: bool = False) -> str:
    lines = [f"## permitted eval: `{e.source}`", "", f"**{agreement_line(e, minimum)}**, judged by {policy_words(e)}.", ""]
    for g in GROUPINGS:
        lines += [f"### By {g}", ""]
        lines += _md_table([g, "agreed", "of", "ratio"], [[c.name, c.agreed, c.total, ratio(c.ratio)] for c in e.by[g]])
    lines += ["### Labels and verdicts", ""]
    lines += _md_table(["label \\ verdict", *VERDICTS, "total"],
                       [[label, *(e.confusion.get((label, v), 0) for v in VERDICTS),
                         sum(e.confusion.get((label, v), 0) for v in VERDICTS)] for label in e.labels])
    if not summary_only:
        lines += ["### Rules", "", "_true_: fired where the label expected it.", ""]
        lines += _md_table(["rule", "codes", "fired", "on allowed", "true", "expected", "precision", "recall"],
                           [[f"`{r.rule}`", ", ".join(r.codes) or NONE, r.fired, r.fired_on_allowed, r.true,
                             r.expected, ratio(r.precision), ratio(r.recall)] for r in e.rules])
        lines += ["### Label codes", "", "_caught_: one of the code's rules fired.", ""]
        lines += _md_table(["code", "labelled", "caught", "recall", "rules"],
                           [[c.code, c.labelled, c.caught, ratio(c.recall), ", ".join(f"`{r}`" for r in c.rules) or "no rule"]
                            for c in e.codes])
        gone = e.disagreements
        lines += [f"### Disagreements ({len(gone)})", ""]
        if gone:
            lines += _md_table(["id", "expected", "got", "fired (evidence)", "codes", "note"],
                               [[o.row.id, _label(o), o.verdict, _md_fired(o), ", ".join(o.row.codes) or NONE,
                                 _md_note(o)] for o in gone])
    lines += [f"- **gap closed**: {gap_closed_words(o)} (was: {o.known_gap})" for o in e.gaps_closed]
    return "\n".join(lines).rstrip("\n") + "\n"
