"""The `check` and `audit` commands: argument parsing and output, over permitted.checking/batch.

Stage: the command line. Input: parsed arguments and the consoles. Output: reports on the
console or in a file, and the exit code — the worst verdict of the messages (DESIGN.md).
`audit` writes one JSONL row per message as soon as it is judged, so an interrupted run leaves a
valid file holding every row finished so far.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn, \
    TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from dsl.contract.errors import Diagnostic, UsageError
from dsl.contract.resources import display_path
from interpreter.read.envelope import DEFAULT_LIMIT

from permitted import __version__, messages
from permitted.batch import audit, default_jobs
from permitted.checking import Checked, Choice, Judge, count_messages
from permitted.exitcodes import Exit, VERDICT_EXIT
from permitted.expectations import Outcome, load_expectations

FORMATS = ("text", "json", "sarif", "html")
_RANK = {Exit.ALLOWED: 0, Exit.REVIEW: 1, Exit.BLOCKED: 2, Exit.INVALID_INPUT: 3}


def _choice_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("which policy judges each message")
    g.add_argument("--as-of", type=messages.date_argument, metavar="DATE",
                   help="the version in force on DATE (default: the day each message was sent, else today)")
    g.add_argument("--policy", metavar="FILE|ID", help="one policy for every message: a file or an id such as us@2018-10-12")


def _check_arguments(p: argparse.ArgumentParser) -> None:
    """The message arguments of `check`; entries of an expectations file are parsed with them too."""
    p.add_argument("messages", nargs="*", metavar="MESSAGE",
                   help="a .txt, .html, .eml, .json or .yaml message, a folder, an .mbox or .jsonl of many; - for standard input")
    _choice_options(p)
    messages.add_envelope_options(p)


def add_parsers(sub) -> None:
    check = sub.add_parser("check", help="judge messages: verdict, broken rules, highlighted text, how to fix",
                           description="Judge each MESSAGE by its marketplace's policy in force when it was sent.")
    _check_arguments(check)
    check.add_argument("--format", "-f", choices=FORMATS, default="text",
                       help="text (default), json (the stable report contract), sarif (SARIF 2.1.0), html (a standalone page)")
    check.add_argument("--out", "-o", metavar="FILE", help="write the report to FILE instead of standard output")
    check.add_argument("--exit-zero", action="store_true",
                       help="exit 0 when every message was judged, whatever the verdicts (for showing reports)")
    check.add_argument("--expect", metavar="FILE",
                       help="check the messages an expectations file lists (each with its flags) and compare "
                            "their verdicts and rules with the expected ones; exit 1 on a difference")

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
    _choice_options(aud)


def _exit_of(row: Checked) -> Exit:
    return VERDICT_EXIT[row.verdict] if row.ok else Exit.INVALID_INPUT


def _worst(codes) -> Exit:
    return max(codes, key=_RANK.__getitem__, default=Exit.ALLOWED)


def _rows(args) -> list[Checked]:
    judge = Judge(Choice(args.marketplace, args.as_of, args.policy))
    return [judge.row(source, envelope) for name in args.messages for source, envelope in messages.read(name, args)]


class _EntryParser(argparse.ArgumentParser):
    def error(self, message: str):
        raise UsageError([Diagnostic("U100", f"flags of an expectations entry: {message}")])


def _expected_rows(args) -> list[Outcome]:
    parser = _EntryParser(prog="permitted check", add_help=False)
    _check_arguments(parser)
    outcomes = []
    for entry in load_expectations(args.expect):
        entry_args = parser.parse_args([display_path(entry.file), *entry.flags])
        rows = _rows(entry_args)
        if len(rows) != 1:
            raise UsageError([Diagnostic("U100", f"{args.expect}: {entry.file} holds {len(rows)} messages; "
                                                 "an expectations entry names one message")])
        outcomes.append(Outcome(entry, rows[0]))
    return outcomes


def _expectations_table(outcomes: list[Outcome]) -> Table:
    """The messages not judged as expected (the matches are only counted below the table)."""
    styles = {"match": "green", "differs": "bold red", "known gap": "yellow", "gap closed": "bold cyan"}
    table = Table(title="expectations: messages not judged as expected")
    table.add_column("message", no_wrap=True)
    for name in ("expected", "judged"):
        table.add_column(name, no_wrap=True)
    table.add_column("rules missing / not expected", overflow="fold")
    table.add_column("", no_wrap=True)
    for o in outcomes:
        if o.status == "match":
            continue
        rules = [f"-{r}" for r in sorted(o.missing)] + [f"+{r}" for r in sorted(o.unexpected)]
        table.add_row(o.expectation.file.name, o.expectation.verdict, o.row.verdict, "\n".join(rules),
                      Text(o.status, style=styles[o.status]))
    return table


def _write(text: str, out: str | None, console: Console) -> None:
    if out is None:
        console.print(text, end="" if text.endswith("\n") else "\n", markup=False, highlight=False, soft_wrap=True)
        return
    try:
        Path(out).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as exc:
        raise UsageError([Diagnostic("U100", f"cannot write {out}: {exc.strerror or exc}")]) from None


def cmd_check(args, console: Console, err: Console) -> Exit:
    if args.messages.count("-") > 1:
        raise UsageError([Diagnostic("U100", "standard input (`-`) can be read only once")])
    if bool(args.messages) == bool(args.expect):
        raise UsageError([Diagnostic("U100", "give the messages to check, or --expect FILE, not both"
                                     if args.messages else "no messages to check",
                                     help="permitted check MESSAGE… --marketplace UK, or permitted check --expect examples/expected.yaml")])
    outcomes = _expected_rows(args) if args.expect else None
    rows = [o.row for o in outcomes] if outcomes is not None else _rows(args)
    if args.format == "json":
        data = rows[0].to_json() if len(rows) == 1 and outcomes is None else [r.to_json() for r in rows]
        if outcomes is not None:
            for item, o in zip(data, outcomes):
                item["expected"] = {"verdict": o.expectation.verdict, "rules": sorted(o.expectation.rules),
                                    "status": o.status}
        _write(json.dumps(data, ensure_ascii=False, indent=2), args.out, console)
    elif args.format == "sarif":
        from permitted.views.sarif import sarif_log
        _write(json.dumps(sarif_log(rows, __version__), ensure_ascii=False, indent=2, sort_keys=True), args.out, console)
    elif args.format == "html":
        from permitted.views.html import html_page
        _write(html_page(rows), args.out, console)
    else:
        from permitted.views.report import report_view, summary_view
        target = console if args.out is None else Console(file=open(args.out, "w", encoding="utf-8"), width=100,
                                                          color_system=None)
        for i, row in enumerate(rows):
            if i:
                target.print()
            target.print(report_view(row))
        if len(rows) > 1:
            target.print()
            target.print(summary_view(rows))
        if outcomes is not None:
            target.print()
            target.print(_expectations_table(outcomes))
            counts = Counter(o.status for o in outcomes)
            target.print(", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
        if args.out is not None:
            target.file.close()
    if outcomes is not None:
        return Exit.ALLOWED if all(o.ok for o in outcomes) else Exit.BLOCKED
    worst = _worst(_exit_of(r) for r in rows)
    return Exit.ALLOWED if args.exit_zero and worst != Exit.INVALID_INPUT else worst


# ---- audit -----------------------------------------------------------------------------------

class Tally:
    """What the summary table shows: verdicts per marketplace and the rules that fire most."""

    def __init__(self) -> None:
        self.verdicts: Counter = Counter()
        self.rules: Counter = Counter()
        self.worst = Exit.ALLOWED

    def add(self, row: Checked) -> None:
        market = (row.report.marketplace if row.report is not None else None) or "?"
        self.verdicts[(market, row.verdict)] += 1
        if row.report is not None:
            self.rules.update(v.rule for v in row.report.violations)
        self.worst = _worst((self.worst, _exit_of(row)))

    @property
    def total(self) -> int:
        return sum(self.verdicts.values())

    def tables(self, top: int) -> list[Table]:
        columns = ("allowed", "review", "blocked", "error")
        verdicts = Table("marketplace", *columns, "total", title="verdicts")
        for market in sorted({m for m, _ in self.verdicts}):
            counts = [self.verdicts[(market, c)] for c in columns]
            verdicts.add_row(market, *map(str, counts), str(sum(counts)))
        out = [verdicts]
        if self.rules:
            rules = Table("rule", "messages", title=f"most frequent rules (top {min(top, len(self.rules))})")
            for rule, n in self.rules.most_common(top):
                rules.add_row(rule, str(n))
            out.append(rules)
        return out


def _progress(err: Console, show: bool) -> Progress:
    return Progress(TextColumn("auditing"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                    TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                    console=err, disable=not show)


def cmd_audit(args, console: Console, err: Console) -> Exit:
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
    for table in tally.tables(args.top):
        err.print(table)
    where = f" to {args.out}" if args.out else ""
    err.print(f"{tally.total:,} message{'s' if tally.total != 1 else ''} audited{where}"
              + (" (interrupted: the file holds every row finished so far)" if interrupted else ""))
    return Exit.INTERRUPTED if interrupted else tally.worst
