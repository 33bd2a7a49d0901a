"""The November 2020 UK and US policies on wording sellers really write.

Each sentence goes through the real normaliser and evaluator, in an envelope that settles every
fact but the text (a proactive Seller Central message about a known order, sent in time), so the
rules that fire are exactly those the wording triggers. Then: the settings where the guideline
sources disagree (each flipped in a policy that extends the bundled one), the SP-API Messaging
limits on real request bodies, and the shape of every rule's own examples.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from dsl.compiler import compile_text
from dsl.contract.resources import policies_dir
from dsl.registry import versions
from interpreter.evaluation.evaluate import evaluate
from interpreter.facts.normalise import normalise
from interpreter.read.envelope import envelope_of
from permitted import load_policy

MARKETS = ("UK", "US")
BUYER_LANGUAGE = {"UK": "en-GB", "US": "en-US"}
FILES = {"UK": "uk/2020-11-06.yaml", "US": "us/2020-11-03.yaml"}
EFFECTIVE = {"UK": "2020-11-06", "US": "2020-11-03"}

FULFILMENT = {"reason": "order_fulfillment_issue"}
RETURN = {"reason": "return_question"}
REPLY = {"direction": "reply"}
COURTESY = {"reason": "required_to_receive"}


def envelope(market: str, text: str, **fields) -> dict:
    """A proactive Seller Central review request for a known order, sent 10 days after completion."""
    env = {"marketplace": market, "channel": "seller_central", "direction": "proactive", "reason": "review_request",
           "sent_at": "2020-11-20", "body": text,
           "order": {"id": "123-1234567-1234567", "completed_at": "2020-11-10", "delivered_at": "2020-11-12",
                     "buyer_language": BUYER_LANGUAGE[market]},
           "history": {"buyer_contacted_first": fields.get("direction") == "reply", "review_requests_sent": 0}}
    env.update(fields)
    return env


def fired(policy, env: dict) -> dict[str, tuple]:
    """Rule id -> evidence, for every rule the message breaks."""
    report = evaluate(policy, normalise(env, env.get("marketplace"), policy=policy))
    return {v.rule: v.evidence for v in report.violations}


@dataclass(frozen=True)
class Case:
    text: str
    expect: frozenset[str]
    markets: tuple[str, ...] = MARKETS
    fields: dict = field(default_factory=dict)
    evidence: str | None = None          # characters the report must point at


def case(text: str, *expect: str, markets: tuple[str, ...] = MARKETS, evidence: str | None = None,
         **fields) -> Case:
    return Case(text, frozenset(expect), markets, fields, evidence)


UK, US = ("UK",), ("US",)
POSITIVE = "review.no-asking-for-positive"
INCENTIVE = "review.no-incentives"
GATING = "review.no-review-gating"
CHANGE = "review.no-removal-or-update-request"
MARKETING = "type.no-marketing"
COUPON = "type.no-coupons-or-vouchers"
OPT_OUT = "content.no-opt-out-links"
CONFIRMATION = "type.no-order-confirmations"
COURTESY_ONLY = "type.no-thank-you-only"
ADJUSTMENT = "order-problem.confirm-adjustment"
CANCEL = "order-problem.no-cancellation-request"
RETURNS = "returns.only-information-or-partial-refund"
PAYMENT = "payment.only-through-amazon"

WORDING = [
    # asking for a positive review or a number of stars
    case("Please leave us a 5-star review if you have a moment.", POSITIVE, evidence="5-star"),
    case("We would love to see 5 stars from you!", POSITIVE, evidence="5 stars"),
    case("A five star rating would really help our small business.", POSITIVE, evidence="five star"),
    case("If you could give us 5* that would mean the world to us.", POSITIVE, evidence="5*"),
    case("Please leave us a positive review on Amazon.", POSITIVE, evidence="positive"),
    case("Good reviews help small shops like ours, so please leave one.", POSITIVE, evidence="Good reviews"),
    case("Would you rate us five stars?", POSITIVE),
    case("A favourable review would be much appreciated.", POSITIVE, markets=UK, evidence="favourable review"),
    case("A favorable review would be much appreciated.", POSITIVE, markets=US, evidence="favorable review"),
    case("We would appreciate your honest review."),
    case("Please leave a review of your experience."),
    case("Thank you for your positive feedback, we are so glad the lamp arrived safely.", **REPLY),
    case("Our kettle comes with a 5 year warranty.", **COURTESY),
    # incentives for a review
    case("Get a free gift for your review!", INCENTIVE, evidence="free gift"),
    case("Leave us a review and we will send you a $10 gift card.", INCENTIVE, evidence="gift card"),
    case("Send us a screenshot of your review and we will refund your order.", INCENTIVE,
         evidence="screenshot of your review"),
    case("Post an honest review to be entered into our prize draw.", INCENTIVE, evidence="prize draw"),
    case("Reviewers receive 20% off their next order.", INCENTIVE, COUPON),
    case("We will send you a £5 Amazon voucher as a thank you for your feedback.", INCENTIVE, COUPON, markets=UK,
         evidence="voucher"),
    case("We will mail you a gift certificate for your feedback.", INCENTIVE, markets=US,
         evidence="gift certificate"),
    case("We have sent a free replacement; we would value your honest feedback."),
    case("We will reimburse your return postage in full.", **REPLY),
    case("Your free gift was missing from the parcel, so we are sending it today.", **FULFILMENT),
    # a review only from pleased buyers
    case("If you are happy with your purchase, please leave a review.", GATING, evidence="If you are happy"),
    case("If you're satisfied, we'd be grateful for a review.", GATING, evidence="If you're satisfied"),
    case("If you love it, please tell others in a review.", GATING, evidence="If you love"),
    case("If you're not 100% satisfied, please contact us before leaving a review.", GATING),
    case("If happy with the item, please leave feedback.", GATING, evidence="If happy"),
    case("If you are happy with the replacement, there is nothing more to do.", **FULFILMENT),
    case("If you have any problem with the lamp, just reply to this message. "
         "We would also appreciate your honest review."),
    # changing or removing a review or feedback
    case("Please update your review now that the issue is fixed.", CHANGE, evidence="update your review"),
    case("Could you change your review to reflect the replacement?", CHANGE, evidence="change your review"),
    case("Would you consider removing your review?", CHANGE, evidence="removing your review"),
    case("We have refunded you in full, so please remove your negative review.", CHANGE),
    case("Would you be willing to revise your rating?", CHANGE, evidence="revise your rating"),
    case("Please remove your feedback, the problem has been solved.", "review.no-feedback-change-request",
         evidence="remove your feedback"),
    case("Thank you for your review; we have passed your comments to our team."),
    case("We read your feedback and have improved our packaging.", **REPLY),
    # marketing
    case("Check out our other products in our storefront!", MARKETING, evidence="Check out our"),
    case("Follow us on Instagram for new designs.", MARKETING, evidence="Follow us"),
    case("Sign up to our newsletter for 10% off.", MARKETING, COUPON),
    case("Don't miss our Black Friday deals.", MARKETING, evidence="Black Friday"),
    case("You may also like our matching cushions.", MARKETING, evidence="You may also like"),
    case("Our Boxing Day sale starts on the 26th.", MARKETING, markets=UK),
    case("Our Labor Day sale starts Monday.", MARKETING, markets=US),
    case("The lamp you ordered is back in stock and will be sent on Monday.", **FULFILMENT),
    case("Your matching cushion comes in a separate parcel.", **FULFILMENT),
    # coupons and vouchers
    case("Use code THANKS10 at checkout.", COUPON, evidence="Use code"),
    case("Enjoy 20% off your next order.", COUPON, evidence="% off"),
    case("Here is a coupon for your next purchase.", COUPON, evidence="coupon"),
    case("Here is a voucher code for your next order.", COUPON, markets=UK, evidence="voucher code"),
    case("Save with our promo codes next time.", COUPON, markets=US, evidence="promo codes"),
    case("As agreed, we have refunded 20% of the price.", **REPLY),
    case("Use the code on the warranty card to register your kettle.", **COURTESY),
    # opting out
    case("To unsubscribe from these emails, reply STOP.", OPT_OUT, evidence="unsubscribe"),
    case("Click here to stop receiving messages from us.", OPT_OUT, evidence="stop receiving"),
    case("You can opt out of these messages at any time.", OPT_OUT, evidence="opt out"),
    case("If you no longer wish to receive our emails, let us know.", OPT_OUT),
    case("If you want us to stop the delivery, please tell us today.", **FULFILMENT),
    # order and dispatch confirmations
    case("Good news: your order has shipped and will arrive on Friday.", CONFIRMATION, **FULFILMENT),
    case("Your order has been dispatched with Royal Mail.", CONFIRMATION, markets=UK, **FULFILMENT),
    case("Your package shipped today via USPS.", CONFIRMATION, markets=US, **FULFILMENT),
    case("We have received your order and are preparing it.", CONFIRMATION, **FULFILMENT),
    case("Your order is delayed by two days; we are sorry for the wait.", **FULFILMENT),
    case("Could you confirm the delivery address for the wardrobe?", reason="complete_order_info"),
    # thank-you or help only
    case("Thank you for your order! We are here to help if you have any questions.", COURTESY_ONLY, **COURTESY),
    case("Many thanks for shopping with us.", COURTESY_ONLY, **COURTESY),
    case("We hope you enjoy your new kettle. Don't hesitate to contact us if you need anything.", COURTESY_ONLY,
         **COURTESY),
    case("Thank you for your order. Could you confirm the engraving text?", reason="custom_design"),
    # out of stock
    case("Unfortunately the lamp is out of stock. Please cancel your order.", CANCEL, ADJUSTMENT, **FULFILMENT),
    case("Sorry, we have run out of stock. Can you cancel the order from your end?", CANCEL, ADJUSTMENT,
         **FULFILMENT),
    case("Sorry, the lamp is out of stock.", ADJUSTMENT, **FULFILMENT),
    case("The lamp has sold out, so we have refunded the full order amount.", **FULFILMENT),
    case("We are unable to dispatch the lamp as it is out of stock, and we have refunded you in full.",
         **FULFILMENT),
    case("The lamp is backordered, so we have refunded the full amount.", markets=US, **FULFILMENT),
    # returns
    case("We have received your return and will process it soon.", RETURNS, **RETURN),
    case("About your return: could you send a photo of the damage?", **RETURN),
    case("Regarding your return, we can offer a partial refund of 30% if you keep the item.", **RETURN),
    # payment outside Amazon
    case("We can refund you by PayPal today.", PAYMENT, evidence="PayPal", **REPLY),
    case("Please pay the extra delivery charge by bank transfer.", PAYMENT, evidence="bank transfer", **FULFILMENT),
    case("Please send the balance to sort code 12-34-56.", PAYMENT, markets=UK, evidence="sort code", **REPLY),
    case("You can pay the difference with Venmo or Zelle.", PAYMENT, markets=US, evidence="Venmo", **REPLY),
    case("Your refund will show on your card within five working days.", **REPLY),
    # offensive language, contact details, links, emoji
    case("Please don't be an idiot about the instructions.", "content.no-offensive-language", evidence="idiot",
         **REPLY),
    case("Please read the instructions on page 2.", **REPLY),
    case("Email us at help@example.com with any questions.", "content.no-email-addresses",
         evidence="help@example.com", **REPLY),
    case("Call us on 020 7946 0123 if anything is wrong.", "content.no-phone-numbers", markets=UK,
         evidence="020 7946 0123", **REPLY),
    case("Call us at (206) 555-0123 if anything is wrong.", "content.no-phone-numbers", markets=US, **REPLY),
    case("For warranty claims, call the manufacturer on 0800 123 4567.", markets=UK, **REPLY),
    case("For warranty claims, call the manufacturer at 1-800-555-0199.", markets=US, **REPLY),
    case("Track your parcel at http://tracking.example.com/123", "content.links-must-be-https", **REPLY),
    case("Follow us at https://www.instagram.com/myshop", "content.no-social-media-links", MARKETING, **REPLY),
    case("Our full range: https://www.amazon.com/stores/ExampleHome/page/1", "content.no-amazon-store-links",
         MARKETING, **REPLY),
    case("You can review the lamp on its review page: https://www.amazon.com/review/create-review?asin=B012345678"),
    case("Thanks for your order 😊 Could you confirm the colour?", "styling.no-emoji", evidence="😊",
         reason="custom_design"),
]


def _id(market: str, c: Case) -> str:
    return f"{market.lower()}:{' '.join(c.text.split()[:6])}"


@pytest.mark.parametrize("market,c", [pytest.param(m, c, id=_id(m, c)) for c in WORDING for m in c.markets])
def test_wording(market, c):
    policy = load_policy(market)
    found = fired(policy, envelope(market, c.text, **c.fields))
    assert set(found) == c.expect
    if c.evidence:
        texts = [e.text for rule in c.expect for e in found[rule] if e.text]
        assert any(c.evidence.lower() in t.lower() for t in texts), f"{c.evidence!r} not among the evidence {texts}"


def test_the_table_has_both_kinds_of_sentence():
    caught = [c for c in WORDING if c.expect]
    near = [c for c in WORDING if not c.expect]
    assert len(WORDING) >= 60 and len(caught) >= 30 and len(near) >= 20


# ---- a review request counts once per order, whatever the channel ------------------------------------

@pytest.mark.parametrize("channel", ["seller_central", "email", "api"])
@pytest.mark.parametrize("market", MARKETS)
def test_second_review_request_on_any_channel(market, channel):
    text = "About order 123-1234567-1234567: we would appreciate your honest review of the lamp."
    fields = {"channel": channel}
    if channel == "api":
        fields["api_message_type"] = "createConfirmOrderDetails"
    policy = load_policy(market)
    first = envelope(market, text, **fields)
    again = envelope(market, text, **fields, history={"buyer_contacted_first": False, "review_requests_sent": 1})
    assert "review.no-repeat-request" not in fired(policy, first)
    assert "review.no-repeat-request" in fired(policy, again)


# ---- settings where the sources disagree -----------------------------------------------------------

def with_settings(market: str, **settings):
    """The bundled policy with some vocab settings changed, as compliance staff would write it."""
    text = "\n".join([
        "policy: buyer-messaging", f"marketplace: {market}", f"effective: {EFFECTIVE[market]}",
        f"extends: {json.dumps(str(policies_dir() / FILES[market]))}", "source: test",
        f"vocab: {json.dumps(settings)}", "rules: []"])
    return compile_text(text, f"<{market} with {', '.join(settings)}>")


LATE_FROM_COMPLETION = {"sent_at": "2020-11-10", "reason": "invoice",
                        "order": {"id": "123-1234567-1234567", "completed_at": "2020-10-01",
                                  "delivered_at": "2020-10-20", "buyer_language": "en-GB"}}
PRE_SALE_ANSWER = {"direction": "reply", "order": {"buyer_language": "en-GB"},
                   "history": {"buyer_contacted_first": True}}
ENGLISH_API_TO_FRENCH_BUYER = {"channel": "api", "api_message_type": "createConfirmDeliveryDetails",
                               "order": {"id": "123-1234567-1234567", "completed_at": "2020-11-10",
                                         "buyer_language": "fr-FR"}, "reason": "bulky_delivery"}

SETTINGS = [
    # (setting, value, text, envelope fields, rule, fires by default, fires with the value)
    ("window_start", "delivery", "Your invoice for the wardrobe is attached.", LATE_FROM_COMPLETION,
     "timing.thirty-day-window", True, False),
    ("message_audience", "buyers_only", "Yes, the table is 120 cm long and seats six.", PRE_SALE_ANSWER,
     "audience.customers-only", False, True),
    ("amazon_product_links_allowed", False, "Assembly help is on the lamp's page: https://www.amazon.com/dp/B012345678",
     {"reason": "required_to_receive"}, "content.no-amazon-store-links", False, True),
    ("critical_message_scope", "unavailable_or_delayed", "Your wardrobe is delayed and will arrive next week.",
     FULFILMENT, ADJUSTMENT, False, True),
    ("critical_message_scope", "unavailable_or_delayed",
     "Your wardrobe is delayed due to a problem at the factory and will arrive next week.",
     FULFILMENT, ADJUSTMENT, False, False),
    ("own_language_channels", ["email"],
     "Please tell us which day suits you for the delivery of your wardrobe; two people will carry it in.",
     ENGLISH_API_TO_FRENCH_BUYER, "proactive.buyer-language", True, False),
]


@pytest.mark.parametrize("setting,value,text,fields,rule,by_default,with_value", SETTINGS,
                         ids=[f"{s[0]}={s[1]}:{s[4]}" for s in SETTINGS])
@pytest.mark.parametrize("market", MARKETS)
def test_disagreement_setting(market, setting, value, text, fields, rule, by_default, with_value):
    env = envelope(market, text, **fields)
    assert (rule in fired(load_policy(market), env)) is by_default
    assert (rule in fired(with_settings(market, **{setting: value}), env)) is with_value


# ---- SP-API Messaging limits, on request bodies as a tool sends them ---------------------------------

SENTENCE = "Please tell us which day suits you for the delivery, and whether the courier should call first. "


def text_of(length: int) -> str:
    return (SENTENCE * (length // len(SENTENCE) + 1))[:length]


def files(n: int, name: str = "invoice") -> list[dict]:
    return [{"uploadDestinationId": f"dest-{i}", "fileName": f"{name}{i}.pdf"} for i in range(n)]


API_RULES = {"api.text-length", "api.no-html", "api.links-related-to-purpose", "api.attachment-count",
             "content.no-email-addresses"}
API = [
    ("createConfirmOrderDetails", {"text": text_of(2000)}, set()),
    ("createConfirmOrderDetails", {"text": text_of(2001)}, {"api.text-length"}),
    ("createConfirmDeliveryDetails", {"text": text_of(2001)}, {"api.text-length"}),
    ("createConfirmServiceDetails", {"text": text_of(2000)}, set()),
    ("createConfirmServiceDetails", {"text": text_of(2001)}, {"api.text-length"}),
    ("createUnexpectedProblem", {"text": text_of(2001)}, {"api.text-length"}),
    ("confirmCustomizationDetails", {"text": text_of(800)}, set()),
    ("confirmCustomizationDetails", {"text": text_of(801)}, {"api.text-length"}),
    ("createDigitalAccessKey", {"text": text_of(400)}, set()),
    ("createDigitalAccessKey", {"text": text_of(401)}, {"api.text-length"}),
    ("sendInvoice", {}, {"api.attachment-count"}),
    ("sendInvoice", {"attachments": files(1)}, set()),
    ("sendInvoice", {"attachments": files(5)}, set()),
    ("sendInvoice", {"attachments": files(6)}, {"api.attachment-count"}),
    ("createWarranty", {"attachments": []}, {"api.attachment-count"}),
    ("createWarranty", {"attachments": files(2, "warranty")}, set()),
    ("confirmCustomizationDetails", {"text": "Which proof should we engrave?", "attachments": files(6, "proof")},
     {"api.attachment-count"}),
    ("createConfirmDeliveryDetails", {"text": "Please be home on <b>Tuesday</b> for the delivery."}, {"api.no-html"}),
    ("createUnexpectedProblem", {"text": "The courier could not deliver.<br>Write to help@example.com."},
     {"api.no-html", "content.no-email-addresses"}),
    ("createConfirmDeliveryDetails", {"text": "Pick a day; matching doors are at https://www.amazon.com/dp/B012345678"},
     {"api.links-related-to-purpose"}),
    ("createConfirmDeliveryDetails", {"text": "Pick a day on your order page: https://www.amazon.com/gp/css/order-history"},
     set()),
]


@pytest.mark.parametrize("operation,body,expect", API,
                         ids=[f"{op}:{'+'.join(sorted(e)) or 'ok'}:{i}" for i, (op, _, e) in enumerate(API)])
@pytest.mark.parametrize("market", MARKETS)
def test_sp_api_limits(market, operation, body, expect):
    fields = {"marketplace": market, "order": {"id": "123-1234567-1234567", "completed_at": "2020-11-10",
                                               "buyer_language": BUYER_LANGUAGE[market]},
              "sent_at": "2020-11-20", "history": {"buyer_contacted_first": False, "review_requests_sent": 0}}
    env = envelope_of(json.dumps(body).encode(), ".json", f"{operation}.json", fields, api_operation=operation)
    assert set(fired(load_policy(market), env)) & API_RULES == expect


# ---- every rule's own examples -------------------------------------------------------------------

@pytest.mark.parametrize("ref", [v.id for vs in versions().values() for v in vs])
def test_every_rule_has_a_breaking_example_and_a_near_miss(ref):
    for rule in load_policy(ref).rules:
        breaking = [e.name for e in rule.examples if rule.id in e.expect]
        near_miss = [e.name for e in rule.examples if rule.id not in e.expect and rule.id not in e.undetermined]
        assert breaking and near_miss, f"{rule.id}: breaking {breaking}, near misses {near_miss}"
