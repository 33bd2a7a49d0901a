"""Peer: cel-python (`celpy`), Google's Common Expression Language in Python.

One CEL program per rule, built with celpy's CompiledRunner (it transpiles to Python and is
several times faster than the default InterpretedRunner). The input is the facts record
converted once to CEL values: dates become timestamps at midnight UTC, so `sent - completed >
duration("720h")` is `days_between > 30`; every number becomes a double, because CEL does not
compare ints with doubles. Quantifiers are `.exists(x, …)`, optional fields `has(x.f)`, and
`matches` is an RE2 search.
"""
from __future__ import annotations

import datetime as dt
import re
from importlib.metadata import version

import celpy
from celpy import celtypes

from dsl.contract.model import Policy

from . import MENTIONS, PHRASE_LIST_RULES, Engine, list_literal, select

SKIPPED = {
    **{rule: MENTIONS for rule in PHRASE_LIST_RULES},
    "proactive.wrong-language": "language_of: CEL (as cel-python implements it) has no split or substring "
                                "function to take a language tag's primary subtag",
}

CAVEATS = (
    "regexes run on RE2 instead of Python's re; the policy's patterns (literals, ASCII classes, counted "
    "repetition, case-insensitive flag) mean the same in both",
    "links.click-here: CEL has no lower(); `lower(x) in [...]` is written as a case-insensitive anchored "
    "regex, which differs only for characters whose case folding differs from lower() (e.g. U+017F)",
)


def translations(policy: Policy) -> dict[str, str]:
    v = policy.vocab
    hosts, types = list_literal(v["order_completion_hosts"]), list_literal(v["attachment_types"])
    vague = "|".join(re.escape(t) for t in v["vague_anchor_texts"])
    return {
        "timing.thirty-days": 'message.direction == "proactive" && '
                              f'message.sent_at - order.completed_at > duration("{24 * v["window_days"]}h")',
        "proactive.reason-not-permitted": 'message.direction == "proactive" && message.reason == "unspecified"',
        "proactive.no-order-id": 'message.direction == "proactive" && size(message.order_ids) == 0 && '
                                 '!message.placeholders.exists(p, p.name == "order_id")',
        "api.html-body": 'message.channel == "api" && message.is_html',
        "api.invoice-operation": 'message.channel == "api" && message.reason == "invoice" && '
                                 '"api_message_type" in message && message.api_message_type != "sendInvoice"',
        "review.repeat-request": 'message.reason == "review_request" && history.review_requests_sent > 0.0',
        "review.before-delivery": 'message.reason == "review_request" && '
                                  'order.status in ["pending", "unshipped", "partially_shipped", "shipped"]',
        "contact.messaging-app": 'message.text.matches(r"(?i)whats ?app|telegram|wechat|viber")',
        "style.excess-punctuation": 'message.text.matches(r"[!?]{3,}")',
        "content.price-cut": 'message.text.matches(r"(?i)(£|GBP ?)[0-9]+([.][0-9]{2})? off")',
        "styling.no-emoji": "size(message.emoji) > 0",
        "contact.email-address": "size(message.emails) > 0",
        "content.too-long": "size(message.text) > 900",
        "links.insecure": 'message.links.exists(l, l.scheme == "http" && !l.is_amazon)',
        "links.external": f'message.links.exists(l, !l.is_amazon && l.scheme in ["http", "https"] && !(l.host in {hosts}))',
        "links.click-here": f'message.links.exists(l, "anchor_text" in l && l.anchor_text.matches(r"(?i)^({vague})$"))',
        "links.opt-out": "message.links.exists(l, l.is_opt_out)",
        "images.insecure": 'message.images.exists(i, i.scheme == "http")',
        "images.no-alt": 'message.images.exists(i, !("alt" in i) || i.alt == "")',
        "images.animated": "message.images.exists(i, i.animated)",
        "images.tracking-pixel": "message.images.exists(i, i.tracking_pixel)",
        "images.logo-link": "message.images.exists(i, i.is_logo && i.links_outside_amazon)",
        "attachments.not-allowed": f"message.attachments.exists(a, !(a.content_type in {types}) || a.size > 7000000.0)",
        "styling.margins": "message.is_html && message.styling.max_margin_percent > 20.0",
        "styling.overrides": "message.styling.overrides_line_height || message.styling.overrides_font_family "
                             "|| message.styling.overrides_color",
        "styling.font-sizes": "message.styling.font_sizes > 3.0",
        "styling.alignment": 'message.styling.text_align in ["center", "right", "justify"]',
        "styling.line-breaks": "message.styling.max_line_breaks > 2.0",
        "spelling.errors": "message.spelling.words >= 20.0 && message.spelling.unknown_percent > 10.0",
    }


def to_cel(value):
    """A facts value as CEL values (see the module docstring for dates and numbers)."""
    if isinstance(value, dict):
        return celtypes.MapType({celtypes.StringType(k): to_cel(v) for k, v in value.items()})
    if isinstance(value, list):
        return celtypes.ListType([to_cel(v) for v in value])
    if isinstance(value, bool):
        return celtypes.BoolType(value)
    if isinstance(value, (int, float)):
        return celtypes.DoubleType(value)
    if isinstance(value, str):
        return celtypes.StringType(value)
    if isinstance(value, dt.date):
        return celtypes.TimestampType(dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc))
    raise TypeError(f"no CEL value for {value!r}")


def make(policy: Policy) -> Engine:
    env = celpy.Environment(runner_class=celpy.CompiledRunner)
    programs = tuple((rule_id, env.program(env.compile(text)))
                     for rule_id, text in select(translations(policy), SKIPPED, [r.id for r in policy.rules]))

    def run(activation):
        # A program returns a BoolType (an int) and raises CELEvalError on a type error, so truthiness is exact.
        return [rule_id for rule_id, program in programs if program.evaluate(activation)]

    return Engine("cel-python", tuple(i for i, _ in programs),
                  prepare=lambda facts: {k: to_cel(v) for k, v in facts.data.items()}, run=run,
                  fired=lambda ids: ids, skipped=SKIPPED, caveats=CAVEATS, version=version("cel-python"))
