"""Batch audit: judge a stream of messages on all cores, in input order, in bounded memory.

Stage: the application layer over permitted.checking. Input: files, folders, JSONL and mbox
archives. Output: an iterator of `Checked` rows, one per message in — a message that cannot be
read or judged is an error row, never a crash or a gap — in the order the messages were read.
Memory stays flat however long the input: at most `jobs × 4` batches are in flight at once.
Errors: a policy choice that names no policy raises PolicyError, and bad arguments (`jobs=0`, a
marketplace that is not text) UsageError, before any message is read.
"""
from __future__ import annotations

import itertools
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, TypeVar

from dsl.contract.errors import Diagnostic, UsageError
from interpreter.read.envelope import DEFAULT_LIMIT, Part, read_line

from permitted import exitcodes
from permitted.checking import Checked, Judge, choice_of, envelopes
from permitted.exitcodes import Exit
from permitted.pool import Pool, unchanged
from permitted.store import default_store

BATCH = 32              # messages per task: big enough to amortise pickling, small enough to stream
IN_FLIGHT_PER_JOB = 4   # batches read ahead per worker, so no worker waits for the reader
T = TypeVar("T")


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def audit(inputs: Iterable, *, marketplace: str | None = None, as_of=None, policy: str | None = None,
          jobs: int = 1, fields: Mapping | None = None, limit: int = DEFAULT_LIMIT,
          api_operation: str | None = None, notify: Callable[[str], None] | None = None,
          timeout: float | None = None, policy_root: Path | None = None,
          render: Callable[[Checked], T] = unchanged) -> Iterator[T]:
    """One Checked row per message of `inputs` (paths of files or folders), in input order.

    Each message is judged by its marketplace's policy in force on its `sent_at`, unless `as_of`
    or `policy` is given. `jobs` > 1 spreads the work over that many processes; a process that
    dies is replaced and its messages judged again (permitted.pool), and `notify` hears of it.
    `timeout` (seconds) bounds the time one message may take: past it, the message is an error
    row (I192). A time limit needs a process to stop, so with one it is judged in a worker
    process even when `jobs` is 1. `policy_root`: the folder the policies' `extends:` may reach
    into (the command line's `--policy-root`, as for `check`). `render`: what is yielded for
    each row, made where the row is judged — in the worker processes when there are some, so
    that writing rows out (a JSON line each) runs in parallel too; with several processes it
    must be a module-level function (it may be sent to a worker)."""
    choice = choice_of(marketplace, as_of, policy)
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise UsageError([Diagnostic("U100", f"jobs must be a whole number of at least 1, not {jobs!r}")])
    if timeout is not None and not (isinstance(timeout, (int, float)) and not isinstance(timeout, bool)
                                    and timeout > 0):
        raise UsageError([Diagnostic("U100", f"timeout must be a number of seconds above 0, not {timeout!r}")])
    judge = Judge(choice, default_store(policy_root))   # fails here, once, when the choice names no policy
    if jobs == 1 and timeout is None:
        for source, envelope in envelopes(inputs, fields, limit=limit, api_operation=api_operation):
            yield render(judge.row(source, envelope))
        return
    # Here the files are only split into messages: the workers parse and check each JSONL line,
    # so that this process, which shares the cores with them, does as little per message as it can.
    read = LineReader(fields, limit)
    stream = envelopes(inputs, fields, limit=limit, api_operation=api_operation, lines_unread=True)
    first = next(stream, None)
    if first is None:
        return
    first = (first[0], read(first[1]))
    # Judged here, the first message loads what judging needs (its policy, the language and
    # spelling models) into this process, and every worker forked after it starts with them:
    # none pays for loading them again, a replacement for a dead worker included. Under a time
    # limit nothing is judged here, where it could not be stopped: a short message like the
    # first (its marketplace and day) does the loading, and the first goes to a worker.
    if timeout is None:
        yield render(judge.row(*first))
    else:
        judge.row("<loading>", _like(first[1]))
        stream = itertools.chain([first], stream)
    batches = iter(lambda: list(itertools.islice(stream, BATCH)), [])
    with Pool(jobs, choice, in_flight=jobs * IN_FLIGHT_PER_JOB, notify=notify, timeout=timeout,
              policy_root=policy_root, render=render, read=read) as pool:
        yield from pool.rows(batches)


@dataclass(frozen=True)
class LineReader:
    """Reads, in a worker, a JSONL line the parent left unread; any other envelope is as it was."""
    fields: Mapping | None
    limit: int

    def __call__(self, envelope):
        return read_line(envelope, self.fields, limit=self.limit) if isinstance(envelope, Part) else envelope


def _like(envelope) -> dict:
    """A short message judged by the policy that would judge `envelope`."""
    known = envelope if isinstance(envelope, Mapping) else {}
    return {**{k: known[k] for k in ("marketplace", "sent_at") if k in known}, "body": "Thank you for your order."}


@dataclass(frozen=True)
class Counted:
    """What a Tally counts of one row: small, so a worker can send it with the row's line."""
    marketplace: str
    verdict: str                  # the row's verdict: a Verdict, or "error"
    rules: tuple[str, ...]        # the rules that fired
    exit: Exit

    @classmethod
    def of(cls, row: Checked) -> "Counted":
        report = row.report
        return cls((report.marketplace if report is not None else None) or "?", row.verdict,
                   tuple(v.rule for v in report.violations) if report is not None else (),
                   exitcodes.row_exit(row))


class Tally:
    """What an audit's summary shows, counted row by row: verdicts per marketplace, the rules that
    fire most, and the exit code (the worst row)."""

    def __init__(self) -> None:
        self.verdicts: Counter = Counter()
        self.rules: Counter = Counter()
        self.worst = Exit.ALLOWED

    def add(self, row: Checked) -> None:
        self.count(Counted.of(row))

    def count(self, counted: Counted) -> None:
        self.verdicts[(counted.marketplace, counted.verdict)] += 1
        self.rules.update(counted.rules)
        self.worst = exitcodes.worst((self.worst, counted.exit))

    @property
    def total(self) -> int:
        return sum(self.verdicts.values())
