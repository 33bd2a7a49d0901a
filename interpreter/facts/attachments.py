"""Why files are attached, read from the message: `message.attachment_purposes`.

Stage: used by the normaliser. Input: the attachments as the envelope lists them (file name,
MIME type, and a purpose only when the sender declared one), the message's text and subject,
and the policy's words (interpreter.facts.lexicon: `attachment_purpose_<purpose>`,
`attachment_intro_words`, `attachment_document_types`). Output: a list of dicts matching
`$defs/attachment_purpose` in policies/facts.schema.json. Errors: none.

Which purposes exist and which words show them are policy data; this module only reads them,
with the matching of the `mentions` operator (whole words, ignoring case, accents and letter
variants; no word boundary inside Japanese or Chinese), in three places, for each file whose
type is a document's (a `.pdf`, an image, …; a file sent as application/octet-stream is typed
by its extension):
- its name, its separators and case changes read as spaces ("VAT-invoice-0073.pdf",
  "ReturnLabel.pdf" -> "VAT invoice", "Return Label");
- a sentence of the text that names a document and says that something is attached ("Please
  find your invoice attached."), by the sentences of interpreter.evaluation.sentences;
- the subject line, read the same way.
A file whose name says what it is takes only that; the text and subject readings go to each
document whose name says nothing, since words cannot tell which file they speak of. Where two
names of different purposes overlap, the longer one wins ("return label", not "label").
"""
from __future__ import annotations

import functools
import mimetypes
import re
from bisect import bisect_right

from interpreter.evaluation import sentences
from interpreter.facts.lexicon import Lexicon

# Read as spaces in a file name: separators and digits (dates, numbers of invoices and orders).
_NAME_SEPARATORS = re.compile(r"[\s_\-.+~,;()\[\]{}#@&=0-9]+")
_CASE_CHANGE = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_GENERIC_TYPES = frozenset({"", "application/octet-stream", "application/binary", "binary/octet-stream"})


@functools.lru_cache(maxsize=1)
def _types() -> mimetypes.MimeTypes:
    # The standard library's own table only: the machine's mime.types files would make the
    # answer depend on where it runs.
    return mimetypes.MimeTypes(filenames=())


def _type_of(attachment: dict) -> str:
    declared = str(attachment.get("content_type", "")).split(";", 1)[0].strip().lower()
    if declared in _GENERIC_TYPES:
        guessed, _ = _types().guess_type(str(attachment.get("filename", "")), strict=False)
        return (guessed or declared).lower()
    return declared


def _name_words(filename: str) -> str:
    stem = filename.rsplit(".", 1)[0] if "." in filename.strip(".") else filename
    return _NAME_SEPARATORS.sub(" ", _CASE_CHANGE.sub(" ", stem)).strip()


def _names(text: str, lexicon: Lexicon) -> list[tuple[str, dict]]:
    """(purpose, hit) for each name of a document in the text; of overlapping names, the longest."""
    found = sorted(((purpose, hit) for purpose, find in lexicon.attachment_finders for hit in find(text)),
                   key=lambda pair: (pair[1]["start"], -(pair[1]["end"] - pair[1]["start"]), pair[0]))
    kept: list[tuple[str, dict]] = []
    for purpose, hit in found:
        if kept and hit["start"] < kept[-1][1]["end"]:
            if kept[-1][0] != purpose and hit["end"] > kept[-1][1]["end"]:
                kept[-1] = (purpose, hit)       # a longer name of another purpose starting inside
            continue
        kept.append((purpose, hit))
    return kept


def _introduced(text: str, lexicon: Lexicon) -> list[tuple[str, dict]]:
    """(purpose, hit) for each name of a document in a sentence that says something is attached."""
    intros = lexicon.intro_finder(text)
    if not intros:
        return []
    parts = sentences.split(text)
    starts = [part["start"] for part in parts]

    def sentence_of(at: int) -> int:
        i = bisect_right(starts, at) - 1
        return i if i >= 0 and at < parts[i]["end"] else -1

    said = {sentence_of(hit["start"]) for hit in intros} - {-1}
    return [(purpose, hit) for purpose, hit in _names(text, lexicon) if sentence_of(hit["start"]) in said]


def _reading(purpose: str, filename: str, source: str, hit: dict, spanned: bool) -> dict:
    out = {"purpose": purpose, "filename": filename, "source": source, "text": hit["text"], "phrase": hit["phrase"]}
    if spanned:
        out.update(start=hit["start"], end=hit["end"])
    return out


def attachment_purposes(attachments: list[dict], text: str, subject: str | None, lexicon: Lexicon) -> list[dict]:
    """`message.attachment_purposes` for these attachments."""
    documents = [a for a in attachments if _type_of(a) in lexicon.document_types]
    if not documents or not lexicon.attachment_names:
        return []
    said = [("text", hit, purpose, True) for purpose, hit in _introduced(text, lexicon)]
    said += [("subject", hit, purpose, False) for purpose, hit in _introduced(subject or "", lexicon)]
    out: list[dict] = []
    for attachment in documents:
        filename = str(attachment.get("filename", ""))
        named = [_reading(purpose, filename, "file_name", hit, False)
                 for purpose, hit in _names(_name_words(filename), lexicon)]
        out += named or [_reading(purpose, filename, source, hit, spanned) for source, hit, purpose, spanned in said]
    return out
