"""Addresses and links hidden from a search but not from a buyer: zero-width characters inside
them, and the fullwidth or small forms of "@" and ".". Each is found as the address or link the
buyer reads, highlighted on the characters as written; text that only looks like one is not.
"""
from __future__ import annotations

import pytest

from interpreter.facts.text import text_facts
from permitted import check

ZWSP, ZWJ, SHY, FW_AT, FW_DOT, SMALL_AT = "\u200b", "\u200d", "\u00ad", "\uff20", "\uff0e", "\ufe6b"

# (text, the addresses found, the links found)
FOUND = [
    (f"write to jo{ZWSP}hn@example.com now", ["john@example.com"], []),
    (f"john{FW_AT}example{FW_DOT}com", ["john@example.com"], []),
    (f"john{SMALL_AT}example.co.uk", ["john@example.co.uk"], []),
    (f"john@exa{ZWJ}mple{SHY}.com!", ["john@example.com"], []),
    (f"see https://exa{ZWSP}mple.com/x today", [], ["https://example.com/x"]),
    (f"www{FW_DOT}example{FW_DOT}com/shop", [], ["www.example.com/shop"]),
    (f"www.shop{ZWSP}.example.org/sale and me{FW_AT}shop.example.org", ["me@shop.example.org"],
     ["www.shop.example.org/sale"]),
]
NOT_FOUND = [
    f"{FW_AT}home tonight",                        # a handle, no address before it
    f"version 2{FW_DOT}0 {FW_AT} 5pm",
    f"user{FW_AT}localhost",                       # no domain
    f"a{ZWSP}@{ZWSP}b",
    f"price 5{FW_DOT}00{FW_AT}store",
    "サイト：www.example.com/x！詳細",                 # fullwidth colon and "！" are not folded: the link ends there
]


@pytest.mark.parametrize("text,emails,links", FOUND)
def test_a_hidden_address_or_link_is_found_where_it_is_written(text, emails, links):
    found = text_facts(text, "UK")
    assert [e["address"] for e in found["emails"]] == emails
    assert [link["url"] for link in found["links"]] == links
    for item in found["emails"] + found["links"]:
        written = text[item["start"]:item["end"]]
        assert written[0] not in (ZWSP, ZWJ, SHY) and written[-1] not in (ZWSP, ZWJ, SHY)
        assert len(written) >= len(item.get("address") or item["url"])


@pytest.mark.parametrize("text", NOT_FOUND)
def test_text_that_only_looks_like_an_address_is_not_one(text):
    found = text_facts(text, "UK")
    assert found["emails"] == []
    assert all(link["url"] == "www.example.com/x" for link in found["links"])


def test_a_hidden_address_breaks_the_rule_against_addresses():
    text = f"Questions? Write to help{ZWSP}desk{FW_AT}myshop{FW_DOT}com before ordering."
    report = check({"marketplace": "UK", "body": text})
    fired = {v.rule: v for v in report.violations}
    assert "content.no-email-addresses" in fired
    (evidence,) = [e for e in fired["content.no-email-addresses"].evidence if e.start is not None]
    assert evidence.text == f"help{ZWSP}desk{FW_AT}myshop{FW_DOT}com"
