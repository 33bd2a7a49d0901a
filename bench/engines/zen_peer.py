"""Peer: zen-engine (GoRules ZEN, Rust with Python bindings).

The rules are written in the ZEN expression language and run two ways:
- as a decision graph (`ZenEngine.create_decision`): input node -> one expression node holding
  every rule as an output field -> output node; one `evaluate` per message;
- as one compiled expression (`zen.compile_expression`) returning a list of booleans, the
  lighter entry point the bindings also offer.
The input is the facts record serialised to JSON once (dates as ISO strings); both entry points
take a JSON string or a dict, and a string is the faster of the two. Quantifiers are
`some(list, #.field …)`, optional fields compare with null, dates use `d(…).diff(…, "day")`, and
`matches` is a search with Rust's regex crate.
"""
from __future__ import annotations

import json
from importlib.metadata import version

import zen

from dsl.contract.model import Policy

from . import MENTIONS, PHRASE_LIST_RULES, Engine, json_ready, list_literal, select

SKIPPED = {
    **{rule: MENTIONS for rule in PHRASE_LIST_RULES},
    "content.too-long": "len() of a string counts UTF-8 bytes, not characters: every message with an accent, a "
                        "curly quote or an emoji would be measured longer",
}

CAVEATS = (
    "regexes run on Rust's regex crate instead of Python's re; the policy's patterns (literals, ASCII classes, "
    "counted repetition, case-insensitive flag) mean the same in both",
)


def translations(policy: Policy) -> dict[str, str]:
    v = policy.vocab
    hosts, vague, types = (list_literal(v[k]) for k in ("order_completion_hosts", "vague_anchor_texts", "attachment_types"))

    def lang(tag: str) -> str:
        return f'lower(split(split(trim({tag}), "-")[0], "_")[0])'

    return {
        "timing.thirty-days": 'message.direction == "proactive" and '
                              f'd(message.sent_at).diff(d(order.completed_at), "day") > {v["window_days"]}',
        "proactive.reason-not-permitted": 'message.direction == "proactive" and message.reason == "unspecified"',
        "proactive.no-order-id": 'message.direction == "proactive" and len(message.order_ids) == 0 and '
                                 'none(message.placeholders, #.name == "order_id")',
        "proactive.wrong-language": f'message.direction == "proactive" and {lang("message.language")} != {lang("order.buyer_language")}',
        "api.html-body": 'message.channel == "api" and message.is_html',
        "api.invoice-operation": 'message.channel == "api" and message.reason == "invoice" and '
                                 'message.api_message_type != null and message.api_message_type != "sendInvoice"',
        "review.repeat-request": 'message.reason == "review_request" and history.review_requests_sent > 0',
        "review.before-delivery": 'message.reason == "review_request" and '
                                  'order.status in ["pending", "unshipped", "partially_shipped", "shipped"]',
        "contact.messaging-app": 'matches(message.text, "(?i)whats ?app|telegram|wechat|viber")',
        "style.excess-punctuation": 'matches(message.text, "[!?]{3,}")',
        "content.price-cut": 'matches(message.text, "(?i)(£|GBP ?)[0-9]+([.][0-9]{2})? off")',
        "styling.no-emoji": "len(message.emoji) > 0",
        "contact.email-address": "len(message.emails) > 0",
        "links.insecure": 'some(message.links, #.scheme == "http" and not #.is_amazon)',
        "links.external": f'some(message.links, not #.is_amazon and #.scheme in ["http", "https"] and #.host not in {hosts})',
        "links.click-here": f"some(message.links, #.anchor_text != null and lower(#.anchor_text) in {vague})",
        "links.opt-out": "some(message.links, #.is_opt_out)",
        "images.insecure": 'some(message.images, #.scheme == "http")',
        "images.no-alt": 'some(message.images, #.alt == null or #.alt == "")',
        "images.animated": "some(message.images, #.animated)",
        "images.tracking-pixel": "some(message.images, #.tracking_pixel)",
        "images.logo-link": "some(message.images, #.is_logo and #.links_outside_amazon)",
        "attachments.not-allowed": f"some(message.attachments, #.content_type not in {types} or #.size > 7000000)",
        "styling.margins": "message.is_html and message.styling.max_margin_percent > 20",
        "styling.overrides": "message.styling.overrides_line_height or message.styling.overrides_font_family "
                             "or message.styling.overrides_color",
        "styling.font-sizes": "message.styling.font_sizes > 3",
        "styling.alignment": 'message.styling.text_align in ["center", "right", "justify"]',
        "styling.line-breaks": "message.styling.max_line_breaks > 2",
        "spelling.errors": "message.spelling.words >= 20 and message.spelling.unknown_percent > 10",
    }


def _prepare(facts) -> str:
    return json.dumps(json_ready(facts.data), ensure_ascii=False)


def _chosen(policy: Policy) -> list[tuple[str, str]]:
    return select(translations(policy), SKIPPED, [r.id for r in policy.rules])


def make_decision(policy: Policy) -> Engine:
    chosen = _chosen(policy)
    # Output keys are r0, r1, …: ZEN would nest a key with dots (styling.no-emoji) into objects.
    keys = {f"r{i}": rule_id for i, (rule_id, _) in enumerate(chosen)}
    graph = {
        "nodes": [
            {"id": "input", "type": "inputNode", "name": "message", "position": {"x": 0, "y": 0}},
            {"id": "rules", "type": "expressionNode", "name": "rules", "position": {"x": 200, "y": 0},
             "content": {"expressions": [{"id": f"e{i}", "key": f"r{i}", "value": text}
                                         for i, (_, text) in enumerate(chosen)]}},
            {"id": "output", "type": "outputNode", "name": "verdicts", "position": {"x": 400, "y": 0}},
        ],
        "edges": [{"id": "in", "sourceId": "input", "targetId": "rules", "type": "edge"},
                  {"id": "out", "sourceId": "rules", "targetId": "output", "type": "edge"}],
    }
    decision = zen.ZenEngine().create_decision(json.dumps(graph))

    def run(message_json: str):
        result = decision.evaluate(message_json)["result"]
        return [keys[k] for k, fired in result.items() if fired is True]

    return Engine("zen-engine: decision graph", tuple(i for i, _ in chosen), prepare=_prepare, run=run,
                  fired=lambda ids: ids, skipped=SKIPPED, caveats=CAVEATS, version=version("zen-engine"))


def make_expression(policy: Policy) -> Engine:
    chosen = _chosen(policy)
    ids = tuple(i for i, _ in chosen)
    expression = zen.compile_expression("[" + ", ".join(f"({text})" for _, text in chosen) + "]")

    def run(message_json: str):
        return [rule_id for rule_id, fired in zip(ids, expression.evaluate(message_json)) if fired is True]

    return Engine("zen-engine: compiled expression", ids, prepare=_prepare, run=run,
                  fired=lambda ids: ids, skipped=SKIPPED, caveats=CAVEATS, version=version("zen-engine"))
