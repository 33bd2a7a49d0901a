"""Peer: rule-engine (`rule_engine.Rule`), a pure-Python expression language.

Reads the same facts dicts as ours (dates as datetime.date, which rule-engine subtracts into a
timedelta). Quantifiers are list comprehensions tested for emptiness; `x.field == null` tests an
optional field (the context's default value makes absent keys null); `=~~` is a regex search
with Python's `re`, the engine ours uses.
"""
from __future__ import annotations

from importlib.metadata import version

import rule_engine

from dsl.contract.model import Policy

from . import MENTIONS, PHRASE_LIST_RULES, Engine, list_literal, select

SKIPPED = {rule: MENTIONS for rule in PHRASE_LIST_RULES}

CAVEATS = ("language_of: `$split` on `-` then `_`, lower-cased; there is no strip, so a tag with surrounding "
           "spaces would differ",)


def translations(policy: Policy) -> dict[str, str]:
    v = policy.vocab
    hosts, vague, types = (list_literal(v[k]) for k in ("order_completion_hosts", "vague_anchor_texts", "attachment_types"))

    def lang(tag: str) -> str:
        return f'$split($split({tag}, "-")[0], "_")[0].as_lower'

    def some(var: str, items: str, condition: str) -> str:
        return f"not [{var} for {var} in {items} if {condition}].is_empty"

    return {
        "timing.thirty-days": f'message.direction == "proactive" and (message.sent_at - order.completed_at).days > {v["window_days"]}',
        "proactive.reason-not-permitted": 'message.direction == "proactive" and message.reason == "unspecified"',
        "proactive.no-order-id": 'message.direction == "proactive" and message.order_ids.is_empty and '
                                 '[p for p in message.placeholders if p.name == "order_id"].is_empty',
        "proactive.wrong-language": f'message.direction == "proactive" and {lang("message.language")} != {lang("order.buyer_language")}',
        "api.html-body": 'message.channel == "api" and message.is_html',
        "api.invoice-operation": 'message.channel == "api" and message.reason == "invoice" and '
                                 'message.api_message_type != null and message.api_message_type != "sendInvoice"',
        "review.repeat-request": 'message.reason == "review_request" and history.review_requests_sent > 0',
        "review.before-delivery": 'message.reason == "review_request" and '
                                  'order.status in ["pending", "unshipped", "partially_shipped", "shipped"]',
        "contact.messaging-app": 'message.text =~~ "(?i)whats ?app|telegram|wechat|viber"',
        "style.excess-punctuation": 'message.text =~~ "[!?]{3,}"',
        "content.price-cut": 'message.text =~~ "(?i)(£|GBP ?)[0-9]+([.][0-9]{2})? off"',
        "styling.no-emoji": "message.emoji.length > 0",
        "contact.email-address": "message.emails.length > 0",
        "content.too-long": "message.text.length > 900",
        "links.insecure": some("l", "message.links", 'l.scheme == "http" and not l.is_amazon'),
        "links.external": some("l", "message.links", f'not l.is_amazon and l.scheme in ["http", "https"] and l.host not in {hosts}'),
        "links.click-here": some("l", "message.links", f"l.anchor_text != null and l.anchor_text.as_lower in {vague}"),
        "links.opt-out": some("l", "message.links", "l.is_opt_out"),
        "images.insecure": some("i", "message.images", 'i.scheme == "http"'),
        "images.no-alt": some("i", "message.images", 'i.alt == null or i.alt == ""'),
        "images.animated": some("i", "message.images", "i.animated"),
        "images.tracking-pixel": some("i", "message.images", "i.tracking_pixel"),
        "images.logo-link": some("i", "message.images", "i.is_logo and i.links_outside_amazon"),
        "attachments.not-allowed": some("a", "message.attachments", f"a.content_type not in {types} or a.size > 7000000"),
        "styling.margins": "message.is_html and message.styling.max_margin_percent > 20",
        "styling.overrides": "message.styling.overrides_line_height or message.styling.overrides_font_family "
                             "or message.styling.overrides_color",
        "styling.font-sizes": "message.styling.font_sizes > 3",
        "styling.alignment": 'message.styling.text_align in ["center", "right", "justify"]',
        "styling.line-breaks": "message.styling.max_line_breaks > 2",
        "spelling.errors": "message.spelling.words >= 20 and message.spelling.unknown_percent > 10",
    }


def make(policy: Policy) -> Engine:
    context = rule_engine.Context(default_value=None)
    compiled = tuple((rule_id, rule_engine.Rule(text, context=context))
                     for rule_id, text in select(translations(policy), SKIPPED, [r.id for r in policy.rules]))

    def run(d):
        return [rule_id for rule_id, rule in compiled if rule.matches(d)]

    return Engine("rule-engine", tuple(i for i, _ in compiled), prepare=lambda facts: facts.data, run=run,
                  fired=lambda ids: ids, skipped=SKIPPED, caveats=CAVEATS, version=version("rule-engine"))
