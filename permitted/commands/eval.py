"""`permitted eval`: measure how far a policy agrees with labelled messages.

Input: parsed arguments and the consoles. Output: the agreement, the tables and every
disagreement (text, JSON or Markdown) on standard output, and the exit code: 1 when agreement is
below `--min-agreement`, else 0; 2 for a usage error (a missing file, a bad protocol, label-code
or known-gaps file, a policy that cannot be loaded). A line that cannot be judged is an error row
and a disagreement, never a crash.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from dsl.contract.errors import Diagnostic, UsageError
from dsl.contract.resources import policies_dir

from permitted.agreement import evaluate_file, meets
from permitted.commands.output import write_document
from permitted.exitcodes import Exit
from permitted.views import eval as view

FORMATS = ("text", "json", "markdown")


def default_known_gaps() -> Path:
    """The corpus's known gaps in a checkout (an installed copy has none)."""
    return policies_dir().parent / "examples" / "real-messages-gaps.yaml"


def _ratio(text: str) -> float:
    """An argparse type: the minimum agreement, a ratio from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"`{text}` is not a ratio from 0 to 1 (e.g. 0.9 for 90%)")
    return value


def add_parser(sub) -> None:
    p = sub.add_parser(
        "eval", description="Judge every labelled message of LABELLED.jsonl and measure the agreement with its labels. "
                    "A row agrees when expected `allowed` comes out allowed, and expected `blocked` (or, in the plain "
                    "form, `review`) comes out blocked or review; a row that cannot be judged never agrees. Each line "
                    "is a row of the shared corpus (judged by its evaluation protocol, policies/corpus-protocol.json) "
                    "or a plain row {id, envelope, expected, rules, note, kind}.")
    p.add_argument("labelled", metavar="LABELLED.jsonl", help="labelled messages, one JSON object a line")
    p.add_argument("--policy", metavar="FILE|ID",
                   help="one policy for every message (default: each message's policy in force on its send date)")
    p.add_argument("--format", "-f", choices=FORMATS, default="text",
                   help="text (default), json (a stable contract, see README), markdown (for a pull request)")
    p.add_argument("--min-agreement", type=_ratio, metavar="X",
                   help="exit 1 when the share of rows that agree is below X, a ratio from 0 to 1")
    p.add_argument("--known-gaps", metavar="FILE",
                   help="YAML, id: reason — rows the checker is known to judge otherwise, shown with the reason "
                        "(they still count as disagreements); default examples/real-messages-gaps.yaml when present")
    p.add_argument("--summary", action="store_true",
                   help="only the agreement and its tables: no per-rule tables, no disagreements")
    p.set_defaults(run=run)


def run(args, console: Console, err: Console) -> Exit:
    if not Path(args.labelled).is_file():
        raise UsageError([Diagnostic("U100", f"no such file: {args.labelled}",
                                     help="permitted eval LABELLED.jsonl, e.g. ../shared/corpus/real-messages.jsonl")])
    gaps = args.known_gaps
    if gaps is None and default_known_gaps().is_file():
        gaps = default_known_gaps()
    evaluation = evaluate_file(args.labelled, args.policy, gaps)
    if not evaluation.outcomes:
        raise UsageError([Diagnostic("U100", f"{args.labelled} holds no labelled messages")])
    if args.format == "json":
        write_document(view.to_json(evaluation, args.min_agreement), None, console)
    elif args.format == "markdown":
        write_document(view.markdown(evaluation, args.min_agreement, args.summary), None, console)
    else:
        console.print(view.render(evaluation, args.min_agreement, args.summary))
    if args.min_agreement is not None and not meets(evaluation, args.min_agreement):
        return Exit.BLOCKED
    return Exit.ALLOWED
