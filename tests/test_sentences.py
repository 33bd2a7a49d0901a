"""`sentences`, `sentence_runs`, `mentions_near` and `mentions_before`: where a sentence ends in
several languages, how far apart two mentions are, evidence that points into message.text, and
the solver's encoding of rules that use them."""
from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import examples

from dsl.compiler import compile_text
from interpreter.evaluation.evaluate import evaluate
from interpreter.evaluation.operators import IMPLEMENTATIONS
from interpreter.facts.record import build_facts

sentences = IMPLEMENTATIONS["sentences"]
runs = IMPLEMENTATIONS["sentence_runs"]
near = IMPLEMENTATIONS["mentions_near"]
before = IMPLEMENTATIONS["mentions_before"]

SPLITS = [
    # (language, text, the sentences)
    ("en", "Thanks for your order. It ships today! Any questions?",
     ["Thanks for your order.", "It ships today!", "Any questions?"]),
    ("en abbreviations", "Mr. Lee ordered e.g. the 4.5 m hose. We ship it approx. next week. Dr. Ray agrees.",
     ["Mr. Lee ordered e.g. the 4.5 m hose.", "We ship it approx. next week.", "Dr. Ray agrees."]),
    ("en quotes", 'Click "Request Cancellation." Then wait (about a day.) Done',
     ['Click "Request Cancellation."', "Then wait (about a day.)", "Done"]),
    ("en order id", "Order 123-1234567-1234567. Please confirm the colour.",
     ["Order 123-1234567-1234567.", "Please confirm the colour."]),
    ("en paragraphs", "Hi Sam,\nthanks for your order.\n\nBest wishes\nThe Lamp Shop",
     ["Hi Sam,\nthanks for your order.", "Best wishes", "The Lamp Shop"]),
    ("en hard-wrapped", "If you are happy with the\nlamp, please leave a review.", ["If you are happy with the\nlamp, please leave a review."]),
    ("en list", "You can:\n- wait for the restock\n- take the blue one\n1. or cancel",
     ["You can:", "- wait for the restock", "- take the blue one", "1. or cancel"]),
    ("en ellipsis", "We waited... Then it came. Well… maybe", ["We waited...", "Then it came.", "Well… maybe"]),
    ("fr", "Merci pour votre commande. M. Dupont l'a expédiée ! Des questions ? Écrivez-nous.",
     ["Merci pour votre commande.", "M. Dupont l'a expédiée !", "Des questions ?", "Écrivez-nous."]),
    ("de", "Ihre Bestellung kommt am 3. März. Wir senden z.B. eine Mail. Vielen Dank!",
     ["Ihre Bestellung kommt am 3. März.", "Wir senden z.B. eine Mail.", "Vielen Dank!"]),
    ("es", "¿Le gustó la lámpara? Gracias por su pedido. Saludos",
     ["¿Le gustó la lámpara?", "Gracias por su pedido.", "Saludos"]),
    ("it", "Grazie per l'ordine. Sig. Rossi, la spedizione è partita!",
     ["Grazie per l'ordine.", "Sig. Rossi, la spedizione è partita!"]),
    ("ja", "ご注文ありがとうございます。商品は明日発送します！ご質問は？よろしくお願いします",
     ["ご注文ありがとうございます。", "商品は明日発送します！", "ご質問は？", "よろしくお願いします"]),
    ("ja quotes", "「ありがとう。」と伝えました。以上です。", ["「ありがとう。」", "と伝えました。", "以上です。"]),
    ("ar", "شكرا لطلبك. هل وصل المنتج؟ نرجو الرد! مع التحية",
     ["شكرا لطلبك.", "هل وصل المنتج؟", "نرجو الرد!", "مع التحية"]),
    ("ar, english number", "الطلب 123-1234567-1234567. سيصل غدا.", ["الطلب 123-1234567-1234567.", "سيصل غدا."]),
    ("a link", "See www.example.com/help. Then reply.", ["See www.example.com/help.", "Then reply."]),
    ("blank", " \n\n ", []),
]


@pytest.mark.parametrize("text,expected", [pytest.param(t, e, id=i) for i, t, e in SPLITS])
def test_sentences(text, expected):
    found = sentences(text)
    assert [s["text"] for s in found] == expected
    for s in found:
        assert text[s["start"]:s["end"]] == s["text"]


def test_sentence_runs_join_each_sentence_with_the_next():
    text = "One is here. Two is there. Three is gone."
    assert [r["text"] for r in runs(text, 2)] == ["One is here. Two is there.", "Two is there. Three is gone."]
    assert [r["text"] for r in runs(text, 1)] == [s["text"] for s in sentences(text)]
    assert [r["text"] for r in runs("Only one.", 2)] == ["Only one."]
    assert runs("", 2) == []


NEAR = [
    # (text, phrases, others, words, the phrases found near, the phrases found before)
    ("please wait or request cancellation", ("or",), ("request cancellation",), 0, ["or"], ["or"]),
    ("request cancellation or wait", ("or",), ("request cancellation",), 0, ["or"], []),
    ("or you can also request cancellation", ("or",), ("request cancellation",), 2, [], []),
    ("or you can also request cancellation", ("or",), ("request cancellation",), 3, ["or"], ["or"]),
    ("If you are happy, review it", ("if you",), ("happy",), 1, ["If you"], ["If you"]),
    ("we are happy if you review it", ("if you",), ("happy",), 1, ["if you"], []),
    ("wenn Sie mit Ihrem Kauf zufrieden sind", ("wenn Sie",), ("zufrieden",), 3, ["wenn Sie"], ["wenn Sie"]),
    ("wenn Sie mit Ihrem Kauf zufrieden sind", ("wenn Sie",), ("zufrieden",), 2, [], []),
    ("إذا كنت راضيا عن المنتج", ("إذا",), ("راضيا",), 1, ["إذا"], ["إذا"]),
    # Japanese has no spaces: each character counts as a word.
    ("ご満足いただけましたら", ("満足",), ("たら",), 6, ["満足"], ["満足"]),
    ("ご満足いただけましたら", ("満足",), ("たら",), 5, [], []),
    ("a review, then a gift card", ("gift card",), ("review",), 2, ["gift card"], []),
    ("nothing here", ("gift card",), ("review",), 5, [], []),
]


@pytest.mark.parametrize("text,phrases,others,words,near_found,before_found", NEAR,
                         ids=[f"{n[0][:24]}-{n[3]}" for n in NEAR])
def test_nearness(text, phrases, others, words, near_found, before_found):
    assert [h["text"] for h in near(text, phrases, others, words)] == near_found
    assert [h["text"] for h in before(text, phrases, others, words)] == before_found
    for h in near(text, phrases, others, words):
        assert text[h["start"]:h["end"]] == h["text"]


def test_time_grows_with_the_text_not_faster():
    """A seller's message is small, but an audit reads millions: splitting and nearness stay linear."""
    def timed(n: int) -> float:
        text = "Mr. Lee, if you are happy e.g. with it, leave a review or cancel. " * n + "Ende\n" * n
        t = time.perf_counter()
        sentences(text)
        near(text, ("if you",), ("review", "cancel"), 3)
        return time.perf_counter() - t

    timed(200)
    # Ten times the text, best of three each: a quadratic split takes a hundred times as long, and
    # the bound of thirty leaves room for a machine that is busy during one of the runs.
    small, large = min(timed(2_000) for _ in range(3)), min(timed(20_000) for _ in range(3))
    assert large < small * 30


# The sentence-break pattern as first written, look-behinds before the characters they guard:
# the one in use tests a character first, and must find the same breaks, but that a run of lines
# starts at its first line break rather than at the blanks before it.
_BREAK_AS_WRITTEN = re.compile(
    r"(?P<stop>(?<![.!?…؟।])[.!?…؟।]+[\"'”’»)\]」』）]*)(?=\s|\Z)"
    r"|(?P<wide>[。！？．]+[\"'”’»)\]」』）]*)"
    r"|(?P<lines>(?<![^\S\n])[^\S\n]*\n(?:[^\S\n]*\n)*)"
)


@settings(max_examples=examples(2000), deadline=None)
@given(st.text(alphabet=".!?…؟।。！？． \t\n\r\u00a0\u2003\u2028\x85ab\"'”’»)]」』）x1", max_size=30))
def test_the_break_pattern_finds_what_the_look_behind_first_form_finds(text):
    from interpreter.evaluation.sentences import _BREAK

    def from_first_line_break(m):
        start = m.start() + m.group().index("\n") if m.lastgroup == "lines" else m.start()
        return (start, m.end()), m.lastgroup

    assert ([(m.span(), m.lastgroup) for m in _BREAK.finditer(text)]
            == [from_first_line_break(m) for m in _BREAK_AS_WRITTEN.finditer(text)])


@settings(max_examples=examples(2000), deadline=None)
@given(st.text(alphabet=".!?。 \t\n\r\u00a0\u2028aB\"’)x1", max_size=30))
def test_the_break_pattern_takes_the_next_visible_character(text):
    # what decides a break is the first character after it that is not white space
    from interpreter.evaluation.sentences import _BREAK

    for m in _BREAK.finditer(text):
        if m.lastgroup != "wide":
            rest = text[m.end():].lstrip()
            assert (m.group("next") or m.group("after") or "") == rest[:1]


POLICY = r"""
policy: buyer-messaging
marketplace: UK
effective: 2020-11-06
source: "sentence tests"
vocab:
  gating: {en: ["if you are happy"]}
  reviews: {en: ["review"]}
  conditions: {en: ["if you"]}
  feelings: {en: ["happy"]}
rules:
  - id: review.gated
    title: Gated
    severity: block
    clause: "gating"
    when: |
      any s in sentences(message.text):
        mentions(s.text, vocab.gating) and mentions(s.text, vocab.reviews)
  - id: review.near
    title: Near
    severity: warn
    clause: "near"
    when: |
      any s in sentence_runs(message.text, 2):
        mentions_before(s.text, vocab.conditions, vocab.feelings, 2) and mentions(s.text, vocab.reviews)
  - id: review.near-message
    title: Near in the message
    severity: warn
    clause: "near"
    when: mentions_near(message.text, vocab.reviews, vocab.feelings, 6)
"""


def _report(text: str):
    policy = compile_text(POLICY, "<sentences>")
    return evaluate(policy, build_facts({"message": {"text": text}}, "UK"))


def test_evidence_of_a_sentence_points_into_the_message():
    text = "Hello there. Thanks for the order! If you are happy, please leave a review."
    report = _report(text)
    by_rule = {v.rule: v.evidence for v in report.violations}
    assert set(by_rule) == {"review.gated", "review.near", "review.near-message"}
    for rule in ("review.gated", "review.near"):
        spans = [(ev.fact, ev.text) for ev in by_rule[rule]]
        for ev in by_rule[rule]:
            assert ev.start is not None and text[ev.start:ev.end] == ev.text
        # The words that decided, not the whole sentence around them.
        assert ("message.text", "review") in spans
        assert all(len(t) < 20 for _, t in spans)
    assert [ev.text for ev in by_rule["review.gated"]] == ["If you are happy", "review"]
    assert [ev.text for ev in by_rule["review.near-message"]] == ["review"]


def test_sentence_scope_keeps_apart_what_is_said_apart():
    report = _report("If you are happy with the new part, nothing more is needed. Your invoice is attached. "
                     "A review is welcome.")
    assert report.violations == ()


def test_the_diff_solver_encodes_the_new_operators_as_free_parts():
    from dsl.analysis.solve import Encoder
    from interpreter.evaluation.phrases import phrase_matcher

    class Oracle:
        def finds(self, phrases, text):
            return bool(phrase_matcher(tuple(phrases))(text))

    policy = compile_text(POLICY, "<sentences>")
    enc = Encoder([r.condition for r in policy.rules], Oracle())
    for r in policy.rules:
        enc.encode(r.condition)
    assert {"sentences", "sentence_runs"} <= set(enc.coverage().free)
    assert "mentions_near" in enc.coverage().free


@settings(max_examples=examples(2000), deadline=None)
@given(st.text(alphabet="ab1_ -.,\u00e9\u3042\u6f22\u0301\u0e02\n", max_size=24), st.integers(0, 26), st.integers(0, 26))
def test_words_between_counts_the_words_starting_in_the_gap(text, end, start):
    # Read from the gap alone; the same count as the word index of the whole text gives.
    from bisect import bisect_left

    from interpreter.evaluation.sentences import _words, words_between

    starts, _ = _words(text)
    assert words_between(text, end, start) == max(0, bisect_left(starts, start) - bisect_left(starts, end))


@settings(max_examples=examples(1000), deadline=None)
@given(st.text(alphabet="ab1_ -.,\u00e9\u00aa\u00b2\u2019\u201c\U0001f600\u20ac\n", min_size=257, max_size=400))
def test_a_long_latin1_texts_words_are_found_as_the_pattern_finds_them(text):
    from interpreter.evaluation.sentences import _words, _words_of

    found = list(_words_of().wide.finditer(text))
    assert _words(text) == (tuple(m.start() for m in found), tuple(m.end() for m in found))


@pytest.mark.parametrize("token, abbreviation", [
    ("Mr", True), ("mrs", True), ("Nr", True), ("J", True), ("\u00e9", True), ("e.g", True), ("z.B", True),
    ("p.ex", True), ("12", True), ("3", True), ("123", False), ("ab", False), ("hello", False), ("ab.cde", False),
])
def test_which_words_a_full_stop_leaves_open(token, abbreviation):
    from interpreter.evaluation.sentences import _is_abbreviation

    assert _is_abbreviation(token) is abbreviation
