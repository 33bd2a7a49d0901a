"""E-mail as it really arrives: broken headers, odd dates, MIME nested or cut short, encodings
that lie. Each one is read (what a mail client would show) or refused with a code, quickly —
never a traceback (the standard library raises on `From::;"`, recurses once per nested part and
takes time quadratic in a header's length).
"""
from __future__ import annotations

import base64
import time

import pytest

from dsl.contract.errors import InputError
from interpreter.read.envelope import envelope_of
from interpreter.read.mail import MAX_HEADER, MAX_PARTS_DEPTH

HEAD = b"From: Jo Seller <jo@example.com>\r\nTo: buyer@example.com\r\nSubject: Your order\r\n"
TEXT = b"Content-Type: text/plain; charset=utf-8\r\n\r\nYour parcel is on its way.\r\n"


def nested(depth: int, closed: bool = True) -> bytes:
    opened = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i) for i in range(depth))
    closing = b"".join(b"--b%d--\r\n" % i for i in reversed(range(depth))) if closed else b""
    return HEAD + opened + TEXT + closing


def read(data: bytes) -> dict:
    started = time.monotonic()
    try:
        return dict(envelope_of(data, ".eml", "m.eml"))
    finally:
        assert time.monotonic() - started < 5, "an e-mail took longer than 5 s to read"


def b64(text: str, encoding: str) -> bytes:
    return base64.encodebytes(text.encode(encoding))


# (what it is, the message, what is read: field -> value, None for a field left unknown)
READ = [
    ("a From header of punctuation", b'From::;"\r\nSubject: hi\r\n\r\nhello', {"subject": "hi", "body": "hello"}),
    ("a From header never closed", b"From: Pacific <\r\nSubject: hi\r\n\r\nhello", {"subject": "hi", "body": "hello"}),
    ("a From header of 100,000 addresses", b"From: " + b"a@b.com, " * 100_000 + b"\r\nSubject: hi\r\n\r\nhello",
     {"subject": "hi", "body": "hello"}),
    ("an uninterpreted header of 800 KB", HEAD + b"X-Long: " + b"x " * 400_000 + b"\r\n\r\nhello", {"body": "hello"}),
    ("a line without a colon ends the headers", b"Subject: hi\r\nno colon here\r\nDate: x\r\n\r\nhello",
     {"subject": "hi", "body": "no colon here\r\nDate: x\r\n\r\nhello"}),
    ("a Date offset of +9999", HEAD + b"Date: Mon, 1 Jan 2024 00:00:00 +9999\r\n\r\nhello", {"sent_at": None}),
    ("a Date in the year 99999", HEAD + b"Date: Mon, 1 Jan 99999 00:00:00 +0000\r\n\r\nhello", {"sent_at": None}),
    ("a Date at 99:99:99", HEAD + b"Date: Mon, 1 Jan 2024 99:99:99 +0000\r\n\r\nhello", {"sent_at": None}),
    ("a Date that is a date", HEAD + b"Date: Mon, 1 Jan 2024 10:30:00 +0100\r\n\r\nhello",
     {"sent_at": "2024-01-01T10:30:00+01:00"}),
    ("8-bit UTF-8 in a header", b"Subject: Gr\xc3\xbc\xc3\x9fe\r\n\r\nhello", {"subject": "Grüße"}),
    ("8-bit bytes that are not UTF-8 in a header", b"Subject: Gr\xfc\xdfe\r\n\r\nhello", {"subject": "Gr\ufffd\ufffde"}),
    ("a multipart without a boundary is read as it is written",
     HEAD + b"Content-Type: multipart/mixed\r\n\r\n--x\r\n" + TEXT + b"--x--\r\n",
     {"body": "--x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYour parcel is on its way.\r\n--x--\r\n"}),
    ("a boundary never closed", HEAD + b'Content-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\n' + TEXT,
     {"body": "Your parcel is on its way."}),
    ("a multipart/related whose boundary never comes",
     HEAD + b'Content-Type: multipart/mixed; boundary="a"\r\n\r\n--a\r\n'
            b'Content-Type: multipart/related; boundary="r"\r\n\r\nno parts here\r\n--a--\r\n',
     {"body": "no parts here\r\n"}),
    ("base64 without its padding", HEAD + b"Content-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29ybGQ\r\n",
     {"body": "hello world"}),
    ("a charset that does not exist", HEAD + b"Content-Type: text/plain; charset=x-unknown\r\n\r\ncaf\xc3\xa9 \xe9\r\n",
     {"body": "café \ufffd\r\n"}),
    ("UTF-16 little-endian without a byte order mark",
     HEAD + b"Content-Type: text/plain; charset=utf-16\r\nContent-Transfer-Encoding: base64\r\n\r\n"
     + b64("Your parcel", "utf-16-le"), {"body": "Your parcel"}),
    ("UTF-16 big-endian without a byte order mark",
     HEAD + b"Content-Type: text/plain; charset=utf-16\r\nContent-Transfer-Encoding: base64\r\n\r\n"
     + b64("Your parcel", "utf-16-be"), {"body": "Your parcel"}),
    ("UTF-16 with a byte order mark",
     HEAD + b"Content-Type: text/plain; charset=utf-16\r\nContent-Transfer-Encoding: base64\r\n\r\n"
     + b64("Your parcel", "utf-16"), {"body": "Your parcel"}),
    (f"parts nested {MAX_PARTS_DEPTH} deep", nested(MAX_PARTS_DEPTH - 1), {"body": "Your parcel is on its way."}),
]


@pytest.mark.parametrize("what,data,expected", READ, ids=[r[0] for r in READ])
def test_odd_email_is_read_as_a_mail_client_shows_it(what, data, expected):
    envelope = read(data)
    for field, value in expected.items():
        assert envelope.get(field) == value, (what, field, envelope)


# (what it is, the message, the code, words of the message)
REFUSED = [
    ("parts nested 1,000 deep", nested(1_000), "I102", f"nested more than {MAX_PARTS_DEPTH} deep"),
    ("parts nested 10,000 deep, never closed", nested(10_000, closed=False), "I102", "nested more than"),
    (f"parts nested {MAX_PARTS_DEPTH + 1} deep", nested(MAX_PARTS_DEPTH), "I102", "nested more than"),
    ("a Subject of 900 KB", b"From: a@b.com\r\nSubject: " + b"x " * 450_000 + b"\r\n\r\nhi", "I102", "Subject header of"),
    ("a Content-Type of 60,000 parameters", HEAD + b"Content-Type: text/plain; " + b"a=b; " * 60_000 + b"\r\n\r\nhi",
     "I102", "Content-Type header of"),
    ("a Subject of a megabyte of encoded words", b"Subject: " + b"=?utf-8?q?x?= " * 70_000 + b"\r\n\r\nhi",
     "I102", "Subject header of"),
    ("base64 that is not base64", HEAD + b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64 at all***\r\n",
     "I101", "declared base64 but is not"),
    ("not an e-mail at all", b"hello, this has no headers\r\n", "I101", "no headers"),
]


@pytest.mark.parametrize("what,data,code,words", REFUSED, ids=[r[0] for r in REFUSED])
def test_email_beyond_the_readers_bounds_is_refused_with_a_code(what, data, code, words):
    with pytest.raises(InputError) as caught:
        read(data)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == code and words in diagnostic.message, diagnostic


def test_an_interpreted_header_at_the_bound_is_read():
    subject = "x" * (MAX_HEADER - 1)
    assert read(b"Subject: " + subject.encode() + b"\r\n\r\nhi")["subject"] == subject


def test_a_deeply_nested_email_in_an_archive_is_one_error_row(cli, tmp_path):
    """`check` exits 3 for it, and says why, as for any other message over a reader's bounds."""
    path = tmp_path / "deep.eml"
    path.write_bytes(nested(5_000))
    code, out, err = cli("check", str(path), "-m", "UK", "--format", "json")
    assert code == 3, out + err
    assert '"I102"' in out
