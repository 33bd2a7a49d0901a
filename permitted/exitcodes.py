"""The one enum of exit codes (DESIGN.md). Batch commands exit with the worst of their messages."""
from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    ALLOWED = 0          # also: a command that succeeded
    BLOCKED = 1          # also: `test` had failures, `fmt --check` found files to reformat
    USAGE = 2            # usage or policy error
    INVALID_INPUT = 3
    REVIEW = 4           # nothing blocked, but a warning or an undetermined rule
    INTERNAL = 70
    INTERRUPTED = 130    # Ctrl-C; `audit` leaves its output file whole up to the last finished row


VERDICT_EXIT = {"allowed": Exit.ALLOWED, "blocked": Exit.BLOCKED, "review": Exit.REVIEW}
