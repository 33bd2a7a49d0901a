"""Phrase matching for `mentions`: whole words, ignoring case, accents, Arabic diacritics and
letter variants, and runs of white space, in any script.

Stage: used by interpreter.operators. Input: a text and a tuple of phrases. Output: hits with
spans into the original text. Both sides are folded the same way; a map from folded to
original offsets turns match positions back into spans the CLI can highlight.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Arabic letters written several ways in practice; folded to one form on both sides.
_ARABIC = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"}
_DROP = {"\u0640", "\u200b", "\u200c", "\u200d", "\u00ad", "\u2060", "\ufeff"}   # tatweel, zero-width, soft hyphen
_SAME = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
         "\u2014": "-", "\u2212": "-", "\u201c": '"', "\u201d": '"'}


def _fold_char(ch: str) -> str:
    if ch in _DROP:
        return ""
    if ch in _SAME:
        return _SAME[ch]
    if ch in _ARABIC:
        return _ARABIC[ch]
    if ch.isascii():
        return ch.lower()
    out = []
    for c in unicodedata.normalize("NFKD", ch):
        if unicodedata.category(c) == "Mn":
            continue
        out.append(_ARABIC.get(c, c))
    return "".join(out).casefold()


@lru_cache(maxsize=128)
def fold(text: str) -> tuple[str, tuple[int, ...]]:
    """The folded text and, for each of its characters, the offset of the original character."""
    out: list[str] = []
    index: list[int] = []
    previous_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not previous_space:
                out.append(" ")
                index.append(i)
            previous_space = True
            continue
        previous_space = False
        folded = _fold_char(ch)
        out.append(folded)
        index.extend([i] * len(folded))
    return "".join(out), tuple(index)


def _fold_phrase(phrase: str) -> str:
    return fold(phrase.strip())[0]


@lru_cache(maxsize=512)
def phrase_matcher(phrases: tuple[str, ...]):
    """A function text -> list of hits for this phrase list, compiled once."""
    by_folded: dict[str, str] = {}
    for p in phrases:
        f = _fold_phrase(p)
        if f:
            by_folded.setdefault(f, p)
    if not by_folded:
        return lambda text: []
    alternatives = []
    for f in sorted(by_folded, key=len, reverse=True):
        left = r"(?<!\w)" if re.match(r"\w", f[0]) else ""
        right = r"(?!\w)" if re.match(r"\w", f[-1]) else ""
        alternatives.append(left + re.escape(f) + right)
    pattern = re.compile("|".join(alternatives))

    def find(text: str) -> list[dict]:
        folded, index = fold(text)
        hits = []
        for m in pattern.finditer(folded):
            if m.end() == m.start():
                continue
            start, end = index[m.start()], index[m.end() - 1] + 1
            while end < len(text) and (unicodedata.category(text[end]) == "Mn" or text[end] in _DROP):
                end += 1      # marks folded away after the last letter still belong to the word
            hits.append({"text": text[start:end], "phrase": by_folded[m.group()], "start": start, "end": end})
        return hits

    return find


def regex_hits(pattern: re.Pattern, text: str) -> list[dict]:
    return [{"text": m.group(), "phrase": pattern.pattern, "start": m.start(), "end": m.end()}
            for m in pattern.finditer(text) if m.end() > m.start()]
