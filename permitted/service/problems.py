"""Errors as HTTP problem details (RFC 9457), from the project's one error shape.

Stage: output of the service. Input: `Diagnostic`s (from a Problem, or made here for what only
HTTP has: a missing token, an unknown route). Output: the status a code stands for and the
`application/problem+json` body: `type`, `title`, `status`, `detail`, and the project's own
`code` and every diagnostic under `errors` (each with line and column when it has them). No
errors: every code of dsl.contract.errors has a status.
"""
from __future__ import annotations

from typing import Iterable

from dsl.contract.errors import CODES, Diagnostic

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://permitted.invalid/problems/"

# The status of a code; codes not listed take their family's (below).
_STATUS = {
    "I100": 422,     # an envelope that breaks the message schema: understood, but not valid
    "I101": 400,     # not UTF-8, not JSON, a duplicate key
    "I102": 400,     # JSON over the reader's bounds (nesting, digits)
    "I103": 413,
    "I104": 415,
    "I105": 413,
    "I190": 500,
    "I191": 500,
    "I192": 503,     # the time limit: the request may succeed later, on a less busy server
    "P700": 404,     # no such policy, or none in force for that marketplace on that day
    "U100": 400,
    "U101": 401,
    "U102": 404,
    "U103": 405,
    "U104": 429,
}
_FAMILY = {"P": 422, "I": 400, "U": 400}


def status_of(diagnostics: Iterable[Diagnostic]) -> int:
    """The status of a problem: its worst diagnostic's (a server error outranks a client one,
    and among client errors the first diagnostic's status is kept)."""
    statuses = [_STATUS.get(d.code, _FAMILY[d.code[0]]) for d in diagnostics]
    server = [s for s in statuses if s >= 500]
    return max(server) if server else statuses[0]


def title_of(code: str) -> str:
    return CODES[code].replace("-", " ").capitalize()


def problem(diagnostics: Iterable[Diagnostic], status: int | None = None) -> dict:
    found = tuple(diagnostics)
    first = found[0]
    return {"type": TYPE_BASE + first.code, "title": title_of(first.code),
            "status": status or status_of(found), "detail": first.message, "code": first.code,
            "errors": [d.to_json() for d in found]}


def one(code: str, message: str, help: str | None = None) -> dict:
    return problem([Diagnostic(code, message, help=help)])
