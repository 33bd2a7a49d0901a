"""Text facts: order ids, placeholders, bare links, e-mail addresses, phone numbers, emoji."""
from __future__ import annotations

import re

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneMetadata

from dsl.contract import schema as facts_schema
from interpreter.facts.lexicon import Lexicon
from interpreter.facts.text import FAMILIES, INTERNATIONAL_MIN_DIGITS, text_facts

from .conftest import examples
from .policytext import bundled_policy


def facts(text: str, marketplace: str = "UK") -> dict[str, list[dict]]:
    """text_facts with the bundled UK policy's words, the span contract checked on every call."""
    result = text_facts(text, marketplace, Lexicon.of(bundled_policy()))
    assert tuple(result) == FAMILIES
    for family, items in result.items():
        assert [i["start"] for i in items] == sorted(i["start"] for i in items), family
        for item in items:
            assert 0 <= item["start"] < item["end"] <= len(text), (family, item)
            written = text[item["start"]:item["end"]]
            if family == "emails":
                assert written.lower() == item["address"]
            elif family != "links":
                assert written == item["text"], (family, item)
    return result


def ids(case) -> str:
    return repr(case[0] if isinstance(case, tuple) else case)[:40]


# --- order ids ----------------------------------------------------------------------------

ORDER_IDS = [
    ("Your order 123-1234567-1234567 has shipped.", ["123-1234567-1234567"]),
    ("123-1234567-1234567 and 204-7654321-7654321", ["123-1234567-1234567", "204-7654321-7654321"]),
    ("(123-1234567-1234567).", ["123-1234567-1234567"]),
    ("order#123-1234567-1234567", ["123-1234567-1234567"]),
    ("Order\x00123-1234567-1234567\x1b", ["123-1234567-1234567"]),          # control characters
    ("1123-1234567-1234567", []),                        # inside a longer run of digits
    ("123-1234567-12345678", []),
    ("123-1234567-1234567-1", []),                       # part of a longer hyphenated number
    ("9-123-1234567-1234567", []),
    ("123-123456-1234567", []),                          # wrong group lengths
    ("1231234567-1234567", []),
    ("طلبك رقم 123-1234567-1234567 تم شحنه", ["123-1234567-1234567"]),      # RTL text, Latin id
    ("\u200fرقم الطلب: \u200e123-1234567-1234567\u200e شكرا", ["123-1234567-1234567"]),  # bidi marks
    ("١٢٣-١٢٣٤٥٦٧-١٢٣٤٥٦٧", []),                     # Amazon ids are written in Latin digits
    ("https://www.amazon.com/gp/your-account/order-details?orderID=123-1234567-1234567", []),
    ("123-1234567-1234567@example.com", []),           # part of an address
]


@pytest.mark.parametrize("text,expected", ORDER_IDS, ids=ids)
def test_order_ids(text, expected):
    assert [o["text"] for o in facts(text)["order_ids"]] == expected


def test_an_order_id_in_a_url_is_a_link_detail_but_the_same_id_in_prose_is_an_order_id():
    text = "See https://www.amazon.co.uk/orders/123-1234567-1234567 for order 123-1234567-1234567."
    result = facts(text)
    assert [l["url"] for l in result["links"]] == ["https://www.amazon.co.uk/orders/123-1234567-1234567"]
    assert [(o["start"], o["end"]) for o in result["order_ids"]] == [(66, 85)]


# --- placeholders -------------------------------------------------------------------------

PLACEHOLDERS = [
    ("Order [[order-id]] shipped", [("[[order-id]]", "order_id", "double_square")]),
    ("{{order.id}}", [("{{order.id}}", "order_id", "double_curly")]),
    ("Dear {{ buyer_name }},", [("{{ buyer_name }}", "buyer_name", "double_curly")]),
    ("{{{order_id}}}", [("{{{order_id}}}", "order_id", "double_curly")]),
    ("#order_id#", [("#order_id#", "order_id", "hash")]),
    ("%%order-id%%", [("%%order-id%%", "order_id", "double_percent")]),
    ("{order_id}", [("{order_id}", "order_id", "curly")]),
    ("[Order ID]", [("[Order ID]", "order_id", "square")]),
    ("[[Order ID]]", [("[[Order ID]]", "order_id", "double_square")]),
    ("[Buyer Name]", [("[Buyer Name]", "buyer_name", "square")]),
    ("[Your Name]", [("[Your Name]", "your_name", "square")]),
    ("[Insert Tracking Number]", [("[Insert Tracking Number]", "insert_tracking_number", "square")]),
    ("[ORDER_NUMBER]", [("[ORDER_NUMBER]", "order_number", "square")]),
    ("[order.id]", [("[order.id]", "order_id", "square")]),
    ("{{orderId}} {{OrderID}}", [("{{orderId}}", "order_id", "double_curly"),
                                 ("{{OrderID}}", "order_id", "double_curly")]),
    ("{{رقم_الطلب}}", [("{{رقم_الطلب}}", "رقم_الطلب", "double_curly")]),
    ("Hi {{buyer_name}}, order [[order-id]]: #sku#", [("{{buyer_name}}", "buyer_name", "double_curly"),
                                                      ("[[order-id]]", "order_id", "double_square"),
                                                      ("#sku#", "sku", "hash")]),
    # the longer syntax wins, and a broken one is not read as a shorter one
    ("{{x}", []),
    ("[[order-id]", []),
    # bracketed prose, footnotes, markers and markdown are not placeholders
    ("[sic]", []),
    ("[SALE] 20% off", []),
    ("[Photo attached]", []),
    ("[Thank You So Much]", []),
    ("[see below]", []),
    ("[Please Leave Us A Review Now]", []),
    ("[1] [x] [ ] [] [Yes] [No]", []),
    ("[Order Details](https://example.com/o)", []),
    ("{} { } {0} {order id}", []),
    ("#1# C# and F# #sale #deal", []),
    ("50%% off", []),
    ("https://www.amazon.com/orders?id={{order_id}}", []),      # a detail of the link
]


@pytest.mark.parametrize("text,expected", PLACEHOLDERS, ids=ids)
def test_placeholders(text, expected):
    assert [(p["text"], p["name"], p["syntax"]) for p in facts(text)["placeholders"]] == expected


# --- links --------------------------------------------------------------------------------

LINKS = [
    ("Track it at https://www.amazon.co.uk/progress-tracker/package/.",
     ["https://www.amazon.co.uk/progress-tracker/package/"]),
    ("See www.example.com, thanks", ["www.example.com"]),
    ("(https://example.com/a)", ["https://example.com/a"]),
    ("https://en.wikipedia.org/wiki/Foo_(bar)", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
    ("(see https://en.wikipedia.org/wiki/Foo_(bar)).", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
    ('"https://example.com/x"', ["https://example.com/x"]),
    ("Go to https://example.com/x?a=1&b=2!", ["https://example.com/x?a=1&b=2"]),
    ("https://example.com:8080/path; next", ["https://example.com:8080/path"]),
    ("Is it https://example.com/faq? Or www.example.org/help: yes", ["https://example.com/faq", "www.example.org/help"]),
    ("<https://example.com/a>", ["https://example.com/a"]),
    ("HTTP://EXAMPLE.COM/A and WWW.Example.com", ["HTTP://EXAMPLE.COM/A", "WWW.Example.com"]),
    ("ftp://files.example.com/manual.pdf", ["ftp://files.example.com/manual.pdf"]),
    ("Returns: example.com/returns today", ["example.com/returns"]),
    ("Manual at amazon.co.uk/gp/help.", ["amazon.co.uk/gp/help"]),
    ("Visit example.com today", []),                     # a bare domain needs a path
    ("e.g./i.e. and 3.5/5 stars, 1/2 kg, and/or", []),
    ("Size M.XL/XXL", []),
    ("Email john@example.com or john@example.com/x", []),   # addresses, not links
    ("www.jo@example.com", []),
    ("Visit https:// or www. soon", []),
    ("https://مثال.السعودية/صفحة", ["https://مثال.السعودية/صفحة"]),
    ("للمزيد زوروا https://www.amazon.sa/help.", ["https://www.amazon.sa/help"]),
    ("a https://x.com/1 b https://x.com/2", ["https://x.com/1", "https://x.com/2"]),
]


@pytest.mark.parametrize("text,expected", LINKS, ids=ids)
def test_links(text, expected):
    links = facts(text)["links"]
    assert [l["url"] for l in links] == expected
    for link in links:
        assert link["source"] == "text" and "anchor_text" not in link
        assert text[link["start"]:link["end"]] == link["url"]


@pytest.mark.parametrize("text,scheme,host,is_amazon", [
    ("https://www.amazon.co.uk/x", "https", "www.amazon.co.uk", True),
    ("www.example.com", "other", "www.example.com", False),
    ("example.com/x", "other", "example.com", False),
    ("http://sellercentral.amazon.com/x", "http", "sellercentral.amazon.com", True),
    ("ftp://files.example.com/m.pdf", "ftp", "files.example.com", False),
], ids=ids)
def test_link_details_come_from_the_shared_link_builder(text, scheme, host, is_amazon):
    (link,) = facts(text)["links"]
    assert (link["scheme"], link["host"], link["is_amazon"]) == (scheme, host, is_amazon)


@pytest.mark.parametrize("text,explains", [
    ("Return label: https://example.com/label", True),
    ("Click here: https://example.com/label", False),
    ("Click here: www.example.com/label", False),
    ("Tap the link below now: https://example.com/label", False),
    ("Warranty information\nhttps://example.com/w", True),      # the address alone on its line is shown as it is
    ("https://example.com/w", True),
], ids=ids)
def test_a_bare_url_is_explained_by_the_words_before_it_on_its_line_or_shows_itself(text, explains):
    assert facts(text)["links"][0]["explains"] is explains


def test_a_url_that_urlsplit_rejects_is_still_a_link_and_owns_what_is_inside_it():
    text = "Track: https://[[order-id]]/x now"
    result = facts(text)
    (link,) = result["links"]
    assert text[link["start"]:link["end"]] == "https://[[order-id]]/x"
    assert link["scheme"] == "https" and not link["is_amazon"]
    assert result["placeholders"] == []


def test_an_unsubscribe_url_is_an_opt_out_link():
    assert facts("Unsubscribe: https://example.com/unsubscribe?u=1")["links"][0]["is_opt_out"] is True


# --- e-mail addresses ---------------------------------------------------------------------

EMAILS = [
    ("Write to John.Doe@Example.COM.", ["john.doe@example.com"]),
    ("mailto:help@shop.co.uk", ["help@shop.co.uk"]),
    ("<a.b+tag@mail.example.org>", ["a.b+tag@mail.example.org"]),
    ("(jo@example.com) 'jo.o@example.com'", ["jo@example.com", "jo.o@example.com"]),
    ("o'brien@example.ie", ["o'brien@example.ie"]),
    ("two: a@x.com, b@y.org", ["a@x.com", "b@y.org"]),
    ("www.jo@example.com", ["www.jo@example.com"]),
    ("محمد@مثال.السعودية", ["محمد@مثال.السعودية"]),
    ("https://x.com/a@b", []),
    ("https://example.com/u/jo@example.com", []),            # inside a URL
    ("https://user@example.com/", []),
    ("jo@localhost @handle jo@example.c jo@example.com2 a@@b.com", []),
]


@pytest.mark.parametrize("text,expected", EMAILS, ids=ids)
def test_emails(text, expected):
    assert [e["address"] for e in facts(text)["emails"]] == expected


# --- phone numbers ------------------------------------------------------------------------

PHONES = [
    ("UK", "Call 020 7946 0018 for warranty", [("020 7946 0018", "+442079460018", "GB")]),
    ("US", "call +44 20 7946 0018 now", [("+44 20 7946 0018", "+442079460018", "GB")]),
    ("US", "US office: (202) 555-0143.", [("(202) 555-0143", "+12025550143", "US")]),
    ("US", "Toll free 1-800-555-0199", [("1-800-555-0199", "+18005550199", "US")]),
    ("SA", "اتصل على 0501234567 شكرا", [("0501234567", "+966501234567", "SA")]),
    ("SA", "اتصل على ٠٥٠١٢٣٤٥٦٧", [("٠٥٠١٢٣٤٥٦٧", "+966501234567", "SA")]),
    ("AE", "Call +971 4 234 5678 or 050 123 4567", [("+971 4 234 5678", "+97142345678", "AE"),
                                              ("050 123 4567", "+971501234567", "AE")]),
    ("uk", "Call 020 7946 0018", [("020 7946 0018", "+442079460018", "GB")]),
    ("", "Call 020 7946 0018 or +44 20 7946 0018", [("+44 20 7946 0018", "+442079460018", "GB")]),
    ("UK", "Order 123-1234567-1234567 and 204-7654321-7654321", []),
    ("US", "Order 123-1234567-1234567", []),
    ("UK", "Now £123.45, was $1,299.00 (1299.00)", []),
    ("UK", "Price: £ 020 7946 0018", []),                          # an amount, however unlikely
    ("US", "USD 2025550143 or 2025550143 USD or 2025550143 €", []),
    ("UK", "Sent 2020-11-06, due 06/11/2020 or 06.11.2020", []),
    ("US", "at 10:30 or 10:30:45, 2020-11-06T10:30:00", []),
    ("US", "tracking 1Z999AA10123456784, TBA123456789012", []),
    ("US", "https://example.com/call/2025550143", []),
    ("US", "2025550143@example.com", []),
    # a number right before an order id or a link is read whole, not joined to their digits
    ("US", "Call +1 202-555-0143 123-1234567-1234567", [("+1 202-555-0143", "+12025550143", "US")]),
    ("UK", "020 7946 0018 www.shop.example.com/a x10", [("020 7946 0018", "+442079460018", "GB")]),
    ("UK", "020 7946 0018 jo@example.com x 12", [("020 7946 0018", "+442079460018", "GB")]),
    # short digit runs near a number still belong to it (an extension)
    ("UK", "Call 020 7946 0018 ext. 12 about order 5", [("020 7946 0018 ext. 12", "+442079460018", "GB")]),
    # a long message of prices and quantities around one number
    ("UK", "£12.99 x 3, 250 g, 12/11. " * 40 + "Call 020 7946 0018.", [("020 7946 0018", "+442079460018", "GB")]),
]


@pytest.mark.parametrize("marketplace,text,expected", PHONES, ids=lambda c: repr(c)[:40])
def test_phones(marketplace, text, expected):
    phones = facts(text, marketplace)["phones"]
    assert [(p["text"], p["number"], p.get("region")) for p in phones] == expected


def test_the_fewest_digits_of_an_international_number_matches_the_phonenumbers_metadata():
    # digit runs shorter than this are never given to the matcher; a metadata update that adds
    # shorter numbers must lower the constant, or those numbers would be missed
    shortest = min(len(str(phonenumbers.country_code_for_region(region))) + min(
                       n for n in PhoneMetadata.metadata_for_region(region).general_desc.possible_length if n > 0)
                   for region in phonenumbers.SUPPORTED_REGIONS)
    assert INTERNATIONAL_MIN_DIGITS == shortest


# Digits, phone punctuation, extension words, letters, signs the matcher looks at around a
# number (%, £), times and line breaks, in pieces a number is made of.
_PHONE_PIECES = st.sampled_from(["020", "7946", "0018", "+44", "+1", "(", ")", "-", " ", ".", "/", "\n", "\r\n",
                                 " ext. ", " x", "#", "a", "Call", "%", "£", ":30", "2024-05-01 12", "\u00a0", "0"])


@settings(max_examples=examples(1500), deadline=None)
@given(st.lists(_PHONE_PIECES, max_size=25).map("".join), st.sampled_from(["GB", "US", "SA"]))
def test_phones_found_line_by_line_are_those_found_in_the_whole_text(text, region):
    # The matcher reads each line holding a digit alone (interpreter.facts.text._lines_with_a_digit).
    from interpreter.facts.text import _lines_with_a_digit

    whole = [(m.start, m.end, m.number) for m in phonenumbers.PhoneNumberMatcher(text, region)]
    by_line = [(start + m.start, start + m.end, m.number) for start, line in _lines_with_a_digit(text)
               for m in phonenumbers.PhoneNumberMatcher(line, region)]
    assert by_line == whole


@pytest.mark.parametrize("text,context", [
    ("For warranty claims call the manufacturer on 020 7946 0018 between 9am and 5pm weekdays please.",
     "warranty claims call the manufacturer on between 9am and 5pm weekdays please."),
    ("Carrier:\n\n   020 7946 0018", "carrier:"),
    ("020 7946 0018", ""),
    ("Our  SHOP\tnumber: 020 7946 0018 (Mon-Fri)", "our shop number: (mon-fri)"),
], ids=ids)
def test_phone_context_is_six_words_each_side_lower_case(text, context):
    assert facts(text)["phones"][0]["context"] == context


# --- emoji and emoticons ------------------------------------------------------------------

EMOJI = [
    ("Thanks 😀", [("😀", "emoji", "grinning face")]),
    ("👨‍👩‍👧", [("👨‍👩‍👧", "emoji", "family man woman girl")]),        # one ZWJ sequence
    ("🇬🇧 🇸🇦", [("🇬🇧", "emoji", "United Kingdom"), ("🇸🇦", "emoji", "Saudi Arabia")]),  # one flag each
    ("👍🏽", [("👍🏽", "emoji", "thumbs up medium skin tone")]),
    ("1️⃣ ✔️ ©️", [("1️⃣", "emoji", "keycap 1"), ("✔️", "emoji", "check mark"), ("©️", "emoji", "copyright")]),
    ("✔ ☎ ♥", [("✔", "emoji", "check mark"), ("☎", "emoji", "telephone"), ("♥", "emoji", "heart suit")]),
    ("Acme™ ©2020 Acme® ‼ ↔", []),                    # typography unless written with U+FE0F
    ("Hi :) 😀 ;)", [(":)", "emoticon", None), ("😀", "emoji", "grinning face"), (";)", "emoticon", None)]),
]


@pytest.mark.parametrize("text,expected", EMOJI, ids=ids)
def test_emoji(text, expected):
    assert [(e["text"], e["kind"], e.get("name")) for e in facts(text)["emoji"]] == expected


EMOTICONS = [":)", ":-)", ";)", ";-)", ":D", ":-D", ":(", ":-(", ":P", ":-P", ":p", ";P", "<3", "</3", ":o", ":O",
             "XD", "xD", "^_^", "^^", ":'(", ":')", "8)", "8-)", ":))", ":DD", ">:(", "-_-", "o_O", ":*", "=)", ":|"]


FRAMES = ["{}", "Thanks {}", "Thanks {}!", "Thanks{} see you", "({})"]


def _fits(emoticon: str, frame: str) -> bool:
    if frame == "Thanks{} see you":
        return emoticon[0] in ":;"                     # only colon and semicolon faces touch a word
    if frame in ("{}", "({})"):
        return emoticon not in ("8)", "8-)")           # at a line start or in brackets: a list item
    return True


@pytest.mark.parametrize("emoticon,frame", [(e, f) for e in EMOTICONS for f in FRAMES if _fits(e, f)])
def test_emoticons(emoticon, frame):
    text = frame.format(emoticon)
    assert [(e["text"], e["kind"]) for e in facts(text)["emoji"]] == [(emoticon, "emoticon")]


NOT_EMOTICONS = [
    "Open 10:30-17:00, at 9:00", "ratio 3:1 or 1:1, score 2:0",
    "(see note 1:)",                                  # the ")" closes the parenthesis
    ":Data, Note:Please, Colour:orange, :pizza, ID:D12",
    "https://example.com:8080/:P and https://example.com/a:)b",
    "Delivery in <3 days, <3 business days, <30 items, x<3, <3.5",
    "Tel:(555) 123, criteria:(a)",
    "8) Plug it in\n  8) again", "(8) and 18) and 3.8)",
    "XDR XD-200 xD-Picture", "a^_^b 2^^3", "a-_-b", "foo_o_O",
]


@pytest.mark.parametrize("text", NOT_EMOTICONS, ids=ids)
def test_not_emoticons(text):
    assert facts(text)["emoji"] == []


def test_an_emoticon_right_after_a_url_is_not_part_of_it():
    result = facts("Enjoy https://example.com/a:)")
    assert [l["url"] for l in result["links"]] == ["https://example.com/a"]
    assert [e["text"] for e in result["emoji"]] == [":)"]


def test_a_smile_that_ends_an_aside_gives_back_the_closing_parenthesis():
    assert [e["text"] for e in facts("(see you soon :)) and (bye :-)))")["emoji"]] == [":)", ":-))"]


# --- the whole ----------------------------------------------------------------------------

def test_a_realistic_message():
    text = ("Hello {{buyer_name}},\n\nThanks for order 123-1234567-1234567 :) It ships today; track it at "
            "https://www.amazon.co.uk/progress-tracker/package/?orderId=123-1234567-1234567.\n"
            "For warranty questions call the manufacturer on 020 7946 0018 or write to Help@Maker.example.com 👍")
    result = facts(text)
    assert [o["text"] for o in result["order_ids"]] == ["123-1234567-1234567"]
    assert [p["name"] for p in result["placeholders"]] == ["buyer_name"]
    assert [(l["host"], l["is_amazon"], l["explains"]) for l in result["links"]] == [("www.amazon.co.uk", True, True)]
    assert [e["address"] for e in result["emails"]] == ["help@maker.example.com"]
    assert [p["number"] for p in result["phones"]] == ["+442079460018"]
    assert "warranty" in result["phones"][0]["context"].split()
    assert [e["text"] for e in result["emoji"]] == [":)", "👍"]


@pytest.mark.parametrize("text", [
    "", " ", "\x00\x01\x1b[31m\x7f\x85\u2028\ufeff", "\ud7ff\ue000\U0010ffff", "[[[[[[[[{{{{{{%%%%####",
    "))))((((::::;;;;", "https://" * 500, "www." * 500, "a@" * 500, "1" * 5000, "-1234567" * 500,
    "".join(map(chr, range(0, 0x3000, 7))), "https://[" + "]" * 50, "www.x.com/" + "(" * 50 + ")" * 80,
], ids=lambda t: repr(t)[:30])
def test_never_raises_on_odd_text(text):
    facts(text)


def test_a_long_message_is_read_whole():
    chunk = ("Order 123-1234567-1234567 :) see https://example.com/a?x=1 or call 020 7946 0018, "
             "{{buyer_name}} jo@example.com 😀 [Order ID] ")
    text = chunk * 400                                 # about 45,000 characters
    result = facts(text)
    assert len(result["order_ids"]) == len(result["links"]) == len(result["phones"]) == 400


def test_same_input_same_output():
    text = "Order 123-1234567-1234567 :) https://x.com/a 020 7946 0018 😀 {{x}}"
    assert text_facts(text, "UK") == text_facts(text, "UK")


def test_families_are_the_message_lists_of_the_facts_schema():
    message = facts_schema.load_schema().fields("message")
    for family in FAMILIES:
        assert message[family].type.kind == "list", family


PIECES = st.sampled_from([
    "123-1234567-1234567", "https://", "www.", "example.com/", "@", ".com", "{{", "}}", "[[", "]]", "#", "%%",
    "{", "}", "[", "]", "(", ")", ":", ";", "-", "'", "<3", "XD", "^_^", "8)", "020 7946 0018", "+44 ",
    "£", " ", "\n", "😀", "\u200d", "🇬", "🇧", "\ufe0f", "™", "order_id", "Order ID", "a", "1", "مثال", "\u200f",
])


@settings(deadline=None, max_examples=examples(200), suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), st.lists(st.one_of(PIECES, st.text(max_size=4)), max_size=30).map("".join)),
       st.sampled_from(["UK", "US", "SA", "AE", "DE", "JP"]))
def test_any_text_gives_facts_the_schema_accepts(text, marketplace):
    result = text_facts(text, marketplace)
    for items in result.values():
        for item in items:
            assert 0 <= item["start"] <= item["end"] <= len(text)
    record = facts_schema.complete({"message": {"text": text, **result}}, "UK")
    assert facts_schema.problems(record) == []


# The finders read only near the characters a match cannot lack (an "@", a "/", a "-", an
# emoticon's eyes, a placeholder's opening bracket): what they find must be exactly what scanning
# the whole text finds.
SCAN_PIECES = st.sampled_from([
    "@", "a", "B", ".", "-", "_", "+", "%", "'", "x", "é", "ü", "1", "123", "1234567", "-1234567", " ", "\n", "/",
    "www.", "WwW.", "http://", "https://", "ftp://", "example", ".com", ".co.uk", ":", ";", "=", ")", "(", "<", ">",
    "3", "D", "X", "P", "o", "O", "T", "^", "8", '"', "’", "😀", "[", "]", "#", "*", "\ufe0f", "\u20e3",
    "1\ufe0f\u20e3", "{", "}", "{{", "}}", "%", "%%", "[[", "]]", "#name#", "{{ first name }}", "[[order.id]]", "{x}",
    "&#", "[Order](https://x.example)",
    # whole things, so that the random texts hold many of them, side by side and broken up
    "jo.o'brien+x@mail.example.co.uk", "a.b@c.com", "-@a.com", "x@y", "123-1234567-1234567", "1-1234567-1234567",
    "https://www.amazon.com/dp/B0?x=1", "WWW.Shop.example/a", "shop.example.com/p/1", "8-)", ">:-)", ":'-)))",
    "</3", "XD", "o.O", "O.o", "^_^", "-_-", "T_T", ":-P", ";D",
])
scan_texts = st.lists(SCAN_PIECES, max_size=40).map("".join)


@settings(deadline=None, max_examples=examples(600))
@given(scan_texts)
def test_anchored_finders_find_what_a_whole_text_scan_finds(text):
    from interpreter.facts import text as tf

    def spans(items):
        return [(i["start"], i["end"]) for i in items]
    assert spans(tf._find_emails(text)) == [m.span() for m in tf._EMAIL.finditer(text)]
    assert spans(tf._find_order_ids(text)) == [m.span() for m in tf._ORDER_ID.finditer(text)]
    assert [m.span() for m in tf._emoticon_matches(text)] == [m.span() for m in tf._EMOTICON.finditer(text)]
    assert [m.span() for m in tf._placeholder_matches(text)] == [m.span() for m in tf._PLACEHOLDER.finditer(text)]
    assert ([m.span() for m in tf._EMOTICON_MARK.finditer(text)]
            == [m.span() for m in re.finditer(r"[:;=<^)_]|[Xx](?=D)|o(?=\.O)|O(?=\.o)", text)])
    assert list(tf._maybe_emoji(text)) == [(m.start(), m.group()) for m in re.finditer(r"[#*0-9]?[^\x00-\x7f]+", text)]
    written = [(m.start(), tf._trim(m.group())) for m in tf._URL.finditer(text)]
    assert spans(tf._find_links(text)) == [(start, start + len(url)) for start, url in written
                                           if tf._SCHEME.match(url) or "@" not in url.split("/", 1)[0]]
