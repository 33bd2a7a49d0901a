"""`permitted fmt`: rewrite the conditions of policy files in canonical form."""
from __future__ import annotations

import difflib

from rich.console import Console
from rich.text import Text

from dsl.contract.errors import PolicyError
from dsl.contract.resources import display_path
from dsl.stages.load import read_policy_text
from dsl.registry import policy_files

from permitted.commands.output import write_document
from permitted.exitcodes import Exit
from permitted.views import terminal as render
from permitted.views.visible import visible_line


def add_parser(sub) -> None:
    fmt = sub.add_parser("fmt")
    fmt.add_argument("paths", nargs="*", metavar="POLICY", help="policy files or folders (default: the bundled policies)")
    fmt.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file would be rewritten")
    fmt.add_argument("--diff", action="store_true", help="show what would change")
    fmt.set_defaults(run=run)


def run(args, console: Console, err: Console) -> Exit:
    # Imported here: the formatter needs the Lark parser, which no other verb of a `check` loads.
    from dsl.format.rewrite import format_text

    changed, problems = [], []
    for f in policy_files(args.paths):
        name = display_path(f)
        try:
            text = read_policy_text(f, name)       # a missing, binary or special file is P103, not a traceback
            new = format_text(text, name)
        except PolicyError as problem:
            problems.extend(problem.diagnostics)
            continue
        if new == text:
            continue
        changed.append(name)
        if args.diff:
            write_document("".join(difflib.unified_diff(text.splitlines(True), new.splitlines(True), name, name)), None, console)
        if not args.check:
            f.write_text(new, encoding="utf-8")
    for name in changed:
        console.print(Text(("would reformat " if args.check else "reformatted ") + visible_line(name)))
    if problems:
        err.print(render.diagnostics(problems), end="", soft_wrap=True)
        return Exit.USAGE
    if not changed:
        console.print("all conditions are in canonical form")
    return Exit.BLOCKED if (args.check and changed) else Exit.ALLOWED
