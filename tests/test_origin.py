"""Where message.text is in its file: the offsets the readers keep, for every form a message comes in.

Each case reads a file as `permitted check` does, normalises it, and asks the facts' origin where a
span of the text is: the characters of the file that write it, and their line and column.
"""
from __future__ import annotations

import mailbox
import pickle

import pytest

from dsl.contract.errors import Diagnostic
from interpreter.facts.normalise import normalise
from interpreter.read.envelope import iter_envelopes
from interpreter.read.mail import mbox_messages
from interpreter.read.origin import Envelope, Origin, Pieces, Unread

QP_MAIL = (b"From: shop@seller.example\r\nSubject: A gift\r\nContent-Type: text/plain; charset=utf-8\r\n"
           b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
           b"We=E2=80=99ll send you a gift car=\r\nd for a review :)\r\n")
ALTERNATIVE = (b"From: shop@seller.example\nSubject: Thanks\nMIME-Version: 1.0\n"
               b'Content-Type: multipart/alternative; boundary="b1"\n\n'
               b"--b1\nContent-Type: text/plain; charset=utf-8\n\nLeave a review :)\n"
               b"--b1\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
               b"<p>Leave a <b>review</b> =F0=9F=98=80</p>\n--b1--\n")
BASE64_MAIL = (b"From: shop@seller.example\nSubject: x\nContent-Type: text/plain; charset=utf-8\n"
               b"Content-Transfer-Encoding: base64\n\nVGhhbmtzIDop\n")

# file name, bytes, the text's characters asked for, (line, column, snippet) in the file
CASES = [
    # plain text: the text is the file
    ("m.txt", b"Hello there\nCall me :) now", ":)", (2, 9, ":)")),
    ("m.txt", b"Hi\r\nsee you :)", ":)", (2, 9, ":)")),
    ("m.txt", "Cafe\u0301 :)".encode(), "Caf\u00e9", (1, 1, "Cafe\u0301")),        # NFC composed it
    ("m.txt", "Cafe\u0301 :)".encode(), ":)", (1, 7, ":)")),
    ("m.txt", "\ufeffcaf\u00e9 :)".encode(), ":)", (1, 6, ":)")),                     # after the byte order mark
    # HTML file: references, tags between words, content never shown
    ("m.html", b"<p>10&#37; off your <i>next</i> order</p>", "% off", (1, 6, "&#37; off")),
    ("m.html", b"<p>10&#37; off your <i>next</i> order</p>", "next order", (1, 24, "next</i> order")),
    ("m.html", b"<title>Sale</title><style>p{}</style>\n<p>Sale now</p>", "Sale", (2, 4, "Sale")),
    ("m.html", b"<p>Kind regards,<br>Bright &amp; Co.</p>", "regards,\nBright &", (1, 9, "regards,<br>Bright &amp;")),
    ("m.html", b"<p>Call&nbsp;020&nbsp;7946</p>", "020 7946", (1, 14, "020&nbsp;7946")),
    # YAML: block scalars (indented lines), folded, quoted with escapes, plain
    ("m.yaml", b"marketplace: UK\nbody: |\n  Dear buyer,\n    thanks :)\n  Bye\n", ":)", (4, 12, ":)")),
    ("m.yaml", b"marketplace: UK\nbody: |\n  Dear buyer,\n    thanks :)\n  Bye\n", "buyer,\n  thanks",
     (3, 8, "buyer,\n    thanks")),
    ("m.yaml", b"body: |-\n    deeply indented :)\nsent_at: 2020-11-20\n", "deeply", (2, 5, "deeply")),
    ("m.yaml", b"body: >\n  one\n  two :)\n", "one two", (2, 3, "one\n  two")),
    ("m.yaml", b'body: "caf\\u00e9 \\"ok\\" :)"\n', "caf\u00e9 \"ok\"", (1, 8, 'caf\\u00e9 \\"ok\\"')),
    ("m.yaml", b"body: 'it''s :)'\n", "it's", (1, 8, "it''s")),
    ("m.yaml", b"subject: hello :(\nbody: hello :)\n", ":)", (2, 13, ":)")),                # the body, not the subject
    ("m.yaml", b"html: |\n  <p>Call&nbsp;020 7946 0958</p>\n", "Call 020", (2, 6, "Call&nbsp;020")),
    # JSON: escapes, surrogate pairs, the last of duplicate keys, an SP-API request body
    ("m.json", b'{"marketplace": "UK", "body": "Line one\\nCaf\\u00e9 \\ud83d\\ude00"}', "\U0001F600",
     (1, 52, "\\ud83d\\ude00")),
    ("m.json", b'{"marketplace": "UK", "body": "Line one\\nCaf\\u00e9 \\ud83d\\ude00"}', "one\nCaf\u00e9",
     (1, 37, "one\\nCaf\\u00e9")),
    ("m.json", "{\"body\": \"\u0645\u0631\u062d\u0628\u0627 :)\"}".encode(), ":)", (1, 17, ":)")),
    ("x.createUnexpectedProblem.json", b'{"text": "<p>Sorry</p>\\n<b>late</b>"}', "<b>", (1, 25, "<b>")),
    # e-mail: quoted-printable traced byte by byte, the part the text was read from
    ("m.eml", QP_MAIL, "We\u2019ll", (6, 1, "We=E2=80=99ll")),
    ("m.eml", QP_MAIL, "gift card", (6, 26, "gift car=\r\nd")),
    ("m.eml", QP_MAIL, ":)", (7, 16, ":)")),
    ("m.eml", ALTERNATIVE, "review", (14, 15, "review")),                                      # the HTML part
    ("m.eml", ALTERNATIVE, "\U0001F600", (14, 26, "=F0=9F=98=80")),
]


def _read(tmp_path, name: str, data: bytes, fields: dict | None = None):
    path = tmp_path / name
    path.write_bytes(data)
    return [envelope for _, envelope in iter_envelopes(path, {"marketplace": "UK", **(fields or {})})]


def _where(origin: Origin, text: str, words: str) -> tuple[int, int, str]:
    start = text.index(words)
    a, b = origin.span(start, start + len(words))
    line, column = origin.point(a)
    return line, column, origin.source[a:b]


@pytest.mark.parametrize("name, data, words, expected", CASES, ids=[f"{c[0]}:{c[2]!r}" for c in CASES])
def test_a_span_of_the_text_is_found_in_the_file(tmp_path, name, data, words, expected):
    (envelope,) = _read(tmp_path, name, data)
    facts = normalise(envelope)
    assert _where(facts.origin, facts.text, words) == expected


BATCHES = [
    # a JSONL line is the file's line; an mbox message is the file's lines from its From line on
    ("sent.jsonl", b'{"body": "first :)"}\n\n{"body": "third :)"}\n', [1, 3], [(1, 17, ":)"), (3, 17, ":)")]),
    ("sent.mbox", b"From a@b Mon Nov 30 10:00:00 2020\nSubject: one\n\nFirst :)\n\n"
                  b"From a@b Tue Dec 01 09:30:00 2020\nSubject: two\n\nSecond\nand :)\n",
     [(1, 5), (6, 10)], [(4, 7, ":)"), (10, 5, ":)")]),
]


@pytest.mark.parametrize("name, data, lines, expected", BATCHES, ids=[b[0] for b in BATCHES])
def test_messages_of_a_batch_file_are_placed_in_the_file(tmp_path, name, data, lines, expected):
    envelopes = _read(tmp_path, name, data)
    found = []
    for envelope, spans in zip(envelopes, lines):
        facts = normalise(envelope)
        whole = facts.origin.line if name.endswith(".jsonl") else (facts.origin.line, facts.origin.last_line)
        assert whole == spans
        found.append(_where(facts.origin, facts.text, ":)"))
    assert found == expected


@pytest.mark.parametrize("data", [
    b"From a@b x\nSubject: one\n\nFirst\n\nFrom a@b y\nSubject: two\n\nSecond\n",
    b"junk before the first message\nFrom a@b x\n\nno blank line before the next\nFrom a@b y\n\nlast\n\n",
    b"From a@b x\n\n\n\nFrom a@b y\nno final line break",
    b"From a@b x\r\nSubject: crlf\r\n\r\nBody\r\n\r\nFrom a@b y\r\n\r\nMore\r\n",
    b"no message at all\n",
])
def test_mbox_messages_are_those_of_the_standard_library(tmp_path, data):
    path = tmp_path / "box.mbox"
    path.write_bytes(data)
    box = mailbox.mbox(str(path), create=False)
    try:
        expected = [box.get_bytes(key) for key in box.iterkeys()]
    finally:
        box.close()
    stored = list(mbox_messages(path))
    assert [s.data for s in stored] == expected
    assert [s.text[s.at:].encode().startswith(s.data) for s in stored] == [True] * len(expected)
    assert [data.split(b"\n")[s.line - 1].startswith(b"From ") for s in stored] == [True] * len(expected)


def test_a_base64_body_is_placed_only_by_its_first_line(tmp_path):
    (envelope,) = _read(tmp_path, "m.eml", BASE64_MAIL)
    facts = normalise(envelope)
    assert facts.text.startswith("Thanks :)")
    assert facts.origin.span(0, 6) is None
    assert facts.origin.point(facts.origin.body_at) == (6, 1)


def test_text_not_written_in_the_file_is_not_placed(tmp_path):
    # the body comes from the given fields, not the file: there is no place for it in the file
    (envelope,) = _read(tmp_path, "m.json", b'{"marketplace": "UK"}', {"body": "given :)"})
    facts = normalise(envelope)
    assert facts.origin.span(0, 5) is None and facts.origin.body_at is None
    assert normalise(dict(envelope)).origin is None          # a mapping of its own has no origin


def test_an_unreadable_message_of_a_batch_keeps_its_lines(tmp_path):
    (_, bad) = _read(tmp_path, "sent.jsonl", b'{"body": "ok"}\n{"body": 42}\n')
    assert isinstance(bad, Unread) and (bad.origin.line, bad.origin.last_line) == (2, 2)


def test_origins_survive_the_trip_to_a_batch_worker(tmp_path):
    (envelope,) = _read(tmp_path, "m.yaml", b"body: |\n  Hi :)\n")
    again = pickle.loads(pickle.dumps(envelope))
    assert isinstance(again, Envelope) and again == envelope and again.origin == envelope.origin
    assert normalise(again).origin.span(3, 5) == normalise(envelope).origin.span(3, 5)
    error = pickle.loads(pickle.dumps(Unread([Diagnostic("I100", "x: bad")], envelope.origin)))
    assert error.origin == envelope.origin and error.diagnostics[0].message == "x: bad"


# decoded characters' places -> what spans of them are in the source
PIECES = [
    ([(0, 1), (1, 2), (2, 3)], (0, 3), (0, 3)),                # copied one for one
    ([(0, 1), (1, 7), (7, 8)], (1, 2), (1, 7)),                # an escape writes one character
    ([(0, 1), (1, 7), (7, 8)], (0, 3), (0, 8)),
    ([(0, 1), (1, 1), (1, 2)], (1, 2), (1, 1)),                # a character written with none
    ([(0, 1), None, (5, 6)], (0, 2), None),                    # a character that cannot be placed
    ([(0, 1), None, (5, 6)], (2, 3), (5, 6)),
    ([(3, 4), (4, 5), (9, 10), (10, 11)], (1, 3), (4, 10)),     # two copied runs
]


@pytest.mark.parametrize("places, span, expected", PIECES)
def test_pieces(places, span, expected):
    pieces = Pieces.of(places)
    assert pieces.span(*span) == expected
    assert [pieces.char(i) for i in range(len(places))] == places
