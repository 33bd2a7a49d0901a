"""The `permitted` command line. The only module that prints.

`main(argv, console, err_console) -> int` is the testable entry point; `run()` is the console
script. Policy mistakes are shown as diagnostics with exit code 2; only bugs show a traceback
(exit code 70).
"""
from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from dsl.compiler import compile_file, compile_policy
from dsl.contract.errors import Diagnostic, InputError, PolicyError, Problem, UsageError, did_you_mean
from dsl.contract.resources import display_path
from dsl.contract.schema import load_schema
from dsl.format.rewrite import format_text
from dsl.registry import in_force, policy_files, resolve, versions

from interpreter.facts.normalise import normalise

from permitted import coverage, diffing, messages
from permitted.commands import check as checkcli
from permitted.examples import run_examples
from permitted.exitcodes import Exit
from permitted.views import terminal as render


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="permitted", description="Check messages to marketplace buyers against "
                                "the marketplace's communication guidelines, written as rules-as-data.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    checkcli.add_parsers(sub)
    coverage.add_parser(sub)
    diffing.add_parser(sub)

    lint = sub.add_parser("lint", help="compile policy files and report every error")
    lint.add_argument("paths", nargs="*", metavar="POLICY", help="policy files or folders (default: the bundled policies)")
    lint.add_argument("--format", choices=["text", "json"], default="text")

    test = sub.add_parser("test", help="run every rule's examples")
    test.add_argument("policies", nargs="*", metavar="POLICY",
                      help="policy files, ids (uk@2020-11-06) or marketplaces (default: every bundled version)")
    test.add_argument("-k", dest="selector", metavar="TEXT", help="only examples whose name contains TEXT")
    test.add_argument("--format", choices=["text", "json"], default="text")

    fmt = sub.add_parser("fmt", help="rewrite conditions in canonical form")
    fmt.add_argument("paths", nargs="*", metavar="POLICY", help="policy files or folders (default: the bundled policies)")
    fmt.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file would be rewritten")
    fmt.add_argument("--diff", action="store_true", help="show what would change")

    explain = sub.add_parser("explain", help="show a rule: clause, condition, facts it reads, examples")
    explain.add_argument("rule", metavar="RULE_ID")
    _policy_options(explain)

    facts = sub.add_parser("facts", help="list the facts a rule may use, with types and descriptions")
    facts.add_argument("only", nargs="?", metavar="ROOT", help="only this group: message, order or history")
    facts.add_argument("--format", choices=["text", "json"], default="text")

    sub.add_parser("policies", help="list the bundled policy versions")

    facts_of = sub.add_parser("facts-of", help="show the facts the rules see in a message")
    facts_of.add_argument("message", metavar="MESSAGE",
                          help="a .txt, .html, .eml, .json or .yaml message, an .mbox or .jsonl of many; - for standard input")
    facts_of.add_argument("--format", choices=["text", "json"], default="text")
    messages.add_envelope_options(facts_of)
    return p


def _policy_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--marketplace", "-m", metavar="M", help="marketplace code: US, UK, SA, …")
    p.add_argument("--as-of", type=messages.date_argument, metavar="DATE", help="the version in force on DATE (default: today)")
    p.add_argument("--policy", metavar="FILE|ID", help="a policy file or id such as us@2018-10-12")


def main(argv: list[str] | None = None, console: Console | None = None, err_console: Console | None = None) -> int:
    console = console or Console()
    err = err_console or Console(stderr=True)
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:        # argparse has printed its message
        return int(exc.code or 0)
    try:
        return int(COMMANDS[args.command](args, console, err))
    except Problem as problem:
        err.print(render.diagnostics(problem.diagnostics), end="", soft_wrap=True)
        return int(Exit.INVALID_INPUT if problem.diagnostics[0].code.startswith("I") else Exit.USAGE)


def run() -> None:
    try:
        code = main(sys.argv[1:])
    except KeyboardInterrupt:
        code = Exit.INTERRUPTED
    except Exception:                # a bug: show it, with the code that says so
        Console(stderr=True).print_exception()
        code = Exit.INTERNAL
    sys.exit(code)


# ---- commands --------------------------------------------------------------------------------

def cmd_lint(args, console: Console, err: Console) -> Exit:
    files = policy_files(args.paths)
    results, failed = [], 0
    for f in files:
        name = display_path(f)
        try:
            policy = compile_file(f, name)
            results.append({"file": name, "ok": True, "policy": policy.id, "rules": len(policy.rules), "diagnostics": []})
            if args.format == "text":
                console.print(Text.assemble(("ok   ", "bold green"), f"{name}  ", (f"{policy.id}, {len(policy.rules)} rules", "dim")))
        except PolicyError as problem:
            failed += 1
            results.append({"file": name, "ok": False, "diagnostics": [d.to_json() for d in problem.diagnostics]})
            if args.format == "text":
                console.print(Text.assemble(("FAIL ", "bold red"), name))
                err.print(render.diagnostics(problem.diagnostics), end="", soft_wrap=True)
    if args.format == "json":
        console.print_json(json.dumps(results))
    else:
        errors = sum(len(r["diagnostics"]) for r in results)
        console.print(f"{len(files)} policy file{'s' if len(files) != 1 else ''} checked, "
                      f"{errors} error{'s' if errors != 1 else ''} in {failed} file{'s' if failed != 1 else ''}")
    return Exit.USAGE if failed else Exit.ALLOWED


def _test_targets(refs: list[str]) -> list[Path]:
    if refs:
        return [resolve(r) for r in refs]
    return [v.path for vs in versions().values() for v in vs]


def cmd_test(args, console: Console, err: Console) -> Exit:
    results = []
    for path in _test_targets(args.policies):
        policy = compile_policy(path)
        results.extend(run_examples(policy, args.selector))
    passed = sum(r.passed for r in results)
    failed = len(results) - passed
    if args.format == "json":
        console.print_json(json.dumps([{"name": r.name, "passed": r.passed, "problems": list(r.problems)} for r in results]))
    else:
        for r in results:
            console.print(render.example_line(r))
            if not r.passed:
                console.print(render.example_failure(r), end="")
        console.print(f"{passed} passed, {failed} failed")
    return Exit.BLOCKED if failed else Exit.ALLOWED


def cmd_fmt(args, console: Console, err: Console) -> Exit:
    changed, problems = [], []
    for f in policy_files(args.paths):
        name = display_path(f)
        text = f.read_text(encoding="utf-8")
        try:
            new = format_text(text, name)
        except PolicyError as problem:
            problems.extend(problem.diagnostics)
            continue
        if new == text:
            continue
        changed.append(name)
        if args.diff:
            console.print("".join(difflib.unified_diff(text.splitlines(True), new.splitlines(True), name, name)), end="",
                          markup=False, highlight=False, soft_wrap=True)
        if not args.check:
            f.write_text(new, encoding="utf-8")
    for name in changed:
        console.print(("would reformat " if args.check else "reformatted ") + name)
    if problems:
        err.print(render.diagnostics(problems), end="", soft_wrap=True)
        return Exit.USAGE
    if not changed:
        console.print("all conditions are in canonical form")
    return Exit.BLOCKED if (args.check and changed) else Exit.ALLOWED


def _policies_for(args) -> list[Path]:
    if args.policy:
        return [resolve(args.policy, args.as_of)]
    if args.marketplace:
        return [resolve(args.marketplace, args.as_of)]
    out = []
    for market in versions():
        try:
            out.append(resolve(market, args.as_of))
        except PolicyError:
            continue
    return out


def cmd_explain(args, console: Console, err: Console) -> Exit:
    schema = load_schema()
    found, known = [], set()
    for path in _policies_for(args):
        policy = compile_policy(path)
        known.update(r.id for r in policy.rules)
        rule = policy.rule(args.rule)
        if rule is not None:
            found.append((policy, rule))
    if not found:
        raise UsageError([Diagnostic("U100", f"no rule `{args.rule}` in the selected policies",
                                     help=did_you_mean(args.rule, known) or "run `permitted test` to list rule names")])
    policy, rule = found[0]
    console.print(render.rule_view(policy, rule, schema))
    if len(found) > 1:
        console.print(Text("also in: " + ", ".join(p.id for p, _ in found[1:]), style="dim"))
    return Exit.ALLOWED


def cmd_facts(args, console: Console, err: Console) -> Exit:
    schema = load_schema()
    if args.only and args.only not in schema.roots:
        raise UsageError([Diagnostic("U100", f"no group of facts called `{args.only}`",
                                     help=did_you_mean(args.only, schema.roots) or "groups: " + ", ".join(schema.roots))])
    if args.format == "json":
        raw = dict(schema.raw)
        console.print_json(json.dumps(raw["properties"][args.only] if args.only else raw))
    else:
        console.print(render.facts_tree(schema, args.only))
    return Exit.ALLOWED


def cmd_policies(args, console: Console, err: Console) -> Exit:
    table = Table("id", "marketplace", "in force from", "file")
    for market, vs in versions().items():
        try:
            current = in_force(market)
        except PolicyError:          # every version of this marketplace starts in the future
            current = None
        for v in vs:
            table.add_row(v.id + (" (in force today)" if v == current else ""), market, v.effective.isoformat(),
                          display_path(v.path))
    console.print(table)
    return Exit.ALLOWED


def cmd_facts_of(args, console: Console, err: Console) -> Exit:
    worst = Exit.ALLOWED
    market = args.marketplace and args.marketplace.upper()
    for name, envelope in messages.read(args.message, args):
        try:
            if isinstance(envelope, InputError):
                raise envelope
            facts = normalise(envelope, market, source=name)
        except InputError as problem:     # one bad message in a batch is reported, the rest go on
            err.print(render.diagnostics(problem.diagnostics), end="", soft_wrap=True)
            worst = Exit.INVALID_INPUT
            continue
        if args.format == "json":
            console.print(messages.facts_json(facts.data), markup=False, highlight=False, soft_wrap=True)
        else:
            console.print(messages.facts_tree(facts.data, name))
    return worst


COMMANDS = {"check": checkcli.cmd_check, "audit": checkcli.cmd_audit, "coverage": coverage.run, "diff": diffing.run, "facts-of": cmd_facts_of, "lint": cmd_lint, "test": cmd_test, "fmt": cmd_fmt, "explain": cmd_explain, "facts": cmd_facts,
            "policies": cmd_policies}
