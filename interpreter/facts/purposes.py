"""What a message is written for, read from its wording: `message.purposes`.

Stage: used by the normaliser. Input: the message's text and the policy's phrase lists per
purpose (interpreter.facts.lexicon: the vocab entries `text_purpose_<purpose>`). Output: a list
of dicts matching `$defs/purpose` in policies/facts.schema.json, one per phrase found, in text
order. Which purposes exist and which words show them are policy data; this module only finds
the phrases, with the same matching as the `mentions` operator (whole words, ignoring case,
accents and letter variants; no word boundary inside Chinese or Japanese). A phrase written with
a gap, "leave … review", is its two parts with at most `text_purpose_gap_words` words between.
The subject line is read too: its purposes come after the text's, marked `source: subject`,
without a span (the subject is not part of message.text).
"""
from __future__ import annotations

from interpreter.evaluation.sentences import words_between
from interpreter.evaluation.phrases import Finder
from interpreter.facts.lexicon import Lexicon


def read_purposes(text: str, lexicon: Lexicon, subject: str | None = None) -> list[dict]:
    """The purposes of the text in text order, then those of the subject line ("Your invoice for
    order 123", "Delivery appointment needed"), which have no span in the text."""
    found = _found(text, lexicon)
    if subject:
        found += [{"purpose": p["purpose"], "text": p["text"], "source": "subject", "phrase": p["phrase"]}
                  for p in _found(subject, lexicon)]
    return found


def _found(text: str, lexicon: Lexicon) -> list[dict]:
    found = []
    for purpose, whole, groups in lexicon.purpose_finders:
        for hit in whole(text):
            found.append({"purpose": purpose, "text": hit["text"], "phrase": hit["phrase"],
                          "start": hit["start"], "end": hit["end"]})
        for firsts, seconds in groups:
            found += _gapped_hits(text, purpose, lexicon, firsts, seconds)
    found.sort(key=lambda item: (item["start"], item["end"], item["purpose"]))
    return found


def _gapped_hits(text: str, purpose: str, lexicon: Lexicon, firsts: Finder, seconds: Finder) -> list[dict]:
    """For phrases written "leave … review": each first part followed, at most the lexicon's gap
    of words later, by a second part written with it ("leave us a 5-star review"); the item spans
    both. A modifier between the words no longer hides what the sentence asks."""
    after = seconds(text)
    if not after:
        return []
    out = []
    for first in firsts(text):
        second = next((h for h in after if h["start"] >= first["end"]), None)
        if second is None or words_between(text, first["end"], second["start"]) > lexicon.gap_words:
            continue
        start, end = first["start"], second["end"]
        out.append({"purpose": purpose, "text": text[start:end],
                    "phrase": f"{first['phrase']} \u2026 {second['phrase']}", "start": start, "end": end})
    return out
