"""The hand-written baseline: each rule of bench/policy.yaml as a plain Python function.

Written the way a competent engineer would hard-code the rules: direct dict access, precompiled
regexes, sets for membership, `any()` over lists, no three-valued logic (every fact is known in
the corpus). Phrase lists use the same matcher as our `mentions` (interpreter.evaluation.phrases), so
both pay the same text-matching cost and agree on what counts as a mention. The phrase lists
and settings are read from the policy's vocab once, so the two cannot drift apart.
"""
from __future__ import annotations

import re

from dsl.contract.model import Policy
from interpreter.evaluation.phrases import phrase_matcher

from . import Engine, phrases


def rules(policy: Policy) -> list[tuple[str, object]]:
    v = policy.vocab
    window = v["window_days"]
    marketing = phrase_matcher(phrases(v["marketing_phrases"]))
    review = phrase_matcher(phrases(v["review_phrases"]))
    incentive = phrase_matcher(phrases(v["incentive_phrases"]))
    positive_only = phrase_matcher(phrases(v["positive_only_phrases"]))
    removal = phrase_matcher(phrases(v["removal_phrases"]))
    payment = phrase_matcher(phrases(v["payment_phrases"]))
    offensive = phrase_matcher(phrases(v["offensive_words"]))
    thanks = phrase_matcher(phrases(v["thanks_phrases"]))
    dispatch = phrase_matcher(phrases(v["dispatch_phrases"]))
    phone_allowed = phrase_matcher(phrases(v["phone_allowed_words"]))
    completion_hosts = frozenset(v["order_completion_hosts"])
    vague_anchors = frozenset(v["vague_anchor_texts"])
    attachment_types = frozenset(v["attachment_types"])
    messaging_app = re.compile(r"whats ?app|telegram|wechat|viber", re.I)
    punctuation = re.compile(r"[!?]{3,}")
    price_cut = re.compile(r"(£|GBP ?)[0-9]+(\.[0-9]{2})? off", re.I)
    early_statuses = frozenset(["pending", "unshipped", "partially_shipped", "shipped"])

    def language(tag: str) -> str:
        return re.split(r"[-_]", tag.strip(), maxsplit=1)[0].lower()

    # ---- envelope and timing ----------------------------------------------------------
    def thirty_days(d):
        m = d["message"]
        return m["direction"] == "proactive" and (m["sent_at"] - d["order"]["completed_at"]).days > window

    def reason_not_permitted(d):
        m = d["message"]
        return m["direction"] == "proactive" and m["reason"] == "unspecified"

    def no_order_id(d):
        m = d["message"]
        return (m["direction"] == "proactive" and not m["order_ids"]
                and not any(p["name"] == "order_id" for p in m["placeholders"]))

    def wrong_language(d):
        m = d["message"]
        return m["direction"] == "proactive" and language(m["language"]) != language(d["order"]["buyer_language"])

    def api_html(d):
        m = d["message"]
        return m["channel"] == "api" and m["is_html"]

    def api_invoice(d):
        m = d["message"]
        return (m["channel"] == "api" and m["reason"] == "invoice"
                and m.get("api_message_type", "sendInvoice") != "sendInvoice")

    def repeat_request(d):
        return d["message"]["reason"] == "review_request" and d["history"]["review_requests_sent"] > 0

    def before_delivery(d):
        return d["message"]["reason"] == "review_request" and d["order"]["status"] in early_statuses

    # ---- phrase lists -----------------------------------------------------------------
    def marketing_text(d):
        return bool(marketing(d["message"]["text"]))

    def marketing_subject(d):
        subject = d["message"].get("subject")
        return subject is not None and bool(marketing(subject))

    def incentive_review(d):
        text = d["message"]["text"]
        return bool(review(text)) and bool(incentive(text))

    def positive_only_review(d):
        text = d["message"]["text"]
        return bool(review(text)) and bool(positive_only(text))

    def review_removal(d):
        return bool(removal(d["message"]["text"]))

    def off_amazon_payment(d):
        return bool(payment(d["message"]["text"]))

    def offensive_language(d):
        return bool(offensive(d["message"]["text"]))

    def thank_you_only(d):
        m = d["message"]
        return len(m["text"]) < 160 and not m["order_ids"] and bool(thanks(m["text"]))

    def dispatch_confirmation(d):
        m = d["message"]
        return (m["direction"] == "proactive" and m["reason"] != "order_fulfillment_issue"
                and bool(dispatch(m["text"])))

    # ---- regular expressions ----------------------------------------------------------
    def messaging_app_contact(d):
        return messaging_app.search(d["message"]["text"]) is not None

    def excess_punctuation(d):
        return punctuation.search(d["message"]["text"]) is not None

    def price_reduction(d):
        return price_cut.search(d["message"]["text"]) is not None

    # ---- counts and lengths -----------------------------------------------------------
    def emoji(d):
        return len(d["message"]["emoji"]) > 0

    def email_address(d):
        return len(d["message"]["emails"]) > 0

    def too_long(d):
        return len(d["message"]["text"]) > 900

    # ---- quantifiers ------------------------------------------------------------------
    def insecure_link(d):
        return any(l["scheme"] == "http" and not l["is_amazon"] for l in d["message"]["links"])

    def external_link(d):
        return any(not l["is_amazon"] and l["scheme"] in ("http", "https") and l["host"] not in completion_hosts
                   for l in d["message"]["links"])

    def click_here(d):
        return any("anchor_text" in l and l["anchor_text"].lower() in vague_anchors for l in d["message"]["links"])

    def opt_out(d):
        return any(l["is_opt_out"] for l in d["message"]["links"])

    def phone(d):
        return any(not phone_allowed(p["context"]) for p in d["message"]["phones"])

    def insecure_image(d):
        return any(i["scheme"] == "http" for i in d["message"]["images"])

    def no_alt(d):
        return any(not i.get("alt") for i in d["message"]["images"])     # absent or empty

    def animated(d):
        return any(i["animated"] for i in d["message"]["images"])

    def tracking_pixel(d):
        return any(i["tracking_pixel"] for i in d["message"]["images"])

    def logo_link(d):
        return any(i["is_logo"] and i["links_outside_amazon"] for i in d["message"]["images"])

    def attachment_not_allowed(d):
        return any(a["content_type"] not in attachment_types or a["size"] > 7_000_000
                   for a in d["message"]["attachments"])

    # ---- styling ----------------------------------------------------------------------
    def margins(d):
        m = d["message"]
        return m["is_html"] and m["styling"]["max_margin_percent"] > 20

    def overrides(d):
        s = d["message"]["styling"]
        return s["overrides_line_height"] or s["overrides_font_family"] or s["overrides_color"]

    def font_sizes(d):
        return d["message"]["styling"]["font_sizes"] > 3

    def alignment(d):
        return d["message"]["styling"]["text_align"] in ("center", "right", "justify")

    def line_breaks(d):
        return d["message"]["styling"]["max_line_breaks"] > 2

    def spelling(d):
        s = d["message"]["spelling"]
        return s["words"] >= 20 and s["unknown_percent"] > 10

    table = {
        "timing.thirty-days": thirty_days, "proactive.reason-not-permitted": reason_not_permitted,
        "proactive.no-order-id": no_order_id, "proactive.wrong-language": wrong_language,
        "api.html-body": api_html, "api.invoice-operation": api_invoice, "review.repeat-request": repeat_request,
        "review.before-delivery": before_delivery, "content.marketing": marketing_text,
        "content.subject-marketing": marketing_subject, "review.incentive": incentive_review,
        "review.positive-only": positive_only_review, "review.removal": review_removal,
        "content.off-amazon-payment": off_amazon_payment, "content.offensive": offensive_language,
        "content.thank-you-only": thank_you_only, "content.dispatch-confirmation": dispatch_confirmation,
        "contact.messaging-app": messaging_app_contact, "style.excess-punctuation": excess_punctuation,
        "content.price-cut": price_reduction, "styling.no-emoji": emoji, "contact.email-address": email_address,
        "content.too-long": too_long, "links.insecure": insecure_link, "links.external": external_link,
        "links.click-here": click_here, "links.opt-out": opt_out, "contact.phone": phone,
        "images.insecure": insecure_image, "images.no-alt": no_alt, "images.animated": animated,
        "images.tracking-pixel": tracking_pixel, "images.logo-link": logo_link,
        "attachments.not-allowed": attachment_not_allowed, "styling.margins": margins, "styling.overrides": overrides,
        "styling.font-sizes": font_sizes, "styling.alignment": alignment, "styling.line-breaks": line_breaks,
        "spelling.errors": spelling,
    }
    return [(r.id, table[r.id]) for r in policy.rules]


def make(policy: Policy, rule_ids=None, name: str = "plain Python (hand-written)") -> Engine:
    keep = None if rule_ids is None else set(rule_ids)
    checks = tuple((i, check) for i, check in rules(policy) if keep is None or i in keep)

    def run(d):
        return [rule_id for rule_id, check in checks if check(d)]

    return Engine(name, tuple(i for i, _ in checks),
                  prepare=lambda facts: facts.data, run=run, fired=lambda ids: ids)
