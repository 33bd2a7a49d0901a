"""`permitted facts` (the facts a rule may read) and `permitted facts-of MESSAGE` (their values)."""
from __future__ import annotations

import json

from rich.console import Console

from dsl.contract.errors import Diagnostic, InputError, UsageError, did_you_mean, internal_error
from dsl.contract.schema import load_schema
from interpreter.facts.normalise import EVERYTHING, normalise

from permitted import exitcodes
from permitted.checking import Choice, Judge
from permitted.commands import messages
from permitted.commands.output import write_document
from permitted.exitcodes import Exit
from permitted.views import facts as facts_view
from permitted.views import terminal as render


def add_parser(sub) -> None:
    facts = sub.add_parser("facts")
    facts.add_argument("only", nargs="?", metavar="ROOT", help="only this group: message, order or history")
    facts.add_argument("--format", choices=["text", "json"], default="text")
    facts.set_defaults(run=run)

    facts_of = sub.add_parser("facts-of")
    facts_of.add_argument("message", metavar="MESSAGE",
                          help="a .txt, .html, .eml, .json or .yaml message, an .mbox or .jsonl of many; - for standard input")
    facts_of.add_argument("--format", choices=["text", "json"], default="text")
    messages.add_envelope_options(facts_of)
    facts_of.set_defaults(run=run_facts_of)


def run(args, console: Console, err: Console) -> Exit:
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


def run_facts_of(args, console: Console, err: Console) -> Exit:
    worst = Exit.ALLOWED
    market = args.marketplace and args.marketplace.upper()
    judge = Judge(Choice(market))
    for name, envelope in messages.read(args.message, args):
        try:
            if isinstance(envelope, InputError):
                raise envelope
            # Every fact is shown, also those no rule of the policy reads.
            facts = normalise(envelope, market, source=name, policy=judge.policy_if_known(envelope, name), wants=EVERYTHING)
        except InputError as problem:     # one bad message in a batch is reported, the rest go on
            found = problem.diagnostics
        except Exception as exc:          # noqa: BLE001 — a bug in one message: I190, the rest go on
            found = (internal_error(exc, name),)
        else:
            found = ()
        if found:
            err.print(render.diagnostics(found), end="", soft_wrap=True)
            worst = exitcodes.worst((worst, exitcodes.for_diagnostics(found)))
            continue
        if args.format == "json":
            write_document(facts_view.facts_json(facts.data), None, console)
        else:
            console.print(facts_view.message_facts_tree(facts.data, name))
    return worst
