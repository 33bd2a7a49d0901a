"""Normalise a message envelope into facts: what the rules see.

Stage: between reading a message (interpreter.envelope) and evaluate. Input: a validated
envelope. Output: interpreter.facts.Facts, validated against policies/facts.schema.json, whose
text-derived facts carry spans into `message.text` (the visible text, Unicode NFC).
HTML bodies are read by interpreter.htmlfacts (visible text, anchors, images, styling); the
text facts (order ids, placeholders, URLs, e-mail addresses, phone numbers, emoji) come from
interpreter.textfacts for both forms. Facts nobody gave (order dates, contact reason, …) stay
unknown. Errors: InputError when the envelope or the resulting facts break their schemas.
"""
from __future__ import annotations

import unicodedata
from typing import Mapping

from .facts import Facts, build_facts
from .htmlfacts import read_html
from .textfacts import text_facts

# Envelope fields copied to message facts as they are.
_MESSAGE_FIELDS = ("marketplace", "channel", "direction", "reason", "api_message_type", "sent_at", "subject")


def _overlaps(item: dict, spans: list[tuple[int, int]]) -> bool:
    return any(item["start"] < end and start < item["end"] for start, end in spans)


def message_record(envelope: Mapping, marketplace: str | None = None) -> dict:
    """The facts record of a message (before defaults and validation)."""
    market = envelope.get("marketplace") or marketplace
    message: dict = {k: envelope[k] for k in _MESSAGE_FIELDS if k in envelope}
    if market:
        message["marketplace"] = market
    if "html" in envelope:
        page = read_html(envelope["html"])
        text, links, images, styling = page.text, list(page.links), list(page.images), dict(page.styling)
        message["is_html"] = True
    else:
        text = unicodedata.normalize("NFC", envelope.get("body", ""))
        links, images, styling = [], [], None
        message["is_html"] = False
    found = text_facts(text, market or "US")
    anchors = [(link["start"], link["end"]) for link in links if link["start"] < link["end"]]
    # A URL written as an anchor's own text is the anchor, not a second link.
    links += [link for link in found["links"] if not _overlaps(link, anchors)]
    links.sort(key=lambda link: (link["start"], link["end"]))
    message.update(text=text, order_ids=found["order_ids"], placeholders=found["placeholders"], links=links,
                   emails=found["emails"], phones=found["phones"], emoji=found["emoji"], images=images,
                   attachments=list(envelope.get("attachments", ())))
    if styling is not None:
        message["styling"] = styling
    record = {"message": message}
    for group in ("order", "history"):
        if group in envelope:
            record[group] = dict(envelope[group])
    return record


def normalise(envelope: Mapping, marketplace: str | None = None, source: str = "<message>") -> Facts:
    """Facts of a message; `marketplace` is used when the envelope does not name one."""
    return build_facts(message_record(envelope, marketplace), marketplace, source=source)
