"""`mentions`: whole-word phrase matching that ignores case, accents, Arabic variants and spacing."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from interpreter.evaluation.phrases import fold, fold_each, folded_alone, phrase_matcher

from .conftest import examples

CASES = [
    # text, phrases, expected matched texts
    ("Leave us a 5-STAR review!", ("5-star",), ["5-STAR"]),
    ("leave   us\na\tpositive review", ("leave us a positive review",), ["leave   us\na\tpositive review"]),
    ("Get 20% off today", ("% off",), ["% off"]),
    ("kickoff meeting", ("off",), []),                          # word boundary
    ("Use code SAVE10", ("use code",), ["Use code"]),
    ("Café crème", ("cafe creme",), ["Café crème"]),           # accents
    ("résumé", ("resume",), ["résumé"]),
    ("We’d appreciate", ("we'd appreciate",), ["We’d appreciate"]),  # typographic apostrophe
    ("تقييم إيجابي من فضلك", ("تقييم ايجابي",), ["تقييم إيجابي"]),     # hamza on alef
    ("خَصْمٌ كبير", ("خصم",), ["خَصْمٌ"]),                         # harakat ignored
    ("هديةٌ مجانية", ("هديه مجانيه",), ["هديةٌ مجانية"]),           # ta marbuta
    ("order 123-1234567-1234567 شكرا", ("شكرا",), ["شكرا"]),      # RTL next to Latin digits
    ("discount discounted", ("discount",), ["discount"]),
    ("a coupon and a voucher", ("voucher", "coupon"), ["coupon", "voucher"]),
    ("five stars please", ("five star", "five stars"), ["five stars"]),   # longest phrase wins
    ("", ("x",), []),
]


@pytest.mark.parametrize("text,phrases,expected", CASES, ids=[c[0][:30] or "empty" for c in CASES])
def test_mentions(text, phrases, expected):
    hits = phrase_matcher(phrases)(text)
    assert [h["text"] for h in hits] == expected
    for h in hits:
        assert text[h["start"]:h["end"]] == h["text"]
        assert h["phrase"] in phrases


@pytest.mark.parametrize("text", ["Plain ASCII\ttext,  with\n\nspaces and CAPS", "Crème brûlée — ‘quoted’ خَصْم", "",
                                  " lead and trail ", "\x1c\x1f odd spaces\u00a0here",
                                  # a character whose fold is another that folds again (⁻ -> − -> -)
                                  "10⁻3 − 2 ’n’ “so” on",
                                  # more changing characters than are replaced one by one
                                  "".join(chr(c) for c in range(0xC0, 0xFF)) + " ’quoted’",
                                  "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ 店舗 レビュー"])
def test_fast_fold_agrees_with_the_full_fold(text):
    from interpreter.evaluation.phrases import folded

    assert folded_alone(text) == fold(text)[0]
    assert folded(text) == fold(text)[0]
    assert len(fold(text)[1]) == len(fold(text)[0])


def test_a_list_whose_words_are_absent_finds_nothing_without_scanning():
    find = phrase_matcher(("leave a review", "5-star"))
    assert find("Thanks for your order, it ships today.") == []
    assert [h["text"] for h in find("Please LEAVE a  review, 5-Star!")] == ["LEAVE a  review", "5-Star"]


# Letters of several scripts, accents and Arabic diacritics, emoji, odd white space, ligatures.
_ALPHABET = st.sampled_from(list("aZ é\u00e9E\u0301ßİﬁ \t\n\u00a0\u3000\u2019\u2014أإةى\u064e\u0640\u200bمرحبا😀👍🏽x1-.,"))


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_fast_fold_equals_the_character_walk(text):
    fold.cache_clear()
    out, index = fold(text)
    assert (out, tuple(index)) == fold_each(text)
    assert [index[i] for i in range(len(index))] == list(fold_each(text)[1])
    assert folded_alone(text) == out


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.one_of(st.sampled_from(["Thank you ", "for the ORDER, ", "it ships\n\n today ", "a  b\t"]),
                          _ALPHABET), max_size=60).map("".join))
def test_a_mostly_ascii_text_folds_as_the_character_walk_folds_it(text):
    # Long texts with a few characters outside ASCII among many (curly quotes, an emoji), as most
    # messages are, fold as the character walk folds them.
    fold.cache_clear()
    out, index = fold(text)
    assert (out, tuple(index)) == fold_each(text)


# Phrases made of the same letters, with the pieces that make boundaries interesting: words glued
# to others, phrases starting or ending with punctuation, unspaced scripts, repeats and overlaps.
_PIECES = st.sampled_from(["a", "ab", "ab ab", "b a", "café", "cafe", "-a", "a-", "%", "5%", "レビュー", "ビュ",
                           "خصم", "خَصْم", "x1", "é", "ß", "ss", "ﬁ", "fi", "a'b", "a’b", " ", "\n", ".", "1"])


@settings(max_examples=examples(500), deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join),
       st.lists(st.lists(_PIECES, min_size=1, max_size=3).map("".join), min_size=1, max_size=6),
       st.lists(st.lists(_PIECES, min_size=1, max_size=3).map("".join), min_size=1, max_size=6))
def test_one_scan_for_all_lists_finds_what_each_list_regex_finds(text, first, second):
    from interpreter.evaluation.phrases import PhraseSet, regex_matcher

    lists = [tuple(first), tuple(second)]
    shared = PhraseSet(lists)
    for phrases in lists:
        assert shared.matcher(phrases)(text) == regex_matcher(phrases)(text)
        assert phrase_matcher(phrases)(text) == regex_matcher(phrases)(text)


# Sentence breaks of every kind next to the pieces: stops with closers, full-width stops with a
# letter right after, blank lines, list items, abbreviations, white space of several kinds.
_BREAKS = st.sampled_from([". ", "! ", "? ", '." ', "。", "！", "\n", "\n\n", "\n- ", "e.g. ", "Mr. ", " \t ",
                           "\u00a0", "\u3000", "…", "؟ "])


@settings(max_examples=examples(500), deadline=None)
@given(st.lists(st.one_of(_PIECES, _BREAKS), max_size=40).map("".join),
       st.lists(st.lists(_PIECES, min_size=1, max_size=3).map("".join), min_size=1, max_size=6))
def test_a_sentence_reads_its_hits_from_the_scan_of_the_whole_text(text, phrases):
    # What PhraseSet.within reads from the whole text's scan is what scanning each sentence (and
    # each run of two) on its own finds, offsets and all.
    from interpreter.evaluation.phrases import PhraseSet, regex_matcher
    from interpreter.evaluation.sentences import runs, split

    phrases = tuple(phrases)
    shared = PhraseSet([phrases])
    tester = shared.stretch_tester(phrases)
    for item in list(split(text)) + runs(text, 2):
        found = regex_matcher(phrases)(item["text"])
        assert list(shared.within(text, item["start"], item["end"], phrases)) == found
        # `mentions` as a condition on a sentence answers without making the hits, and the same
        assert tester(text, item["start"], item["end"]) is bool(found)
    # A quantifier whose body needs the list reads only the stretches the picker gives: those
    # that mention it, in order, found from the list's occurrences — or all of them, when the list
    # occurs at least as often as there are stretches (each is then asked by the body).
    picker = shared.stretch_picker(phrases)
    bit = shared._lists[phrases][0]
    occurs = len(shared._scan(text).get(bit, ())) if shared._automaton is not None else 0
    for items in (split(text), runs(text, 2), runs(text, 3)):
        mentioning = [item for item in items if regex_matcher(phrases)(item["text"])]
        assert list(picker(text, items)) == (mentioning if occurs < len(items) else list(items))


@settings(max_examples=examples(2000), deadline=None)
@given(st.text(alphabet="ab \t\n\r\u00a0\u2003\u3000\x1c\x85.", max_size=20))
def test_runs_of_white_space_collapse_as_the_regular_expression_collapses_them(text):
    import re

    from interpreter.evaluation.phrases import collapse_spaces

    assert collapse_spaces(text) == re.sub(r"\s+", " ", text)


@settings(max_examples=examples(500), deadline=None)
@given(st.lists(st.one_of(_PIECES, _BREAKS), max_size=30).map("".join),
       st.lists(st.lists(_PIECES, min_size=1, max_size=3).map("".join), min_size=1, max_size=6))
def test_mentions_as_a_condition_answers_as_the_hits_do(text, phrases):
    from interpreter.evaluation.phrases import PhraseSet, regex_matcher

    phrases = tuple(phrases)
    assert PhraseSet([phrases]).tester(phrases)(text) is bool(regex_matcher(phrases)(text))
