"""`permitted audit`: re-check an archive, one JSONL result row per message, on every core.

Input: parsed arguments and the consoles. Output: the rows (standard output or `--out`), a progress
bar and the summary tables on standard error, and the exit code — the worst verdict. Each row is
written as soon as it is judged, so an interrupted run leaves a valid file holding every row
finished so far.
"""
from __future__ import annotations

import json
import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, \
    TimeElapsedColumn, TimeRemainingColumn

from dsl.contract.errors import Diagnostic, UsageError
from interpreter.read.envelope import DEFAULT_LIMIT

from permitted.batch import Tally, audit, default_jobs
from permitted.checking import count_messages
from permitted.commands.options import choice_options
from permitted.exitcodes import Exit
from permitted.views.audit import summary_tables


def add_parser(sub) -> None:
    aud = sub.add_parser("audit", help="re-check an archive: one JSONL result row per message, on all cores",
                         description="Judge every message of the inputs and write one result row per message.")
    aud.add_argument("inputs", nargs="+", metavar="INPUT", help="JSONL or mbox archives, message files, folders")
    aud.add_argument("--out", "-o", metavar="FILE", help="write the JSONL rows to FILE (default: standard output)")
    aud.add_argument("--jobs", "-j", type=int, default=default_jobs(), metavar="N",
                     help=f"processes to use (default: every core, here {default_jobs()})")
    aud.add_argument("--marketplace", "-m", metavar="M", help="for messages that do not name their marketplace")
    aud.add_argument("--max-size", type=int, default=DEFAULT_LIMIT, metavar="BYTES",
                     help=f"refuse messages larger than this (default {DEFAULT_LIMIT:,})")
    aud.add_argument("--no-progress", action="store_true", help="no progress bar")
    aud.add_argument("--top", type=int, default=10, metavar="N", help="rules shown in the summary (default 10)")
    choice_options(aud)
    aud.set_defaults(run=run)


def _progress(err: Console, show: bool) -> Progress:
    return Progress(TextColumn("auditing"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                    TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                    console=err, disable=not show)


def run(args, console: Console, err: Console) -> Exit:
    if args.jobs < 1:
        raise UsageError([Diagnostic("U100", f"--jobs must be at least 1, not {args.jobs}")])
    rows = audit(args.inputs, marketplace=args.marketplace, as_of=args.as_of, policy=args.policy, jobs=args.jobs,
                 limit=args.max_size)
    tally = Tally()
    show = not args.no_progress and err.is_terminal
    try:
        out = open(args.out, "wb") if args.out else sys.stdout.buffer
    except OSError as exc:
        raise UsageError([Diagnostic("U100", f"cannot write {args.out}: {exc.strerror or exc}")]) from None
    interrupted = False
    done = 0                               # bytes of complete rows: an interrupted file is cut back to it
    with _progress(err, show) as progress:
        task = progress.add_task("audit", total=count_messages(args.inputs) if show else None, rate="")
        try:
            for row in rows:
                line = (json.dumps(row.to_json(), ensure_ascii=False) + "\n").encode("utf-8")
                out.write(line)
                done += len(line)
                tally.add(row)
                if show:
                    elapsed = progress.tasks[0].elapsed or 0
                    progress.update(task, advance=1, rate=f"{tally.total / elapsed:,.0f} msg/s" if elapsed else "")
        except KeyboardInterrupt:
            interrupted = True
        finally:
            out.flush()
            if args.out:
                if interrupted:
                    out.truncate(done)
                out.close()
    for table in summary_tables(tally, args.top):
        err.print(table)
    where = f" to {args.out}" if args.out else ""
    err.print(f"{tally.total:,} message{'s' if tally.total != 1 else ''} audited{where}"
              + (" (interrupted: the file holds every row finished so far)" if interrupted else ""))
    return Exit.INTERRUPTED if interrupted else tally.worst
