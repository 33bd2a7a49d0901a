"""What a message is written for, read from its wording: `message.purposes`.

Stage: used by the normaliser. Input: the message's text and the policy's phrase lists per
purpose (interpreter.facts.lexicon: the vocab entries `text_purpose_<purpose>`). Output: a list
of dicts matching `$defs/purpose` in policies/facts.schema.json, one per phrase found, in text
order. Which purposes exist and which words show them are policy data; this module only finds
the phrases, with the same matching as the `mentions` operator (whole words, ignoring case,
accents and letter variants; no word boundary inside Chinese or Japanese).
"""
from __future__ import annotations

from interpreter.evaluation.phrases import phrase_matcher
from interpreter.facts.lexicon import Lexicon


def read_purposes(text: str, lexicon: Lexicon) -> list[dict]:
    found = []
    for purpose, phrases in lexicon.purposes:
        for hit in phrase_matcher(phrases)(text):
            found.append({"purpose": purpose, "text": hit["text"], "phrase": hit["phrase"],
                          "start": hit["start"], "end": hit["end"]})
    found.sort(key=lambda item: (item["start"], item["end"], item["purpose"]))
    return found
