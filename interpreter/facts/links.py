"""One link's facts, however it was found (an HTML anchor or a URL written in the text).

Stage: used by the normaliser's text and HTML readers. Input: the address, where its visible
text stands in message.text, the anchor text if any, and the words just before it. Output: a
dict matching `$defs/link` in policies/facts.schema.json.
"""
from __future__ import annotations

import functools
import re
from urllib.parse import unquote, urlsplit

from interpreter.facts.hosts import is_amazon_host

_SCHEMES = {"https", "http", "mailto", "tel", "ftp"}
# Link text that says nothing about where the link goes ("Click here for warranty information"
# fails the guideline; "warranty information" passes).
_VAGUE = {"here", "click", "this", "link", "tap", "press", "go", "now", "below", "above", "more", "read",
          "see", "visit", "open", "the", "a", "to", "on", "please", "url", "website", "page", "hier",
          "هنا", "اضغط", "الرابط", "انقر"}
_OPT_OUT = re.compile(r"unsubscrib|opt[\s_-]?out|optout|remove me|stop (receiving|these)|email preferences|"
                      r"manage (your )?(subscription|preferences)|إلغاء الاشتراك", re.I)
_WORDS = re.compile(r"\w+")


def _host(parts) -> str:
    try:
        return (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def explains(anchor_text: str | None, before: str = "") -> bool:
    """Does the link's own text (or, for a bare URL, the words just before it) say where it goes?"""
    text = anchor_text if anchor_text is not None else " ".join(before.split()[-6:])
    words = [w.lower() for w in _WORDS.findall(text)]
    if not words or all(w in _VAGUE for w in words):
        return False
    if anchor_text is not None and re.match(r"^\s*(https?://|www\.)", anchor_text, re.I):
        return False          # a raw address as link text names no destination a reader understands
    return True


@functools.lru_cache(maxsize=4096)
def _address(url: str) -> tuple[str, str, bool, bool]:
    """(scheme, host, is_amazon, is_opt_out) of an address: the same shop and tracking links recur."""
    written_scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    full = url if "://" in url or written_scheme in _SCHEMES else "https://" + url
    try:
        parts = urlsplit(full)
        host = _host(parts)
    except ValueError:
        # The host cannot be read (a template placeholder such as https://[[shop-url]]/x, or an
        # unclosed IPv6 bracket): keep the link with its scheme and no host, so it is not Amazon's.
        parts, host = None, ""
    found_scheme = parts.scheme.lower() if parts is not None else full.split(":", 1)[0].lower()
    # An address written without a scheme (www.example.com/x) is not known to be secure:
    # the host is read as if https were written, but the scheme is recorded as `other`.
    scheme = found_scheme if found_scheme in _SCHEMES and full is url else "other"
    if scheme in ("mailto", "tel"):
        host = ""
    return scheme, host, bool(host) and is_amazon_host(host), bool(_OPT_OUT.search(unquote(url)))


def link_record(url: str, start: int, end: int, source: str, anchor_text: str | None = None,
                before: str = "") -> dict:
    url = url.strip()
    scheme, host, amazon, opt_out = _address(url)
    record = {
        "url": url,
        "scheme": scheme,
        "host": host,
        "is_amazon": amazon,
        "explains": explains(anchor_text, before),
        "is_opt_out": opt_out or bool(anchor_text and _OPT_OUT.search(anchor_text)),
        "source": source,
        "start": start,
        "end": end,
    }
    if anchor_text is not None:
        record["anchor_text"] = anchor_text
    return record
