"""Word patterns narrowed to Latin-1 (interpreter.evaluation.narrow) find what the wide patterns
find: language, spelling and word distances must not depend on which one ran."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interpreter.evaluation.narrow import latin1_class

from .conftest import examples

# Latin-1 letters, digits and signs; characters above U+00FF that are no part of a word (curly
# quotes, dashes, emoji, the euro sign); and ones that are (a Greek letter, an Arabic letter and
# its vowel sign, a combining accent, a kana, a Thai vowel sign, a mathematical letter).
_PLAIN = "aZ09_ '.,-\n\u00e9\u00df\u00aa\u00b2\u00bd\u00d7\u00f7\u00a0"
_OTHER = "\u2019\u201c\u2014\u20ac\U0001f600\u2122"
_WORDISH = "\u03b1\u0628\u064e\u0301\u3042\u0e31\U0001d400"


def _patterns():
    from interpreter.evaluation.sentences import _words_of
    from interpreter.facts.language import _word_patterns

    return [_words_of(), _word_patterns()]


@pytest.mark.parametrize("member, expected", [
    (r"[^\W\d_]", "\\x41-\\x5a\\x61-\\x7a\\xaa\\xb2-\\xb3\\xb5\\xb9-\\xba\\xbc-\\xbe\\xc0-\\xd6\\xd8-\\xf6\\xf8-\\xff"),
    (r"\d", "\\x30-\\x39"),
])
def test_latin1_class_lists_the_members_below_u0100(member, expected):
    assert latin1_class(re.compile(member)) == expected


@settings(max_examples=examples(2000), deadline=None)
@given(st.text(alphabet=_PLAIN + _OTHER + _WORDISH, max_size=30))
def test_the_pattern_chosen_for_a_text_finds_what_the_wide_one_finds(text):
    for narrowed in _patterns():
        chosen = narrowed.for_text(text)
        assert [m.span() for m in chosen.finditer(text)] == [m.span() for m in narrowed.wide.finditer(text)]


@pytest.mark.parametrize("text, narrow", [
    ("Thank you \U0001f600 \u2014 \u201ccaf\u00e9\u201d costs \u20ac5", (True, True)),
    ("plain ASCII", (True, True)),
    ("\u0634\u0643\u0631\u0627", (False, False)),         # Arabic letters
    # a combining accent is part of a word for spelling, and no word character for distances
    ("cafe\u0301", (True, False)),
])
def test_only_texts_whose_word_characters_are_latin1_take_the_narrow_pattern(text, narrow):
    assert tuple(n.for_text(text) is n.narrow for n in _patterns()) == narrow
