"""Messages on the command line: envelope flags and reading MESSAGE arguments.

Input: parsed CLI arguments. Output: envelopes (via interpreter.read.envelope). Nothing here prints.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import sys
from pathlib import Path
from typing import Iterator

from dsl.contract.errors import Diagnostic, InputError, UsageError, internal_error
from dsl.contract.schema import message_problems
from interpreter.facts.record import calendar_date
from interpreter.read.envelope import DEFAULT_LIMIT, read_message

from permitted.checking import envelopes


def date_argument(text: str) -> _dt.date:
    """An argparse type: a YYYY-MM-DD date, with the reason when it is not one."""
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a date (YYYY-MM-DD)") from None


def at_least(minimum: int, flag: str):
    """An argparse type: a whole number not below `minimum`. Anything else is a UsageError (U100)
    like every other mistake on the command line (argparse's own errors carry no code)."""
    def whole_number(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise UsageError([Diagnostic("U100", f"{flag} must be a whole number of at least {minimum}, not `{text}`")])
        return value
    return whole_number


def add_envelope_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("what is known about the message (when the file does not say)")
    g.add_argument("--marketplace", "-m", metavar="M", help="marketplace code: US, UK, SA, …")
    g.add_argument("--channel", choices=["seller_central", "email", "api"])
    g.add_argument("--reply", action="store_true", help="the message replies to the buyer (default: proactive)")
    g.add_argument("--reason", metavar="REASON", help="contact reason, e.g. review_request, invoice")
    g.add_argument("--subject", metavar="TEXT")
    g.add_argument("--sent", metavar="DATE", help="when the message is sent (YYYY-MM-DD)")
    g.add_argument("--order-id", metavar="ID")
    g.add_argument("--status", metavar="STATUS", help="the order's status when the message is sent, e.g. unshipped, delivered")
    g.add_argument("--purchased", metavar="DATE")
    g.add_argument("--completed", metavar="DATE")
    g.add_argument("--delivered", metavar="DATE")
    g.add_argument("--buyer-language", metavar="TAG", help="the buyer's language of preference, e.g. en-GB")
    g.add_argument("--review-requests-sent", type=at_least(0, "--review-requests-sent"), metavar="N",
                   help="earlier review requests for this order")
    g.add_argument("--template", action="store_true",
                   help="the message is a template: its placeholders count as filled in (an order-id placeholder as the order ID)")
    g.add_argument("--api-operation", metavar="OPERATION",
                   help="the file is the JSON body of this SP-API Messaging request, e.g. confirmCustomizationDetails")
    g.add_argument("--max-size", type=at_least(1, "--max-size"), default=DEFAULT_LIMIT, metavar="BYTES",
                   help=f"refuse messages larger than this (default {DEFAULT_LIMIT:,})")


# Envelope flags and where each goes in the envelope, so a bad value names its flag.
_FLAGS = (("marketplace", ("marketplace",)), ("channel", ("channel",)), ("reason", ("reason",)),
          ("subject", ("subject",)), ("sent", ("sent_at",)), ("order_id", ("order", "id")),
          ("status", ("order", "status")), ("purchased", ("order", "purchased_at")),
          ("completed", ("order", "completed_at")), ("delivered", ("order", "delivered_at")),
          ("buyer_language", ("order", "buyer_language")),
          ("review_requests_sent", ("history", "review_requests_sent")))
_DATES = frozenset({"sent", "purchased", "completed", "delivered"})


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def envelope_fields(args: argparse.Namespace) -> dict:
    """The envelope fields the flags give. A value the message schema refuses (`--reason bogus`,
    `--sent 2021-02-30`, `-m XX`) is a mistake on the command line: UsageError U100 naming the
    flag, before any message is read, rather than every message's I100."""
    fields: dict = {}
    for flag, path in _FLAGS:
        value = getattr(args, flag, None)
        if value is not None:
            target = fields
            for key in path[:-1]:
                target = target.setdefault(key, {})
            target[path[-1]] = value.upper() if flag == "marketplace" else value
    if getattr(args, "reply", False):
        fields["direction"] = "reply"
    if getattr(args, "template", False):
        fields["template"] = True
    by_path = {path: flag for flag, path in _FLAGS}
    problems, named = [], set()
    for where, message in message_problems(fields):
        flag = by_path.get(tuple(where))
        named.add(flag)
        problems.append(Diagnostic("U100", f"{_flag(flag) if flag else '.'.join(map(str, where))}: {message}",
                                   help="see policies/message.schema.json for the values each field takes"))
    for flag in sorted(_DATES - named):
        value = getattr(args, flag, None)
        try:
            if value is not None:
                calendar_date(value)           # the schema checks the form, not that the day exists
        except ValueError:
            problems.append(Diagnostic("U100", f"{_flag(flag)}: `{value}` is not a calendar date"))
    if problems:
        raise UsageError(problems)
    return fields


def _standard_input(limit: int) -> bytes:
    """Standard input, read only up to the size limit: one byte more says it is too big, without
    holding whatever else is piped in (800 MB piped in must not take 800 MB)."""
    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        raise InputError([Diagnostic("I101", f"-: message is more than {limit:,} bytes, over the limit",
                                     help="raise the limit with --max-size if this is really one message")])
    return data


def read(name: str, args: argparse.Namespace) -> Iterator[tuple[str, dict | InputError]]:
    """(name, envelope or error) for each message of one MESSAGE argument: a file, a folder of
    them, `-` for standard input, an mbox or a JSONL file (one row each)."""
    fields = envelope_fields(args)
    operation = getattr(args, "api_operation", None)
    if name == "-":
        try:
            envelope = read_message(Path("-"), fields, limit=args.max_size, data=_standard_input(args.max_size),
                                    api_operation=operation)
        except InputError as error:
            envelope = error
        except Exception as exc:          # noqa: BLE001 — a bug met reading it: its error row (I190)
            envelope = InputError([internal_error(exc, "-")])
        yield "-", envelope
        return
    yield from envelopes([name], fields, limit=args.max_size, api_operation=operation)
