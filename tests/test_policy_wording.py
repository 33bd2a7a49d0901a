"""The November 2020 UK and US policies on wording sellers really write.

Each sentence goes through the real normaliser and evaluator, in an envelope that settles every
fact but the text (a proactive Seller Central message about a known order, sent in time), so the
rules that fire are exactly those the wording triggers. Then: the settings where the guideline
sources disagree (each flipped in a policy that extends the bundled one), the SP-API Messaging
limits on real request bodies, and the shape of every rule's own examples.
"""
from __future__ import annotations

import json
import os
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
SATISFIED = "review.no-asking-only-satisfied"
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
    # ... in the same sentence or the next, in other words and other languages
    case("If the product met or exceeded your expectations, please consider leaving a review.", GATING),
    case("If you were completely satisfied with the kettle, we'd welcome your feedback.", GATING,
         evidence="If you"),
    case("Not completely satisfied? Please message us first. Otherwise, we'd love an honest review.", GATING),
    case("Wenn Sie mit Ihrem Kauf zufrieden sind, freuen wir uns über eine Bewertung.", GATING, evidence="Wenn Sie"),
    case("Si vous êtes satisfait de votre achat, laissez-nous un avis.", GATING),
    case("Si está satisfecho con su compra, deje una reseña.", GATING),
    case("Se è soddisfatto dell'acquisto, lasci una recensione.", GATING),
    case("ご満足いただけましたら、ぜひレビューをお願いします。", GATING, evidence="ご満足いただけましたら"),
    case("إذا كنت راضيا عن المنتج، نرجو كتابة تقييم.", GATING),
    case("We would be happy if you left an honest review."),
    case("If you need help, we are happy to assist. We would also value your honest review."),
    case("If you would like to leave a review, the link is on your order page."),
    case("If you are happy with the replacement, nothing more is needed. The old part can be recycled. "
         "Your invoice is attached. We would value an honest review."),
    case("Laissez-nous un avis honnête, s'il vous plaît."),
    case("Wenn Sie Fragen haben, antworten Sie einfach. Für eine ehrliche Bewertung sind wir dankbar."),
    case("お時間がございましたら、レビューをお寄せいただければ幸いです。"),
    # a review asked of a buyer presumed pleased
    case("We're glad you had a good experience! Would you consider leaving a review?", SATISFIED,
         evidence="glad you had a good experience"),
    case("Thank you for your positive feedback. Could you also leave a product review?", SATISFIED),
    case("We hope the heater arrived safely. Would you consider leaving an honest review?"),
    case("Glad you liked the heater! The spare filter is in the side pocket.", **REPLY),
    # incentives and stars in other languages
    case("レビューを書いていただいた方にはギフト券をプレゼントします。", INCENTIVE, evidence="ギフト券"),
    case("Für Ihre Bewertung erhalten Sie einen Gutschein.", INCENTIVE, evidence="Gutschein"),
    case("Laissez-nous un avis 5 étoiles !", POSITIVE, evidence="5 étoiles"),
    case("星5つのレビューをお願いします。", POSITIVE),
    case("不具合があれば無料で交換いたします。レビューもお待ちしております。"),
    # a reward offered as thanks a sentence or two after the review, not a loyalty offer far away
    case("Please share your impressions in a review. It helps other buyers. As a thank you, we will send "
         "you a gift card.", INCENTIVE, evidence="gift card"),
    case("レビューをお寄せいただければ幸いです。ほかのお客様の参考になります。感謝の気持ちを込めて、ギフト券をお送りします。",
         INCENTIVE, evidence="ギフト券"),
    case("Deixe uma avaliação e ganhe um vale-presente.", INCENTIVE, evidence="vale-presente"),
    case("Your feedback helps us improve. Reply with any question. We answer within a day. "
         "For a refund with a discount code, see your Amazon orders page.", COUPON),
    case("Thank you for your patience with the delay; as a thank you, the next box is on us.", **FULFILMENT),
    # a review pressed as what keeps the seller's sales or place on Amazon
    case("Amazon takes a cut of every sale, so we need your review to boost our sales.", POSITIVE,
         evidence="boost our sales"),
    case("Your review decides whether our small shop can stay on Amazon.", POSITIVE, evidence="stay on Amazon"),
    case("Sua avaliação é muito importante para que a loja permaneça na Amazon.", POSITIVE),
    case("Reviews help small businesses like ours. We would value your honest review."),
    case("We restock to boost our sales in spring; your parcel ships today.", **FULFILMENT),
    case("Deixe uma avaliação sincera, por favor."),
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
    case("Your order has shipped! Tracking number: 1Z999AA10123456784.", CONFIRMATION, **FULFILMENT),
    case("The lamp is out of stock, so we have refunded you in full. You may have received a shipping "
         "confirmation by mistake; please disregard it.", **FULFILMENT),
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
    case("The lamp is out of stock. If you prefer, please cancel your order.", CANCEL, ADJUSTMENT, **FULFILMENT),
    case("The hardback is out of stock. You can wait for the restock, take the paperback instead, or request "
         "cancellation.", ADJUSTMENT, **FULFILMENT),
    case("We are unable to ship the chair by express. We can ship it by standard shipping and refund the difference; "
         "if not, you can request cancellation.", **FULFILMENT),
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


# ---- what a message is for, read from its text (the envelope gives no contact reason) ----------------

def unreasoned(market: str, text: str, **fields) -> dict:
    """The envelope of `envelope`, without a contact reason: an archived e-mail, a third-party tool."""
    env = envelope(market, text, **fields)
    del env["reason"]
    return env


def judged(policy, env: dict) -> tuple[set[str], set[str]]:
    """(rules that fire, rules that cannot be judged)."""
    report = evaluate(policy, normalise(env, env.get("marketplace"), policy=policy))
    return {v.rule for v in report.violations}, {u.rule for u in report.undetermined}


REASON = "proactive.permitted-reason"
# Each serves the order; its purpose is read from the text, so the reason rule is satisfied.
PURPOSE_READ = [
    "The bedside lamp you ordered has been delayed at the depot and will ship on Monday.",
    "We are sorry, the blue kettle is out of stock, so we have refunded the full amount.",
    "Could you confirm your delivery address? The flat number seems to be missing.",
    "Your invoice for the lamp is attached.",
    "The mug arrived damaged, so we are sending you a replacement today.",
    "Here is the design proof of your engraved board: please approve the design before we cut it.",
    "Your licence key is ABCD-1234; enter it under Settings.",
    "Please tell us a convenient day for the delivery of your wardrobe, it needs two people.",
    "La livraison de votre commande a été retardée de trois jours.",
    "Veuillez trouver ci-joint votre facture.",
    "Leider ist die Tischlampe nicht mehr auf Lager; wir haben den vollen Betrag erstattet.",
    "Könnten Sie uns die fehlende Hausnummer für den Kurier nennen?",
    "Le enviamos adjunta la factura de su pedido.",
    "Su pedido llegará con retraso por una huelga de transporte.",
    "L'articolo è esaurito; abbiamo già rimborsato l'intero importo.",
    "Ci scusiamo per il ritardo nella consegna del suo ordine.",
    "ご注文の商品は入荷が遅れており、発送は来週になります。",
    "お時間のある時にレビューを書いていただけますと幸いです。",
    "نعتذر عن التأخير في شحن طلبك، وسيصلك يوم الأحد.",
    "مرفق لك فاتورة طلبك.",
]
# No purpose can be read: thanks, offers of help, thanks for a review already left. The reason
# rule cannot judge them (the rules for courtesy and marketing decide what they are).
NO_PURPOSE_READ = [
    "Thanks for your order! If there is any problem with your order, just let us know.",
    "Thank you for your review, it means a lot to our small team.",
    "If you are not satisfied you can return the item within 30 days.",
    "Our lamps come with a two-year warranty. Enjoy your purchase!",
    "Merci pour votre commande, nous restons à votre disposition.",
    "Vielen Dank für Ihren Einkauf! Bei Fragen sind wir jederzeit für Sie da.",
    "万が一不具合がございましたら、お気軽にご連絡ください。",
    "先日はレビューを書いてくださり、ありがとうございました。",
    "شكرا لتسوقك معنا، نحن في خدمتك دائما.",
]


@pytest.mark.parametrize("text", PURPOSE_READ, ids=[t[:30] for t in PURPOSE_READ])
@pytest.mark.parametrize("market", MARKETS)
def test_a_purpose_read_from_the_text_stands_in_for_the_reason(market, text):
    fires, unknown = judged(load_policy(market), unreasoned(market, text))
    assert REASON not in fires | unknown


@pytest.mark.parametrize("text", NO_PURPOSE_READ, ids=[t[:30] for t in NO_PURPOSE_READ])
@pytest.mark.parametrize("market", MARKETS)
def test_without_a_purpose_in_the_text_the_reason_rule_cannot_judge(market, text):
    fires, unknown = judged(load_policy(market), unreasoned(market, text))
    assert REASON in unknown and REASON not in fires


@pytest.mark.parametrize("market", MARKETS)
def test_the_reason_given_wins_over_the_text(market):
    text = "Your invoice for the lamp is attached."
    fires, _ = judged(load_policy(market), envelope(market, text, reason="unspecified"))
    assert REASON in fires


# The return rule fires on what its clause forbids (pressing the buyer, news of the refund that
# asks nothing), in any language the lists have; a return message in which neither is found is
# left alone, whatever its language.
RETURN_WORDING = [
    ("Nous avons bien reçu votre retour et le remboursement a été effectué.", {RETURNS}),
    ("Ihre Rücksendung ist eingegangen, der Betrag wurde erstattet.", {RETURNS}),
    ("Hemos recibido su devolución y le hemos reembolsado hoy.", {RETURNS}),
    ("返品商品を受け取りました。返金処理が完了しました。", {RETURNS}),
    ("Would you be willing to cancel your return and give it another chance?", {RETURNS}),
    ("Concernant votre retour : pourriez-vous nous envoyer une photo du défaut ?", set()),
    ("Zu Ihrer Rücksendung: Könnten Sie uns die Seriennummer nennen?", set()),
    ("Per il suo reso possiamo proporle un rimborso parziale del 20%.", set()),
    ("返品の理由を教えていただけますか。", set()),
    ("返品処理のご案内をAmazonから受け取りました。今後の参考にさせていただきます。", set()),
]


@pytest.mark.parametrize("text,expect", RETURN_WORDING, ids=[t[:30] for t, _ in RETURN_WORDING])
@pytest.mark.parametrize("market", MARKETS)
def test_return_wording(market, text, expect):
    fires, _ = judged(load_policy(market), envelope(market, text, **RETURN))
    assert fires & {RETURNS} == expect


# ---- settings where the sources disagree -----------------------------------------------------------

def with_settings(market: str, **settings):
    """The bundled policy with some vocab settings changed, as compliance staff would write it."""
    text = "\n".join([
        "policy: buyer-messaging", f"marketplace: {market}", f"effective: {EFFECTIVE[market]}",
        f"extends: {json.dumps(os.path.relpath(policies_dir() / FILES[market]))}", "source: test",
        f"vocab: {json.dumps(settings)}", "rules: []"])
    # In memory, the text sits in the working directory; its base is in the bundled tree.
    return compile_text(text, f"<{market} with {', '.join(settings)}>", root=policies_dir())


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


# ---- why a file is attached --------------------------------------------------------------------
# An e-mail with one PDF named like a scan: the sentence that introduces it says what it is, or
# leaves the attachment without a purpose (content.attachment-purpose-unknown asks for a look).

UNKNOWN_ATTACHMENT = "content.attachment-purpose-unknown"
ATTACHMENT_WORDING = [
    ("Please find your invoice attached.", False),
    ("Your invoice is attached; it shows the VAT charged.", False),
    ("The prepaid return label is attached: print it and stick it on the box.", False),
    ("Please find enclosed the assembly instructions for the wardrobe.", False),
    ("Vous trouverez ci-joint la notice de montage de l'armoire.", False),
    ("Anbei erhalten Sie die Rechnung zu Ihrer Bestellung.", False),
    ("Le adjuntamos el certificado de garantía de la batidora.", False),
    ("In allegato trova l'etichetta di reso.", False),
    ("保証書を添付いたしましたのでご確認ください。", False),
    ("تجدون مرفقا ملصق الإرجاع الخاص بطلبكم.", False),
    # near misses: something is attached, but not a needed document, or nothing says what it is
    ("Please find our autumn catalogue attached.", True),
    ("Attached is a photo of our new range of lamps.", True),
    ("Your invoice will follow by post. Attached is a short note from our team.", True),
    ("Please see the attached file.", True),
    ("Vous trouverez ci-joint notre nouveau catalogue.", True),
    ("Im Anhang finden Sie unseren Newsletter.", True),
]


@pytest.mark.parametrize("text,unknown", ATTACHMENT_WORDING, ids=[t[:30] for t, _ in ATTACHMENT_WORDING])
@pytest.mark.parametrize("market", MARKETS)
def test_attachment_wording(market, text, unknown):
    env = envelope(market, text, channel="email", reason="invoice",
                   attachments=[{"filename": "scan_0042.pdf", "content_type": "application/pdf", "size": 30512}])
    assert (UNKNOWN_ATTACHMENT in fired(load_policy(market), env)) is unknown


# ---- every rule's own examples -------------------------------------------------------------------

@pytest.mark.parametrize("ref", [v.id for vs in versions().values() for v in vs])
def test_every_rule_has_a_breaking_example_and_a_near_miss(ref):
    for rule in load_policy(ref).rules:
        breaking = [e.name for e in rule.examples if rule.id in e.expect]
        near_miss = [e.name for e in rule.examples if rule.id not in e.expect and rule.id not in e.undetermined]
        assert breaking and near_miss, f"{rule.id}: breaking {breaking}, near misses {near_miss}"
