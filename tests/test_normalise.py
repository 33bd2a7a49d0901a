"""Normalisation end to end: a message as a seller has it -> the facts the rules see."""
from __future__ import annotations

import json
import os

import pytest

from dsl.contract.schema import problems
from interpreter.facts.normalise import EVERYTHING, normalise
from interpreter.read.envelope import read_message

from .conftest import FIXTURES, examples
from .policytext import bundled_policy


@pytest.fixture(scope="module")
def review():
    return normalise(read_message(FIXTURES / "messages" / "review.html", {"marketplace": "UK"}),
                     policy=bundled_policy(), wants=EVERYTHING).data


def spans(items, text):
    return [text[i["start"]:i["end"]] for i in items]


def test_html_message_facts(review):
    m = review["message"]
    text = m["text"]
    assert m["is_html"] is True and text.startswith("Hello Jane,\nThanks for your order")
    assert spans(m["order_ids"], text) == ["123-4567890-1234567"]
    assert spans(m["emoji"], text) == [":)"]
    assert spans(m["emails"], text) == ["help@shop.example"]
    (phone,) = m["phones"]
    assert phone["number"] == "+442079460018" and "warranty" in phone["context"]
    links = {link["url"]: link for link in m["links"]}
    assert links["http://shop.example/deals"]["explains"] is False
    assert links["https://www.amazon.co.uk/review/123"]["is_amazon"] is True
    assert links["https://www.amazon.co.uk/review/123"]["source"] == "text"
    logo, pixel = m["images"]
    assert (logo["scheme"], logo["links_outside_amazon"], logo["is_logo"]) == ("http", True, True)
    assert pixel["tracking_pixel"] is True
    s = m["styling"]
    assert (s["max_margin_percent"], s["overrides_font_family"], s["text_align"]) == (25.0, True, "center")
    assert s["max_line_breaks"] >= 3


def test_plain_text_message_and_envelope_fields():
    envelope = {"marketplace": "US", "body": "Order 111-2223334-4445556 shipped: https://track.example/x ;)",
                "sent_at": "2020-11-20", "reason": "order_fulfillment_issue", "order": {"completed_at": "2020-11-02"}}
    data = normalise(envelope).data
    m = data["message"]
    assert m["is_html"] is False and m["reason"] == "order_fulfillment_issue"
    assert spans(m["links"], m["text"]) == ["https://track.example/x"]
    assert spans(m["emoji"], m["text"]) == [";)"]
    assert data["order"]["completed_at"].isoformat() == "2020-11-02"
    assert "language" not in m and "spelling" not in m       # two words left once ids and URLs are set aside


ENGLISH = {"marketplace": "UK", "body": "Thank you for your order. We will recieve the replacement part from "
                                        "Zentrix tomorrow and send it straight away."}


def test_language_and_spelling_when_wanted():
    m = normalise(ENGLISH).data["message"]
    assert m["language"] == "en"
    assert m["spelling"]["samples"] == ["recieve"]


def test_a_language_without_a_dictionary_is_marked_not_checked():
    japanese = {"marketplace": "US", "body": "ご注文いただいた本棚は、倉庫の都合により発送が一週間ほど遅れる見込みです。"}
    m = normalise(japanese).data["message"]
    assert (m["language"], m["spelling"]) == ("ja", {"checked": False, "language": "ja"})
    short = normalise({"marketplace": "US", "body": "Thanks!"}).data["message"]
    assert "language" not in short and "spelling" not in short      # no language told: spelling unknown


def test_costly_facts_only_when_a_policy_reads_them():
    from dsl.compiler import compile_text

    from .policytext import policy_yaml

    reads_nothing = compile_text(policy_yaml("count(message.emoji) > 0"), "p.yaml")
    m = normalise(ENGLISH, policy=reads_nothing).data["message"]
    assert "language" not in m and "spelling" not in m
    spelling_only = compile_text(policy_yaml("exists(message.spelling) and message.spelling.unknown > 0",
                                             vocab={"brand_words": {"en": ["recieve"]}}), "p.yaml")
    m = normalise(ENGLISH, policy=spelling_only).data["message"]
    assert "language" not in m and m["spelling"]["unknown"] == 0       # brand words from the policy are known


LINKS = ('<p><a href="https://x.example/a">Click here</a> or <a href="https://x.example/b">Manage your preferences</a>'
         ' or <a href="https://x.example/opt_out?u=1">the size chart</a></p>')


def link_words(data: dict) -> list[tuple[bool, bool]]:
    return [(link["explains"], link["is_opt_out"]) for link in data["message"]["links"]]


def test_link_facts_take_the_words_of_the_policy():
    assert link_words(normalise({"html": LINKS}, "UK", policy=bundled_policy()).data) == \
        [(False, False), (True, True), (True, True)]
    # Without a policy there are no words: no link text is vague, no link an opt-out.
    assert link_words(normalise({"html": LINKS}, "UK").data) == [(True, False), (True, False), (True, False)]


def test_a_policy_that_extends_a_bundled_one_changes_its_words(tmp_path):
    from dsl.compiler import compile_file

    from .policytext import ROOT

    seller = tmp_path / "seller.yaml"
    # A seller's file outside the bundled tree reaches it by a relative path, with the tree named
    # as the policy root (`--policy-root`): an absolute `extends:` is refused.
    seller.write_text(f"""policy: buyer-messaging
marketplace: UK
effective: 2021-01-01
extends: {os.path.relpath(ROOT / "policies" / "uk" / "2020-11-06.yaml", tmp_path)}
source: a seller's own additions
vocab:
  vague_link_words: {{add: {{en: [size, chart]}}}}
  opt_out_link_markers: {{remove: {{en: [opt_out]}}}}
  brand_words: {{add: {{en: [Zentrix, recieve]}}}}
rules: []
""", encoding="utf-8")
    policy = compile_file(seller, root=ROOT / "policies")
    assert policy.warnings == ()
    data = normalise({"html": LINKS}, "UK", policy=policy).data
    assert link_words(data) == [(False, False), (True, True), (False, False)]
    assert normalise(ENGLISH, policy=policy).data["message"]["spelling"]["unknown"] == 0


@pytest.mark.parametrize("written,opt_out", [
    ("https://x.example/Unsubscribe?u=1", True),
    ("https://x.example/opt-out", True),
    ("https://x.example/optout", True),
    ("https://x.example/opt%20out", True),              # read unquoted
    ("https://x.example/options", False),
    ("https://x.example/manage/your/preferences", False),
])
def test_opt_out_markers_are_found_anywhere_in_the_address(written, opt_out):
    data = normalise({"body": f"See {written} for details."}, "UK", policy=bundled_policy()).data
    (link,) = data["message"]["links"]
    assert link["is_opt_out"] is opt_out


def test_a_url_written_as_anchor_text_is_one_link():
    data = normalise({"html": '<p>See <a href="https://x.example/a">https://x.example/a</a></p>'}, "UK").data
    assert [link["source"] for link in data["message"]["links"]] == ["html"]


@pytest.mark.parametrize("html", ["", "<", "<p>unclosed <b>bold", "\x00\x01 binary <<<>>>", "<table><tr><td><table>"])
def test_odd_html_gives_valid_facts(html):
    data = normalise({"html": html}, "UK").data         # validated against the facts schema inside
    assert problems(json.loads(json.dumps(data))) == []
    assert data["message"]["is_html"] is True


from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

_PIECES = st.sampled_from(["<p>", "</p>", "<br>", "<a href='http://x.example/a'>", "</a>", "<img src='a.gif'>",
                           "<table><tr><td>", "</td></tr></table>", "<div style='color:red;margin:0 30%'>", "</div>",
                           " 123-1234567-1234567 ", " +44 20 7946 0018 ", " :) ", " 👍🏽 ", " [[order-id]] ",
                           " help@x.example ", " www.x.example/p ", "&amp;", "&nbsp;", "\n\n", "تقييم", "é"])


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_PIECES, st.text(max_size=20)), max_size=25), st.booleans())
def test_any_text_or_html_gives_schema_valid_facts(pieces, as_html):
    """Whatever a seller pastes, the normaliser returns facts the schema accepts (build_facts
    validates them), and every span points inside the visible text."""
    body = "".join(pieces)
    data = normalise({"html": body} if as_html else {"body": body}, "UK").data
    text = data["message"]["text"]
    for family in ("order_ids", "placeholders", "links", "emails", "phones", "emoji", "images"):
        for item in data["message"][family]:
            if "start" in item:
                assert 0 <= item["start"] <= item["end"] <= len(text)
