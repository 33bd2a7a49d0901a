"""Language detection and spelling: the facts message.language and message.spelling."""
from __future__ import annotations

import json
import re

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interpreter.facts.language import _NOT_PROSE_RUN, detect_language, spelling, spelling_by_paragraph

from .conftest import ROOT, examples

SCHEMA = json.loads((ROOT / "policies" / "facts.schema.json").read_text(encoding="utf-8"))
SPELLING = jsonschema.Draft202012Validator({"$defs": SCHEMA["$defs"], "$ref": "#/$defs/spelling"})


def ids(case) -> str:
    return repr(case[0] if isinstance(case, tuple) else case)[:40]


# --- language ------------------------------------------------------------------------------

LANGUAGES = [
    ("Your order has shipped and should arrive on Tuesday.", "en"),
    ("Thanks for your order", "en"),
    ("Can you confirm your delivery address?", "en"),
    ("Your favourite mug is back in stock, cheers.", "en"),                  # British
    ("Our courier will phone you to arrange a delivery slot.", "en"),
    ("Your Bosch Professional GSR 18V-55 cordless drill has shipped.", "en"),
    ("شكرا لطلبك، تم شحن المنتج اليوم.", "ar"),
    ("هل يمكنك تأكيد عنوان التوصيل؟", "ar"),
    ("طلبك رقم 123-1234567-1234567 تم شحنه اليوم", "ar"),                      # Latin order id inside
    ("تم شحن Samsung Galaxy Buds الخاص بك اليوم", "ar"),                       # Latin product name inside
    ("Ihre Bestellung wurde heute versandt.", "de"),
    ("Votre commande a été expédiée aujourd'hui.", "fr"),
    ("Votre Apple Watch Sport Band Midnight est en route.", "fr"),
    ("¿Puede confirmar su dirección de entrega?", "es"),
    ("Su Kindle Paperwhite Signature Edition llegará mañana.", "es"),
    ("ご注文の商品は本日発送いたしました。", "ja"),
    ("Tak for din ordre, god dag", "da"),
    ("Thanks", None),                                                         # one word
    ("Thank you John", "en"),
    ("Factura adjunta", None),                                                # two words
    ("https://www.amazon.co.uk/gp/your-account/order-details?orderID=123-1234567-1234567", None),
    ("See https://example.com/track?id=1 and www.example.com/help", None),    # words are URL parts
    ("123-1234567-1234567 12.99 GBP 07700 900123", None),
    ("Order 123-1234567-1234567, [[order-id]], {{buyer_name}}", None),
    ("jo@example.com 1Z999AA10123456784", None),
    ("Γεια σας, η παραγγελία σας στάλθηκε", None),                            # a script no language here uses
    ("Thank you for your order. شكرا لطلبك", None),                           # half English, half Arabic
    ("", None),
    ("   \n\t ", None),
]


@pytest.mark.parametrize("text,expected", LANGUAGES, ids=ids)
def test_detect_language(text, expected):
    assert detect_language(text) == expected


# --- spelling ------------------------------------------------------------------------------

def checked(text: str, language: str = "en", skip=(), known=()) -> dict:
    """spelling, with the schema checked on every call."""
    result = spelling(text, language, skip, known)
    SPELLING.validate(result)
    assert result["checked"] == ("words" in result)       # counts exactly when the words were checked
    return result


SPELLINGS = [
    # (text, language, words, unknown, samples)
    ("Thank you for your order, we hope you enjoy it.", "en", 10, 0, []),
    ("We will recieve the parcel at your adress and definately let you know.", "en", 13, 3,
     ["recieve", "adress", "definately"]),
    ("Hi John, your DHL parcel from Acme Ltd arrives on Monday.", "en", 6, 0, []),        # names, acronyms
    ("Please pair your iPhone and eBay account.", "en", 5, 0, []),                       # brand capitals
    ("Mr. Smith, thanks. Recieve it soon.", "en", 5, 1, ["Recieve"]),                     # sentence start checked
    ("Thanks! Xyzzy is here.", "en", 4, 1, ["Xyzzy"]),
    ("The colour, favourite and organise; the color, favorite and organize.", "en", 10, 0, []),
    ("Colours organised in our neighbourhood centre, licensed and catalogued.", "en", 9, 0, []),
    ("Please raed this, you sould see the sise.", "en", 8, 3, ["raed", "sould", "sise"]),    # typos, not British
    ("I don't think it's the seller's fault, we've checked.", "en", 8, 0, []),          # "I" is one letter
    ("Your 2nd item B07XYZ and 18V battery ship in 3pcs.", "en", 6, 0, []),             # words with digits
    ("a b c x", "en", 0, 0, []),
    ("", "en", 0, 0, []),
    ("Teh teh teh", "en", 3, 3, ["Teh", "teh"]),
    ("Thank you for your order, we hope you enjoy it.", "en-GB", 10, 0, []),
    ("شكرا لك على طلبك. تم شحن المنتج اليوم وسيصلك خلال ثلاثة أيام عمل.", "ar", 13, 0, []),
    ("شكرا لك على طلبك. تم شحن المنتح اليوم.", "ar", 8, 1, ["المنتح"]),
    ("شُكْرًا لَكَ على طلبـــك", "ar", 4, 0, []),                                        # vowel signs, tatweel
    ("Vielen Dank für Ihre Bestellung, das Paket wurde versandt.", "de", 5, 0, []),
    ("Merci pour votre commande, n'hésitez pas à nous contacter jusqu'à demain.", "fr", 10, 0, []),
    ("Muchas gracias por su compra, hemos enviado su pedido y le saludamos cordialmente.", "es", 12, 0, []),
    ("Le escrivimos porque su pedidio a sido enbiado.", "es", 7, 3, ["escrivimos", "pedidio", "enbiado"]),
    ("Grazie per il suo ordine, il pacco è stato spedito stamattina.", "it", 10, 0, []),
    ("Obrigado pela sua compra, o pedido foi enviado hoje de manhã.", "pt", 10, 0, []),
    ("Hartelijk dank voor uw bestelling, het pakket is vandaag verzonden.", "nl", 10, 0, []),
    ("تم شحن مكبر الصوت speaker اليوم.", "ar", 5, 0, []),                  # a word in another script is left out
    ("Thank you, よろしく, the parcel ships todday.", "en", 6, 1, ["todday"]),
]


@pytest.mark.parametrize("text,language,words,unknown,samples", SPELLINGS, ids=ids)
def test_spelling(text, language, words, unknown, samples):
    result = checked(text, language)
    assert (result["words"], result["unknown"], result["samples"]) == (words, unknown, samples)
    assert result["unknown_percent"] == (round(100 * unknown / words, 2) if words else 0)


def test_unknown_percent_is_rounded_to_two_decimals():
    assert checked("Recieve the parcel")["unknown_percent"] == 33.33


def test_skip_spans_are_left_out():
    text = "Dear {{buyr_nme}}, see htps://exmple.com or mail jo@exmple.com today."
    spans = [(text.index("{{"), text.index("}}") + 2), (text.index("htps"), text.index(" or")),
             (text.index("jo@"), text.index(" today"))]
    assert checked(text)["unknown"] > 0
    assert checked(text, skip=spans) == {"checked": True, "language": "en", "words": 5, "unknown": 0,
                                         "unknown_percent": 0, "samples": []}


def test_known_brand_words_are_case_insensitive():
    text = "Enjoy your new acmetool blender from zorblex, the zorblex way."
    assert checked(text)["samples"] == ["acmetool", "zorblex"]
    result = checked(text, known=["AcmeTool", "Zorblex Home"])
    assert (result["words"], result["unknown"]) == (7, 0)


def test_samples_are_the_first_ten():
    words = [f"qzq{'x' * n}" for n in range(12)]
    result = checked(" ".join(words))
    assert (result["unknown"], result["samples"]) == (12, words[:10])


@pytest.mark.parametrize("language,expected", [
    ("ja", {"checked": False, "language": "ja"}), ("ja-JP", {"checked": False, "language": "ja"}),
    ("zh", {"checked": False, "language": "zh"}), ("tr", {"checked": False, "language": "tr"}),
    ("fa", {"checked": False, "language": "fa"}), ("eu", {"checked": False, "language": "eu"}),
    ("", {"checked": False}), ("../en", {"checked": False})])
def test_a_language_without_a_dictionary_is_not_checked(language, expected):
    assert checked("Some words to check here.", language) == expected


@pytest.mark.parametrize("language", ["en", "es", "fr", "de", "it", "pt", "nl", "ar", "ru"])
def test_the_languages_with_a_dictionary_are_checked(language):
    assert checked("Some words", language)["checked"] is True


BILINGUAL = ("ご注文ありがとうございます。ご注文の本棚は仕入先の倉庫から直接発送されるため、お届けまで三週間ほど"
             "かかる見込みです。お待ちいただけない場合はご返信ください。\n\n"
             "Thank you for your order. The bookcase ships directly from our supplier's warehouse, so it will "
             "take about three weeks to arrive. If you cannot wait, just reply and we will refund you in ful.\r\n\r\n"
             "Kind regards")


def test_a_text_in_two_languages_is_checked_paragraph_by_paragraph():
    assert detect_language(BILINGUAL) is None
    result = spelling_by_paragraph(BILINGUAL)
    SPELLING.validate(result)
    assert result == {"checked": True, "language": "en", "words": 35, "unknown": 1, "unknown_percent": 2.86,
                      "samples": ["ful"], "unchecked_languages": ["ja"]}


def test_paragraphs_in_languages_without_a_dictionary_are_not_checked():
    japanese = BILINGUAL.split("\n\n")[0]
    assert spelling_by_paragraph(japanese + "\n\n" + japanese) == {"checked": False, "language": "ja"}
    assert spelling_by_paragraph("Ok.\n\nHi.") is None          # no paragraph's language can be told


def test_language_tags_are_read_by_their_primary_subtag():
    assert checked("Recieve it", "EN_us")["samples"] == ["Recieve"]


# --- any text ------------------------------------------------------------------------------

@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=300) | st.lists(st.sampled_from(
           ["Thanks", "order", "recieve", "شكرا", "طلبك", "123-1234567-1234567", "https://x.io/a", "DHL", "'",
            "’", ".", "\n", "é", "\u0301", "\u064e", "ご注文", "2nd"])).map(" ".join),
       language=st.sampled_from(["en", "ar", "fr", "en-GB", "ja", ""]) | st.text(max_size=5),
       skip=st.lists(st.tuples(st.integers(-5, 400), st.integers(-5, 400)), max_size=4),
       known=st.lists(st.text(max_size=10), max_size=3))
def test_any_text_gives_a_valid_result(text, language, skip, known):
    result = checked(text, language, skip, known)
    assert not result["checked"] or result["unknown"] <= result["words"]
    assert result == spelling(text, language, skip, known)
    by_paragraph = spelling_by_paragraph(text, skip, known)
    if by_paragraph is not None:
        SPELLING.validate(by_paragraph)
    found = detect_language(text)
    assert found is None or (len(found) == 2 and found.isalpha() and found.islower())
    assert found == detect_language(text)


# What carries no language is every whole run of printable ASCII holding a digit, an address or a
# template sign; the one-pass regex must drop exactly those runs, word by word as written here.
def _runs_dropped_one_by_one(text: str) -> str:
    sign = re.compile(r"[0-9]|@|://|(?i:www\.)|\.[a-z]{2,}/|[{}#%]")
    return re.sub(r"[!-~]+", lambda m: " " if sign.search(m.group()) else m.group(), text)


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.sampled_from(["a", "Z", "1", "٣", "@", "://", "www.", "WwW.", ".com/", ".c/", "{", "}", "#", "%",
                                 " ", "\n", "é", "شكرا", "-", "'", "x.y"]), max_size=30).map("".join))
def test_runs_without_language_are_dropped_whole(text):
    assert _NOT_PROSE_RUN.sub(" ", text) == _runs_dropped_one_by_one(text)


def test_a_long_message_is_classified_by_its_start():
    # Arabic first, then much English: the start says Arabic, and the script check reads the same start
    assert detect_language("مرحبا، شكرا لطلبك. سيتم شحن طلبك اليوم. " * 300 + "Thanks for the order " * 800) == "ar"
    # a start of numbers and links only is not enough: the whole text is read
    assert detect_language("1234 https://x.io/a " * 3000 + "Danke für Ihre Bestellung, sie wird heute versandt. " * 30) == "de"


@settings(max_examples=examples(2000), deadline=None)
@given(st.text(alphabet="ab'\u2019 \u064e\u0650\u0301\u093e5_-\u00e9\u0646\u092e\u0300x.", max_size=16))
def test_a_word_is_letters_with_their_marks_and_inner_apostrophes(text):
    # The word pattern is written for speed (letter runs between mark runs, possessive); it finds
    # the words of the plain definition: (a letter and its marks)+, joined by apostrophes.
    from interpreter.facts.language import _marks, _word_pattern

    run = rf"(?:[^\W\d_][{_marks()}]*)+"
    plain = re.compile(rf"{run}(?:['\u2019]{run})*")
    assert [m.span() for m in _word_pattern().finditer(text)] == [m.span() for m in plain.finditer(text)]


def _counted_word_by_word(text: str, language: str, skip, known) -> dict:
    """The spell check's counts as first written: each word found, then asked where it stands."""
    from interpreter.facts.language import _MAX_SAMPLES, _brand_words, _sentence_start, _word_kind, _word_pattern

    brands, checked, unknown, samples = _brand_words(tuple(known)), 0, 0, []
    for m in _word_pattern().finditer(text):
        kind = _word_kind(m.group(), language, brands)
        start, end = m.span()
        if (kind is None or (kind[0] and not _sentence_start(text, start))
                or any(s < end and e > start for s, e in skip if s < e)
                or (start and text[start - 1].isnumeric()) or (end < len(text) and text[end].isnumeric())):
            continue
        checked += 1
        if not kind[1]:
            unknown += 1
            if len(samples) < _MAX_SAMPLES and m.group() not in samples:
                samples.append(m.group())
    return {"words": checked, "unknown": unknown, "samples": samples}


@settings(max_examples=examples(500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.lists(st.sampled_from(
           ["Thanks", "order", "recieve", "Smith", "Mr.", "J.", "DHL", "iPhone", "acme", "2nd", "18V", "B07XYZ",
            "½", "٣", "l'adresse", "don't", "’", "'", ".", ". ", "! ", "\n", "\n\n", " ", "  ", ", ", "(", "é",
            "\u0301", "شكرا", "طلبك", "ご注文", "(1)", "«", "»", "x"]), max_size=40).map("".join),
       language=st.sampled_from(["en", "fr", "ar"]),
       skip=st.lists(st.tuples(st.integers(-2, 120), st.integers(-2, 120)), max_size=4),
       known=st.sampled_from([(), ("Acme",), ("Acme", "don't")]))
def test_words_are_counted_as_asking_each_word_where_it_stands(text, language, skip, known):
    # The spell check looks up each distinct word once and asks only the few words whose place
    # may leave them out; it counts what asking every word, one by one, counts.
    result = spelling(text, language, skip, known)
    expected = _counted_word_by_word(text, language, skip, known)
    if result["checked"]:
        assert {k: result[k] for k in expected} == expected


@settings(max_examples=examples(300), deadline=None)
@given(words=st.sets(st.text(alphabet="ab'\r\u00e9\u0646\u4e00\U0001f600z", min_size=0, max_size=5), max_size=30),
       asked=st.lists(st.text(alphabet="ab'\r\u00e9\u0646\u4e00\U0001f600z\ud800", max_size=5), max_size=30))
def test_a_kept_word_list_answers_as_the_set_of_its_words(words, asked):
    # A kept list is asked by bisection over its sorted lines of UTF-8, then, after enough
    # questions, as a dict: both must answer what the set of its words answers.
    from interpreter.facts import language

    kept = language._KeptWords("\n".join(sorted(words)).encode("utf-8"))
    # an empty body is no list of one empty word (the file writes none for an empty list)
    expected = set(words) if words != {""} else set()
    questions = [*asked, *words, "zz"]
    assert [q in kept for q in questions] == [q in expected for q in questions]
    kept._asked = language._ASKED_BEFORE_DICT
    assert [q in kept for q in questions] == [q in expected for q in questions]
    assert kept._dict is not None
