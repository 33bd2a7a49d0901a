"""The one enum of exit codes (DESIGN.md). Batch commands exit with the worst of their messages."""
from __future__ import annotations

from enum import IntEnum

from dsl.contract.verdict import Verdict


class Exit(IntEnum):
    ALLOWED = 0          # also: a command that succeeded
    BLOCKED = 1          # also: `test` had failures, `fmt --check` found files to reformat
    USAGE = 2            # usage or policy error
    INVALID_INPUT = 3
    REVIEW = 4           # nothing blocked, but a warning or an undetermined rule
    INTERNAL = 70
    INTERRUPTED = 130    # Ctrl-C; `audit` leaves its output file whole up to the last finished row


VERDICT_EXIT = {Verdict.ALLOWED: Exit.ALLOWED, Verdict.BLOCKED: Exit.BLOCKED, Verdict.REVIEW: Exit.REVIEW}
_RANK = {Exit.ALLOWED: 0, Exit.REVIEW: 1, Exit.BLOCKED: 2, Exit.INVALID_INPUT: 3}


def worst(codes) -> Exit:
    """The exit code of a batch: an unreadable message outranks a blocked one, blocked outranks review."""
    return max(codes, key=_RANK.__getitem__, default=Exit.ALLOWED)


def row_exit(row) -> Exit:
    """The exit code one checked message (a permitted.checking.Checked) stands for."""
    return VERDICT_EXIT[row.verdict] if row.ok else Exit.INVALID_INPUT
