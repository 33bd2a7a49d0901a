"""The HTML report of `permitted check --format html`: one standalone page for any number of messages.

Stage: output (nothing here prints). Input: `permitted.checking.Checked` rows. Output: an HTML5
document as a string — inline CSS, no scripts, no external resources, so it can be mailed or
archived and opens offline. Per message: the verdict, the policy, the text with each evidence
span in `<mark class="hit" id="m<message>-<n>" data-rule="…">` showing its number, the
violations table linking to those marks, the rules that could not be judged, or the reasons a
message could not be read. Highlights come from permitted.views.highlights, shared with the terminal
report. Every piece of message or policy text is escaped, its control characters, bidi
overrides and lone surrogates shown (permitted.views.visible); message text is laid out with
`dir="auto"` so right-to-left messages (Arabic) read in their own direction. No errors.
"""
from __future__ import annotations

from html import escape
from typing import Sequence

from interpreter.evaluation.report import Report

from permitted.checking import Checked
from permitted.views.highlights import Highlight, Node, highlights, layout, numbers_of, values_of
from permitted.views.report import could_not_judge, counts, policy_line
from permitted.views.terminal import diagnostic_plain
from permitted.views.visible import visible

_CSS = """
:root { color-scheme: light; --block: #c62828; --warn: #b26a00; --ok: #2e7d32; --muted: #5f6368; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Arabic", sans-serif;
       margin: 0 auto; max-width: 62rem; padding: 1.5rem; color: #202124; background: #fff; }
h1 { font-size: 1.4rem; margin: 0 0 1rem; }
h2 { font-size: 1.1rem; margin: 0; display: flex; gap: .6rem; align-items: baseline; flex-wrap: wrap; }
h3 { font-size: .95rem; margin: 1rem 0 .3rem; }
section.message { border: 1px solid #dadce0; border-radius: 8px; padding: 1rem 1.2rem; margin: 1.2rem 0; }
.verdict { font-weight: 700; padding: .1rem .5rem; border-radius: 4px; color: #fff; font-size: .9rem; }
.verdict.blocked { background: var(--block); } .verdict.review { background: var(--warn); }
.verdict.allowed { background: var(--ok); } .verdict.error { background: #6a1b9a; }
.source { font-family: ui-monospace, Menlo, Consolas, monospace; word-break: break-all; }
.meta { color: var(--muted); margin: .3rem 0; font-size: .9rem; }
.subject { margin: .6rem 0 0; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; font: inherit; background: #f8f9fa;
        border: 1px solid #e8eaed; border-radius: 6px; padding: .8rem 1rem; margin: .6rem 0; }
mark.hit { background: #ffd6d6; color: inherit; border-bottom: 2px solid var(--block); padding: 0 .1rem;
           border-radius: 2px; }
mark.hit.warn { background: #ffefc2; border-bottom-color: var(--warn); }
mark.hit mark.hit { background: #ffb3b3; }
mark.hit:target { outline: 3px solid #1a73e8; }
mark .n { font-size: .7em; font-weight: 700; vertical-align: super; color: var(--block); user-select: none;
          margin-right: .1rem; }
mark.warn > .n { color: var(--warn); }
mark.empty { font-style: italic; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { text-align: start; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid #e8eaed; }
th { color: var(--muted); font-weight: 600; }
.violations td:nth-child(2) { white-space: nowrap; }
td.where { min-width: 6rem; }
td.where a { text-decoration: none; font-weight: 700; margin-right: .25rem; }
tr.block td.severity { color: var(--block); font-weight: 600; } tr.warn td.severity { color: var(--warn); font-weight: 600; }
.clause { font-style: italic; color: var(--muted); }
.values { color: var(--muted); font-size: .85rem; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .88em; }
pre.diagnostics { white-space: pre-wrap; color: #6a1b9a; }
"""


def _text(text: str) -> str:
    """Message or policy text for the page: escaped, and every control character, bidi override
    and lone surrogate shown (`visible`): NUL and U+202E would otherwise hide or reorder what the
    page shows, and a lone surrogate cannot be written as UTF-8."""
    return escape(visible(text))


def _marks(nodes: tuple[Node, ...], message: int) -> str:
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(_text(node))
            continue
        h = node.highlight
        classes = ["hit", h.severity] + (["empty"] if h.empty else []) + ([] if node.first else ["cont"])
        attrs = f' class="{" ".join(classes)}" data-rule="{_text(" ".join(h.rules))}" data-n="{h.number}"'
        if node.first:
            attrs = f' id="m{message}-{h.number}"' + attrs
        title = ", ".join(h.rules) + (f" ({h.what()}, no visible text)" if h.empty else "")
        label = f'<span class="n">[{h.number}]</span>' if node.first else ""
        inner = _text(f"\u2039{h.what()}\u203a") if h.empty else _marks(node.children, message)
        out.append(f'<mark{attrs} title="{_text(title)}">{label}{inner}</mark>')
    return "".join(out)


def _violations(report: Report, marks: tuple[Highlight, ...], message: int) -> str:
    rows = []
    for v in report.violations:
        links = " ".join(f'<a href="#m{message}-{n}">[{n}]</a>' for n in numbers_of(v, marks)) or "\u2014"
        problem = [f'<strong>{_text(v.title)}</strong>',
                   f'<div class="clause">\u201c{_text(v.clause)}\u201d</div>']
        if v.hint:
            problem.append(f'<div class="hint">Fix: {_text(v.hint)}</div>')
        values = values_of(v)
        if values:
            problem.append('<div class="values" dir="auto">found ' + "; ".join(_text(x) for x in values) + "</div>")
        rows.append(f'<tr class="{_text(v.severity)}" data-rule="{_text(v.rule)}">'
                    f'<td class="where">{links}</td><td><code>{_text(v.rule)}</code></td>'
                    f'<td class="severity">{_text(v.severity)}</td><td>{"".join(problem)}</td></tr>')
    return ('<table class="violations"><thead><tr><th>where</th><th>rule</th><th>severity</th>'
            '<th>problem, guideline and fix</th></tr></thead>\n<tbody>\n' + "\n".join(rows) + "\n</tbody></table>")


def _undetermined(report: Report) -> str:
    items = "".join(f"<li><code>{_text(u.rule)}</code> \u2014 {_text(could_not_judge(u))}</li>"
                    for u in report.undetermined)
    return f'<h3>Could not judge</h3>\n<ul class="undetermined">{items}</ul>'


def _not_checked(report: Report) -> str:
    items = "".join(f"<li><code>{_text(n.rule)}</code> \u2014 {_text(n.says)}</li>" for n in report.not_checked)
    return f'<h3>Not checked</h3>\n<ul class="not-checked">{items}</ul>'


def _section(row: Checked, message: int) -> str:
    verdict = row.verdict
    parts = [f'<section class="message {_text(verdict)}" id="msg-{message}">',
             f'<h2><span class="verdict {_text(verdict)}">{_text(verdict.upper())}</span>'
             f'<span class="source">{_text(row.source)}</span></h2>']
    if row.report is None:
        parts.append('<pre class="diagnostics">' + _text("\n\n".join(diagnostic_plain(d) for d in row.error))
                     + "</pre>")
        return "\n".join(parts + ["</section>"])
    report = row.report
    parts.append(f'<p class="meta">policy <code>{_text(policy_line(report))}</code> \u00b7 '
                 f'{_text(counts(report))}</p>')
    if row.subject:
        parts.append(f'<p class="subject"><strong>Subject:</strong> <span dir="auto">{_text(row.subject)}</span></p>')
    marks = highlights(report, row.text)
    parts.append(f'<pre class="text" dir="auto">{_marks(layout(row.text, marks), message)}</pre>')
    if report.violations:
        parts.append(_violations(report, marks, message))
    if report.undetermined:
        parts.append(_undetermined(report))
    if report.not_checked:
        parts.append(_not_checked(report))
    return "\n".join(parts + ["</section>"])


def _summary(rows: Sequence[Checked]) -> str:
    lines = []
    for i, row in enumerate(rows, start=1):
        broken = len(row.report.violations) if row.report is not None else "\u2014"
        unknown = len(row.report.undetermined) if row.report is not None else "\u2014"
        lines.append(f'<tr><td><span class="verdict {_text(row.verdict)}">{_text(row.verdict.upper())}</span></td>'
                     f'<td><a class="source" href="#msg-{i}">{_text(row.source)}</a></td>'
                     f'<td>{broken}</td><td>{unknown}</td></tr>')
    return ('<table class="summary"><thead><tr><th>verdict</th><th>message</th><th>violations</th>'
            '<th>could not judge</th></tr></thead>\n<tbody>\n' + "\n".join(lines) + "\n</tbody></table>")


def html_page(rows: Sequence[Checked], title: str = "permitted: message check") -> str:
    """A standalone HTML5 page reporting every row."""
    rows = list(rows)
    body = [f"<h1>{_text(title)}</h1>"]
    if len(rows) > 1:
        body.append(_summary(rows))
    body.extend(_section(row, i) for i, row in enumerate(rows, start=1))
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            # Nothing on the page may load or run anything, whatever a message contains.
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
            f"<title>{_text(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")
