"""Highlights: which characters of a message each violation points at, numbered, laid out for display.

Stage: between a report and its renderers (permitted.views.report for the terminal,
permitted.views.html for a page). Input: a Report and the message text its evidence offsets
point into. Output: numbered `Highlight`s — one per distinct span, shared by every rule that
cites it — and a layout of the text as plain pieces and (possibly nested) `Mark`s. Spans that
cross each other are split: the later one continues in a second mark outside the first, so the
layout is always a proper tree. Evidence whose offsets do not match the text is left out
rather than highlighted in the wrong place. No errors.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Union

from dsl.contract.schema import as_json_data
from dsl.contract.verdict import Severity
from interpreter.evaluation.report import Report, Violation

_RANK = {Severity.BLOCK: 2, Severity.WARN: 1}


@dataclass(frozen=True)
class Highlight:
    number: int                     # 1, 2, … in reading order
    start: int
    end: int                        # == start for something with no visible text (an image)
    text: str
    rules: tuple[str, ...]          # every rule citing these characters, in report order
    severity: str                   # the gravest severity among those rules
    facts: tuple[str, ...]          # where the evidence came from: message.emoji, message.links, …

    @property
    def empty(self) -> bool:
        return self.start == self.end

    def what(self) -> str:
        """What an empty highlight stands for, from its facts: `image`, `image, link`."""
        names = [fact.rsplit(".", 1)[-1] for fact in self.facts]
        return ", ".join(dict.fromkeys(name[:-1] if name.endswith("s") else name for name in names))


@dataclass(frozen=True)
class Mark:
    highlight: Highlight
    first: bool                     # False for the continuation of a span split by one it crosses
    children: tuple["Node", ...]


Node = Union[str, Mark]


def _spans(violation: Violation, text: str):
    for ev in violation.evidence:
        if ev.start is None or ev.end is None:
            continue
        if 0 <= ev.start <= ev.end <= len(text) and text[ev.start:ev.end] == (ev.text or ""):
            yield ev


def highlights(report: Report, text: str) -> tuple[Highlight, ...]:
    """The distinct evidence spans of a report, numbered in reading order (longer first on a tie)."""
    found: dict[tuple[int, int], dict] = {}
    for v in report.violations:
        for ev in _spans(v, text):
            entry = found.setdefault((ev.start, ev.end), {"rules": {}, "facts": {}, "severity": Severity.WARN})
            entry["rules"][v.rule] = None
            entry["facts"][ev.fact] = None
            if _RANK.get(v.severity, 0) > _RANK[entry["severity"]]:
                entry["severity"] = v.severity
    keys = sorted(found, key=lambda k: (k[0], -k[1]))
    return tuple(Highlight(n, s, e, text[s:e], tuple(found[(s, e)]["rules"]), found[(s, e)]["severity"],
                           tuple(found[(s, e)]["facts"]))
                 for n, (s, e) in enumerate(keys, start=1))


def numbers_of(violation: Violation, marks: tuple[Highlight, ...]) -> tuple[int, ...]:
    """The numbers of the highlights a violation's evidence points at."""
    by_span = {(h.start, h.end): h.number for h in marks}
    return tuple(sorted({by_span[(ev.start, ev.end)] for ev in violation.evidence
                         if (ev.start, ev.end) in by_span}))


def values_of(violation: Violation) -> tuple[str, ...]:
    """The evidence that is a fact's value rather than characters: `img.scheme = "http"`, or words
    found in a text other than the message's (`message.subject: "% off"`)."""
    return tuple(f"{ev.fact}{':' if ev.phrase is not None else ' ='} {json.dumps(as_json_data(ev.value), ensure_ascii=False)}"
                 for ev in violation.evidence if ev.start is None)


def layout(text: str, marks: tuple[Highlight, ...]) -> tuple[Node, ...]:
    """The text as a tree of plain pieces and marks; joining every piece gives back `text`."""
    root: list[Node] = []
    stack: list[tuple[Highlight, bool, list[Node]]] = []

    def target() -> list[Node]:
        return stack[-1][2] if stack else root

    def close_top() -> Highlight:
        h, first, children = stack.pop()
        target().append(Mark(h, first, tuple(children)))
        return h

    opening = sorted(marks, key=lambda h: (h.start, -h.end, h.number))
    points = sorted({0, len(text)} | {h.start for h in marks} | {h.end for h in marks})
    i = 0
    for k, p in enumerate(points):
        if any(h.end == p for h, _, _ in stack):
            # Close every mark ending here; marks opened inside one of them but ending later
            # are closed with it and reopened as continuations, so nothing crosses.
            reopen = []
            while any(h.end == p for h, _, _ in stack):
                h = close_top()
                if h.end != p:
                    reopen.append(h)
            for h in reversed(reopen):
                stack.append((h, False, []))
        while i < len(opening) and opening[i].start == p:
            h = opening[i]
            i += 1
            if h.empty:
                target().append(Mark(h, True, ()))
            else:
                stack.append((h, True, []))
        if k + 1 < len(points) and text[p:points[k + 1]]:
            target().append(text[p:points[k + 1]])
    while stack:
        close_top()
    return tuple(root)


def plain(nodes: tuple[Node, ...]) -> str:
    """The characters of a layout (or of a mark's children), without the marks."""
    return "".join(n if isinstance(n, str) else plain(n.children) for n in nodes)
