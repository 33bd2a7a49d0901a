"""Batch audit: judge a stream of messages on all cores, in input order, in bounded memory.

Stage: the application layer over permitted.checking. Input: files, folders, JSONL and mbox
archives. Output: an iterator of `Checked` rows, one per message in — a message that cannot be
read or judged is an error row, never a crash or a gap — in the order the messages were read.
Memory stays flat however long the input: at most `jobs × 4` batches are in flight at once.
Errors: a policy choice that names no policy raises PolicyError before any message is read.
"""
from __future__ import annotations

import itertools
import os
import signal
from collections import Counter, deque
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Iterable, Iterator, Mapping

from interpreter.read.envelope import DEFAULT_LIMIT

from permitted import exitcodes
from permitted.checking import Checked, Choice, Judge, envelopes
from permitted.exitcodes import Exit

BATCH = 32              # messages per task: big enough to amortise pickling, small enough to stream
IN_FLIGHT_PER_JOB = 4   # batches queued per worker, so no worker waits for the reader

_judge: Judge | None = None


def _start_worker(choice: Choice) -> None:
    global _judge
    # The parent handles Ctrl-C (it keeps the output file whole); workers just stop when told.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _judge = Judge(choice)


def _judge_batch(batch: list) -> list[Checked]:
    assert _judge is not None
    return [_judge.row(source, envelope) for source, envelope in batch]


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def audit(inputs: Iterable, *, marketplace: str | None = None, as_of=None, policy: str | None = None,
          jobs: int = 1, fields: Mapping | None = None, limit: int = DEFAULT_LIMIT,
          api_operation: str | None = None) -> Iterator[Checked]:
    """One Checked row per message of `inputs` (paths of files or folders), in input order.

    Each message is judged by its marketplace's policy in force on its `sent_at`, unless `as_of`
    or `policy` is given. `jobs` > 1 spreads the work over that many processes."""
    choice = Choice(marketplace, as_of, policy)
    judge = Judge(choice)             # fails here, once, when the choice names no policy
    stream = envelopes(inputs, fields, limit=limit, api_operation=api_operation)
    if jobs <= 1:
        for source, envelope in stream:
            yield judge.row(source, envelope)
        return
    batches = iter(lambda: list(itertools.islice(stream, BATCH)), [])
    pending: deque[Future] = deque()
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(choice,)) as pool:
        try:
            for batch in batches:
                pending.append(pool.submit(_judge_batch, batch))
                while len(pending) >= jobs * IN_FLIGHT_PER_JOB:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


class Tally:
    """What an audit's summary shows, counted row by row: verdicts per marketplace, the rules that
    fire most, and the exit code (the worst row)."""

    def __init__(self) -> None:
        self.verdicts: Counter = Counter()
        self.rules: Counter = Counter()
        self.worst = Exit.ALLOWED

    def add(self, row: Checked) -> None:
        market = (row.report.marketplace if row.report is not None else None) or "?"
        self.verdicts[(market, row.verdict)] += 1
        if row.report is not None:
            self.rules.update(v.rule for v in row.report.violations)
        self.worst = exitcodes.worst((self.worst, exitcodes.row_exit(row)))

    @property
    def total(self) -> int:
        return sum(self.verdicts.values())
