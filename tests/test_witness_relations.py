"""Witnesses keep the relations between facts that every real message's facts keep.

A message's facts are read from it together: a link's scheme and host from its address, whether
it is Amazon's from that host, an image's scheme from its src, the share of unknown words from
the two counts. A witness the diff shows must be a message that could exist, so
dsl.analysis.relations states these relations twice — as solver constraints and completions that
make witnesses keep them, and as `broken`, a check of a finished record — and dsl, which never
imports the interpreter, reads addresses the way the normaliser does. These tests hold the check
to the normaliser (real messages break nothing, the readers agree) and the diff's witnesses to
the check.
"""
from __future__ import annotations

from functools import cache

import pytest

from dsl.analysis import relations
from dsl.analysis.relations import broken
from interpreter.facts import hosts, html, links
from interpreter.facts.normalise import EVERYTHING, normalise
from interpreter.read.envelope import read_message
from permitted.diffing import compare, load

from .conftest import FIXTURES
from .policytext import bundled_policy

# The pairs whose witnesses were seen to break relations, and two more (a diff takes a few seconds).
PAIRS = [("us@2018-10-12", "us@2020-11-03"), ("uk@2020-11-06", "sa@2020-01-01"),
         ("us@2020-11-03", "uk@2020-11-06"), ("us@2018-10-12", "sa@2020-01-01")]


@cache
def witnesses(old: str, new: str) -> list:
    result = compare(load(old), load(new))
    return [(c.subject, w) for c in (*result.rules, result.verdict) for w in c.witnesses]


@pytest.mark.parametrize("old,new", PAIRS)
def test_every_witness_keeps_every_relation(old, new):
    found = witnesses(old, new)
    assert found
    for subject, w in found:
        assert broken(w.facts) == [], (subject, w.kind, w.facts)


@pytest.mark.parametrize("old,new", PAIRS[:2])
def test_witnesses_about_links_images_and_spelling_name_them_whole(old, new):
    """The rules about links, images and spelling still get witnesses, and those witnesses give
    the facts a message derives along with the ones the rules read."""
    seen = {"links": 0, "images": 0, "spelling": 0}
    for _, w in witnesses(old, new):
        message = w.facts["message"]
        for link in message.get("links", ()):
            seen["links"] += 1
            assert link["url"] and (link["scheme"], link["host"]) == relations.address(link["url"]), link
        for image in message.get("images", ()):
            seen["images"] += 1
            assert image["src"] and image["scheme"] == relations.image_scheme(image["src"]), image
        if message.get("images") or message.get("links"):
            assert message.get("is_html") or all(link["source"] == "text" for link in message.get("links", ()))
        spelling = message.get("spelling", {})
        if {"words", "unknown_percent"} <= set(spelling):
            seen["spelling"] += 1
            assert relations.percent(spelling["unknown"], spelling["words"]) == spelling["unknown_percent"], spelling
    assert all(seen.values()), seen


URLS = ["https://www.Amazon.co.uk/dp/B0?x=1", "http://shop.example/deals", "ftp://files.example/a",
        "www.example.com/x", "example.com", "/dp/B000", "", "mailto:help@shop.example", "tel:+15555550123",
        "HTTPS://AMZN.TO/abc", "https://[[shop-url]]/x", "https://a.co/", "https://other2/", "javascript:alert(1)",
        "https://host.:8080/p", "https://sellercentral.amazon.com.evil.example/", "https://notamazon.com/",
        "//cdn.example/x.png", "cid:logo.gif", "data:image/gif;base64,R0lG"]


@pytest.mark.parametrize("url", URLS)
def test_dsl_reads_an_address_as_the_normaliser_does(url):
    scheme, host, amazon, _ = links._address(url)
    assert relations.address(url) == (scheme, host)
    assert (bool(host) and relations.is_amazon_host(host)) == amazon
    assert relations.is_amazon_host(host) == hosts.is_amazon_host(host)
    assert relations.image_scheme(url) == html.image_scheme(url)


@pytest.mark.parametrize("unknown,words", [(0, 0), (1, 3), (2, 3), (16, 20), (1, 7), (0, 40), (40, 40), (1, 10_001)])
def test_share_of_unknown_words_is_rounded_as_the_normaliser_rounds_it(unknown, words):
    share = relations.percent(unknown, words)
    assert share == (round(100 * unknown / words, 2) if words else 0)
    assert relations.unknown_for(share, words) is not None
    assert relations.percent(relations.unknown_for(share, words), words) == share


def test_facts_of_real_messages_break_nothing():
    review = normalise(read_message(FIXTURES / "messages" / "review.html", {"marketplace": "UK"}),
                       policy=bundled_policy(), wants=EVERYTHING).data
    assert review["message"]["links"] and review["message"]["images"]
    assert broken(review) == []
    english = normalise({"marketplace": "UK", "body": "Thank you for your order. We will recieve the replacement "
                                                      "part from Zentrix tomorrow and send it straight away. "
                                                      "See https://www.amazon.co.uk/gp/css/order-history or "
                                                      "www.shop.example/help"}).data
    assert english["message"]["spelling"]["unknown"] >= 1 and len(english["message"]["links"]) == 2
    assert broken(english) == []
    japanese = normalise({"marketplace": "US", "body": "ご注文いただいた本棚は、倉庫の都合により発送が一週間ほど"
                                                      "遅れる見込みです。"}).data
    assert broken(japanese) == []


# Witnesses seen before the relations were kept, each impossible.
IMPOSSIBLE = [
    {"spelling": {"words": 20, "unknown_percent": 16}},
    {"spelling": {"words": 0, "unknown_percent": 16}},
    {"spelling": {"words": 20, "unknown": 3, "unknown_percent": 16}},
    {"spelling": {"words": 3, "unknown": 4, "unknown_percent": 100}},
    {"spelling": {"checked": False, "words": 3}},
    {"spelling": {"unknown": 2, "unknown_percent": 0.5, "samples": ["a", "b", "c"]}},
    {"is_html": True, "links": [{"url": "https://linkedin.com/", "scheme": "https", "host": "", "is_amazon": False}]},
    {"is_html": True, "links": [{"url": "", "scheme": "ftp", "host": "", "is_amazon": False}]},
    {"is_html": True, "links": [{"url": "/dp/", "scheme": "https", "host": "", "is_amazon": True}]},
    {"is_html": True, "links": [{"url": "https://other2/", "scheme": "https", "host": "", "is_amazon": False}]},
    {"is_html": True, "links": [{"url": "mailto:a@amazon.com", "scheme": "mailto", "host": "", "is_amazon": True}]},
    {"is_html": True, "links": [{"url": "https://x.example/", "scheme": "https", "host": "x.example",
                                 "is_amazon": False, "source": "html", "anchor_text": "https://x.example/",
                                 "explains": False}]},
    {"links": [{"url": "https://x.example/", "scheme": "https", "host": "x.example", "is_amazon": False,
                "source": "html", "anchor_text": "x"}]},
    {"is_html": True, "images": [{"src": "", "scheme": "https"}]},
    {"is_html": True, "images": [{"src": "https://cdn.example/a.png", "scheme": "https", "animated": True,
                                  "tracking_pixel": False}]},
    {"is_html": True, "images": [{"src": "https://cdn.example/a.png", "scheme": "https", "link_host": "shop.example",
                                  "links_outside_amazon": False}]},
]


@pytest.mark.parametrize("message", IMPOSSIBLE)
def test_impossible_records_are_named(message):
    assert broken({"message": message, "order": {}, "history": {}})


def test_unknown_facts_bind_nothing():
    assert broken({"message": {"spelling": {"unknown_percent": 16}}, "order": {}, "history": {}}) == []
    assert broken({"message": {"spelling": {"words": 25, "unknown_percent": 16}}, "order": {}, "history": {}}) == []
    assert broken({"message": {}, "order": {"status": "shipped", "completed_at": "2020-10-01"}, "history": {}}) == []
