"""`permitted lint`: compile policy files and report every error, with file, line and column."""
from __future__ import annotations

import json

from rich.console import Console
from rich.text import Text

from dsl.compiler import compile_file
from dsl.contract.errors import PolicyError
from dsl.contract.resources import display_path
from dsl.registry import policy_files

from permitted.exitcodes import Exit
from permitted.views import terminal as render


def add_parser(sub) -> None:
    lint = sub.add_parser("lint", help="compile policy files and report every error")
    lint.add_argument("paths", nargs="*", metavar="POLICY", help="policy files or folders (default: the bundled policies)")
    lint.add_argument("--format", choices=["text", "json"], default="text")
    lint.set_defaults(run=run)


def run(args, console: Console, err: Console) -> Exit:
    files = policy_files(args.paths)
    results, failed, warned = [], 0, 0
    for f in files:
        name = display_path(f)
        try:
            policy = compile_file(f, name)
            # Warnings (e.g. P405, a vocab entry nothing reads) do not make a file fail.
            warned += len(policy.warnings)
            results.append({"file": name, "ok": True, "policy": policy.id, "rules": len(policy.rules),
                            "diagnostics": [d.to_json() for d in policy.warnings]})
            if args.format == "text":
                console.print(Text.assemble(("ok   ", "bold green"), f"{name}  ", (f"{policy.id}, {len(policy.rules)} rules", "dim")))
                if policy.warnings:
                    err.print(render.diagnostics(policy.warnings), end="", soft_wrap=True)
        except PolicyError as problem:
            failed += 1
            results.append({"file": name, "ok": False, "diagnostics": [d.to_json() for d in problem.diagnostics]})
            if args.format == "text":
                console.print(Text.assemble(("FAIL ", "bold red"), name))
                err.print(render.diagnostics(problem.diagnostics), end="", soft_wrap=True)
    if args.format == "json":
        console.print_json(json.dumps(results))
    else:
        errors = sum(len(r["diagnostics"]) for r in results if not r["ok"])
        console.print(f"{len(files)} policy file{'s' if len(files) != 1 else ''} checked, "
                      f"{errors} error{'s' if errors != 1 else ''} in {failed} file{'s' if failed != 1 else ''}"
                      + (f", {warned} warning{'s' if warned != 1 else ''}" if warned else ""))
    return Exit.USAGE if failed else Exit.ALLOWED
