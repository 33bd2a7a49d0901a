"""`permitted audit`: re-check an archive, one JSONL result row per message, on every core.

Input: parsed arguments and the consoles. Output: the rows (standard output or `--out`), a progress
bar and the summary tables on standard error, and the exit code — the worst verdict. Each row is
written as soon as it is judged, so an interrupted run (Ctrl-C, or SIGTERM) leaves a valid file
holding every row finished so far, shows the summary and stops its workers.
"""
from __future__ import annotations

import signal
import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, \
    TimeElapsedColumn, TimeRemainingColumn
from rich.text import Text

from interpreter.read.envelope import DEFAULT_LIMIT

from permitted.batch import Tally, audit, default_jobs
from permitted.checking import count_messages
from permitted.commands.messages import at_least
from permitted.commands.options import choice_options
from permitted.commands.output import open_output
from permitted.exitcodes import Exit
from permitted.views.audit import summary_tables
from permitted.views.visible import json_text, visible, visible_line


def add_parser(sub) -> None:
    aud = sub.add_parser("audit", help="re-check an archive: one JSONL result row per message, on all cores",
                         description="Judge every message of the inputs and write one result row per message.")
    aud.add_argument("inputs", nargs="+", metavar="INPUT", help="JSONL or mbox archives, message files, folders")
    aud.add_argument("--out", "-o", metavar="FILE", help="write the JSONL rows to FILE (default: standard output)")
    aud.add_argument("--jobs", "-j", type=at_least(1, "--jobs"), default=default_jobs(), metavar="N",
                     help=f"processes to use (default: every core, here {default_jobs()})")
    aud.add_argument("--marketplace", "-m", metavar="M", help="for messages that do not name their marketplace")
    aud.add_argument("--max-size", type=at_least(1, "--max-size"), default=DEFAULT_LIMIT, metavar="BYTES",
                     help=f"refuse messages larger than this (default {DEFAULT_LIMIT:,})")
    aud.add_argument("--no-progress", action="store_true", help="no progress bar")
    aud.add_argument("--top", type=at_least(1, "--top"), default=10, metavar="N", help="rules shown in the summary (default 10)")
    choice_options(aud)
    aud.set_defaults(run=run)


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


def run(args, console: Console, err: Console) -> Exit:
    tally = Tally()
    show = not args.no_progress and err.is_terminal
    out = open_output(args.out, "wb") if args.out else sys.stdout.buffer
    interrupted = False
    done = 0                               # bytes of complete rows: an interrupted file is cut back to it
    restore = _stop_on_sigterm()
    try:
        with _progress(err, show) as progress:
            def notify(message: str) -> None:
                progress.console.print(Text(visible(message), style="yellow"))

            rows = audit(args.inputs, marketplace=args.marketplace, as_of=args.as_of, policy=args.policy,
                         jobs=args.jobs, limit=args.max_size, notify=notify)
            task = progress.add_task("audit", total=count_messages(args.inputs) if show else None, rate="")
            try:
                for row in rows:
                    line = (json_text(row.to_json()) + "\n").encode("utf-8")
                    out.write(line)
                    done += len(line)
                    tally.add(row)
                    if show:
                        elapsed = progress.tasks[0].elapsed or 0
                        progress.update(task, advance=1, rate=f"{tally.total / elapsed:,.0f} msg/s" if elapsed else "")
            except KeyboardInterrupt:
                interrupted = True
            finally:
                rows.close()               # stops the workers now, whatever ended the loop
                out.flush()
                if args.out:
                    if interrupted:
                        out.truncate(done)
                    out.close()
    finally:
        restore()
    for table in summary_tables(tally, args.top):
        err.print(table)
    where = f" to {visible_line(args.out)}" if args.out else ""
    err.print(Text(f"{tally.total:,} message{'s' if tally.total != 1 else ''} audited{where}"
                   + (" (interrupted: the file holds every row finished so far)" if interrupted else "")))
    return Exit.INTERRUPTED if interrupted else tally.worst
