"""The layout of plain text: line breaks counted as the HTML reader counts them."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interpreter.facts.html import read_html
from interpreter.facts.layout import max_line_breaks, plain_styling
from interpreter.facts.normalise import normalise

CASES = [
    ("", 0),
    ("One line only.", 0),
    ("Dear Ana,\nthanks.", 1),
    ("Dear Ana,\n\nYour lamp ships today.", 2),                       # one blank line: a paragraph
    ("Dear Ana,\n\n\nYour lamp ships today.", 3),                     # two blank lines in a row
    ("Dear Ana,\r\n\r\nYour lamp ships today.", 2),                   # a CRLF is one break
    ("Dear Ana,\r\n\r\n\r\nYour lamp ships today.", 3),
    ("Dear Ana,\r\rYour lamp ships today.", 2),                       # old Mac line ends
    ("Dear Ana,\n   \n\t\nYour lamp ships today.", 3),                # lines of spaces and tabs are blank
    ("Dear Ana,\n\u00a0\n\u3000\nYour lamp ships today.", 3),         # no-break and ideographic spaces
    ("Dear Ana,\n\u200b\n\nYour lamp ships today.", 3),               # a zero-width space shows nothing
    ("\n\n\n\nDear Ana,\n\nYour lamp ships today.\n\n\n\n", 2),       # before the first / after the last line
    ("Dear Ana,\n\nYour lamp ships today.\n\n-- \nOakline Furniture", 2),   # a signature delimiter is a line
    ("Dear Ana,\u2028\u2028\u2028Your lamp ships today.", 3),         # Unicode line separators
    ("Dear Ana,\n \u200b\ufeff \n\u200dx\nYour lamp ships today.", 2),  # invisible, then a letter after one
]


@given(st.text(alphabet=st.sampled_from(list(" \t\u00a0\u3000\u200b\u200c\u200d\u2060\ufeffaé’\n")), max_size=30))
def test_a_line_is_blank_when_only_white_space_and_invisible_characters_are_in_it(line):
    from interpreter.facts.layout import _INVISIBLE, _blank

    assert _blank(line) == (not line.translate(_INVISIBLE).strip())


@pytest.mark.parametrize("text,expected", CASES, ids=[repr(t)[:40] for t, _ in CASES])
def test_line_breaks_of_plain_text(text, expected):
    assert max_line_breaks(text) == expected


def test_a_first_line_put_before_a_template_adds_no_blank_line():
    # An order line written before a template (as a sending tool or the corpus protocol does)
    # joins the body with one newline.
    body = "Dear {{buyer_name}},\n\nYour lamp ships today.\n\nKind regards,\n{{store_name}}"
    assert max_line_breaks("Order ID: 113-1234567-1234567\n" + body) == 2
    assert max_line_breaks("Order ID: 113-1234567-1234567\n" + body.replace("\n\nKind", "\n\n\nKind")) == 3


def test_plain_text_styling_is_the_html_default_but_for_line_breaks():
    plain = plain_styling("Dear Ana,\n\n\nYour lamp ships today.")
    html = read_html("<p>Dear Ana,</p><p>Your lamp ships today.</p>").styling
    assert plain == {**html, "max_line_breaks": 3}


def test_normalised_plain_body_carries_its_line_breaks():
    data = normalise({"marketplace": "UK", "body": "Hello,\r\n\r\n\r\nYour invoice is attached."}).data
    assert data["message"]["styling"]["max_line_breaks"] == 3
    assert data["message"]["text"] == "Hello,\r\n\r\n\r\nYour invoice is attached."     # the text is kept as written


_lines = st.lists(st.from_regex(r"[A-Za-z][A-Za-z ,.]{0,12}", fullmatch=True), min_size=1, max_size=6)
_gaps = st.lists(st.integers(1, 4), min_size=6, max_size=6)


@given(_lines, _gaps, st.sampled_from(["\n", "\r\n"]))
def test_plain_text_counts_as_the_same_message_in_html(lines, gaps, newline):
    # The same lines, separated by the same number of breaks: a newline in plain text, a <br> in HTML.
    plain = lines[0] + "".join(newline * gap + line for gap, line in zip(gaps, lines[1:]))
    html = lines[0] + "".join("<br>" * gap + line for gap, line in zip(gaps, lines[1:]))
    assert max_line_breaks(plain) == read_html(html).styling["max_line_breaks"]
