"""Word patterns narrowed to Latin-1 for texts whose other characters are no part of a word.

Stage: used by interpreter.evaluation.sentences (word distances) and interpreter.facts.language
(words for language and spelling). Input: a pattern built from Unicode character categories
("a letter", "a word character") and a text. Output: the same pattern, or one whose character
classes list only the Latin-1 members of those categories. Errors: none.

A category test (`[^\\W\\d_]`: is this character a letter?) looks the character up in Unicode's
tables each time, several lookups per character; a class of listed characters below U+0100 is one
bitmap test. Most messages are Latin-1 text with a few other characters that belong to no word:
curly quotes, dashes, emoji, currency signs. In such a text every character the wide pattern could
take is below U+0100, so the narrow pattern finds exactly the same matches, in a fraction of the
time (the word patterns were the largest share of the regular-expression work per message).
Whether a text is such a text is decided once per text, from its distinct characters above U+00FF.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

_BEYOND_LATIN1 = re.compile(r"[^\x00-\xff]+")


def latin1_members(member: re.Pattern) -> list[bool]:
    """For each character below U+0100, whether the one-character pattern `member` matches it."""
    return [member.fullmatch(chr(c)) is not None for c in range(256)]


def latin1_class(member: re.Pattern) -> str:
    """The characters below U+0100 that the one-character pattern `member` matches, as the body of
    a character class (escaped ranges)."""
    runs: list[list[int]] = []
    for c in (c for c, matched in enumerate(latin1_members(member)) if matched):
        if runs and runs[-1][1] == c - 1:
            runs[-1][1] = c
        else:
            runs.append([c, c])
    return "".join(f"\\x{a:02x}" if a == b else f"\\x{a:02x}-\\x{b:02x}" for a, b in runs)


@lru_cache(maxsize=128)
def _beyond_latin1(text: str) -> frozenset[str]:
    """The distinct characters of the text above U+00FF (asked by every narrowed pattern)."""
    return frozenset("".join(_BEYOND_LATIN1.findall(text)))


class Narrowed:
    """A wide pattern and its narrow twin; `member(ch)` tells whether the wide pattern can take
    the character into a match. `for_text` gives the narrow twin when no character of the text
    above U+00FF is a member (then both find the same matches: tests/test_narrow.py)."""

    def __init__(self, wide: re.Pattern, narrow: re.Pattern, member: Callable[[str], object]):
        self.wide, self.narrow = wide, narrow
        self._narrow_for = lru_cache(maxsize=128)(self._latin1_words)
        self._is_member = lru_cache(maxsize=4096)(lambda ch: bool(member(ch)))

    def _latin1_words(self, text: str) -> bool:
        return text.isascii() or not any(map(self._is_member, _beyond_latin1(text)))

    def for_text(self, text: str) -> re.Pattern:
        return self.narrow if self._narrow_for(text) else self.wide
