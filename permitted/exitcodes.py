"""The one enum of exit codes (DESIGN.md). Batch commands exit with the worst of their messages."""
from __future__ import annotations

from enum import IntEnum
from typing import Iterable

from dsl.contract.errors import Diagnostic
from dsl.contract.verdict import Verdict


class Exit(IntEnum):
    ALLOWED = 0          # also: a command that succeeded
    BLOCKED = 1          # also: `test` had failures, `fmt --check` found files to reformat
    USAGE = 2            # usage or policy error (also: no policy applies to a message, P700)
    INVALID_INPUT = 3
    REVIEW = 4           # nothing blocked, but a warning or an undetermined rule
    INTERNAL = 70        # a bug (also: a message that could not be judged because of one, I190/I191)
    INTERRUPTED = 130    # Ctrl-C or SIGTERM; `audit` leaves its output file whole up to the last finished row
    CLOSED_OUTPUT = 141  # standard output closed by its reader (`permitted audit … | head`): 128 + SIGPIPE, as a shell shows it


VERDICT_EXIT = {Verdict.ALLOWED: Exit.ALLOWED, Verdict.BLOCKED: Exit.BLOCKED, Verdict.REVIEW: Exit.REVIEW}
# From best to worst: a message the tool could not judge outranks any verdict; one no policy
# applies to is a mistake in how the command was called, which outranks a bad message; a bug
# outranks everything.
_RANK = {Exit.ALLOWED: 0, Exit.REVIEW: 1, Exit.BLOCKED: 2, Exit.INVALID_INPUT: 3, Exit.USAGE: 4, Exit.INTERNAL: 5}
INTERNAL_CODES = frozenset({"I190", "I191"})


def worst(codes) -> Exit:
    """The exit code of a batch: a bug outranks a usage or policy error, which outranks an
    unreadable message, which outranks blocked, which outranks review."""
    return max(codes, key=_RANK.__getitem__, default=Exit.ALLOWED)


def for_diagnostics(diagnostics: Iterable[Diagnostic]) -> Exit:
    """The exit code a problem stands for: 70 for a bug (I190, I191), 3 for a message that
    cannot be read (I…), 2 for the rest — a policy error (P…, P700 no policy included) or a
    usage error (U100)."""
    return worst(Exit.INTERNAL if d.code in INTERNAL_CODES else
                 Exit.INVALID_INPUT if d.code.startswith("I") else Exit.USAGE for d in diagnostics)


def row_exit(row) -> Exit:
    """The exit code one checked message (a permitted.checking.Checked) stands for."""
    return VERDICT_EXIT[row.verdict] if row.ok else for_diagnostics(row.error)
