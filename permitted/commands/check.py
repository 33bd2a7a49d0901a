"""`permitted check`: judge messages and show the reports, or compare them with expectations.

Input: parsed arguments and the consoles. Output: reports on the console or in a file (text,
JSON, SARIF, HTML), and the exit code — the worst verdict of the messages (DESIGN.md). The
renderings are imported only for the format asked for, so a plain check starts quickly.
"""
from __future__ import annotations

import argparse
from collections import Counter

from rich.console import Console
from rich.table import Table
from rich.text import Text

from dsl.contract.errors import Diagnostic, UsageError
from dsl.contract.resources import display_path

from permitted import exitcodes
from permitted.checking import Checked, Choice, Judge
from permitted.commands import messages
from permitted.commands.options import choice_options, policy_root_option
from permitted.commands.output import open_output, write_document
from permitted.exitcodes import Exit
from permitted.expectations import Outcome, load_expectations
from permitted.store import default_store
from permitted.views.visible import json_text, visible_line

FORMATS = ("text", "json", "sarif", "html")


def _check_arguments(p: argparse.ArgumentParser) -> None:
    """The message arguments of `check`; entries of an expectations file are parsed with them too."""
    p.add_argument("messages", nargs="*", metavar="MESSAGE",
                   help="a .txt, .html, .eml, .json or .yaml message, a folder, an .mbox or .jsonl of many; - for standard input")
    choice_options(p)
    messages.add_envelope_options(p)


def add_parser(sub) -> None:
    check = sub.add_parser("check", description="Judge each MESSAGE by its marketplace's policy in force when it was sent.")
    _check_arguments(check)
    check.add_argument("--format", "-f", choices=FORMATS, default="text",
                       help="text (default), json (the stable report contract), sarif (SARIF 2.1.0), html (a standalone page)")
    check.add_argument("--out", "-o", metavar="FILE", help="write the report to FILE instead of standard output")
    check.add_argument("--exit-zero", action="store_true",
                       help="exit 0 when every message was judged, whatever the verdicts (for showing reports)")
    check.add_argument("--expect", metavar="FILE",
                       help="check the messages an expectations file lists (each with its flags) and compare "
                            "their verdicts and rules with the expected ones; exit 1 on a difference")
    policy_root_option(check)
    check.set_defaults(run=run)


def _rows(args, policy_root=None) -> list[Checked]:
    judge = Judge(Choice(args.marketplace, args.as_of, args.policy), default_store(policy_root))
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
        rows = _rows(entry_args, args.policy_root)
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
        table.add_row(Text(visible_line(o.expectation.file.name)), o.expectation.verdict, o.row.verdict, "\n".join(rules),
                      Text(o.status, style=styles[o.status]))
    return table


def run(args, console: Console, err: Console) -> Exit:
    if args.messages.count("-") > 1:
        raise UsageError([Diagnostic("U100", "standard input (`-`) can be read only once")])
    if bool(args.messages) == bool(args.expect):
        raise UsageError([Diagnostic("U100", "give the messages to check, or --expect FILE, not both"
                                     if args.messages else "no messages to check",
                                     help="permitted check MESSAGE… --marketplace UK, or permitted check --expect examples/expected.yaml")])
    outcomes = _expected_rows(args) if args.expect else None
    rows = [o.row for o in outcomes] if outcomes is not None else _rows(args, args.policy_root)
    if args.format == "json":
        data = rows[0].to_json() if len(rows) == 1 and outcomes is None else [r.to_json() for r in rows]
        if outcomes is not None:
            for item, o in zip(data, outcomes):
                item["expected"] = {"verdict": o.expectation.verdict, "rules": sorted(o.expectation.rules),
                                    "status": o.status}
        write_document(json_text(data, indent=2), args.out, console)
    elif args.format == "sarif":
        from permitted import __version__
        from permitted.views.sarif import sarif_log
        write_document(json_text(sarif_log(rows, __version__), indent=2, sort_keys=True), args.out, console)
    elif args.format == "html":
        from permitted.views.html import html_page
        write_document(html_page(rows), args.out, console)
    else:
        from permitted.views.report import report_view, summary_view
        target = console if args.out is None else Console(file=open_output(args.out), width=100, color_system=None)
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
    worst = exitcodes.worst(exitcodes.row_exit(r) for r in rows)
    # --exit-zero forgives verdicts only: a message that could not be read or judged still counts.
    return Exit.ALLOWED if args.exit_zero and worst in exitcodes.VERDICT_EXIT.values() else worst
