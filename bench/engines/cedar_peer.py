"""Peer: cedarpy (AWS Cedar, Rust with Python bindings).

Each rule is a `forbid` policy annotated with the rule id; one `is_authorized` call per message
evaluates them all, and the policies that determined the (deny) decision are the rules that
fired. The policy set and the (empty) entity store are parsed once. The facts record travels in
the request's context, serialised to JSON once: dates as Cedar `datetime` values, so
`sent.durationSince(completed) > duration("30d")` is `days_between > 30`; numbers the schema
types as `number` as Cedar `decimal` values (Cedar has no floats; decimals keep four places, the
corpus uses one); integers as Cedar longs.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from importlib.metadata import version

import cedarpy

from dsl.contract.model import Policy
from dsl.contract.schema import load_schema

from . import MENTIONS, PHRASE_LIST_RULES, Engine

QUANTIFIER = ("quantifier over a list of records: Cedar has no any/all over a set, only contains/containsAll/"
              "containsAny of whole values")
REGEX = "regular expression: Cedar's only pattern operator is `like` with `*` wildcards"

SKIPPED = {
    **{rule: MENTIONS for rule in PHRASE_LIST_RULES},
    **{rule: QUANTIFIER for rule in (
        "proactive.no-order-id", "links.insecure", "links.external", "links.click-here", "links.opt-out",
        "images.insecure", "images.no-alt", "images.animated", "images.tracking-pixel", "images.logo-link",
        "attachments.not-allowed")},
    **{rule: REGEX for rule in ("contact.messaging-app", "style.excess-punctuation", "content.price-cut")},
    "proactive.wrong-language": "language_of: Cedar has no string functions (split, lower, substring)",
    "content.too-long": "len(text): Cedar cannot measure a string",
}

CAVEATS = ("numbers reach Cedar as decimals with four places; a fact with more would be rounded",)

ROOTS = {"m": "context.message.", "o": "context.order.", "h": "context.history."}

# Conditions, with `m.` standing for `context.message.` and so on, to keep the table readable.
CONDITIONS = {
    "timing.thirty-days": 'm.direction == "proactive" && m.sent_at.durationSince(o.completed_at) > duration("{window}d")',
    "proactive.reason-not-permitted": 'm.direction == "proactive" && m.reason == "unspecified"',
    "api.html-body": 'm.channel == "api" && m.is_html',
    "api.invoice-operation": 'm.channel == "api" && m.reason == "invoice" && context.message has api_message_type '
                             '&& m.api_message_type != "sendInvoice"',
    "review.repeat-request": 'm.reason == "review_request" && h.review_requests_sent > 0',
    "review.before-delivery": 'm.reason == "review_request" && '
                              '["pending", "unshipped", "partially_shipped", "shipped"].contains(o.status)',
    "styling.no-emoji": "!m.emoji.isEmpty()",
    "contact.email-address": "!m.emails.isEmpty()",
    "styling.margins": 'm.is_html && m.styling.max_margin_percent.greaterThan(decimal("20.0"))',
    "styling.overrides": "m.styling.overrides_line_height || m.styling.overrides_font_family || m.styling.overrides_color",
    "styling.font-sizes": "m.styling.font_sizes > 3",
    "styling.alignment": '["center", "right", "justify"].contains(m.styling.text_align)',
    "styling.line-breaks": "m.styling.max_line_breaks > 2",
    "spelling.errors": 'm.spelling.words >= 20 && m.spelling.unknown_percent.greaterThan(decimal("10.0"))',
}


def policies(policy: Policy) -> tuple[list[str], str]:
    """The rule ids Cedar runs and the Cedar policy text, one annotated forbid per rule."""
    ids, texts = [], []
    for rule in policy.rules:
        if rule.id in SKIPPED:
            continue
        condition = CONDITIONS[rule.id].format(window=policy.vocab["window_days"])
        condition = re.sub(r"\b([moh])\.", lambda x: ROOTS[x.group(1)], condition)
        ids.append(rule.id)
        texts.append(f'@id("{rule.id}")\nforbid (principal, action, resource)\nwhen {{ {condition} }};')
    return ids, "\n\n".join(texts)


def to_cedar(value, node: dict, defs: dict):
    """A facts value in Cedar's JSON form. Dates are recognised by their value (build_facts made them
    datetime.date); `number` and `integer`, both Python numbers, by the value's place in the facts schema."""
    if isinstance(value, dt.date):
        return {"__extn": {"fn": "datetime", "arg": value.isoformat()}}
    if "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    if isinstance(value, dict):
        props = node.get("properties", {})
        return {k: to_cedar(v, props.get(k, {}), defs) for k, v in value.items()}
    if isinstance(value, list):
        return [to_cedar(v, node.get("items", {}), defs) for v in value]
    if node.get("type") == "number" and not isinstance(value, bool):
        return {"__extn": {"fn": "decimal", "arg": f"{value:.4f}"}}
    return value


def make(policy: Policy) -> Engine:
    ids, text = policies(policy)
    policy_set = cedarpy.PolicySet.from_str(text)
    entities = cedarpy.Entities.from_json_str("[]")
    schema = load_schema().raw
    defs = schema.get("$defs", {})

    def prepare(facts) -> dict:
        context = to_cedar(facts.data, schema, defs)
        return {"principal": 'Seller::"seller"', "action": 'Action::"send_message"', "resource": 'Message::"message"',
                "context": json.dumps(context, ensure_ascii=False)}

    def run(request: dict):
        diagnostics = cedarpy.is_authorized(request, policy_set, entities).diagnostics
        if diagnostics.errors:                     # a policy that errors is skipped by Cedar: a bug in the translation
            raise RuntimeError(diagnostics.errors)
        return list(diagnostics.id_annotations_by_reason.values())

    return Engine("cedarpy", tuple(ids), prepare=prepare, run=run, fired=lambda ids: ids, skipped=SKIPPED,
                  caveats=CAVEATS, version=version("cedarpy"))
