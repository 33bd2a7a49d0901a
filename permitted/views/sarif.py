"""The SARIF 2.1.0 log of `permitted check --format sarif`, for code-scanning viewers and CI.

Stage: output (nothing here prints). Input: `permitted.checking.Checked` rows and the tool's
version. Output: one SARIF log (a JSON-ready dict) with one run: the rules that fired as
`tool.driver.rules`, one result per violation, and a `note` result per undetermined rule. Each
result points into the message's file: evidence offsets map directly into a plain-text file;
in HTML, e-mail, mbox and JSON files the evidence is searched for in the raw text (character
references, JSON and quoted-printable escapes, tags and line breaks between words allowed),
nearest to where it sits in the message; where it is not found there is no region rather than
a wrong one. A message that could not be read becomes a tool execution notification and makes
the invocation unsuccessful. The same rows give the same log, byte for byte once dumped with sort_keys.
Section numbers (§) refer to the OASIS SARIF 2.1.0 specification. No errors.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from html.entities import codepoint2name
from pathlib import Path
from typing import Iterable
from urllib.parse import quote

from dsl.contract.resources import display_path
from interpreter.evaluation.report import Report, Violation
from interpreter.read.envelope import ENVELOPE_SUFFIXES, MAIL_SUFFIXES

from permitted.checking import Checked
from permitted.views.report import could_not_judge

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"block": "error", "warn": "warning"}


def artifact_of(source: str) -> tuple[str, tuple[str, int] | None] | None:
    """The file a row's message is in, and which part of it: `sent.jsonl:12` is line 12,
    `sent.mbox#3` the third message; None for standard input."""
    if source == "-":
        return None
    batch = re.fullmatch(r"(.+\.jsonl):(\d+)|(.+\.mbox)#(\d+)", source, re.IGNORECASE)
    if batch is None:
        return source, None
    if batch.group(1):
        return batch.group(1), ("line", int(batch.group(2)))
    return batch.group(3), ("message", int(batch.group(4)))


def _char_pattern(c: str, mail: bool) -> str:
    """Every way a file may spell one character of the visible text."""
    cp = ord(c)
    if c.isascii() and c.isalnum():
        return c                          # letters and digits are written as themselves
    alts = [re.escape(c), f"&#0*{cp};", f"&#[xX]0*(?i:{cp:x});"]
    if cp in codepoint2name:
        alts.append(f"&{codepoint2name[cp]};")
    if cp == 0x27:
        alts.append("&apos;")
    if cp > 0xFFFF:                       # JSON writes it as a surrogate pair
        hi, lo = 0xD800 + ((cp - 0x10000) >> 10), 0xDC00 + ((cp - 0x10000) & 0x3FF)
        alts.append(f"\\\\u(?i:{hi:04x})\\\\u(?i:{lo:04x})")
    else:
        alts.append(f"\\\\u(?i:{cp:04x})")
    if c in '"\\/':
        alts.append(re.escape("\\" + c))
    if mail and (cp > 0x7E or c == "="):
        alts.append("".join(f"={b:02X}" for b in c.encode("utf-8")))
    return "(?:" + "|".join(alts) + ")"


_SPACE = r"(?:\s|&nbsp;|&#0*160;|&#[xX]0*(?i:a0);|\\[nrt]|\\u(?i:00a0)|<[^<>]*>"
_MAIL_SPACE = r"|=\r?\n|=20|=09"


@lru_cache(maxsize=4096)
def _pattern(evidence: str, mail: bool) -> re.Pattern:
    between = r"(?:=\r?\n)?" if mail else ""            # quoted-printable soft line breaks
    parts = []
    for chunk in re.split(r"(\s+)", evidence):
        if not chunk:
            continue
        if chunk.isspace():
            parts.append(_SPACE + (_MAIL_SPACE if mail else "") + ")+")
        else:
            parts.append(between.join(_char_pattern(c, mail) for c in chunk))
    return re.compile(between.join(parts))


def _decode(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8-sig", errors="replace")


@dataclass(frozen=True)
class SourceMap:
    """The raw text of one message file, to turn evidence into SARIF regions."""
    raw: str | None                      # None when the file cannot be read any more
    mail: bool
    line_starts: tuple[int, ...]
    envelope: bool = False               # a JSON or YAML envelope: the text is its body or html
    message_starts: tuple[int, ...] = ()  # of an mbox: where each message begins

    @classmethod
    def read(cls, path: str) -> "SourceMap":
        try:
            raw = _decode(Path(path).read_bytes())
        except OSError:
            return cls(None, False, ())
        suffix = Path(path).suffix.lower()
        starts = (0, *(m.end() for m in re.finditer("\n", raw)))
        # Messages start at every line beginning "From ", as the standard library's mbox reader splits them.
        messages = tuple(m.start() for m in re.finditer(r"^From ", raw, re.MULTILINE)) if suffix == ".mbox" else ()
        return cls(raw, suffix in MAIL_SUFFIXES or suffix == ".mbox", starts,
                   suffix in ENVELOPE_SUFFIXES or suffix == ".jsonl", messages)

    def point(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset."""
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def scope(self, part: tuple[str, int] | None) -> tuple[int, int] | None:
        """The characters of the file that hold the message."""
        assert self.raw is not None
        if part is None:
            return 0, len(self.raw)
        kind, n = part
        if kind == "line":
            if not 1 <= n <= len(self.line_starts):
                return None
            end = self.line_starts[n] - 1 if n < len(self.line_starts) else len(self.raw)
            return self.line_starts[n - 1], end
        starts = self.message_starts
        if not 1 <= n <= len(starts):
            return None
        return starts[n - 1], starts[n] if n < len(starts) else len(self.raw)

    def body_start(self, a: int, b: int) -> int:
        """Where the message's text begins within its part of the file: after an e-mail's headers,
        at an envelope's `body:` or `html:` field; so a subject never passes for the body."""
        assert self.raw is not None
        if self.mail:
            gap = re.compile(r"\r?\n\r?\n").search(self.raw, a, b)
        elif self.envelope:
            gap = re.compile(r"""["']?(?:body|html)["']?\s*:""").search(self.raw, a, b)
        else:
            gap = None
        return gap.end() if gap else a

    def span_region(self, a: int, b: int, snippet: bool) -> dict:
        (line, column), (end_line, end_column) = self.point(a), self.point(b)
        region = {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}
        if snippet:
            region["snippet"] = {"text": self.raw[a:b]}
        return region

    def region(self, part, text: str, start: int | None, end: int | None, evidence: str | None) -> dict | None:
        """Where the evidence `text[start:end]` is in the file; the message's lines when it cannot
        be found in a file of many messages; None when it cannot be found in a file of one."""
        if self.raw is None:
            return None
        scope = self.scope(part)
        if scope is None:
            return None
        a, b = scope
        whole = None if part is None else self.span_region(a, max(a, b - 1) if b > a else a, False)
        if whole is not None:
            del whole["startColumn"], whole["endColumn"]
        if start is None or end is None or not evidence:
            return whole
        if part is None and self.raw == text and text[start:end] == evidence:
            return self.span_region(start, end, True)
        a = self.body_start(a, b)
        expected = a + (b - a) * start / max(len(text), 1)
        found = [m for m in _pattern(evidence, self.mail).finditer(self.raw, a, b) if m.end() > m.start()]
        if not found:
            return whole
        best = min(found, key=lambda m: abs(m.start() - expected))
        return self.span_region(best.start(), best.end(), True)


def _uri(path: str) -> str:
    """A URI reference for a file: relative to the working directory when inside it, else file://."""
    shown = Path(display_path(Path(path)))
    return shown.as_uri() if shown.is_absolute() else quote(shown.as_posix())


def _message(violation: Violation) -> str:
    return f"{violation.title}. {violation.hint}" if violation.hint else f"{violation.title}."


def _rule(v: Violation) -> dict:
    # A hint may quote the message it was made for ("Remove 2 emoji(s)"); the rule's help is the
    # hint of the first message that broke it, and each result carries its own.
    rule = {"id": v.rule, "name": v.rule, "shortDescription": {"text": v.title},
            "fullDescription": {"text": v.clause},
            "defaultConfiguration": {"level": LEVELS.get(v.severity, "warning")},
            "properties": {"severity": v.severity}}
    if v.hint:
        rule["help"] = {"text": v.hint}
    return rule


class _Log:
    def __init__(self) -> None:
        self.rules: dict[str, dict] = {}
        self.results: list[dict] = []
        self.notifications: list[dict] = []
        self.messages: list[dict] = []
        self.maps: dict[str, SourceMap] = {}       # one read per file, shared by its jsonl/mbox rows

    def source_map(self, path: str) -> SourceMap:
        if path not in self.maps:
            self.maps[path] = SourceMap.read(path)
        return self.maps[path]

    def location(self, row: Checked, start: int | None, end: int | None, text: str | None) -> dict | None:
        artifact = artifact_of(row.source)
        if artifact is None:
            return None                            # standard input: no file to point into
        path, part = artifact
        physical: dict = {"artifactLocation": {"uri": _uri(path)}}
        region = self.source_map(path).region(part, row.text, start, end, text)
        if region is not None:
            physical["region"] = region
        return {"physicalLocation": physical}

    def add(self, row: Checked) -> None:
        report = row.report
        if report is None:
            self.unreadable(row)
            return
        self.messages.append({"source": row.source, "verdict": report.verdict, "policy": report.policy_id})
        for v in report.violations:
            self.rules.setdefault(v.rule, _rule(v))
            locations = [self.location(row, ev.start, ev.end, ev.text) for ev in v.evidence
                         if ev.start is not None and ev.start < ev.end]
            if not locations:
                locations = [self.location(row, None, None, None)]
            self.results.append(self.result(row, report, v.rule, LEVELS.get(v.severity, "warning"),
                                             _message(v), locations, {"severity": v.severity}))
        for u in report.undetermined:
            # `kind: open` (§3.27.9) is SARIF's own word for "could not decide", but §3.27.10 then
            # requires level none, which reads as "nothing to see"; a message that will be held for
            # review needs the seller's attention, so it is a note, marked undetermined.
            self.results.append(self.result(row, report, u.rule, "note",
                                            f"{u.rule}: {could_not_judge(u)}.",
                                            [self.location(row, None, None, None)],
                                            {"undetermined": True, "needs": list(u.needs)}))

    def result(self, row: Checked, report: Report, rule: str, level: str, text: str,
               locations: list, properties: dict) -> dict:
        out = {"ruleId": rule, "level": level, "message": {"text": text},
               "properties": {"source": row.source, "policy": report.policy_id, **properties}}
        located = [loc for loc in locations if loc is not None]
        if located:
            out["locations"] = located
        return out

    def unreadable(self, row: Checked) -> None:
        self.messages.append({"source": row.source, "verdict": row.verdict})
        location = self.location(row, None, None, None)
        for d in row.error:
            note = {"level": "error", "descriptor": {"id": d.code},
                    "message": {"text": d.message + (f" ({d.help})" if d.help else "")},
                    "properties": {"source": row.source, "name": d.name}}
            if location is not None:
                note["locations"] = [location]
            self.notifications.append(note)

    def run(self, version: str) -> dict:
        rules = [self.rules[rule_id] for rule_id in sorted(self.rules)]
        index = {rule["id"]: i for i, rule in enumerate(rules)}
        for result in self.results:
            if result["ruleId"] in index:
                result["ruleIndex"] = index[result["ruleId"]]
        invocation: dict = {"executionSuccessful": not self.notifications}
        if self.notifications:
            invocation["toolExecutionNotifications"] = self.notifications
        return {"tool": {"driver": {"name": "permitted", "version": version, "rules": rules}},
                "invocations": [invocation],
                "columnKind": "unicodeCodePoints",      # columns count characters, as Python does
                "results": self.results,
                "properties": {"messages": self.messages}}


def sarif_log(rows: Iterable[Checked], version: str) -> dict:
    """A SARIF 2.1.0 log of the rows: dump with json.dumps(..., sort_keys=True) to write it."""
    log = _Log()
    for row in rows:
        log.add(row)
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [log.run(version)]}
