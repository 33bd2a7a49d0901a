"""What a message is for, read from its text: `message.purposes` (interpreter.facts.purposes).

The purposes are named in policies/facts.schema.json, their phrases are policy data (the
`text_purpose_<purpose>` lists of policies/base/purposes.yaml); the facts stage only finds them.
"""
from __future__ import annotations

import pytest

from dsl.contract.schema import load_schema, problems
from dsl.contract.vocab import READ_BY_FACTS, TEXT_PURPOSE_PREFIX, TEXT_PURPOSES
from interpreter.facts.lexicon import NO_WORDS, Lexicon
from interpreter.facts.normalise import normalise
from interpreter.facts.purposes import read_purposes
from permitted import load_policy

LANGUAGES = {"en", "fr", "de", "es", "it", "pt", "ja", "ar"}


def test_phrases_found_with_their_purpose_in_text_order():
    lexicon = Lexicon(purposes=(("invoice", ("invoice",)), ("delay", ("is delayed", "delayed"))))
    text = "Your parcel is delayed; the invoice is attached."
    found = read_purposes(text, lexicon)
    assert [(p["purpose"], p["text"], p["phrase"]) for p in found] == [
        ("delay", "is delayed", "is delayed"), ("invoice", "invoice", "invoice")]
    assert all(text[p["start"]:p["end"]] == p["text"] for p in found)


def test_without_a_policy_no_purpose_is_read():
    assert read_purposes("Your invoice is attached.", NO_WORDS) == []
    assert normalise({"body": "Your invoice is attached."}, "UK").data["message"]["purposes"] == []


def test_the_purposes_are_those_the_facts_schema_names():
    enum = load_schema().raw["$defs"]["purpose"]["properties"]["purpose"]["enum"]
    assert list(TEXT_PURPOSES) == enum
    assert {v.name for v in TEXT_PURPOSES.values()} <= {v.name for v in READ_BY_FACTS}
    assert all(v.name == TEXT_PURPOSE_PREFIX + p for p, v in TEXT_PURPOSES.items())


@pytest.mark.parametrize("market", ["US", "UK", "SA"])
def test_every_bundled_policy_has_phrases_for_every_purpose_in_every_language(market):
    policy = load_policy(market)
    for purpose, entry in TEXT_PURPOSES.items():
        assert set(policy.vocab[entry.name]) == LANGUAGES, purpose
        assert all(policy.vocab[entry.name][language] for language in LANGUAGES), purpose


def test_the_older_us_policy_reads_purposes_too():
    policy = load_policy("us@2018-10-12")
    data = normalise({"body": "Votre colis a été retardé par la grève."}, "US", policy=policy).data
    assert [p["purpose"] for p in data["message"]["purposes"]] == ["delay"]


READ = [
    ("Your lamp has been delayed by a week.", {"delay"}),
    ("The blue kettle is out of stock.", {"out_of_stock"}),
    ("The mug arrived damaged; a replacement is on its way.", {"order_problem"}),
    ("Please confirm your delivery address.", {"order_information"}),
    ("When would be a convenient time for the delivery of the sofa?", {"delivery_scheduling"}),
    ("Here is the return label for your return request.", {"return_question"}),
    ("Please find your VAT invoice attached.", {"invoice"}),
    ("Would you leave a review of the kettle?", {"review_request"}),
    ("Here is the design proof of your custom order.", {"custom_design"}),
    ("Your activation code is below.", {"digital_access_key"}),
    ("Your warranty card is enclosed; register your warranty online.", {"warranty"}),
    ("Veuillez trouver ci-joint votre facture.", {"invoice"}),
    ("Leider ist der Artikel nicht mehr verfügbar.", {"out_of_stock"}),
    ("¿Podría confirmar su dirección? Falta el número de piso.", {"order_information"}),
    ("Lasci una recensione quando ha tempo.", {"review_request"}),
    ("Seu pedido está atrasado por causa da greve.", {"delay"}),
    ("お届け日時のご希望をお知らせください。", {"delivery_scheduling"}),
    ("保証書を同封いたしました。", {"warranty"}),
    ("نرجو تأكيد العنوان الوطني لتوصيل الطلب.", {"order_information"}),
]
NOT_READ = [
    "Thanks for your order! If there is any problem with your order, let us know.",
    "You can return the item within 30 days if you change your mind.",
    "All our kettles come with a two-year warranty.",
    "Thank you for your review!",
    "We have cancelled your order as you asked.",
    "Nous avons reçu votre message.",
    "万が一商品に不具合がございましたら、ご連絡ください。",
    "Use the code SUMMER at checkout.",
]


@pytest.mark.parametrize("text,expect", READ, ids=[t[:30] for t, _ in READ])
def test_purposes_read_with_the_bundled_words(text, expect):
    data = normalise({"body": text}, "UK", policy=load_policy("UK")).data
    assert {p["purpose"] for p in data["message"]["purposes"]} == expect
    assert problems(data) == []


@pytest.mark.parametrize("text", NOT_READ, ids=[t[:30] for t in NOT_READ])
def test_courtesy_and_offers_of_help_show_no_purpose(text):
    data = normalise({"body": text}, "UK", policy=load_policy("UK")).data
    assert data["message"]["purposes"] == []


def test_purposes_are_read_only_for_a_policy_that_reads_them():
    policy = load_policy("UK")
    assert "message.purposes" in policy.reads
    data = normalise({"body": "Your invoice is attached."}, "UK", policy=policy, wants=frozenset()).data
    assert data["message"]["purposes"] == []


GAPPED = [
    # text, the purposes read (phrases: "leave … review", "appreciate … product review"; gap 5)
    ("Could you leave us a quick 5-star review?", [("review_request", "leave us a quick 5-star review")]),
    ("Please leave a review.", [("review_request", "leave a review")]),
    ("Leave it with a neighbour if you are out; we review every claim.", []),       # nine words apart
    ("We appreciate your patience while we review your claim.", []),                 # review, the verb
    ("We would appreciate an honest product review.", [("review_request", "appreciate an honest product review")]),
    ("Review the parcel before you leave.", []),                                     # the wrong order
]


@pytest.mark.parametrize("text,expected", GAPPED)
def test_a_phrase_with_a_gap_finds_its_parts_a_few_words_apart(text, expected):
    lexicon = Lexicon(purposes=(("review_request", ("leave \u2026 review", "appreciate \u2026 product review")),),
                      gap_words=5)
    found = read_purposes(text, lexicon)
    assert [(p["purpose"], p["text"]) for p in found] == expected
    assert all(text[p["start"]:p["end"]] == p["text"] for p in found)


def test_the_gap_is_a_whole_number_the_compiler_checks(tmp_path):
    from dsl.compiler import compile_file
    from dsl.contract.errors import PolicyError

    policy = tmp_path / "p.yaml"
    policy.write_text("policy: buyer-messaging\nmarketplace: UK\neffective: 2020-11-06\nsource: test\n"
                      "vocab:\n  text_purpose_gap_words: many\nrules: []\n")
    with pytest.raises(PolicyError) as err:
        compile_file(policy)
    (d,) = err.value.diagnostics
    assert (d.code, d.span.line) == ("P218", 6) and "whole number" in d.message


def test_the_subject_line_is_read_after_the_text_without_a_span():
    lexicon = Lexicon(purposes=(("invoice", ("invoice",)), ("delay", ("is delayed",))))
    found = read_purposes("Your parcel is delayed.", lexicon, "Your invoice for order 203-1234567-1234567")
    assert found == [{"purpose": "delay", "text": "is delayed", "phrase": "is delayed", "start": 12, "end": 22},
                     {"purpose": "invoice", "text": "invoice", "source": "subject", "phrase": "invoice"}]
    assert problems(build_record(found)) == []


def build_record(purposes):
    from dsl.contract.schema import complete
    return complete({"message": {"text": "Your parcel is delayed.", "purposes": purposes}}, "UK")
