"""Normalise a message envelope into facts: what the rules see.

Stage: between reading a message (interpreter.read.envelope) and evaluate. Input: a validated
envelope. Output: interpreter.facts.record.Facts, validated against policies/facts.schema.json, whose
text-derived facts carry spans into `message.text` (the visible text, Unicode NFC).
HTML bodies are read by interpreter.facts.html (visible text, anchors, images, styling) and the
layout of plain text (its line breaks) by interpreter.facts.layout; why files are attached is
read by interpreter.facts.attachments; the text facts (order ids, placeholders, URLs, e-mail addresses, phone numbers, emoji) come from
interpreter.facts.text for both forms. Facts nobody gave (order dates, contact reason, …) stay
unknown; what the text is written for is read from its wording (interpreter.facts.purposes).
The language and spelling of the text cost about as much as everything else together on a
message of a few KB (bench/results/normalisation.md), so they are computed only when
asked for: `wants` names the facts a policy reads (Policy.reads).
The facts carry the origin of the text (interpreter.read.origin) when the envelope was read
from a file, so a view can point at a span of the text in that file.
Errors: InputError when the envelope or the resulting facts break their schemas.
"""
from __future__ import annotations

import unicodedata
from typing import Mapping

from dsl.contract.model import Policy

from interpreter.facts.attachments import attachment_purposes
from interpreter.facts.language import detect_language, spelling, spelling_by_paragraph
from interpreter.facts.layout import plain_styling
from interpreter.facts.lexicon import NO_WORDS, Lexicon
from interpreter.facts.purposes import read_purposes
from interpreter.facts.record import Facts, build_facts
from interpreter.facts.text import text_facts
from interpreter.read.origin import Envelope, Normalised, Origin

# Envelope fields copied to message facts as they are.
_MESSAGE_FIELDS = ("marketplace", "channel", "direction", "reason", "api_message_type", "sent_at", "subject")


def _overlaps(item: dict, spans: list[tuple[int, int]]) -> bool:
    return any(item["start"] < end and start < item["end"] for start, end in spans)


EVERYTHING = frozenset({"message.language", "message.spelling", "message.purposes"})
_SKIPPED_BY_SPELLING = ("order_ids", "placeholders", "links", "emails", "phones", "emoji")


def _wanted(wants, fact: str) -> bool:
    return any(path == fact or path.startswith(fact + ".") for path in wants)


def _language_facts(message: dict, wants, known: tuple[str, ...]) -> None:
    if not (_wanted(wants, "message.language") or _wanted(wants, "message.spelling")):
        return
    language = detect_language(message["text"])
    if language is not None and _wanted(wants, "message.language"):
        message["language"] = language        # else unknown: a rule that needs it is undetermined
    if _wanted(wants, "message.spelling"):
        skip = [(item["start"], item["end"]) for family in _SKIPPED_BY_SPELLING for item in message[family]]
        # A language without a dictionary gives `checked: false`: the policy decides what that means.
        # A text in two languages, one paragraph after the other, is checked paragraph by paragraph.
        checked = (spelling(message["text"], language, skip, known) if language is not None
                   else spelling_by_paragraph(message["text"], skip, known))
        if checked is not None:
            message["spelling"] = checked


def message_record(envelope: Mapping, marketplace: str | None = None, wants=EVERYTHING,
                   lexicon: Lexicon = NO_WORDS) -> dict:
    """The facts record of a message (before defaults and validation).

    `wants`: fact paths some rule reads; `lexicon`: the policy's words for links and spelling."""
    market = envelope.get("marketplace") or marketplace
    message: dict = {k: envelope[k] for k in _MESSAGE_FIELDS if k in envelope}
    if market:
        message["marketplace"] = market
    message["is_template"] = bool(envelope.get("template", False))
    if "html" in envelope:
        # Imported for the first HTML body: the parser (bs4, soupsieve) is a quarter of a
        # second of imports that a plain-text message never needs.
        from interpreter.facts.html import read_html

        page = read_html(envelope["html"], lexicon)
        text, links, images, styling = page.text, list(page.links), list(page.images), dict(page.styling)
        message["is_html"] = True
    else:
        text = unicodedata.normalize("NFC", envelope.get("body", ""))
        links, images, styling = [], [], plain_styling(text)
        message["is_html"] = False
    found = text_facts(text, market or "US", lexicon)
    anchors = [(link["start"], link["end"]) for link in links if link["start"] < link["end"]]
    # A URL written as an anchor's own text is the anchor, not a second link.
    links += [link for link in found["links"] if not _overlaps(link, anchors)]
    links.sort(key=lambda link: (link["start"], link["end"]))
    message.update(text=text, order_ids=found["order_ids"], placeholders=found["placeholders"], links=links,
                   emails=found["emails"], phones=found["phones"], emoji=found["emoji"], images=images,
                   attachments=list(envelope.get("attachments", ())))
    message["attachment_purposes"] = attachment_purposes(message["attachments"], text, envelope.get("subject"), lexicon)
    message["styling"] = styling
    if _wanted(wants, "message.purposes"):       # a scan per purpose: only for a policy that reads them
        message["purposes"] = read_purposes(text, lexicon, envelope.get("subject"))
    _language_facts(message, wants, lexicon.brand_words)
    record = {"message": message}
    for group in ("order", "history"):
        if group in envelope:
            record[group] = dict(envelope[group])
    return record


def normalise(envelope: Mapping, marketplace: str | None = None, source: str = "<message>", *,
              policy: Policy | None = None, wants=None) -> Facts:
    """Facts of a message; `marketplace` is used when the envelope does not name one.

    The policy's words shape some facts (interpreter.facts.lexicon: brand words, vague link
    text, opt-out links); without a policy there are none. `wants` names the costly facts to
    compute; by default those the policy's rules read, or every fact without a policy."""
    if wants is None:
        wants = policy.reads if policy is not None else EVERYTHING
    record = message_record(envelope, marketplace, wants, Lexicon.of(policy))
    # The envelope was checked against its schema; that what is built from it matches the facts
    # schema is a property test (tests/test_normalise.py), so it is not re-validated per message.
    return build_facts(record, marketplace, source=source, validate=False,
                       origin=text_origin(envelope, record["message"]["text"]))


def text_origin(envelope: Mapping, text: str) -> Origin | None:
    """Where message.text is in the message's file: the reader's origin of the body, behind the
    decoding done here (HTML to visible text, NFC). None for an envelope not read from a file."""
    origin = envelope.origin if isinstance(envelope, Envelope) else None
    if origin is None:
        return None
    if "html" in envelope:
        from interpreter.facts.html_source import VisibleText

        return origin.through(VisibleText(text, envelope["html"]))
    body = envelope.get("body", "")
    return origin if text == body else origin.through(Normalised(text, body))
