"""Judging processes for the batch audit, each holding its own work, so a process that dies costs
only the messages it held — and those get one more try.

Stage: the application layer under permitted.batch. Input: batches of (source, envelope) pairs
and the Choice that judges them. Output: the Checked rows of each batch (or what `render` makes
of each, in the worker), batches in the order they were read. Errors: none for a message: every
message in gives one row out.

Why not concurrent.futures: when one of its workers dies, the whole pool is broken, every task
in flight fails without saying which one the dead worker held, and its workers outlive a parent
stopped by a signal. Here each worker has its own pipe and holds one batch at a time, so:
- a worker that dies (killed, out of memory, a crash in a C library) is replaced, and the
  messages of the batch it held are judged again one by one; a message whose worker dies again
  becomes an error row (I191), the only row lost to it;
- neither side ever writes to a pipe the other is not reading (a worker is always waiting for
  its next batch when one is sent), so large messages cannot deadlock the two;
- closing the pool (at the end, on Ctrl-C or SIGTERM) stops every worker, and a worker whose
  parent is gone (killed outright) notices within a second and exits: no orphans;
- a worker sends each row as soon as it is judged, so the parent knows which message it is on
  and since when: one that runs past the time limit becomes an error row (I192), and its worker
  is stopped and replaced, the messages after it in the batch going to another.
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Callable, Iterable, Iterator

from dsl.contract.errors import Diagnostic, internal_error

from permitted.checking import Checked, Choice, Judge
from permitted.store import default_store

_STOP = None          # sent to a worker: no more work
_PARENT_CHECK = 1.0   # seconds between a waiting worker's checks that its parent is still there


def _context():
    # fork: workers start at once and share the parent's compiled policies; elsewhere, spawn.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def unchanged(value):
    """The default `render` and `read`: what it is given."""
    return value


def _serve(conn: Connection, choice: Choice, parent: int, inherited: list[Connection],
           policy_root: Path | None, render: Callable[[Checked], object], read: Callable) -> None:
    """A worker: judge each batch received and send its rows back, rendered, until told to stop."""
    # A forked worker holds copies of the parent's ends of every pipe, its own included: closed,
    # a parent that dies even half-way through sending a batch reads as EOF here, not as a read
    # that never ends.
    for end in inherited:
        end.close()
    # The parent decides what Ctrl-C and SIGTERM mean (it keeps the output whole and stops us);
    # they were blocked while this process was started, so no signal came in between.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    judge = Judge(choice, default_store(policy_root))
    while True:
        try:
            if not conn.poll(_PARENT_CHECK):
                if os.getppid() != parent:          # the parent was killed outright: nobody waits
                    return
                continue
            batch = conn.recv()
        except (EOFError, OSError):
            return
        if batch is _STOP:
            return
        # Each row goes back as soon as it is judged: the parent times each message from the
        # moment the row before it arrived (see Pool's `timeout`).
        for source, envelope in batch:
            try:
                # sent as pickled bytes, which the parent's recv() reads as the object
                conn.send_bytes(_pickled(judge.row(source, read(envelope)), render))
            except (EOFError, OSError):
                return


def _pickled(row: Checked, render: Callable[[Checked], object]) -> bytes:
    """The row rendered and pickled, or, if either fails, its message's I190 row."""
    try:
        return pickle.dumps(render(row), pickle.HIGHEST_PROTOCOL)
    except Exception as exc:            # noqa: BLE001 — its message's error row, not a dead worker
        return pickle.dumps(render(Checked(row.source, None, error=(internal_error(exc, row.source),))),
                            pickle.HIGHEST_PROTOCOL)


@dataclass
class _Slot:
    """One batch as read, in input order: its rows as they come back (None: not yet)."""
    items: list
    rows: list = field(default_factory=list)

    def __post_init__(self):
        self.rows = [None] * len(self.items)

    @property
    def done(self) -> bool:
        return all(r is not None for r in self.rows)


@dataclass
class _Task:
    slot: _Slot
    start: int                   # where the task's items begin in its slot
    items: list
    retry: bool = False          # a second try, after the worker holding it died
    done: int = 0                # rows received so far: items[done] is the message being judged


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    task: _Task | None = None
    since: float = 0.0           # time.monotonic() when its current message began


def _stopped(process) -> str:
    code = process.exitcode
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with code {code}"


class Pool:
    """`jobs` judging processes. `rows(batches)` judges the batches, yielding every row in input
    order; `close()` stops the workers (also on an exception: use it as a context manager).
    `notify` hears, in words, of each worker that stopped and what became of its messages.
    With `timeout` (seconds), a message still being judged after that long becomes an error row
    (I192) and its worker is stopped and replaced; the other messages it held are judged again.
    `render` turns each row into what is yielded, in the worker that judged it (so it is sent
    to the worker: a module-level function), or here for the error rows made here. `read` turns
    each envelope of a batch into what is judged, in the worker (the JSONL lines the reader left
    unread, permitted.batch)."""

    def __init__(self, jobs: int, choice: Choice, *, in_flight: int,
                 notify: Callable[[str], None] | None = None, timeout: float | None = None,
                 policy_root: Path | None = None, render: Callable[[Checked], object] = unchanged,
                 read: Callable = unchanged):
        self.jobs = jobs
        self.render = render                # applied to each row where it is made: in the worker, or here
        self.read = read                    # applied to each envelope in the worker, before it is judged
        self.policy_root = policy_root      # the folder `extends:` may reach into, as for the parent's judge
        self.choice = choice
        self.timeout = timeout
        self.in_flight = in_flight        # batches read and not yet yielded, at most: memory stays flat
        self.notify = notify or (lambda message: None)
        self.workers: list[_Worker] = []
        self.context = _context()

    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self) -> _Worker:
        parent_end, child_end = self.context.Pipe()
        # Only a forked worker inherits this process's ends of the pipes (spawn passes none).
        inherited = [parent_end, *(w.conn for w in self.workers)] if self.context.get_start_method() == "fork" else []
        process = self.context.Process(target=_serve, daemon=True,
                                       args=(child_end, self.choice, os.getpid(), inherited, self.policy_root,
                                             self.render, self.read))
        # Block Ctrl-C and SIGTERM while the worker starts: it inherits this process's handlers
        # until it sets its own, and must not run the parent's.
        masked = hasattr(signal, "pthread_sigmask")
        if masked:
            old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            process.start()
        finally:
            if masked:
                signal.pthread_sigmask(signal.SIG_SETMASK, old)
        child_end.close()                 # only the worker holds its end: its death reads as EOF here
        worker = _Worker(process, parent_end)
        self.workers.append(worker)
        return worker

    def rows(self, batches: Iterable[list]) -> Iterator[Checked]:
        batches = iter(batches)
        slots: deque[_Slot] = deque()     # read, in input order, not yet yielded
        waiting: deque[_Task] = deque()   # not yet given to a worker; second tries go first
        exhausted = False

        def read_ahead() -> None:
            nonlocal exhausted
            if not waiting and not exhausted and len(slots) < self.in_flight:
                batch = next(batches, None)
                if batch is None:
                    exhausted = True
                    return
                slot = _Slot(list(batch))
                slots.append(slot)
                waiting.append(_Task(slot, 0, slot.items))

        while True:
            while slots and slots[0].done:
                yield from slots.popleft().rows
            while len(self.workers) < self.jobs and (waiting or not exhausted):
                self._start()
            for worker in [w for w in self.workers if w.task is None]:
                read_ahead()
                if not waiting:
                    break
                self._give(worker, waiting.popleft(), waiting)
            read_ahead()                      # the next batch is ready when a worker is
            busy = [w for w in self.workers if w.task is not None]
            if not busy:
                if not (slots or waiting) and exhausted:
                    return
                continue                      # rows set without a worker, or work for a new one
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=self._wait_for(busy))
            for worker in busy:
                if worker.conn in ready or worker.process.sentinel in ready:
                    self._collect(worker, waiting)
                elif self.timeout is not None and time.monotonic() - worker.since > self.timeout:
                    self._overran(worker, waiting)

    def _wait_for(self, busy: list[_Worker]) -> float | None:
        """How long to wait for a row before one of the busy workers' messages runs out of time."""
        if self.timeout is None:
            return None
        return max(0.0, min(w.since for w in busy) + self.timeout - time.monotonic())

    def _give(self, worker: _Worker, task: _Task, waiting: deque) -> None:
        try:
            worker.conn.send(task.items)
        except (OSError, EOFError):          # it died while idle: the task goes to its replacement
            self._lost(worker, None, waiting)
            waiting.appendleft(task)
            return
        except Exception as exc:             # noqa: BLE001 — a message that cannot be pickled (nothing was sent)
            if len(task.items) > 1:
                waiting.extendleft(reversed(self._singles(task, task.retry)))
            else:
                source = task.items[0][0]
                task.slot.rows[task.start] = self.render(Checked(source, None, error=(internal_error(exc, source),)))
            return
        worker.task = task
        worker.since = time.monotonic()

    def _collect(self, worker: _Worker, waiting: deque) -> None:
        task = worker.task
        try:
            row = worker.conn.recv()
        except (EOFError, OSError):          # dead, perhaps half-way through sending
            self._lost(worker, task, waiting)
            return
        task.slot.rows[task.start + task.done] = row
        task.done += 1
        worker.since = time.monotonic()
        if task.done == len(task.items):
            worker.task = None

    def _overran(self, worker: _Worker, waiting: deque) -> None:
        """A message took longer than the time limit: its error row, a new worker in place of the
        one judging it (a judge stuck in a library cannot be interrupted, only stopped), and the
        messages the worker had not reached yet go back to be judged."""
        task = worker.task
        worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()
        self.workers.remove(worker)
        source = task.items[task.done][0]
        task.slot.rows[task.start + task.done] = self.render(Checked(source, None, error=(Diagnostic(
            "I192", f"{source}: could not be judged within {self.timeout:g} s",
            help="a message of a megabyte of prose or emoticons can take that long: check it on its own "
                 "with `permitted check`, or give audit a longer --message-timeout"),)))
        rest = task.done + 1
        if rest < len(task.items):
            waiting.appendleft(_Task(task.slot, task.start + rest, task.items[rest:], task.retry))
        self.notify(f"{source}: still being judged after {self.timeout:g} s; written as an error row, "
                    "and its judging process replaced")

    def _singles(self, task: _Task, retry: bool) -> list[_Task]:
        return [_Task(task.slot, task.start + i, [item], retry) for i, item in enumerate(task.items)]

    def _lost(self, worker: _Worker, task: _Task | None, waiting: deque) -> None:
        """A worker died: forget it (a replacement starts when there is work), and give what it
        held one more try, message by message — or, for a message already tried twice, an
        error row."""
        worker.process.join(timeout=5)
        how = _stopped(worker.process)
        worker.conn.close()
        self.workers.remove(worker)
        if task is None:
            self.notify(f"a judging process stopped ({how}) between batches; another takes its place")
            return
        if task.done:                         # the rows it sent stand; only the rest are tried again
            task = _Task(task.slot, task.start + task.done, task.items[task.done:], task.retry)
        if not task.retry:
            waiting.extendleft(reversed(self._singles(task, True)))
            self.notify(f"a judging process stopped ({how}) while holding {len(task.items)} "
                        f"message{'s' if len(task.items) != 1 else ''}; judging them again, one by one")
            return
        source = task.items[0][0]
        task.slot.rows[task.start] = self.render(Checked(source, None, error=(Diagnostic(
            "I191", f"{source}: could not be judged: the process judging it stopped ({how}), twice",
            help="the message may need more memory or time than a worker has, or may crash a library: "
                 "check it on its own with `permitted check`"),)))
        self.notify(f"{source}: the process judging it stopped again ({how}); written as an error row")

    def close(self) -> None:
        """Stop every worker: ask politely, then terminate, then kill; wait for each."""
        for worker in self.workers:
            try:
                if worker.task is None:
                    worker.conn.send(_STOP)
            except (OSError, EOFError):
                pass
        for worker in self.workers:
            if worker.task is not None and worker.process.is_alive():
                worker.process.terminate()         # busy: its batch is not wanted any more
        for worker in self.workers:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
        self.workers.clear()
