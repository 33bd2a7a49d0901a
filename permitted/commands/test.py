"""`permitted test`: run every rule's examples (the `examples:` of each rule in a policy file)."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console

from permitted.commands.options import policy_root_option
from permitted.commands.output import write_document
from permitted.examples import run_examples
from permitted.exitcodes import Exit
from permitted.store import PolicyStore, default_store
from permitted.views import terminal as render
from permitted.views.visible import json_text


def add_parser(sub) -> None:
    test = sub.add_parser("test")
    test.add_argument("policies", nargs="*", metavar="POLICY",
                      help="policy files, ids (uk@2020-11-06) or marketplaces (default: every bundled version)")
    test.add_argument("-k", dest="selector", metavar="TEXT", help="only examples whose name contains TEXT")
    test.add_argument("--format", choices=["text", "json"], default="text")
    policy_root_option(test)
    test.set_defaults(run=run)


def _test_targets(refs: list[str], store: PolicyStore) -> list[Path]:
    if refs:
        return [store.path(r) for r in refs]
    return [v.path for vs in store.catalogue.versions.values() for v in vs]


def run(args, console: Console, err: Console) -> Exit:
    results = []
    store = default_store(args.policy_root)
    for path in _test_targets(args.policies, store):
        results.extend(run_examples(store.compiled(path).program, args.selector))
    passed = sum(r.passed for r in results)
    failed = len(results) - passed
    if args.format == "json":
        write_document(json_text([{"name": r.name, "passed": r.passed, "problems": list(r.problems)} for r in results], indent=2),
                       None, console)
    else:
        for r in results:
            console.print(render.example_line(r))
            if not r.passed:
                console.print(render.example_failure(r), end="")
        console.print(f"{passed} passed, {failed} failed")
    return Exit.BLOCKED if failed else Exit.ALLOWED
