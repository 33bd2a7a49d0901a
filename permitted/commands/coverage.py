"""`permitted coverage`: each guideline clause, the rules that encode it and their examples."""
from __future__ import annotations

from rich.console import Console

from permitted.coverage import cover, load_clause_lists, targets
from permitted.commands.output import write_document
from permitted.exitcodes import Exit
from permitted.store import default_store
from permitted.views.coverage import render, to_json


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("coverage")
    p.add_argument("policies", nargs="*", metavar="POLICY",
                   help="policy files, ids (uk@2020-11-06) or marketplaces (default: every bundled version "
                        "that a clause list applies to)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--uncovered", action="store_true",
                   help="show only clauses without a rule and citations not found in the guideline text")
    p.set_defaults(run=run)


def run(args, console: Console, err_console: Console) -> int:
    lists = load_clause_lists()
    coverages = [cover(default_store().policy(path), lists) for path in targets(args.policies, lists)]
    if args.format == "json":
        write_document(to_json(coverages, args.uncovered), None, console)
    else:
        console.print(render(coverages, args.uncovered))
    return int(Exit.ALLOWED if all(c.ok for c in coverages) else Exit.BLOCKED)
