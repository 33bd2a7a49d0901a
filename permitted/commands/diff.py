"""`permitted diff OLD NEW`: what an edit to a policy does, before it goes live.

Exit code 0 when the verdicts of the two policies cannot differ (within the stated bounds), 1 when
they can, 2 for a usage or policy error. The analysis is permitted.diffing; the renderings are
permitted.views.diff.
"""
from __future__ import annotations

import argparse

from dsl.analysis.domains import Bounds        # plain data: importing it does not load the solver
from dsl.contract.errors import Diagnostic, UsageError

from permitted.commands.options import policy_root_option
from permitted.commands.output import write_document
from permitted.exitcodes import Exit


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("diff")
    p.add_argument("old", metavar="OLD", help="a policy file, an id (us@2018-10-12) or a marketplace (its latest version)")
    p.add_argument("new", metavar="NEW", help="the same for the other side")
    p.add_argument("--corpus", metavar="FILE|DIR", help="replay these messages (JSONL, mbox or a folder) under both policies")
    p.add_argument("--marketplace", "-m", metavar="M",
                   help="marketplace for corpus messages that do not name one (default: NEW's)")
    p.add_argument("--max-items", type=int, default=Bounds().max_items, metavar="N",
                   help=f"items per list (links, images, …) the solver considers (default {Bounds().max_items})")
    p.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    policy_root_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace, console, err_console) -> int:
    # The solver (z3) loads only when a diff runs: every other command starts without it.
    from permitted.diffing import DiffResult, compare, load, replay
    from permitted.views import diff as diffview

    if args.max_items < 1:
        raise UsageError([Diagnostic("U100", "--max-items must be at least 1")])
    old, new = load(args.old, args.policy_root), load(args.new, args.policy_root)
    result = compare(old, new, Bounds(args.max_items))
    if args.corpus:
        result = DiffResult(result.structure, result.rules, result.verdict, result.coverage,
                            replay(old, new, args.corpus, args.marketplace and args.marketplace.upper()))
    if args.format == "json":
        write_document(diffview.as_json(result), None, console)
    elif args.format == "markdown":
        write_document(diffview.as_markdown(result), None, console)
    else:
        console.print(diffview.as_text(result))
    return int(Exit.ALLOWED if result.equivalent else Exit.BLOCKED)
