"""`permitted lint`: compile policy files and report every error, with file, line and column.

Clause lists (`policies/clauses/`, the guideline texts `permitted coverage` reads) are checked
too, by their own schema: each file is named with what it is, a policy or a clause list."""
from __future__ import annotations

from rich.console import Console
from rich.text import Text

from dsl.contract.resources import display_path
from dsl.registry import policy_files

from permitted.commands.options import policy_root_option
from permitted.coverage import check_clause_lists, clause_list_files, is_clause_list
from permitted.commands.output import write_document
from permitted.exitcodes import Exit
from permitted.linting import lint_file
from permitted.views import terminal as render
from permitted.views.visible import json_text, visible_line


def add_parser(sub) -> None:
    lint = sub.add_parser("lint")
    lint.add_argument("paths", nargs="*", metavar="POLICY", help="policy files or folders (default: the bundled policies)")
    lint.add_argument("--format", choices=["text", "json"], default="text")
    policy_root_option(lint)
    lint.set_defaults(run=run)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def run(args, console: Console, err: Console) -> Exit:
    named = policy_files(args.paths)
    # A clause list named directly, or found in a `clauses/` folder, is checked as one: read as a
    # policy it would only give misleading errors (missing `policy:`, unknown key `clauses`).
    lists = [f for f in named if is_clause_list(f)] + clause_list_files(args.paths)
    files = [f for f in named if f not in lists]
    results, failed, warned = [], 0, 0
    for f in files:
        linted = lint_file(f, display_path(f), args.policy_root)
        results.append(linted.to_json())
        if linted.ok:
            warned += len(linted.diagnostics)
            if args.format == "text":
                console.print(Text.assemble(("ok   ", "bold green"), f"{visible_line(linted.file)}  ",
                                            (f"policy {linted.policy.id}, {_plural(len(linted.policy.rules), 'rule')}",
                                             "dim")))
                if linted.diagnostics:
                    err.print(render.diagnostics(linted.diagnostics), end="", soft_wrap=True)
        else:
            failed += 1
            if args.format == "text":
                console.print(Text.assemble(("FAIL ", "bold red"), visible_line(linted.file)))
                err.print(render.diagnostics(linted.diagnostics), end="", soft_wrap=True)
    for f, clause_list, problems in check_clause_lists(lists):
        name = display_path(f)
        entry = {"file": name, "kind": "clause-list", "ok": not problems, "diagnostics": [d.to_json() for d in problems]}
        if clause_list is not None:
            entry.update(clauses=len(clause_list.clauses))
        results.append(entry)
        failed += bool(problems)
        if args.format == "text" and problems:
            console.print(Text.assemble(("FAIL ", "bold red"), visible_line(name), ("  clause list", "dim")))
            err.print(render.diagnostics(problems), end="", soft_wrap=True)
        elif args.format == "text":
            console.print(Text.assemble(("ok   ", "bold green"), f"{visible_line(name)}  ",
                                        (f"clause list, {_plural(len(clause_list.clauses), 'clause')}", "dim")))
    if args.format == "json":
        write_document(json_text(results, indent=2), None, console)
    else:
        errors = sum(len(r["diagnostics"]) for r in results if not r["ok"])
        checked = " and ".join([_plural(len(files), "policy file")] * bool(files or not lists)
                               + [_plural(len(lists), "clause list")] * bool(lists))
        console.print(f"{checked} checked, {_plural(errors, 'error')} in {_plural(failed, 'file')}"
                      + (f", {_plural(warned, 'warning')}" if warned else ""))
    return Exit.USAGE if failed else Exit.ALLOWED
