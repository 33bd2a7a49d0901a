"""`permitted test`: run every rule's examples (the `examples:` of each rule in a policy file)."""
from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

from permitted.examples import run_examples
from permitted.exitcodes import Exit
from permitted.store import default_store
from permitted.views import terminal as render


def add_parser(sub) -> None:
    test = sub.add_parser("test", help="run every rule's examples")
    test.add_argument("policies", nargs="*", metavar="POLICY",
                      help="policy files, ids (uk@2020-11-06) or marketplaces (default: every bundled version)")
    test.add_argument("-k", dest="selector", metavar="TEXT", help="only examples whose name contains TEXT")
    test.add_argument("--format", choices=["text", "json"], default="text")
    test.set_defaults(run=run)


def _test_targets(refs: list[str]) -> list[Path]:
    if refs:
        return [default_store().path(r) for r in refs]
    return [v.path for vs in default_store().catalogue.versions.values() for v in vs]


def run(args, console: Console, err: Console) -> Exit:
    results = []
    for path in _test_targets(args.policies):
        results.extend(run_examples(default_store().compiled(path).program, args.selector))
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
