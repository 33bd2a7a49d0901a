"""Vocabulary entries the facts stage reads (contract module).

Most vocab entries are read by rule conditions (`vocab.NAME`). A few shape facts instead: the
normaliser reads them from the policy it is handed, and the rules see only the facts. They are
declared here, in one place, so that the normaliser reads them by these names and the compiler
counts them as read (an entry nothing reads is a lint warning, P405) and checks that each is a
list of words. Each must be phrase lists per language or a plain list of strings. The purposes a
text can be read as (`message.purposes`) each have an entry, named after the purpose, and so do
the purposes of an attached file (`message.attachment_purposes`).
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from dsl.contract.schema import load_schema


@dataclass(frozen=True)
class FactsVocab:
    name: str                   # the vocab entry
    facts: tuple[str, ...]      # the facts it shapes
    use: str                    # what the normaliser does with its words
    number: bool = False        # a setting (a whole number), not words


BRAND_WORDS = FactsVocab(
    "brand_words", ("message.spelling",),
    "words the spell check accepts as known (brand, product and place names)")
VAGUE_LINK_WORDS = FactsVocab(
    "vague_link_words", ("link.explains",),
    "words that say nothing about where a link goes: a link whose text has no other word does not explain itself")
OPT_OUT_LINK_MARKERS = FactsVocab(
    "opt_out_link_markers", ("link.is_opt_out",),
    "text that makes a link an opt-out link when found anywhere in its address or its text, ignoring case")



def _purposes() -> tuple[str, ...]:
    """The purposes a text can be read as: the enumeration in policies/facts.schema.json, so that
    naming a new purpose there (and giving it phrases in a policy) is all it takes."""
    return tuple(load_schema().raw["$defs"]["purpose"]["properties"]["purpose"]["enum"])


# One phrase list per purpose (`text_purpose_invoice`, …): a phrase of the list found in the text
# is a `message.purposes` item with that purpose.
TEXT_PURPOSE_PREFIX = "text_purpose_"
TEXT_PURPOSES: Mapping[str, FactsVocab] = MappingProxyType({
    purpose: FactsVocab(TEXT_PURPOSE_PREFIX + purpose, ("message.purposes",),
                        f"phrases that show the text is written for this purpose ({purpose})")
    for purpose in _purposes()})


# A purpose phrase written with a gap, "leave … review", finds its first part and then its second
# with at most this many words between them: "leave us a 5-star review".
TEXT_PURPOSE_GAP = "\u2026"
TEXT_PURPOSE_GAP_WORDS = FactsVocab(
    "text_purpose_gap_words", ("message.purposes",),
    "how many words may stand in the gap (…) of a purpose phrase such as \"leave … review\"", number=True)


# Why a file is attached, read from its name, its type and the words that introduce it
# (`message.attachment_purposes`): one list per purpose of the names of that document
# (`attachment_purpose_invoice`: "invoice", "facture", …), the words that say a file is attached,
# and the file types a document can have.
ATTACHMENT_PURPOSE_PREFIX = "attachment_purpose_"
ATTACHMENT_PURPOSES: Mapping[str, FactsVocab] = MappingProxyType({
    purpose: FactsVocab(ATTACHMENT_PURPOSE_PREFIX + purpose, ("message.attachment_purposes",),
                        f"names of the document a file attached for this purpose ({purpose}) is, in its file name "
                        "or in the words that introduce it")
    for purpose in load_schema().raw["$defs"]["attachment_purpose"]["properties"]["purpose"]["enum"]})
ATTACHMENT_INTRO_WORDS = FactsVocab(
    "attachment_intro_words", ("message.attachment_purposes",),
    "words that say a file is attached (\"attached\", \"ci-joint\"): a document named in the same sentence is "
    "what the attachment is")
ATTACHMENT_DOCUMENT_TYPES = FactsVocab(
    "attachment_document_types", ("message.attachment_purposes",),
    "MIME types a document can have (application/pdf, image/png, …): only such a file's purpose is read")

READ_BY_FACTS: tuple[FactsVocab, ...] = (BRAND_WORDS, VAGUE_LINK_WORDS, OPT_OUT_LINK_MARKERS,
                                         *TEXT_PURPOSES.values(), TEXT_PURPOSE_GAP_WORDS, *ATTACHMENT_PURPOSES.values(),
                                         ATTACHMENT_INTRO_WORDS, ATTACHMENT_DOCUMENT_TYPES)
