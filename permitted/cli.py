"""The `permitted` command line: the parser of every verb, and the one place that turns problems
into exit codes.

`main(argv, console, err_console) -> int` is the testable entry point; `run()` is the console
script. Each verb lives in its own module under permitted/commands, which adds its parser and
names the function that runs it. Only the module of the verb being run is imported: `VERBS`
holds each verb's module and the line `permitted --help` shows for it, so a `check` does not pay
for the compiler, the solver, the web service or Dask that other verbs need. Policy mistakes are
shown as diagnostics with exit code 2; only bugs show a traceback (exit code 70).
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from rich.console import Console

from dsl.contract.errors import Problem

from permitted import exitcodes
from permitted.exitcodes import Exit

# verb -> (the module that adds its parser and runs it, the line `permitted --help` shows), in
# the order `permitted --help` lists them: judging messages first, then writing policies.
VERBS = {
    "check": ("permitted.commands.check", "judge messages: verdict, broken rules, highlighted text, how to fix"),
    "audit": ("permitted.commands.audit", "re-check an archive: one JSONL result row per message, on all cores"),
    "eval": ("permitted.commands.eval", "measure a policy against labelled messages: agreement, confusion, per-rule precision"),
    "coverage": ("permitted.commands.coverage",
                 "show each guideline clause, the rules that encode it and their examples"),
    "diff": ("permitted.commands.diff", "what changes between two policy versions or marketplaces"),
    "lint": ("permitted.commands.lint", "compile policy files and report every error"),
    "test": ("permitted.commands.test", "run every rule's examples"),
    "fmt": ("permitted.commands.fmt", "rewrite conditions in canonical form"),
    "explain": ("permitted.commands.explain", "show a rule: clause, condition, facts it reads, examples"),
    "facts": ("permitted.commands.facts", "list the facts a rule may use, with types and descriptions"),
    "facts-of": ("permitted.commands.facts", "show the facts the rules see in a message"),
    "policies": ("permitted.commands.policies", "list the bundled policy versions"),
    "serve": ("permitted.commands.serve", "run the HTTP service: POST /v1/check before each message is sent"),
}


def _verb_of(argv: list[str]) -> str | None:
    """The verb argv runs, if it names one: the first word, as the top level has no options of
    its own but --help."""
    return argv[0] if argv and argv[0] in VERBS else None


def parser(verb: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser: with `verb`, that verb's own parser (its module imported to add
    it); without, every verb listed with its help line and nothing imported."""
    p = argparse.ArgumentParser(prog="permitted", description="Check messages to marketplace buyers against "
                                "the marketplace's communication guidelines, written as rules-as-data.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    if verb is not None:
        importlib.import_module(VERBS[verb][0]).add_parser(sub)
    else:                   # `permitted --help`, or no verb at all: their names and help lines
        for name, (_, help_line) in VERBS.items():
            sub.add_parser(name, help=help_line, add_help=False)
    return p


def main(argv: list[str] | None = None, console: Console | None = None, err_console: Console | None = None) -> int:
    console = console or Console()
    err = err_console or Console(stderr=True)
    try:
        try:
            # An option's value checked while parsing (--jobs 0, --max-size -1) raises a UsageError.
            argv = sys.argv[1:] if argv is None else list(argv)
            args = parser(_verb_of(argv)).parse_args(argv)
        except SystemExit as exc:        # argparse has printed its message
            return int(exc.code or 0)
        return int(args.run(args, console, err))
    except Problem as problem:
        from permitted.views import terminal as render

        err.print(render.diagnostics(problem.diagnostics), end="", soft_wrap=True)
        return int(exitcodes.for_diagnostics(problem.diagnostics))


def run() -> None:
    try:
        code = main(sys.argv[1:])
    except KeyboardInterrupt:
        code = Exit.INTERRUPTED
    except BrokenPipeError:
        # The reader of our output has gone (`| head`): stop quietly, as a command stopped by
        # SIGPIPE does (the workers are already stopped: every command closes them on the way out).
        # Standard output goes to /dev/null so the interpreter's last flush has nowhere to fail.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = Exit.CLOSED_OUTPUT
    except Exception:                # a bug: show it, with the code that says so
        Console(stderr=True).print_exception()
        code = Exit.INTERNAL
    sys.exit(code)
