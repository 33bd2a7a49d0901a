"""The one error shape of permitted (contract module).

Stage: every stage. Input: whatever went wrong. Output: `Diagnostic` values with a stable
code, a message, a span into the file the user edits, the source line, and a help line.
A stage that finds problems raises `PolicyError` (a policy file is wrong), `InputError`
(a message or facts record is wrong) or `UsageError` (the command line is wrong), each holding
every diagnostic found, so the user sees all of them at once. A few codes are warnings
(`WARNINGS`): found in a policy that still compiles, they ride on it (`Policy.warnings`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from dsl.contract.spans import LINE_LIMIT, Span, window

# Stable codes: never renumber; add new ones at the end of their block.
CODES: dict[str, str] = {
    "P100": "yaml-syntax",
    "P101": "duplicate-key",
    "P102": "yaml-alias",
    "P103": "file-unreadable",
    "P200": "bad-shape",
    "P201": "unknown-key",
    "P202": "missing-key",
    "P210": "extends-not-found",
    "P211": "extends-cycle",
    "P212": "duplicate-rule",
    "P213": "override-without-base",
    "P214": "redefined-without-override",
    "P215": "remove-unknown-rule",
    "P216": "vocab-edit-without-base",
    "P217": "remove-unknown-item",
    "P218": "vocab-kind-mismatch",
    "P219": "extends-refused",
    "P220": "extends-not-a-policy",
    "P300": "syntax-error",
    "P301": "condition-too-large",
    "P400": "unknown-fact",
    "P401": "unknown-vocab",
    "P402": "unknown-operator",
    "P403": "unknown-field",
    "P404": "shadowed-name",
    "P405": "unused-vocab",
    "P500": "type-mismatch",
    "P501": "bad-arguments",
    "P502": "impossible-value",
    "P503": "unguarded-optional",
    "P504": "bad-regex",
    "P505": "not-a-condition",
    "P506": "regex-not-linear",
    "P600": "bad-example",
    "P700": "no-policy",
    "I100": "bad-facts",
    "I101": "input-unreadable",
    "I102": "input-over-limit",
    "I103": "body-too-large",
    "I104": "unsupported-media-type",
    "I105": "batch-too-large",
    "I190": "internal-error",
    "I191": "judge-stopped",
    "I192": "time-limit",
    "U100": "usage",
    "U101": "unauthorized",
    "U102": "not-found",
    "U103": "method-not-allowed",
    "U104": "too-many-requests",
    "U105": "bad-cluster",
    "U106": "scheduler-unreachable",
    "U107": "cluster-not-installed",
}

# Codes that flag something suspicious in a policy that still compiles: `permitted lint` shows
# them, and they never stop a policy from being used.
WARNINGS: frozenset[str] = frozenset({"P405"})


# A diagnostic keeps a window of its source line, not the whole line: a policy with an 890 KB
# `when:` and an error on each of its thousands of terms would otherwise hold gigabytes of copies
# of that one line. Lines up to LINE_LIMIT characters are kept whole (every line of a policy
# written by hand); a longer one is cut to LINE_LIMIT characters around the span, `…` marking
# each cut (dsl.contract.spans.window). Messages and help lines quote what the user wrote (a key,
# a path): they are cut to TEXT_LIMIT characters.
TEXT_LIMIT = 2_000


def excerpt(line: str, column: int) -> tuple[str, int]:
    """The part of `line` a diagnostic at `column` (1-based) keeps, and how many characters of the
    line come before its first character that is from the line (the "shift": character k of the
    excerpt, after a leading `…`, is character k + shift of the line)."""
    start, end = window(len(line), column)
    head = "…" if start > 0 else ""
    return head + line[start:end] + ("…" if end < len(line) else ""), start - len(head)


def _cut(text: str | None) -> str | None:
    if text is None or len(text) <= TEXT_LIMIT:
        return text
    half = TEXT_LIMIT // 2
    return f"{text[:half]}… ({len(text) - 2 * half:,} characters left out) …{text[-half:]}"


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    span: Span | None = None
    source_line: str | None = None
    help: str | None = None
    line_shift: int = 0      # `source_line` is an excerpt: its character k is character k + shift of the line

    def __post_init__(self) -> None:
        if self.source_line is not None and len(self.source_line) > LINE_LIMIT and self.line_shift == 0:
            text, shift = excerpt(self.source_line, self.span.column if self.span else 1)
            object.__setattr__(self, "source_line", text)
            object.__setattr__(self, "line_shift", shift)
        object.__setattr__(self, "message", _cut(self.message))
        object.__setattr__(self, "help", _cut(self.help))

    @property
    def name(self) -> str:
        return CODES[self.code]

    def caret(self) -> tuple[int, int] | None:
        """Where the caret goes under `source_line`: (1-based start column, end column excluded)
        within the line as kept, clipped to it; None without a span or a line."""
        if self.span is None or self.source_line is None:
            return None
        start = max(1, self.span.column - self.line_shift)
        end = self.span.end_column - self.line_shift if self.span.end_line == self.span.line else len(self.source_line) + 1
        return start, max(start + 1, min(end, len(self.source_line) + 1))

    @property
    def severity(self) -> str:
        return "warning" if self.code in WARNINGS else "error"

    def to_json(self) -> dict:
        out: dict = {"code": self.code, "name": self.name, "severity": self.severity, "message": self.message}
        if self.span is not None:
            out.update(file=self.span.file, line=self.span.line, column=self.span.column,
                       end_line=self.span.end_line, end_column=self.span.end_column)
        if self.help:
            out["help"] = self.help
        return out


class Problem(Exception):
    """Base of the errors a user can cause; carries every diagnostic found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = tuple(diagnostics)
        assert self.diagnostics, "a Problem needs at least one diagnostic"
        for d in self.diagnostics:
            assert d.code in CODES, d.code
        super().__init__("; ".join(f"{d.code} {d.message}" for d in self.diagnostics))

    def __reduce__(self):
        # Batch workers send errors back to the parent; rebuild from the diagnostics, not the text.
        return type(self), (self.diagnostics,)


class PolicyError(Problem):
    """A policy file cannot be compiled."""


class InputError(Problem):
    """A message or a facts record cannot be understood."""


class UsageError(Problem):
    """The command line or API call is wrong."""


_PROJECT = ("/dsl/", "/interpreter/", "/permitted/", "/tests/")


def _place(tb) -> str:
    """file:line of a traceback entry, the path from the project's (or library's) folder on."""
    path = tb.tb_frame.f_code.co_filename.replace("\\", "/")
    if "/site-packages/" in path:
        path = path.rsplit("/site-packages/", 1)[1]
    elif "/lib/python" in path:                     # the standard library: email/headerregistry.py
        path = path.rsplit("/lib/python", 1)[1].split("/", 1)[-1]
    else:
        for root in _PROJECT:
            if root in path:
                path = root[1:] + path.rsplit(root, 1)[1]
                break
    return f"{path}:{tb.tb_lineno}"


def internal_error(exc: BaseException, source: str) -> Diagnostic:
    """I190 for an exception no stage expected: a bug met while reading or judging one message.

    A batch turns it into that message's error row and goes on, so one message that trips a
    bug costs one row, not the run. The diagnostic names the exception and where it was raised
    — the last place in the project's own code, and the library function below it if the
    exception came from one — for the bug report a traceback would have given."""
    ours = last = None
    tb = exc.__traceback__
    while tb is not None:
        last = tb
        if any(root in tb.tb_frame.f_code.co_filename.replace("\\", "/") for root in _PROJECT):
            ours = tb
        tb = tb.tb_next
    where = ""
    if last is not None:
        where = f" at {_place(ours or last)}" + (f" (in {_place(last)})" if ours is not None and ours is not last else "")
    text = str(exc)
    text = text if len(text) <= 200 else text[:200] + "…"
    return Diagnostic("I190", f"{source}: could not be judged: internal error ({type(exc).__name__}"
                              f"{': ' + text if text else ''}){where}",
                      help="this is a bug in permitted, not in the message: please report it with the message")


def did_you_mean(word: str, choices: Iterable[str], n: int = 3) -> str | None:
    """A help line naming the nearest valid choices, or None when nothing is near."""
    import difflib          # here: only a mistake needs it, and every command start would pay for it

    close = difflib.get_close_matches(word, list(choices), n=n, cutoff=0.7)
    if not close:
        return None
    return "did you mean " + " or ".join(f"`{c}`" for c in close) + "?"
