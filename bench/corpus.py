"""A seeded corpus of realistic facts records (policies/facts.schema.json) for the benchmarks.

Each record is what the normaliser would produce for one seller-to-buyer message on the UK
marketplace: a text of a few hundred characters assembled from sentence templates, the
entities found in it (order ids, links, e-mail addresses, phone numbers, emoji, placeholders)
with spans that point into that text, envelope facts, order dates and history. Every fact a
rule may read is known — no unknowns — so engines with two-valued logic give the same answers.

The mix is tuned so that every rule of bench/policy.yaml fires on some messages (from a fraction
of a percent to about a tenth of them) and about a quarter of the messages break no rule: a rule
that never fires would make the cross-check between engines vacuous for it.
`generate(n, seed)` is deterministic for a given n and seed.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import Callable

SEED = 20201106

NAMES = ["Sarah", "James", "Priya", "Tom", "José", "Zoë", "Siobhán", "Mohammed", "Anna", "Wei", "Chloé", "Liam"]
SHOPS = ["Oakridge Home", "Bright Gadgets UK", "The Tea Corner", "Kestrel Outdoor", "Maple & Co", "Nordic Knits"]
PRODUCTS = ["garden hose", "kettle", "phone case", "desk lamp", "wool blanket", "hiking boots", "tea set",
            "bookshelf", "bike light", "yoga mat", "café-style mug", "sofa"]
TYPOS = {"Pleese", "acept", "apologys", "definately", "recieve", "tommorow", "adress", "wich", "untill", "sucessful",
         "replacment", "wil", "arive", "sory"}
# Sentences with misspelt words, split so that each misspelt word is a piece of its own.
SLOPPY = [["Pleese", " ", "acept", " our ", "apologys", " for the delay."],
          ["We will ", "definately", " ", "recieve", " the stock ", "tommorow", "."],
          ["Please check the ", "adress", " ", "wich", " you gave."],
          ["The ", "replacment", " ", "wil", " ", "arive", " soon, ", "sory", "."],
          ["Your refund was ", "sucessful", " and will show ", "untill", " Friday."]]

# Hosts a seller's message links to in practice; Message.link derives is_amazon from the host.
AMAZON_HOSTS = ["www.amazon.co.uk", "amazon.co.uk", "sellercentral.amazon.co.uk"]
CARRIER_HOSTS = ["royalmail.com", "dpd.co.uk", "parcelforce.com", "evri.com"]
OWN_HOSTS = ["oakridgehome.co.uk", "brightgadgets.com", "shop.theteacorner.co.uk", "kestrel-outdoor.com"]
SHORTENERS = ["bit.ly", "tinyurl.com"]

EMOJI = [("😊", "emoji", "smiling face with smiling eyes"), ("👍", "emoji", "thumbs up"), ("🎉", "emoji", "party popper"),
         ("📦", "emoji", "package"), (":)", "emoticon", None), (":-)", "emoticon", None), ("<3", "emoticon", None)]

REASONS = [("order_fulfillment_issue", 15), ("complete_order_info", 10), ("return_question", 12), ("invoice", 12),
           ("review_request", 25), ("bulky_delivery", 5), ("home_services", 3), ("custom_design", 6),
           ("required_to_receive", 4), ("unspecified", 8)]
API_TYPE = {"order_fulfillment_issue": "createUnexpectedProblem", "complete_order_info": "createConfirmOrderDetails",
            "return_question": "createUnexpectedProblem", "invoice": "sendInvoice",
            "review_request": "createConfirmDeliveryDetails", "bulky_delivery": "createConfirmDeliveryDetails",
            "home_services": "createConfirmServiceDetails", "custom_design": "confirmCustomizationDetails",
            "required_to_receive": "createConfirmDeliveryDetails", "unspecified": "createUnexpectedProblem"}
STATUSES = [("delivered", 70), ("shipped", 12), ("unshipped", 5), ("pending", 3), ("partially_shipped", 3),
            ("cancelled", 4), ("returned", 3)]
BUYER_LANGUAGES = [("en-GB", 88), ("en-US", 3), ("de-DE", 4), ("fr_FR", 3), ("pl-PL", 2)]


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs)
    return rng.choices(values, weights)[0]


class Message:
    """message.text under construction, and the entities found in it with their spans.

    Templates append pieces one by one; an entity's span is known the moment it is appended, so
    spans are right by construction rather than found again by searching the finished text.
    """

    def __init__(self, rng: random.Random, is_html: bool):
        self.rng, self.is_html = rng, is_html
        self.parts: list[str] = []
        self.size = 0
        self.order_ids: list[dict] = []
        self.placeholders: list[dict] = []
        self.links: list[dict] = []
        self.emails: list[dict] = []
        self.phones: list[dict] = []
        self.emoji: list[dict] = []
        self.typos: list[str] = []

    def add(self, text: str) -> tuple[int, int]:
        start = self.size
        self.parts.append(text)
        self.size += len(text)
        return start, self.size

    @property
    def text(self) -> str:
        return "".join(self.parts)

    # ---- entities ----------------------------------------------------------------------
    def order_id(self) -> str:
        r = self.rng
        oid = f"{r.randint(200, 299)}-{r.randint(0, 9999999):07d}-{r.randint(0, 9999999):07d}"
        start, end = self.add(oid)
        self.order_ids.append({"text": oid, "start": start, "end": end})
        return oid

    def placeholder(self, text: str, name: str, syntax: str) -> None:
        start, end = self.add(text)
        self.placeholders.append({"text": text, "name": name, "syntax": syntax, "start": start, "end": end})

    def link(self, host: str, path: str, *, scheme: str = "https", anchor: str | None = None,
             explains: bool = True, opt_out: bool = False) -> None:
        """A bare URL in plain text; in HTML, an anchor whose visible text is `anchor` (or the URL)."""
        url = f"{scheme}://{host}{path}"
        html = self.is_html and anchor is not None
        start, end = self.add(anchor if html else url)
        link = {"url": url, "scheme": scheme, "host": host.removeprefix("www."),
                "is_amazon": host.endswith("amazon.co.uk"), "explains": explains, "is_opt_out": opt_out,
                "source": "html" if html else "text", "start": start, "end": end}
        if html:
            link["anchor_text"] = anchor
        self.links.append(link)

    def email(self, address: str) -> None:
        start, end = self.add(address)
        self.emails.append({"address": address.lower(), "start": start, "end": end})

    def phone(self, written: str, e164: str) -> None:
        start, end = self.add(written)
        phone = {"text": written, "number": e164, "context": "", "start": start, "end": end}
        if self.rng.random() < 0.7:
            phone["region"] = "GB"
        self.phones.append(phone)

    def emoticon(self) -> None:
        text, kind, name = self.rng.choice(EMOJI)
        start, end = self.add(text)
        item = {"text": text, "kind": kind, "start": start, "end": end}
        if name:
            item["name"] = name
        self.emoji.append(item)

    def typo(self, word: str) -> None:
        self.typos.append(word)
        self.add(word)

    def finish(self) -> str:
        """The final text; fills each phone's context with the words around it, as the normaliser does."""
        text = self.text
        for phone in self.phones:
            before = text[:phone["start"]].split()[-6:]
            after = text[phone["end"]:].split()[:6]
            phone["context"] = " ".join(before + after).lower()
        return text


# ---- sentences ------------------------------------------------------------------------------
# Each takes the message under construction and the order's details and appends one sentence.
Sentence = Callable[[Message, dict], None]


def _s(*pieces: str) -> Sentence:
    """A sentence without entities; `{product}` is filled in."""
    def sentence(m: Message, ctx: dict) -> None:
        m.add(m.rng.choice(pieces).format(**ctx))
    return sentence


def _about_order(m: Message, ctx: dict) -> None:
    m.add(m.rng.choice(["Thank you for your order ", "This message is about your order ", "Regarding order ",
                        "We’re writing about your recent order "]))
    if m.rng.random() < 0.04:                              # a template the tool failed to fill in
        m.placeholder(*m.rng.choice([("{{order.id}}", "order_id", "double_curly"),
                                     ("[[order-id]]", "order_id", "double_square"),
                                     ("%%order-id%%", "order_id", "double_percent")]))
    else:
        m.order_id()
    m.add(m.rng.choice([".", " for a {product}.".format(**ctx), " on Amazon.co.uk."]))


BODY: dict[str, list[Sentence]] = {
    "order_fulfillment_issue": [
        _s("Unfortunately the {product} you ordered is out of stock, so we have adjusted the order amount and refunded you in full.",
           "We are sorry, but dispatch of your {product} will be delayed by about five days because of a supplier problem.",
           "The courier could not deliver your {product} because the address seems to be incomplete."),
        _s("We apologise for the inconvenience.", "Please accept our apologies for the delay.",
           "If you would prefer to cancel, just reply and we will process the refund straight away."),
    ],
    "complete_order_info": [
        _s("To personalise your {product} we need the name you would like engraved.",
           "Could you confirm the colour you would like for your {product}? The listing allowed two options.",
           "We need a contact telephone number for the courier to complete delivery of your {product}."),
        _s("Please reply to this message with the details.", "Once we have this we will dispatch the same day."),
    ],
    "return_question": [
        _s("We have received the {product} you returned, but the original charger was missing from the box.",
           "Before we can process your return we need to know whether the {product} was used.",
           "We can offer a partial refund of 30% if you would like to keep the {product}."),
        _s("Could you let us know how you would like to proceed?", "Please reply with the details of the fault."),
    ],
    "invoice": [
        _s("Please find attached the VAT invoice for your {product}.", "As requested, your invoice is attached to this message."),
        _s("The invoice shows the full amount including VAT.", "Keep it for your records."),
    ],
    "review_request": [
        _s("We hope you are enjoying your new {product}.", "We hope your {product} arrived safely and works well."),
        _s("If you have a moment, please leave a review on Amazon to help other customers.",
           "We would be grateful if you could write a review of the product.",
           "Your seller feedback helps a small business like ours.", "Would you mind sharing your thoughts about it?"),
    ],
    "bulky_delivery": [
        _s("Your {product} is a large item and needs a two-person delivery.",
           "Our delivery partner needs to book a time slot for your {product}."),
        _s("Please reply with a weekday that suits you.", "Deliveries take place between 8am and 6pm."),
    ],
    "home_services": [
        _s("Your installation appointment for the {product} needs to be scheduled.",
           "Our engineer will fit the {product} at your home."),
        _s("Please tell us two dates that suit you.", "The visit takes about an hour."),
    ],
    "custom_design": [
        _s("We have attached a proof of the design for your {product}.", "Here is the mock-up of your custom {product}."),
        _s("Please confirm the design or tell us what to change.", "Production starts once you approve it."),
    ],
    "required_to_receive": [
        _s("The courier needs a safe place or a neighbour's address for your {product}.",
           "Customs require the recipient's ID number for your {product}."),
        _s("Without it the parcel cannot be delivered.", "Please reply so we can pass it on."),
    ],
    "unspecified": [
        _s("Just checking in about your {product}.", "We wanted to say hello from our shop."),
        _s("Hope all is well.", "Have a great week."),
    ],
}

# Optional sentences, each with the probability that a message contains it. Several of them
# are what the policy forbids; others are near misses that a careless rule would flag.
def _marketing(m, ctx):
    m.add(m.rng.choice(["Use coupon SAVE10 to get 10% off your next order.", "Don’t miss our flash sale this weekend!",
                        "Check out our new range of accessories.", "Ask us for a discount code for your next purchase.",
                        "Visit our store for more great products."]))


def _near_marketing(m, ctx):
    m.add(m.rng.choice(["We are not allowed to send coupons, sorry.", "Your discounted item ships tomorrow.",
                        "The offer you accepted is now confirmed.", "Storage instructions are on the box."]))


def _price_cut(m, ctx):
    m.add(m.rng.choice(["Accessories are now £5 off for returning customers.", "Get GBP 12.50 off the matching lid.",
                        "Spare filters are £3.99 OFF this month."]))


def _incentive(m, ctx):
    m.add(m.rng.choice(["We will send you a free gift in exchange for your review.",
                        "Leave a review and we will refund you the postage.",
                        "Customers who leave feedback get a gift card worth £10."]))


def _positive_only(m, ctx):
    m.add(m.rng.choice(["If you are happy with your purchase, please leave a 5-star review.",
                        "Only if you enjoyed the product, please leave a review.",
                        "A five star rating means the world to us if you are satisfied."]))


def _removal(m, ctx):
    m.add(m.rng.choice(["Now that the issue is fixed, could you update your review?",
                        "We would appreciate it if you could remove the negative feedback.",
                        "Please could you update  your review now?"]))


def _payment(m, ctx):
    m.add(m.rng.choice(["For the balance you can pay us directly by bank transfer.",
                        "We can refund the difference via PayPal if that is easier.", "Send payment to our Venmo account."]))


def _offensive(m, ctx):
    m.add(m.rng.choice(["Frankly the courier was an idiot about it.", "That delivery firm is rubbish, sorry.",
                        "The damn label printer jammed again."]))


def _dispatch(m, ctx):
    m.add(m.rng.choice(["Good news: your {product} has been dispatched.".format(**ctx),
                        "Your parcel is on its way and should arrive tomorrow.",
                        "Your order has shipped with Royal Mail."]))


def _messaging_app(m, ctx):
    m.add(m.rng.choice(["For faster help, message us on WhatsApp.", "We also answer on Telegram.",
                        "Add us on WeChat for updates."]))


def _shout(m, ctx):
    m.add(m.rng.choice(["Thank you so much!!!", "Did it arrive???", "Please reply ASAP!?!"]))


def _typos(m, ctx):
    # Misspelt words go through Message.typo so spelling.unknown counts exactly what is in the text.
    for piece in m.rng.choice(SLOPPY):
        if piece in TYPOS:
            m.typo(piece)
        else:
            m.add(piece)


def _sloppy(m, ctx):
    for _ in range(3):
        _typos(m, ctx)
        m.add(" ")


def _accents(m, ctx):
    m.add(m.rng.choice(["Our café-style packaging is fully recyclable.", "The naïve glaze on the mug is hand-painted.",
                        "It’s the “premium” version you chose."]))


def _link(m, ctx):
    r = m.rng
    kind = r.random()
    if kind < 0.35:
        m.add("You can track your parcel on the carrier’s site: " if not m.is_html else "Track your parcel on ")
        m.link(r.choice(CARRIER_HOSTS), f"/track?ref={r.randint(10**8, 10**9)}", anchor="the carrier’s tracking page")
        m.add(".")
    elif kind < 0.6:
        m.add("Your order details are on Amazon: " if not m.is_html else "See ")
        m.link(r.choice(AMAZON_HOSTS), f"/gp/your-account/order-details?orderID={r.randint(10**6, 10**7)}",
               scheme="https" if r.random() < 0.9 else "http", anchor="your order on Amazon")
        m.add(".")
    elif kind < 0.8:
        m.add("Care instructions are on our website: " if not m.is_html else "Read the ")
        m.link(r.choice(OWN_HOSTS), "/care-guide", scheme="https" if r.random() < 0.7 else "http",
               anchor="care guide on our website")
        m.add(".")
    elif kind < 0.9:
        m.add("For warranty information ")
        m.link(r.choice(OWN_HOSTS + CARRIER_HOSTS), "/warranty", anchor=r.choice(["click here", "here", "Click Here"]),
               explains=False)
        m.add(".")
    elif kind < 0.95:
        m.add("More info: ")
        m.link(r.choice(SHORTENERS), f"/{r.randint(10**5, 10**6):x}", explains=False, anchor="more")
        m.add(".")
    else:
        m.add("To stop receiving these messages, ")
        m.link(r.choice(OWN_HOSTS), "/unsubscribe", anchor="unsubscribe", opt_out=True)
        m.add(".")


def _email(m, ctx):
    m.add("You can also write to ")
    m.email(m.rng.choice(["support@oakridgehome.co.uk", "Help@BrightGadgets.com", "orders@theteacorner.co.uk"]))
    m.add(".")


def _phone(m, ctx):
    r = m.rng
    if r.random() < 0.5:
        m.add(r.choice(["For warranty claims call the manufacturer on ", "The courier’s helpline is ",
                        "Royal Mail can be reached on "]))
    else:
        m.add(r.choice(["Call us any time on ", "Our shop number is ", "Ring me directly on "]))
    written, e164 = r.choice([("0800 123 4567", "+448001234567"), ("020 7946 0958", "+442079460958"),
                              ("+44 161 496 0000", "+441614960000"), ("01632 960123", "+441632960123")])
    m.phone(written, e164)
    m.add(".")


def _emoji(m, ctx):
    m.add(m.rng.choice(["Enjoy ", "Thanks again ", "Speak soon "]))
    m.emoticon()


def _template_field(m, ctx):
    m.add("Dear ")
    m.placeholder(*m.rng.choice([("[[buyer-name]]", "buyer_name", "double_square"),
                                 ("{buyer_name}", "buyer_name", "curly"), ("#first_name#", "first_name", "hash")]))
    m.add(", we have an update.")


EXTRAS: list[tuple[float, Sentence]] = [
    (0.07, _marketing), (0.05, _near_marketing), (0.03, _price_cut), (0.04, _incentive), (0.04, _positive_only),
    (0.02, _removal), (0.02, _payment), (0.01, _offensive), (0.10, _dispatch), (0.03, _messaging_app),
    (0.05, _shout), (0.08, _typos), (0.02, _sloppy), (0.10, _accents), (0.30, _link), (0.03, _email), (0.07, _phone),
    (0.06, _emoji), (0.03, _template_field),
]

GREETINGS = ["Hello {name},", "Dear {name},", "Hi {name},", "Good morning {name},"]
SIGN_OFFS = ["Kind regards,\n{shop}", "Best wishes,\nThe {shop} team", "Many thanks,\n{shop}", "Regards,\n{shop} customer care"]
THANKS_ONLY = ["Thank you for shopping with us! We are here to help if you have any problem.",
               "Many thanks for your purchase.", "Thanks for your order. Let us know if you have any problem!"]


def _text(rng: random.Random, reason: str, is_html: bool, ctx: dict) -> Message:
    m = Message(rng, is_html)
    if rng.random() < 0.03:                                # a note that only thanks the buyer
        m.add(rng.choice(THANKS_ONLY))
        return m
    paragraphs: list[list[Sentence]] = [[_about_order] if rng.random() < 0.93 else []]
    paragraphs[0] += BODY[reason]
    extras = [s for p, s in EXTRAS if rng.random() < p]
    if rng.random() < 0.04:                                # the occasional rambling message
        extras += [s for r in rng.sample(list(BODY), 7) for s in BODY[r]] + [_accents, _near_marketing]
    rng.shuffle(extras)
    while extras:
        paragraphs.append(extras[:rng.randint(1, 3)])
        extras = extras[len(paragraphs[-1]):]
    m.add(rng.choice(GREETINGS).format(**ctx))
    for paragraph in paragraphs:
        if not paragraph:
            continue
        # Blank lines between paragraphs; now and then one too many, as pasted text often has.
        m.add("\n\n\n" if rng.random() < 0.03 else "\n\n")
        for i, sentence in enumerate(paragraph):
            if i:
                m.add(" ")
            sentence(m, ctx)
    m.add("\n\n" + rng.choice(SIGN_OFFS).format(**ctx))
    return m


def _longest_newline_run(text: str) -> int:
    best = run = 0
    for ch in text:
        run = run + 1 if ch == "\n" else 0
        best = max(best, run)
    return best


def _images(rng: random.Random) -> list[dict]:
    out = []
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        logo = rng.random() < 0.3
        img = {"src": "", "scheme": "https" if rng.random() < 0.92 else "http", "animated": rng.random() < 0.03,
               "tracking_pixel": rng.random() < 0.03, "links_outside_amazon": False, "is_logo": logo}
        img["src"] = f"{img['scheme']}://cdn.{rng.choice(OWN_HOSTS)}/{'logo' if logo else 'img'}{rng.randint(1, 99)}.png"
        alt = rng.random()
        if alt < 0.75:
            img["alt"] = "Our logo" if logo else "Product photo"
        elif alt < 0.85:
            img["alt"] = ""
        if rng.random() < 0.5:
            img["width_percent"] = round(rng.uniform(10, 95), 1)
        if rng.random() < 0.25:
            host = rng.choice(OWN_HOSTS + AMAZON_HOSTS)
            img["link_host"] = host
            img["links_outside_amazon"] = not host.endswith("amazon.co.uk")
        out.append(img)
    return out


def _attachments(rng: random.Random, reason: str) -> list[dict]:
    out = []
    purpose = {"invoice": ("invoice", "invoice.pdf", "application/pdf"),
               "custom_design": ("custom_design", "proof.png", "image/png"),
               "return_question": ("return_label", "return-label.pdf", "application/pdf")}.get(reason)
    if purpose and rng.random() < 0.8:
        out.append({"filename": purpose[1], "content_type": purpose[2], "size": rng.randint(20_000, 900_000),
                    "purpose": purpose[0]})
    if rng.random() < 0.04:                                # something a buyer should not be sent
        name, ctype = rng.choice([("catalogue.zip", "application/zip"), ("setup.exe", "application/octet-stream"),
                                  ("brochure.pdf", "application/pdf")])
        size = rng.randint(8_000_000, 20_000_000) if ctype == "application/pdf" else rng.randint(50_000, 3_000_000)
        item = {"filename": name, "content_type": ctype, "size": size}
        if rng.random() < 0.5:
            item["purpose"] = "other"
        out.append(item)
    return out


def _styling(rng: random.Random, is_html: bool, text: str) -> dict:
    styling = {"max_margin_percent": 0, "max_image_width_percent": 0, "overrides_line_height": False,
               "overrides_font_family": False, "overrides_color": False, "font_sizes": 1, "text_align": "default",
               "max_line_breaks": _longest_newline_run(text)}
    if is_html:
        styling.update(
            max_margin_percent=round(rng.uniform(0, 15) if rng.random() < 0.95 else rng.uniform(20.1, 35), 1),
            max_image_width_percent=round(rng.uniform(0, 100), 1),
            overrides_line_height=rng.random() < 0.03, overrides_font_family=rng.random() < 0.03,
            overrides_color=rng.random() < 0.04, font_sizes=rng.choice([1, 1, 2, 2, 3]) if rng.random() < 0.96 else 4,
            text_align=_weighted(rng, [("default", 92), ("left", 3), ("center", 3), ("right", 1), ("justify", 1)]))
    return styling


def record(rng: random.Random) -> dict:
    """One facts record."""
    channel = _weighted(rng, [("seller_central", 65), ("email", 20), ("api", 15)])
    direction = "proactive" if rng.random() < 0.7 else "reply"
    reason = _weighted(rng, REASONS)
    is_html = rng.random() < (0.04 if channel == "api" else 0.35)
    ctx = {"name": rng.choice(NAMES), "shop": rng.choice(SHOPS), "product": rng.choice(PRODUCTS)}

    # Within a year from the latest first policy (UK, 2020-11-06), so every message has a policy in
    # force on the day it is sent (an earlier one is a P700 row, which measures nothing).
    purchased = dt.date(2020, 11, 6) + dt.timedelta(days=rng.randint(0, 365))
    completed = purchased + dt.timedelta(days=rng.randint(1, 7))
    delivered = completed + dt.timedelta(days=rng.randint(1, 4))
    sent = completed + dt.timedelta(days=rng.randint(0, 30) if rng.random() < 0.85 else rng.randint(31, 60))

    m = _text(rng, reason, is_html, ctx)
    text = m.finish()
    words = len(text.split())
    unknown = len(m.typos)
    message = {
        "marketplace": "UK", "channel": channel, "direction": direction, "reason": reason,
        "sent_at": sent.isoformat(), "text": text, "is_html": is_html,
        "order_ids": m.order_ids, "placeholders": m.placeholders, "links": m.links, "emails": m.emails,
        "phones": m.phones, "emoji": m.emoji, "images": _images(rng) if is_html else [],
        "attachments": _attachments(rng, reason), "styling": _styling(rng, is_html, text),
        "language": "en" if rng.random() < 0.97 else "de",
        "spelling": {"words": words, "unknown": unknown,
                     "unknown_percent": round(100 * unknown / words, 1) if words else 0, "samples": m.typos[:10]},
    }
    if channel == "api" and rng.random() < 0.8:
        message["api_message_type"] = API_TYPE[reason] if rng.random() < 0.75 else "createUnexpectedProblem"
    if rng.random() < 0.6:
        message["subject"] = _weighted(rng, [(f"Your {ctx['product']}", 30), ("About your order", 30),
                                              ("Invoice attached", 15), ("Update on your delivery", 20),
                                              ("Exclusive deal for you", 3), ("Voucher inside", 2)])
    order = {"id": m.order_ids[0]["text"] if m.order_ids else "202-0000000-0000000",
             "status": _weighted(rng, STATUSES), "purchased_at": purchased.isoformat(),
             "completed_at": completed.isoformat(), "delivered_at": delivered.isoformat(),
             "buyer_language": _weighted(rng, BUYER_LANGUAGES)}
    history = {"buyer_contacted_first": rng.random() < (0.9 if direction == "reply" else 0.2),
               "review_requests_sent": _weighted(rng, [(0, 85), (1, 12), (2, 3)])}
    return {"message": message, "order": order, "history": history}


def generate(n: int, seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    return [record(rng) for _ in range(n)]
