"""A judged message laid out for the web page: its text as plain pieces and numbered marks.

Stage: output (for the service's `POST /v1/check?display=true`). Input: a Report and the
message text its evidence offsets point into. Output: JSON data — the highlights of
permitted.views.highlights (the same numbering as the terminal and HTML reports), the text as a
tree of strings and marks, and for each violation the numbers of its marks, so the page only
renders what the server laid out. No errors.
"""
from __future__ import annotations

from interpreter.evaluation.report import Report

from permitted.views.highlights import Highlight, Node, highlights, layout, numbers_of, values_of


def _highlight(h: Highlight) -> dict:
    return {"number": h.number, "start": h.start, "end": h.end, "text": h.text, "rules": list(h.rules),
            "severity": str(h.severity), "facts": list(h.facts), "what": h.what() if h.empty else None}


def _node(node: Node):
    if isinstance(node, str):
        return node
    return {"mark": node.highlight.number, "first": node.first, "children": [_node(n) for n in node.children]}


def marked_json(report: Report, text: str) -> dict:
    marks = highlights(report, text)
    return {"text": text, "highlights": [_highlight(h) for h in marks],
            "layout": [_node(n) for n in layout(text, marks)],
            "violations": [{"rule": v.rule, "marks": list(numbers_of(v, marks)), "values": list(values_of(v))}
                           for v in report.violations]}
