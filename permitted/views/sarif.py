"""The SARIF 2.1.0 log of `permitted check --format sarif`, for code-scanning viewers and CI.

Stage: output (nothing here prints). Input: `permitted.checking.Checked` rows and the tool's
version. Output: one SARIF log (a JSON-ready dict) with one run: the rules that fired as
`tool.driver.rules`, one result per violation, and a `note` result per undetermined rule. Each
result points into the message's file through the origin its reader kept (interpreter.read.origin):
the characters that write the evidence — through JSON and YAML escapes, quoted-printable, HTML
tags and character references — become a region with that snippet, and the file is not opened
again. Evidence that cannot be traced character by character points at the line where the
body begins; a message of a batch file without evidence, at its lines. A message that could not
be read becomes a tool execution notification and makes the invocation unsuccessful. The same
rows give the same log, byte for byte once dumped with sort_keys. Section numbers (§) refer to
the OASIS SARIF 2.1.0 specification. No errors.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable
from urllib.parse import quote

from dsl.contract.resources import display_path
from dsl.contract.verdict import Severity
from interpreter.evaluation.report import Report, Violation
from interpreter.read.origin import Origin

from permitted.checking import Checked
from permitted.views.report import could_not_judge

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {Severity.BLOCK: "error", Severity.WARN: "warning"}


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


def region(origin: Origin | None, in_batch: bool, start: int | None, end: int | None) -> dict | None:
    """Where the text's characters [start, end) are in the message's file (§3.30); without a
    span, the lines of a message of a batch file (none for a file that is the message)."""
    if origin is None:
        return None                              # not read from a file: nothing to point at
    whole = {"startLine": origin.line, "endLine": origin.last_line} if in_batch else None
    if start is None or end is None:
        return whole
    placed = origin.span(start, end)
    if placed is None:
        if origin.body_at is None:
            return whole
        # The text cannot be traced character by character (a base64 e-mail body, words the
        # markup does not show as they are read): the line on which the body begins.
        line, _ = origin.point(origin.body_at)
        return {"startLine": line, "endLine": line}
    a, b = placed
    (line, column), (end_line, end_column) = origin.point(a), origin.point(b)
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column,
            "snippet": {"text": origin.source[a:b]}}


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

    def location(self, row: Checked, start: int | None = None, end: int | None = None) -> dict | None:
        artifact = artifact_of(row.source)
        if artifact is None:
            return None                            # standard input: no file to point into
        path, part = artifact
        physical: dict = {"artifactLocation": {"uri": _uri(path)}}
        found = region(row.origin, part is not None, start, end)
        if found is not None:
            physical["region"] = found
        return {"physicalLocation": physical}

    def add(self, row: Checked) -> None:
        report = row.report
        if report is None:
            self.unreadable(row)
            return
        self.messages.append({"source": row.source, "verdict": report.verdict, "policy": report.policy_id})
        for v in report.violations:
            self.rules.setdefault(v.rule, _rule(v))
            locations = [self.location(row, ev.start, ev.end) for ev in v.evidence
                         if ev.start is not None and ev.start < ev.end]
            if not locations:
                locations = [self.location(row)]
            self.results.append(self.result(row, report, v.rule, LEVELS.get(v.severity, "warning"),
                                             _message(v), locations, {"severity": v.severity}))
        for u in report.undetermined:
            # `kind: open` (§3.27.9) is SARIF's own word for "could not decide", but §3.27.10 then
            # requires level none, which reads as "nothing to see"; a message that will be held for
            # review needs the seller's attention, so it is a note, marked undetermined.
            self.results.append(self.result(row, report, u.rule, "note",
                                            f"{u.rule}: {could_not_judge(u)}.",
                                            [self.location(row)],
                                            {"undetermined": True, "needs": list(u.needs)}))
        for n in report.not_checked:
            # §3.27.9: `notApplicable` is a rule the target did not meet the criteria for (a
            # language without a word list); it holds nothing back, so level none (§3.27.10).
            result = self.result(row, report, n.rule, "none", n.says, [self.location(row)], {"not_checked": True})
            result["kind"] = "notApplicable"
            self.results.append(result)

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
        location = self.location(row)
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
