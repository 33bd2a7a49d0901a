"""One link's facts, however it was found (an HTML anchor or a URL written in the text).

Stage: used by the normaliser's text and HTML readers. Input: the address, where its visible
text stands in message.text, the anchor text if any, the words just before it, and the policy's
words for vague link text and opt-out links (interpreter.facts.lexicon). Output: a dict matching
`$defs/link` in policies/facts.schema.json.
"""
from __future__ import annotations

import functools
import re
from urllib.parse import unquote, urlsplit

from interpreter.facts.hosts import is_amazon_host
from interpreter.facts.lexicon import NO_WORDS, Lexicon

_SCHEMES = {"https", "http", "mailto", "tel", "ftp"}


def _host(parts) -> str:
    try:
        return (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


_ADDRESS = re.compile(r"\s*(https?://|www\.)\S", re.I)


def explains(anchor_text: str | None, before: str = "", lexicon: Lexicon = NO_WORDS) -> bool:
    """Does what the reader sees say where the link goes? Link text "Click here" does not;
    "warranty information" does, and so does an address shown as it is (a bare URL, or an
    anchor whose text is an address): the reader sees the destination. A bare URL is introduced
    by the words just before it on its line, and words that say nothing ("click here:") hide
    the address they introduce as much as anchor text would."""
    if anchor_text is not None:
        return _ADDRESS.match(anchor_text) is not None or not lexicon.says_nothing(anchor_text)
    words = " ".join(before.split()[-6:])
    return not words.strip() or not lexicon.says_nothing(words)


@functools.lru_cache(maxsize=4096)
def _address(url: str) -> tuple[str, str, bool, str]:
    """(scheme, host, is_amazon, the address unquoted) of an address: the same shop and tracking links recur."""
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
    return scheme, host, bool(host) and is_amazon_host(host), unquote(url)


def link_record(url: str, start: int, end: int, source: str, anchor_text: str | None = None,
                before: str = "", lexicon: Lexicon = NO_WORDS) -> dict:
    url = url.strip()
    scheme, host, amazon, unquoted = _address(url)
    record = {
        "url": url,
        "scheme": scheme,
        "host": host,
        "is_amazon": amazon,
        "explains": explains(anchor_text, before, lexicon),
        "is_opt_out": lexicon.mentions_opt_out(unquoted) or bool(anchor_text and lexicon.mentions_opt_out(anchor_text)),
        "source": source,
        "start": start,
        "end": end,
    }
    if anchor_text is not None:
        record["anchor_text"] = anchor_text
    return record
