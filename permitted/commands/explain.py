"""`permitted explain RULE`: a rule's clause, condition, the facts it reads and its examples."""
from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.text import Text

from dsl.contract.errors import Diagnostic, PolicyError, UsageError, did_you_mean
from dsl.contract.schema import load_schema

from permitted.commands.options import policy_options
from permitted.exitcodes import Exit
from permitted.store import default_store
from permitted.views import terminal as render


def add_parser(sub) -> None:
    explain = sub.add_parser("explain", help="show a rule: clause, condition, facts it reads, examples")
    explain.add_argument("rule", metavar="RULE_ID")
    policy_options(explain)
    explain.set_defaults(run=run)


def _policies_for(args) -> list[Path]:
    store = default_store()
    if args.policy or args.marketplace:
        return [store.path(args.policy or args.marketplace, args.as_of)]
    out = []
    for market in store.catalogue.versions:
        try:
            out.append(store.path(market, args.as_of))
        except PolicyError:          # no version of this marketplace in force on that day
            continue
    return out


def run(args, console: Console, err: Console) -> Exit:
    schema = load_schema()
    found, known = [], set()
    for path in _policies_for(args):
        policy = default_store().policy(path)
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
