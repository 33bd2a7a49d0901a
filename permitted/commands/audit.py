"""`permitted audit`: re-check an archive, one JSONL result row per message, on every core.

Input: parsed arguments and the consoles. Output: the rows (standard output or `--out`), a progress
bar and the summary tables on standard error, and the exit code — the worst verdict. Each row is
written as soon as it is judged, so an interrupted run (Ctrl-C, or SIGTERM) leaves a valid file
holding every row finished so far, shows the summary and stops its workers. With `--scheduler`
(or DASK_SCHEDULER_ADDRESS) or `--cluster local:N` the messages are judged on a Dask cluster
(permitted.distributed), partition by partition, and the same rows come back in the same order;
`--out-dir` leaves them on the cluster's side, one part file per partition and a manifest.
"""
from __future__ import annotations

import math
import signal
import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, \
    TimeElapsedColumn, TimeRemainingColumn
from rich.text import Text

from dsl.contract.errors import Diagnostic, UsageError
from interpreter.read.envelope import DEFAULT_LIMIT

from permitted.batch import Counted, Tally, audit, default_jobs
from permitted.checking import Checked, choice_of, count_messages
from permitted.commands.messages import at_least
from permitted.commands.options import choice_options, policy_root_option
from permitted.commands.output import open_output
from permitted.distributed import cluster
from permitted.distributed.cluster import connected, environment_scheduler
from permitted.distributed.partitions import partition_size
from permitted.distributed.work import Settings
from permitted.exitcodes import Exit
from permitted.views.audit import summary_tables
from permitted.views.visible import json_text, visible, visible_line


def add_parser(sub) -> None:
    aud = sub.add_parser("audit", description="Judge every message of the inputs and write one result row per message.")
    aud.add_argument("inputs", nargs="+", metavar="INPUT", help="JSONL or mbox archives, message files, folders")
    aud.add_argument("--out", "-o", metavar="FILE", help="write the JSONL rows to FILE (default: standard output)")
    aud.add_argument("--jobs", "-j", type=at_least(1, "--jobs"), default=default_jobs(), metavar="N",
                     help=f"processes to use (default: every core, here {default_jobs()})")
    aud.add_argument("--marketplace", "-m", metavar="M", help="for messages that do not name their marketplace")
    aud.add_argument("--max-size", type=at_least(1, "--max-size"), default=DEFAULT_LIMIT, metavar="BYTES",
                     help=f"refuse messages larger than this (default {DEFAULT_LIMIT:,})")
    aud.add_argument("--no-progress", action="store_true", help="no progress bar")
    aud.add_argument("--top", type=at_least(1, "--top"), default=10, metavar="N", help="rules shown in the summary (default 10)")
    aud.add_argument("--message-timeout", type=_seconds, default=MESSAGE_TIMEOUT, metavar="S",
                     help=f"a message still being judged after S seconds is an error row, I192 (default {MESSAGE_TIMEOUT:g})")
    choice_options(aud)
    policy_root_option(aud)
    dist = aud.add_argument_group("on a Dask cluster (pip install 'permitted[cluster]')")
    dist.add_argument("--scheduler", metavar="ADDRESS",
                      help="the scheduler of a running Dask cluster, e.g. tcp://host:8786 "
                           "(default: DASK_SCHEDULER_ADDRESS, if set)")
    dist.add_argument("--cluster", metavar="local:N", help="start a Dask cluster of N worker processes here")
    dist.add_argument("--out-dir", metavar="DIR",
                      help="write one part file per partition and manifest.json to DIR (new or empty) instead of --out")
    dist.add_argument("--partition-size", type=partition_size, default=None, metavar="BYTES",
                      help="input bytes per partition, e.g. 512K or 16M (default 4M)")
    aud.set_defaults(run=run)


# Seconds one message may take in an audit: ample for a typical message (milliseconds) and for
# most of a megabyte; past it the message is an error row rather than a stalled archive.
MESSAGE_TIMEOUT = 10.0


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise _usage(f"--message-timeout must be a number of seconds above 0, not {text!r}")
    return value


def row_line(row: Checked) -> bytes:
    """One row of the output: a JSON line. Workers of a distributed audit write rows with it too."""
    return (json_text(row.to_json()) + "\n").encode("utf-8")


def written(row: Checked) -> tuple[bytes, Counted]:
    """A row as a local audit's worker sends it: its line and what the summary counts of it, so
    this process only writes and adds up (it would otherwise take a share of every core)."""
    return row_line(row), Counted.of(row)


def _usage(message: str) -> UsageError:
    return UsageError([Diagnostic("U100", message)])


def _where(args) -> tuple[str | None, str | None] | None:
    """(scheduler, cluster) when the audit runs on Dask, else None; U100 for flags that clash."""
    if args.scheduler and args.cluster:
        raise _usage("give --scheduler or --cluster, not both")
    if args.out and args.out_dir:
        raise _usage("give --out or --out-dir, not both")
    scheduler = args.scheduler or (None if args.cluster else environment_scheduler())
    if not (scheduler or args.cluster):
        if args.out_dir or args.partition_size:
            raise _usage("--out-dir and --partition-size need a Dask cluster: --scheduler ADDRESS or --cluster local:N")
        return None
    return scheduler, args.cluster


def _progress(err: Console, show: bool) -> Progress:
    return Progress(TextColumn("auditing"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                    TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                    console=err, disable=not show)


def _stop_on_sigterm():
    """SIGTERM (a service manager, `kill`, a container stopping) ends the run like Ctrl-C: the
    rows finished so far stay whole, the summary is shown and the workers are stopped. Without
    this the process would die at once and leave its workers running, orphaned. Returns what
    to call to restore the previous handler (nothing to do off the main thread, where Python
    cannot set one)."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt
    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:                    # not the main thread: leave SIGTERM as it is
        return lambda: None
    return lambda: signal.signal(signal.SIGTERM, previous)


def _local(args, progress: Progress, task, tally: Tally, show: bool):
    """The rows' bytes of an audit on this machine, a row at a time."""
    def notify(message: str) -> None:
        # One line however long its file's path: a notice is read in logs and found with grep.
        progress.console.print(Text(visible(message), style="yellow"), soft_wrap=True)

    rows = audit(args.inputs, marketplace=args.marketplace, as_of=args.as_of, policy=args.policy,
                 jobs=args.jobs, limit=args.max_size, notify=notify, timeout=args.message_timeout,
                 policy_root=args.policy_root, render=written)
    if show:
        progress.update(task, total=count_messages(args.inputs))
    try:
        for line, counted in rows:
            tally.count(counted)
            _advance(progress, task, tally, 1, show)
            yield line
    finally:
        rows.close()                       # stops the workers now, whatever ended the loop


def _on_cluster(args, where, progress: Progress, task, tally: Tally, show: bool):
    """The rows' bytes of an audit on a Dask cluster, a partition at a time (none with --out-dir)."""
    settings = Settings(choice_of(args.marketplace, args.as_of, args.policy), None, args.max_size)
    with connected(*where) as client:
        for judged in cluster.run(client, args.inputs, settings, row_line, out_dir=args.out_dir,
                                  size=args.partition_size or cluster.DEFAULT_PARTITION,
                                  planned=lambda total: progress.update(task, total=total),
                                  judged=lambda n: _advance(progress, task, tally, n, show)):
            cluster.absorb(tally, judged.tally)
            yield judged.data or b""


def _advance(progress: Progress, task, tally: Tally, n: int, show: bool) -> None:
    if show:
        progress.update(task, advance=n)
        elapsed = progress.tasks[0].elapsed or 0
        done = progress.tasks[0].completed
        progress.update(task, rate=f"{done / elapsed:,.0f} msg/s" if elapsed else "")


def run(args, console: Console, err: Console) -> Exit:
    tally = Tally()
    show = not args.no_progress and err.is_terminal
    where = _where(args)
    out = None if args.out_dir else open_output(args.out, "wb") if args.out else sys.stdout.buffer
    interrupted = False
    done = 0                               # bytes of complete rows: an interrupted file is cut back to it
    restore = _stop_on_sigterm()
    try:
        with _progress(err, show) as progress:
            task = progress.add_task("audit", total=None, rate="")
            chunks = _local(args, progress, task, tally, show) if where is None else \
                _on_cluster(args, where, progress, task, tally, show)
            try:
                for chunk in chunks:
                    if out is not None:
                        out.write(chunk)
                        done += len(chunk)
            except KeyboardInterrupt:
                interrupted = True
            finally:
                chunks.close()             # stops the workers (or the cluster's work) now
                if out is not None:
                    out.flush()
                    if args.out:
                        if interrupted:
                            out.truncate(done)
                        out.close()
    finally:
        restore()
    for table in summary_tables(tally, args.top):
        err.print(table)
    target = args.out_dir or args.out
    into = f" to {visible_line(target)}" if target else ""
    err.print(Text(f"{tally.total:,} message{'s' if tally.total != 1 else ''} audited{into}"
                   + (" (interrupted: the file holds every row finished so far)" if interrupted else "")), soft_wrap=True)
    return Exit.INTERRUPTED if interrupted else tally.worst
