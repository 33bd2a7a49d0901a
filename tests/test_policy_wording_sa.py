"""The Saudi Arabia policy (sa@2020-01-01) and the US policy of 12 October 2018 on wording as
sellers write it: Arabic (Modern Standard and Gulf, with and without diacritics), English and
both mixed. Each sentence goes through the real normaliser and evaluator; the table says which
rules must fire, and a near miss that nothing may fire."""
from __future__ import annotations

import datetime as dt

import pytest

from interpreter.evaluation.evaluate import evaluate
from interpreter.facts.normalise import normalise
from permitted import load_policy

ORDER = "123-1234567-1234567"
ANSWER = {"direction": "reply", "history": {"buyer_contacted_first": True}}


@pytest.fixture(scope="module")
def sa():
    return load_policy("sa@2020-01-01")


@pytest.fixture(scope="module")
def us2018():
    return load_policy("us@2018-10-12")


def _report(policy, body: str, envelope: dict):
    facts = normalise({"body": body, **envelope}, policy.marketplace, source="wording", policy=policy)
    return evaluate(policy, facts)


def _fired(policy, body: str, envelope: dict) -> set[str]:
    return {v.rule for v in _report(policy, body, envelope).violations}


def case(name: str, body: str, expect: set[str], **envelope):
    """A message written first (a review request unless `reason` says otherwise), or an answer."""
    if "direction" not in envelope:
        envelope.setdefault("reason", "review_request")
    return pytest.param(body, envelope, expect, id=name)


POSITIVE = "review.no-asking-for-positive"
GATING = "review.no-review-gating"
ONLY_SATISFIED = "review.no-asking-only-satisfied"
INCENTIVE = "review.no-incentives"
MARKETING = "type.no-marketing"
COUPON = "type.no-coupons-or-vouchers"
THIRD_PARTY = "content.no-third-party-promotion"
LINKS = "content.no-links-at-all"
PAYMENT = "payment.only-through-amazon"
REFUND = "returns.refund-through-amazon"
DATA = "data.order-use-only"
UNSOLICITED = "data.no-unsolicited-contact"
ORDER_ID = "proactive.order-id-in-every-message"
WRONG_ORDER = "proactive.order-id-is-this-order"
REASON = "proactive.permitted-reason"
WEBSITE = "content.no-website-links"
DETAIL = "content.no-amazon-detail-or-store-links"
AMAZON_PROMOTION = "content.no-amazon-promotions"

SA_CASES = [
    # ---- reviews: asking for a positive one ----
    case("ar five stars", f"شكراً لشرائك! نرجو منك إعطاءنا خمس نجوم على أمازون. رقم الطلب: {ORDER}", {POSITIVE}),
    case("gulf five stars in arabic digits", f"الله يعطيك العافية، لا تنسى تعطينا ٥ نجوم ⭐ للطلب {ORDER}", {POSITIVE}),
    case("ar five stars with attached bi", f"قيّمنا بخمس نجوم لو سمحت، الطلب {ORDER}", {POSITIVE}),
    case("ar positive review with tanween", f"نتمنى أن تترك لنا تقييماً إيجابياً على المنتج. طلبك رقم {ORDER}", {POSITIVE}),
    case("ar positive review with tatweel", f"ننتظر تقييمـك الإيجـابي للطلب {ORDER}", {POSITIVE}),
    case("en positive review", f"Please leave us a positive review for order {ORDER}.", {POSITIVE}),
    case("mixed five stars", f"Order {ORDER} — نرجو تقييم 5 stars 🙏", {POSITIVE}),
    case("star emoji row", f"طلبك {ORDER} وصل؟ قيمنا ⭐⭐⭐⭐⭐", {POSITIVE}),
    case("ar honest review", f"نرجو منك كتابة تقييم صادق عن تجربتك مع المنتج. الطلب {ORDER}", set()),
    case("en honest review", f"We would appreciate your honest review of order {ORDER}.", set()),
    # ---- reviews: only if pleased, only the pleased ----
    case("ar review only if satisfied",
         f"إذا كنت راضياً عن المنتج نرجو تقييمنا، وإذا لم تكن راضياً تواصل معنا أولاً. الطلب {ORDER}", {GATING}),
    case("gulf if you liked it", f"لو عجبك المنتج لا تنسى التقييم 🌹 طلبك {ORDER}", {GATING}),
    case("en if you are happy", f"If you are happy with your purchase, please leave a review. Order {ORDER}", {GATING}),
    case("ar contact us before the review", f"قبل كتابة التقييم تواصل معنا لحل أي مشكلة. الطلب {ORDER}", {GATING}),
    case("ar glad you liked it", f"يسعدنا أنه أعجبك! نرجو تقييمك للمنتج. الطلب {ORDER}", {ONLY_SATISFIED}, **ANSWER),
    case("ar satisfaction is our goal", f"رضاكم غايتنا. نسعد بتقييمكم الصادق للطلب {ORDER}", set()),
    case("ar liked colour, no review", f"الطلب {ORDER}: إذا أعجبك اللون البديل سنرسله غداً.", set(),
         reason="order_fulfillment_issue"),
    # ---- reviews: something in return ----
    case("ar gift card for a review", f"اكتب تقييمك واحصل على بطاقة هدية بقيمة 50 ريال! الطلب {ORDER}", {INCENTIVE}),
    case("ar free gift for a review", f"نهديك هدية مجانية مقابل تقييمك للمنتج. الطلب {ORDER}", {INCENTIVE}),
    case("en review for a discount", f"Leave a review and get 20% off your next order! Order {ORDER}", {INCENTIVE, COUPON}),
    case("ar free gift left out", f"نسينا إرفاق الهدية المجانية مع طلبك {ORDER} وسنرسلها لك اليوم.", set(),
         reason="order_fulfillment_issue"),
    case("ar free shipping and an honest review", f"الطلب {ORDER}: الشحن مجاني لهذا الطلب. نرجو منك تقييم المنتج بكل صراحة.",
         set()),
    case("ar gift wrapping and a review", f"الطلب {ORDER}: تم تغليف طلبك كهدية كما طلبت. نرجو تقييم تجربتك بصراحة.", set()),
    case("ar free replacement, what do you think", f"الطلب {ORDER}: سنرسل لك القطعة البديلة مجاناً، ما رأيك؟", set(),
         reason="order_fulfillment_issue"),
    # ---- marketing, coupons, other products ----
    case("ar discount code", f"استخدم كود الخصم SA90 واحصل على خصم 20٪ على أي منتج. الطلب {ORDER}", {COUPON},
         reason="invoice"),
    case("ar percent discount", f"فاتورة الطلب {ORDER} مرفقة، وبمناسبة العيد لك خصم 15% على طلبك.", {COUPON},
         reason="invoice"),
    case("en promo code", f"Use promo code EID25 at checkout. Order {ORDER}", {COUPON}, reason="invoice"),
    case("ar white friday", f"عروض الجمعة البيضاء بدأت! تسوق الآن من متجرنا. الطلب {ORDER}", {MARKETING},
         reason="invoice"),
    case("ar follow us", f"تابعونا على سناب شات وانستقرام لمعرفة كل جديد. الطلب {ORDER}", {MARKETING}, reason="invoice"),
    case("ar eid greeting and delay", f"عيد مبارك! نعتذر عن تأخر شحن طلبك {ORDER} بسبب إجازة العيد، وسيصلك يوم الأحد.",
         set(), reason="order_fulfillment_issue"),
    case("ar national day holiday", f"بسبب إجازة اليوم الوطني سيتأخر التوصيل يومين. الطلب {ORDER}", set(),
         reason="order_fulfillment_issue"),
    case("ar you may also like", f"قد يعجبك أيضاً منتجاتنا الأخرى من العطور. الطلب {ORDER}", {THIRD_PARTY},
         reason="invoice"),
    case("en also on noon", f"Order {ORDER} is on its way. You can also find us on noon with more colours.",
         {THIRD_PARTY}, reason="order_fulfillment_issue"),
    # ---- links and contact ----
    case("ar website link", f"تفضل بزيارة موقعنا www.myshop.sa لمعرفة طريقة الاستخدام. الطلب {ORDER}", {LINKS},
         reason="complete_order_info"),
    case("whatsapp link", f"راسلنا على https://wa.me/966501234567 لأي استفسار. الطلب {ORDER}", {LINKS}, **ANSWER),
    case("amazon link", f"Track your order {ORDER} at https://www.amazon.sa/gp/your-account/order-history", {LINKS},
         reason="order_fulfillment_issue"),
    # The page forbids links, not telephone numbers: "call us on WhatsApp" without a link passes.
    case("ar call us on whatsapp", f"للاستفسار تواصل معنا على الواتساب 0501234567. الطلب {ORDER}", set(), **ANSWER),
    # ---- payment and refunds ----
    case("ar pay by bank transfer", f"لإتمام الطلب {ORDER} يرجى الدفع عن طريق التحويل البنكي على حسابنا في بنك الراجحي.",
         {PAYMENT}, reason="complete_order_info"),
    case("en stc pay", f"Order {ORDER}: you can pay the difference via STC Pay.", {PAYMENT}, **ANSWER),
    case("ar refund to your iban", f"أرسل لنا رقم الآيبان وسنحول لك المبلغ المسترد. الطلب {ORDER}", {PAYMENT, REFUND},
         **ANSWER),
    case("ar buyer named al-rajhi", f"عزيزي الأستاذ محمد الراجحي، طلبك {ORDER} في الطريق وسيصلك الأحد.", set(),
         reason="order_fulfillment_issue"),
    case("ar cash on delivery", f"الطلب {ORDER}: الدفع عند الاستلام متاح عند الطلب من أمازون.", set(), **ANSWER),
    case("ar refund through amazon", f"الطلب {ORDER}: تم استرداد المبلغ عبر أمازون وسيظهر في حسابك خلال أيام.", set(),
         **ANSWER),
    # ---- customer data ----
    case("ar number added for offers", f"أضفنا رقم جوالك إلى قائمة عملائنا المميزين لتصلك عروضنا. الطلب {ORDER}",
         {DATA, MARKETING}, reason="invoice"),
    case("ar unsubscribe", f'لإلغاء الاشتراك في رسائلنا أرسل "إيقاف". الطلب {ORDER}', {UNSOLICITED}, reason="invoice"),
    case("en unsubscribe", f"Order {ORDER}. To unsubscribe from our emails, reply STOP.", {UNSOLICITED},
         reason="invoice"),
    case("ar number for the delivery", f"سنتصل بك على رقم جوالك لتحديد موعد توصيل الثلاجة. الطلب {ORDER}", set(),
         reason="bulky_delivery"),
    # ---- Order Unavailable email ----
    case("ar sold out, no refund", f"نعتذر، المنتج في طلبك {ORDER} نفدت الكمية منه.", {"type.order-unavailable-contents"},
         reason="order_fulfillment_issue"),
    case("ar sold out misspelt, refunded", f"للأسف نفذت الكمية من المنتج، وتم استرداد المبلغ كاملاً. الطلب {ORDER}", set(),
         reason="order_fulfillment_issue"),
    case("ar cancelled without a reason", f"نأسف، اضطررنا لإلغاء طلبك {ORDER} وتم استرداد المبلغ.",
         {"type.order-unavailable-reason"}, reason="order_fulfillment_issue"),
    case("gulf sold out by own e-mail", f"هلا والله، للأسف المنتج خلصت الكمية ورجعنا لك المبلغ كامل. الطلب {ORDER}",
         {"type.order-unavailable-use-template"}, reason="order_fulfillment_issue", channel="email"),
    case("ar delay notice", f"نعتذر عن تأخر شحن طلبك {ORDER}، سيتم الشحن يوم الثلاثاء.", set(),
         reason="order_fulfillment_issue"),
    # ---- Return Confirmation email ----
    case("ar return received, nothing more", f"تم استلام المنتج المرتجع من طلبك {ORDER} وسيتم استرداد المبلغ قريباً.",
         {"type.return-confirmation-contents"}, reason="return_question"),
    case("ar return confirmed in arabic digits",
         f"استلمنا المرتجع (ساعة ذكية) من طلبك {ORDER}، واسترددنا لك ٣٤٩ ريال يوم الأحد ١٥ مارس.", set(),
         reason="return_question"),
    case("ar charges taken off the refund",
         f"استلمنا المرتجع للطلب {ORDER} وتم خصم 15 ريال رسوم الشحن، واسترددنا لك 134 ريال بتاريخ 2020/03/12.", set(),
         reason="return_question"),
    # ---- the order ID, the reason, the language ----
    case("ar no order id", "مرحباً، شحنتك في الطريق وستصلك خلال يومين.", {ORDER_ID}, reason="order_fulfillment_issue"),
    case("ar another order's id", f"مرفق فاتورة الطلب {ORDER}.", {WRONG_ORDER}, reason="invoice",
         order={"id": "123-7654321-7654321"}),
    case("ar ramadan greeting only", f"رمضان كريم من متجرنا! كل عام وأنتم بخير. الطلب {ORDER}", {REASON},
         reason="unspecified"),
    # The page says nothing about the buyer's language.
    case("en to an arabic-speaking buyer", f"Your invoice for order {ORDER} is attached.", set(), reason="invoice",
         order={"buyer_language": "ar-SA"}),
    case("mixed gating and stars", f"Hi أخي, your order {ORDER} — إذا عجبك المنتج please leave 5 stars ⭐⭐⭐⭐⭐",
         {POSITIVE, GATING}),
]


@pytest.mark.parametrize("body,envelope,expect", SA_CASES)
def test_sa_wording(sa, body, envelope, expect):
    assert _fired(sa, body, envelope) == expect


US2018_CASES = [
    case("other products", f"Invoice for order {ORDER} attached. Check out our other products in our storefront!",
         {MARKETING}, reason="invoice"),
    case("follow us", f"Order {ORDER} has shipped. Follow us on Instagram for new arrivals!", {MARKETING},
         reason="order_fulfillment_issue"),
    case("labor day sale", f"Order {ORDER}: our Labor Day sale starts Friday.", {MARKETING}, reason="invoice"),
    case("coupon", f"Use code SAVE10 for 10% off your next order. Order {ORDER}", {COUPON}, reason="invoice"),
    case("gift certificate", f"Order {ORDER}: enjoy a $5 gift certificate with your next purchase.", {COUPON},
         reason="invoice"),
    case("paypal refund", f"Order {ORDER}: we can refund you by PayPal today.", {PAYMENT}, **ANSWER),
    case("venmo", f"Order {ORDER}: please send the shipping difference by Venmo.", {PAYMENT},
         reason="complete_order_info"),
    case("mail a check", f"Order {ORDER}: you can mail us a check for the balance.", {PAYMENT}, **ANSWER),
    case("no order id", "Your invoice is attached.", {ORDER_ID}, reason="invoice"),
    case("order id in subject", "Your invoice is attached.", set(), reason="invoice", subject=f"Invoice {ORDER}"),
    case("another order's id", f"Your invoice for order {ORDER} is attached.", {WRONG_ORDER}, reason="invoice",
         order={"id": "123-7654321-7654321"}),
    case("no reason", f"Hello from our shop! Order {ORDER}.", {REASON}, reason="unspecified"),
    case("reply without buyer contact", f"Order {ORDER}: here is some information.", {"audience.reply-needs-buyer-contact"},
         direction="reply", history={"buyer_contacted_first": False}),
    case("out of stock and refunded", f"Sorry, the lamp in order {ORDER} is out of stock; we refunded the full amount.",
         set(), reason="order_fulfillment_issue"),
    # The list our copy of the 2018 US page lost, as other copies give it: links to websites and
    # to Amazon detail pages or storefronts, promotions (those on Amazon included), other products
    # and third parties. A link to the order on Amazon is not among them.
    case("website link", f"Care tips for order {ORDER}: https://myshop.example.com/care", {WEBSITE},
         reason="complete_order_info"),
    case("link to the order on amazon", f"Order {ORDER} is delayed; its status is at "
         "https://www.amazon.com/gp/css/order-history", set(), reason="order_fulfillment_issue"),
    case("amazon detail page", f"Invoice for order {ORDER} attached. The matching shade: "
         "https://www.amazon.com/dp/B012345678", {DETAIL}, reason="invoice"),
    case("lightning deal", f"Invoice for order {ORDER} attached. Our lamps are a Lightning Deal on Friday!",
         {AMAZON_PROMOTION}, reason="invoice"),
    case("amazon refunded", f"Order {ORDER}: the lamp is out of stock, so Amazon refunded the full amount.",
         set(), reason="order_fulfillment_issue"),
    case("our shop on ebay", f"Order {ORDER} ships Monday. Our whole range is also on eBay.", {THIRD_PARTY},
         reason="order_fulfillment_issue"),
    case("you might also be interested", f"Invoice for order {ORDER} attached. You might also be interested "
         "in our brass desk lamp.", {THIRD_PARTY}, reason="invoice"),
    case("a bulb the order needs", f"Order {ORDER}: the lamp takes an E26 bulb, which is not in the box.", set(),
         reason="complete_order_info"),
    # The stored 2018 US text states no review, e-mail or emoji rule: these pass there (the Saudi
    # Arabia page forbids the first).
    case("five-star request", f"Please leave us a 5-star review for order {ORDER}!", set()),
    case("e-mail address", f"Order {ORDER}: write to help@myshop.example.com with any question.", set(), **ANSWER),
    case("smiley", f"Your invoice for order {ORDER} is attached :)", set(), reason="invoice"),
]


@pytest.mark.parametrize("body,envelope,expect", US2018_CASES)
def test_us2018_wording(us2018, body, envelope, expect):
    assert _fired(us2018, body, envelope) == expect


@pytest.mark.parametrize("body,rule,written", [
    pytest.param(f"نتمنى أن تترك لنا تقييماً إيجابياً. الطلب {ORDER}", POSITIVE, "تقييماً إيجابياً", id="tanween"),
    pytest.param(f"ننتظر تقييمـك الإيجـابي للطلب {ORDER}", POSITIVE, "تقييمـك الإيجـابي", id="tatweel"),
    pytest.param(f"أدخل رمز الخصم SA90 عند الدفع. الطلب {ORDER}", COUPON, "رمز الخصم", id="coupon"),
])
def test_sa_evidence_is_the_wording_as_written(sa, body, rule, written):
    violation = next(v for v in _report(sa, body, {"reason": "invoice"}).violations if v.rule == rule)
    assert [body[e.start:e.end] for e in violation.evidence] == [written]


@pytest.mark.parametrize("market,on,expected", [
    ("SA", dt.date(2020, 6, 1), "sa@2020-01-01"),
    ("US", dt.date(2019, 6, 1), "us@2018-10-12"),
    ("US", dt.date(2020, 11, 2), "us@2018-10-12"),
    ("US", dt.date(2020, 11, 3), "us@2020-11-03"),
])
def test_version_in_force(market, on, expected):
    assert load_policy(market, on).id == expected
