"""The `permitted` command line: the parser of every verb, and the one place that turns problems
into exit codes.

`main(argv, console, err_console) -> int` is the testable entry point; `run()` is the console
script. Each verb lives in its own module under permitted/commands, which adds its parser and
names the function that runs it. Policy mistakes are shown as diagnostics with exit code 2; only
bugs show a traceback (exit code 70).
"""
from __future__ import annotations

import argparse
import sys

from rich.console import Console

from dsl.contract.errors import Problem

from permitted import exitcodes
from permitted.commands import audit, check, coverage, diff, explain, facts, fmt, lint, policies, test
from permitted.commands import eval as eval_verb     # not `eval`: the builtin keeps its name here
from permitted.exitcodes import Exit
from permitted.views import terminal as render

# In the order `permitted --help` lists them: judging messages first, then writing policies.
VERBS = (check, audit, eval_verb, coverage, diff, lint, test, fmt, explain, facts, policies)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="permitted", description="Check messages to marketplace buyers against "
                                "the marketplace's communication guidelines, written as rules-as-data.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for verb in VERBS:
        verb.add_parser(sub)
    return p


def main(argv: list[str] | None = None, console: Console | None = None, err_console: Console | None = None) -> int:
    console = console or Console()
    err = err_console or Console(stderr=True)
    try:
        try:
            # An option's value checked while parsing (--jobs 0, --max-size -1) raises a UsageError.
            args = parser().parse_args(argv)
        except SystemExit as exc:        # argparse has printed its message
            return int(exc.code or 0)
        return int(args.run(args, console, err))
    except Problem as problem:
        err.print(render.diagnostics(problem.diagnostics), end="", soft_wrap=True)
        return int(exitcodes.for_diagnostics(problem.diagnostics))


def run() -> None:
    try:
        code = main(sys.argv[1:])
    except KeyboardInterrupt:
        code = Exit.INTERRUPTED
    except Exception:                # a bug: show it, with the code that says so
        Console(stderr=True).print_exception()
        code = Exit.INTERNAL
    sys.exit(code)
