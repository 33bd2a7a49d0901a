"""Messages on the command line: envelope flags and reading MESSAGE arguments.

Input: parsed CLI arguments. Output: envelopes (via interpreter.read.envelope). Nothing here prints.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import sys
from pathlib import Path
from typing import Iterator


from dsl.contract.errors import InputError
from interpreter.read.envelope import DEFAULT_LIMIT, read_message

from permitted.checking import envelopes


def date_argument(text: str) -> _dt.date:
    """An argparse type: a YYYY-MM-DD date, with the reason when it is not one."""
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a date (YYYY-MM-DD)") from None


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
    g.add_argument("--review-requests-sent", type=int, metavar="N", help="earlier review requests for this order")
    g.add_argument("--template", action="store_true",
                   help="the message is a template: its placeholders count as filled in (an order-id placeholder as the order ID)")
    g.add_argument("--api-operation", metavar="OPERATION",
                   help="the file is the JSON body of this SP-API Messaging request, e.g. confirmCustomizationDetails")
    g.add_argument("--max-size", type=int, default=DEFAULT_LIMIT, metavar="BYTES",
                   help=f"refuse messages larger than this (default {DEFAULT_LIMIT:,})")


def envelope_fields(args: argparse.Namespace) -> dict:
    fields: dict = {}
    for flag, key in (("marketplace", "marketplace"), ("channel", "channel"), ("reason", "reason"),
                      ("subject", "subject"), ("sent", "sent_at")):
        if getattr(args, flag, None) is not None:
            fields[key] = args.marketplace.upper() if flag == "marketplace" else getattr(args, flag)
    if getattr(args, "reply", False):
        fields["direction"] = "reply"
    if getattr(args, "template", False):
        fields["template"] = True
    order = {key: getattr(args, flag) for flag, key in (("order_id", "id"), ("status", "status"), ("purchased", "purchased_at"),
                                                      ("completed", "completed_at"), ("delivered", "delivered_at"),
                                                      ("buyer_language", "buyer_language"))
             if getattr(args, flag, None) is not None}
    if order:
        fields["order"] = order
    if getattr(args, "review_requests_sent", None) is not None:
        fields["history"] = {"review_requests_sent": args.review_requests_sent}
    return fields


def read(name: str, args: argparse.Namespace) -> Iterator[tuple[str, dict | InputError]]:
    """(name, envelope or error) for each message of one MESSAGE argument: a file, a folder of
    them, `-` for standard input, an mbox or a JSONL file (one row each)."""
    fields = envelope_fields(args)
    operation = getattr(args, "api_operation", None)
    if name == "-":
        try:
            yield "-", read_message(Path("-"), fields, limit=args.max_size, data=sys.stdin.buffer.read(),
                                    api_operation=operation)
        except InputError as error:
            yield "-", error
        return
    yield from envelopes([name], fields, limit=args.max_size, api_operation=operation)
