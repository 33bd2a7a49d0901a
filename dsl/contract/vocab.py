"""Vocabulary entries the facts stage reads (contract module).

Most vocab entries are read by rule conditions (`vocab.NAME`). A few shape facts instead: the
normaliser reads them from the policy it is handed, and the rules see only the facts. They are
declared here, in one place, so that the normaliser reads them by these names and the compiler
counts them as read (an entry nothing reads is a lint warning, P405) and checks that each is a
list of words. Each must be phrase lists per language or a plain list of strings.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FactsVocab:
    name: str                   # the vocab entry
    facts: tuple[str, ...]      # the facts it shapes
    use: str                    # what the normaliser does with its words


BRAND_WORDS = FactsVocab(
    "brand_words", ("message.spelling",),
    "words the spell check accepts as known (brand, product and place names)")
VAGUE_LINK_WORDS = FactsVocab(
    "vague_link_words", ("link.explains",),
    "words that say nothing about where a link goes: a link whose text has no other word does not explain itself")
OPT_OUT_LINK_MARKERS = FactsVocab(
    "opt_out_link_markers", ("link.is_opt_out",),
    "text that makes a link an opt-out link when found anywhere in its address or its text, ignoring case")

READ_BY_FACTS: tuple[FactsVocab, ...] = (BRAND_WORDS, VAGUE_LINK_WORDS, OPT_OUT_LINK_MARKERS)
