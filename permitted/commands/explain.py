"""`permitted explain RULE`: a rule's clause, condition, the facts it reads and its examples."""
from __future__ import annotations

from rich.console import Console
from rich.text import Text

from dsl.contract.schema import load_schema

from permitted.commands.options import policy_options
from permitted.exitcodes import Exit
from permitted.explaining import find_rule
from permitted.store import default_store
from permitted.views import terminal as render


def add_parser(sub) -> None:
    explain = sub.add_parser("explain")
    explain.add_argument("rule", metavar="RULE_ID")
    policy_options(explain)
    explain.set_defaults(run=run)


def run(args, console: Console, err: Console) -> Exit:
    found = find_rule(default_store(), args.rule, args.policy, args.marketplace, args.as_of)
    console.print(render.rule_view(found.policy, found.rule, load_schema()))
    if found.also_in:
        console.print(Text("also in: " + ", ".join(found.also_in), style="dim"))
    return Exit.ALLOWED
