"""Show a policy diff: for the terminal (rich), as JSON (a stable contract), as Markdown (a pull
request's description).

Stage: output of `permitted diff`. Input: a permitted.diffing.DiffResult. Output: a rich
renderable, or a string. Nothing here prints.

JSON keys (stable): `old`, `new` ({id, file}); `equivalent` (bool: the verdicts cannot differ
within the bounds and no corpus message changed); `policy` ([{field, old, new}]); `vocab`
([{name, status, kind, added, removed, old, new}], phrases as {language, item}); `rules`
([{id, status, fields, severity, old_when, new_when, words: [{op, text}], vocab, examples:
[{name, status}], changes: [{field, old, new}], meaning}]); `unchanged` (rule ids); `verdict`
(a meaning); `bounds` ({max_items, texts: [{text, phrases, lists}], free}); `corpus` (null, or
{corpus, messages, changed, errors: [{source, reason}], groups: [{old, new, rules, count,
sources}]}). A meaning is {status: differs | equivalent | undecided, witnesses: [{kind, old, new,
old_verdict, new_verdict, old_report, new_report, facts}], undecided: [kinds]}; a rule's meaning
is null when its condition and severity did not change.
"""
from __future__ import annotations

import json

from rich.console import Group
from rich.text import Text

from dsl.analysis.diff import RuleChange, VocabChange
from dsl.contract.schema import as_json_data
from dsl.contract.verdict import Severity

from permitted.diffing import Comparison, DiffResult, Witness
from permitted.views.visible import json_text, markdown_cell, visible, visible_line

_KIND = {"old-only": "fires only under OLD", "new-only": "fires only under NEW",
         "severity": "fires under both, with a different severity", "undetermined": "undetermined under one side only"}
_STATUS = {"differs": "differs", "equivalent": "no difference (within the bounds)",
           "undecided": "undecided: the solver allowed a difference, but no candidate survived the evaluator"}
_MARK = {"added": "+", "removed": "-", "changed": "~"}


def _facts_lines(facts) -> list[str]:
    lines = [visible_line(f"{root}: {json.dumps(as_json_data(value), ensure_ascii=False)}") for root, value in facts.items() if value]
    return lines or ["(every fact at its default: an empty plain-text message)"]


def _why(report) -> str:
    parts = []
    blocked = [v.rule for v in report.violations if v.severity == Severity.BLOCK]
    warned = [v.rule for v in report.violations if v.severity != Severity.BLOCK]
    if blocked:
        parts.append("blocked by " + ", ".join(blocked))
    if warned:
        parts.append("warned by " + ", ".join(warned))
    if report.undetermined:
        parts.append("undetermined " + ", ".join(u.rule for u in report.undetermined))
    return f"{report.verdict}" + (f" ({'; '.join(parts)})" if parts else "")


def _kind(w: Witness) -> str:
    if ">" in w.kind:
        return w.kind.replace(">", " → ")
    return f"{_KIND[w.kind]}: {w.old} → {w.new}"


def _vocab_items(pairs) -> str:
    by_lang: dict[str, list[str]] = {}
    for lang, item in pairs:
        by_lang.setdefault(lang, []).append(visible_line(json.dumps(item, ensure_ascii=False)))
    return "; ".join((f"{lang}: " if lang else "") + ", ".join(items) for lang, items in by_lang.items())


def _shown(value) -> str:
    """A field's value on one line, every character visible (titles, hints and files come from
    policy files anyone may submit)."""
    if isinstance(value, tuple):
        return visible_line(", ".join(map(str, value))) or "(none)"
    if isinstance(value, str) and "\n" in value.strip():
        return visible_line(json.dumps(value.strip(), ensure_ascii=False))
    return visible_line(str(value).strip()) if value is not None else "(none)"


def _summary(result: DiffResult) -> str:
    s = result.structure
    count = {k: sum(1 for r in s.rules if r.status == k) for k in ("changed", "added", "removed")}
    rules = count["changed"] + count["added"] + count["removed"] + len(s.unchanged)
    entries = "vocabulary entry" if len(s.vocab) == 1 else "vocabulary entries"
    return (f"{rules} rule{'s' if rules != 1 else ''}: {count['changed']} changed, {count['added']} added, "
            f"{count['removed']} removed, {len(s.unchanged)} unchanged; {len(s.vocab)} {entries} changed")


def _bounds(result: DiffResult) -> str:
    c = result.coverage
    parts = [f"lists of at most {c.max_items} items"]
    parts += [visible_line(f"{text}: {phrases} phrases from {lists} lists") for text, phrases, lists in c.texts]
    parts.append("strings: every value a condition compares with, plus fresh ones")
    parts.append("treated as free: " + (", ".join(c.free) if c.free else "nothing"))
    return "; ".join(parts)


# ---- terminal ----------------------------------------------------------------------------------

def _verdicts(w: Witness) -> list[str]:
    """How each side judges the witness: the verdict alone for a rule's witness, with the rules
    behind it for a verdict's witness."""
    if ">" not in w.kind:
        return [f"verdict: {w.old_report.verdict} → {w.new_report.verdict}"]
    return [f"OLD: {_why(w.old_report)}", f"NEW: {_why(w.new_report)}"]


def _witness_text(w: Witness, indent: str) -> Text:
    out = Text(f"{indent}{_kind(w)}\n", style="bold")
    for line in _facts_lines(w.facts):
        out.append(f"{indent}  {line}\n")
    for line in _verdicts(w):
        out.append(f"{indent}  {line}\n", style="dim")
    return out


def _meaning_text(c: Comparison, indent: str) -> Text:
    style = {"differs": "bold yellow", "equivalent": "green", "undecided": "magenta"}[c.status]
    out = Text(f"{indent}meaning: ", style="bold")
    out.append(_STATUS[c.status] + "\n", style=style)
    for w in c.witnesses:
        out.append_text(_witness_text(w, indent + "  "))
    if c.undecided and c.witnesses:
        out.append(f"{indent}  undecided: {', '.join(c.undecided)}\n", style="magenta")
    return out


def _when_text(r: RuleChange) -> Text:
    out = Text()
    if r.status != "changed":
        for line in (r.old_when or r.new_when).splitlines():
            out.append(f"      {visible_line(line)}\n", style="green" if r.status == "added" else "red")
        return out
    if "when" not in r.fields:
        out.append("    when (unchanged as written):\n", style="dim")
        for line in r.new_when.splitlines():
            out.append(f"      {visible_line(line)}\n", style="dim")
        return out
    out.append("    when:\n")
    out.append("      ")
    for op in r.words:
        text = visible(op.text).replace("\n", "\n      ")
        if op.op == "equal":
            out.append(text)
        elif op.op == "delete":
            out.append("[-" + text + "-]", style="bold red")
        else:
            out.append("{+" + text + "+}", style="bold green")
    out.append("\n")
    return out


def _rule_text(r: RuleChange, meaning: Comparison | None) -> Text:
    rule = r.new or r.old
    out = Text(f"  {_MARK[r.status]} {visible_line(r.id)}", style={"added": "bold green", "removed": "bold red"}.get(r.status, "bold cyan"))
    out.append(f"  [{rule.severity}]  {r.status}")
    if r.fields:
        out.append("  " + ", ".join(r.fields), style="dim")
    out.append("\n")
    for d in r.details:
        out.append(f"    {d.name}: {_shown(d.old)} → {_shown(d.new)}\n")
    if r.vocab:
        out.append(visible_line(f"    vocabulary read: {', '.join(r.vocab)}") + "\n")
    for e in r.examples:
        out.append(f"    example {e.status}: {visible_line(e.name)}\n")
    out.append_text(_when_text(r))
    if meaning is not None:
        out.append_text(_meaning_text(meaning, "    "))
    return out


def _vocab_text(v: VocabChange) -> Text:
    out = Text(f"  {_MARK[v.status]} {visible_line(v.name)}", style="bold cyan")
    out.append(f"  {v.kind}  {v.status}\n")
    if v.kind == "setting":
        out.append(f"      {_shown(v.old)} → {_shown(v.new)}\n")
    if v.added:
        out.append(f"      + {_vocab_items(v.added)}\n", style="green")
    if v.removed:
        out.append(f"      - {_vocab_items(v.removed)}\n", style="red")
    return out


def as_text(result: DiffResult) -> Group:
    s = result.structure
    meanings = {c.subject: c for c in result.rules}
    head = Text("diff ", style="bold")
    head.append(visible_line(f"OLD {s.old.id} ({s.old.file})  →  NEW {s.new.id} ({s.new.file})") + "\n", style="bold")
    head.append(_summary(result) + "\n")
    parts = [head]
    if s.header:
        block = Text("policy\n", style="bold underline")
        for h in s.header:
            block.append(f"  {h.name}: {_shown(h.old)} → {_shown(h.new)}\n")
        parts.append(block)
    if s.vocab:
        block = Text("vocabulary\n", style="bold underline")
        for v in s.vocab:
            block.append_text(_vocab_text(v))
        parts.append(block)
    if s.rules:
        block = Text("rules\n", style="bold underline")
        for r in s.rules:
            block.append_text(_rule_text(r, meanings.get(r.id)))
        parts.append(block)
    block = Text("verdict\n", style="bold underline")
    block.append_text(_meaning_text(result.verdict, "  "))
    block.append(f"bounds: {_bounds(result)}\n", style="dim")
    parts.append(block)
    if result.replay is not None:
        parts.append(_replay_text(result))
    verdict = "the verdicts cannot differ" if result.equivalent else "the verdicts can differ"
    parts.append(Text(verdict, style="bold green" if result.equivalent else "bold yellow"))
    return Group(*parts)


def _replay_counts(r) -> str:
    return (f"{r.messages} message{'s' if r.messages != 1 else ''} judged, {r.changed} "
            f"change{'s' if r.changed == 1 else ''} verdict, {len(r.errors)} could not be read")


def _replay_text(result: DiffResult) -> Text:
    r = result.replay
    out = Text("corpus\n", style="bold underline")
    out.append(f"  {visible_line(str(r.corpus))}: {_replay_counts(r)}\n")
    for g in r.groups:
        out.append(f"  {len(g.sources):>4}  {g.old} → {g.new}  ", style="bold")
        out.append(", ".join(g.rules) or "(no single rule)")
        out.append("\n")
        shown = g.sources[:5]
        out.append("        " + visible_line(", ".join(shown)) + (f", … {len(g.sources) - 5} more" if len(g.sources) > 5 else "") + "\n",
                   style="dim")
    for source, reason in r.errors:
        out.append(visible_line(f"  error {source}: {reason}") + "\n", style="red")
    return out


# ---- JSON --------------------------------------------------------------------------------------

def _report_json(report) -> dict:
    return {"verdict": report.verdict, "fired": [v.rule for v in report.violations],
            "undetermined": [u.rule for u in report.undetermined]}


def _meaning_json(c: Comparison | None):
    if c is None:
        return None
    return {"status": c.status, "undecided": list(c.undecided),
            "witnesses": [{"kind": w.kind, "old": w.old, "new": w.new, "old_verdict": w.old_report.verdict,
                           "new_verdict": w.new_report.verdict, "old_report": _report_json(w.old_report),
                           "new_report": _report_json(w.new_report), "facts": as_json_data(w.facts)}
                          for w in c.witnesses]}


def _pairs(pairs) -> list[dict]:
    return [{"language": lang, "item": item} for lang, item in pairs]


def to_json(result: DiffResult) -> dict:
    s = result.structure
    meanings = {c.subject: c for c in result.rules}
    rules = []
    for r in s.rules:
        rules.append({"id": r.id, "status": r.status, "fields": list(r.fields), "severity": (r.new or r.old).severity,
                      "old_when": r.old_when, "new_when": r.new_when, "words": [{"op": w.op, "text": w.text} for w in r.words],
                      "vocab": list(r.vocab), "examples": [{"name": e.name, "status": e.status} for e in r.examples],
                      "changes": [{"field": d.name, "old": d.old, "new": d.new} for d in r.details],
                      "meaning": _meaning_json(meanings.get(r.id))})
    replay = None
    if result.replay is not None:
        rp = result.replay
        replay = {"corpus": rp.corpus, "messages": rp.messages, "changed": rp.changed,
                  "errors": [{"source": src, "reason": why} for src, why in rp.errors],
                  "groups": [{"old": g.old, "new": g.new, "rules": list(g.rules), "count": len(g.sources),
                              "sources": list(g.sources)} for g in rp.groups]}
    c = result.coverage
    return as_json_data({
        "old": {"id": s.old.id, "file": s.old.file}, "new": {"id": s.new.id, "file": s.new.file},
        "equivalent": result.equivalent,
        "policy": [{"field": h.name, "old": h.old, "new": h.new} for h in s.header],
        "vocab": [{"name": v.name, "status": v.status, "kind": v.kind, "added": _pairs(v.added),
                   "removed": _pairs(v.removed), "old": v.old, "new": v.new} for v in s.vocab],
        "rules": rules, "unchanged": list(s.unchanged), "verdict": _meaning_json(result.verdict),
        "bounds": {"max_items": c.max_items, "free": list(c.free),
                   "texts": [{"text": t, "phrases": p, "lists": n} for t, p, n in c.texts]},
        "corpus": replay})


def as_json(result: DiffResult) -> str:
    return json_text(to_json(result), indent=2)


# ---- Markdown ----------------------------------------------------------------------------------

def _md_witness(w: Witness) -> list[str]:
    facts = json.dumps(as_json_data({k: v for k, v in w.facts.items() if v}), ensure_ascii=False)
    return [f"- {_kind(w)} — " + "; ".join(_verdicts(w)), f"  `{facts}`"]


def _md_meaning(c: Comparison) -> list[str]:
    lines = [f"Meaning: **{_STATUS[c.status]}**", ""]
    for w in c.witnesses:
        lines += _md_witness(w)
    return lines + [""]


def as_markdown(result: DiffResult) -> str:
    s = result.structure
    meanings = {c.subject: c for c in result.rules}
    verdict = "The verdicts cannot differ" if result.equivalent else "The verdicts can differ"
    out = [f"## Policy diff: `{s.old.id}` → `{s.new.id}`", "",
           f"**{verdict}.** {_summary(result)}.", "", f"OLD: `{s.old.file}` · NEW: `{s.new.file}`", ""]
    if s.header:
        out += ["### Policy", "", "| field | old | new |", "|---|---|---|"]
        out += [f"| {h.name} | {markdown_cell(_shown(h.old))} | {markdown_cell(_shown(h.new))} |" for h in s.header]
        out.append("")
    if s.vocab:
        out += ["### Vocabulary", "", "| entry | kind | status | added | removed |", "|---|---|---|---|---|"]
        for v in s.vocab:
            added = _vocab_items(v.added) if v.kind != "setting" else _shown(v.new)
            removed = _vocab_items(v.removed) if v.kind != "setting" else _shown(v.old)
            out.append(f"| `{v.name}` | {v.kind} | {v.status} | {markdown_cell(added)} | {markdown_cell(removed)} |")
        out.append("")
    if s.rules:
        out += ["### Rules", ""]
        for r in s.rules:
            rule = r.new or r.old
            out.append(f"#### {_MARK[r.status]} `{r.id}` [{rule.severity}] — {r.status}"
                       + (f" ({', '.join(r.fields)})" if r.fields else ""))
            out.append("")
            out += [f"- {d.name}: {markdown_cell(_shown(d.old))} → {markdown_cell(_shown(d.new))}" for d in r.details]
            if r.vocab:
                out.append("- vocabulary read: " + ", ".join(f"`{n}`" for n in r.vocab))
            out += [f"- example {e.status}: {e.name}" for e in r.examples]
            out += ["", "```diff"]
            if r.old_when is not None and (r.status == "removed" or "when" in r.fields):
                out += ["- " + line for line in r.old_when.splitlines()]
            if r.new_when is not None and (r.status == "added" or "when" in r.fields):
                out += ["+ " + line for line in r.new_when.splitlines()]
            if r.status == "changed" and "when" not in r.fields:
                out += ["  " + line for line in r.new_when.splitlines()]
            out += ["```", ""]
            if r.id in meanings:
                out += _md_meaning(meanings[r.id])
    out += ["### Verdict", ""] + _md_meaning(result.verdict) + [f"_Bounds: {_bounds(result)}._", ""]
    if result.replay is not None:
        rp = result.replay
        out += ["### Corpus replay", "",
                f"`{rp.corpus}`: {_replay_counts(rp)}.", ""]
        if rp.groups:
            out += ["| messages | old → new | rules | examples |", "|---|---|---|---|"]
            out += [f"| {len(g.sources)} | {g.old} → {g.new} | {', '.join(f'`{x}`' for x in g.rules)} | "
                    f"{markdown_cell(', '.join(g.sources[:3]))} |" for g in rp.groups]
            out.append("")
        out += [f"- error `{src}`: {markdown_cell(why)}" for src, why in rp.errors]
    return "\n".join(out).rstrip() + "\n"
