"""Hypothesis strategies for message files as they arrive from anyone: envelopes in JSON and YAML,
e-mail and mbox, HTML, plain text and SP-API request bodies — well-formed, near-misses and broken.

Used by tests/test_fuzz_readers.py. Each strategy builds its input from the pieces its format is
made of, right and wrong ones alike (a header without a colon, a boundary never closed, base64
that is not, CSS nested thousands deep), then sometimes damages the bytes (cut, spliced,
repeated, a byte changed), so the readers meet both what a mail program writes and what a
hostile sender does.
"""
from __future__ import annotations

import base64
import json
import quopri

import yaml
from hypothesis import strategies as st

from interpreter.read.spapi import OPERATIONS

from .strategies import message_texts

# ---------------------------------------------------------------------------------------------
# Damage: what happens to bytes on the way (or on purpose)
# ---------------------------------------------------------------------------------------------

_NASTY_BYTES = [b"\x00", b"\xff", b"\xfe\xff", b"\xc3", b"\xe2\x80", b"\r", b"\n", b"\r\n\r\n", b"{", b"[",
                b'"', b"\\", b":", b"&a", b"*a", b"!!python/object", b"--", b"=?", b"=\r\n", b"<", b"</", b"\xef\xbb\xbf"]


@st.composite
def damaged(draw, data: bytes) -> bytes:
    """`data`, or `data` with one to three of: cut short, a stretch removed, repeated, or a piece
    of nasty bytes put in."""
    if not data or draw(st.booleans()):
        return data
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["cut", "drop", "repeat", "insert"]))
        if kind == "cut":
            data = data[:at]
        elif kind == "drop":
            data = data[:at] + data[at + draw(st.integers(1, 20)):]
        elif kind == "repeat":
            data = data[:at] + data[at:at + draw(st.integers(1, 40))] * draw(st.integers(2, 5)) + data[at:]
        else:
            data = data[:at] + draw(st.sampled_from(_NASTY_BYTES) | st.binary(max_size=4)) + data[at:]
    return data


def _damaged(inputs: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    return inputs.flatmap(damaged)


# ---------------------------------------------------------------------------------------------
# Envelopes (policies/message.schema.json), right and wrong
# ---------------------------------------------------------------------------------------------

_day = st.sampled_from(["2024-03-10", "2020-11-06", "2021-02-30", "0000-00-00", "99999-01-01", "2024-3-1", ""])
_moment = st.sampled_from(["2024-03-10T09:30:00Z", "2024-03-10T09:30:00+01:00", "2021-01-01T25:99:00Z",
                           "2024-03-10T09:30:00+24:00", "2024-03-10 09:30", "yesterday"])
_dates = _day | _moment
_odd = st.one_of(st.none(), st.booleans(), st.integers(-(10 ** 6), 10 ** 6), st.floats(allow_nan=False),
                 st.text(max_size=8), st.lists(st.integers(), max_size=2), st.just({}))

_orders = st.fixed_dictionaries({}, optional={
    "id": st.sampled_from(["123-1234567-1234567", "1234", ""]) | _odd,
    "status": st.sampled_from(["shipped", "delivered", "cancelled", "lost"]) | _odd,
    "purchased_at": _dates, "completed_at": _dates, "delivered_at": _dates,
    "buyer_language": st.sampled_from(["en-GB", "ar-SA", "de", "xx", ""]) | _odd,
})
_history = st.fixed_dictionaries({}, optional={
    "buyer_contacted_first": st.booleans() | _odd,
    "review_requests_sent": st.integers(-3, 5) | _odd,
})
_attachments = st.lists(st.fixed_dictionaries({}, optional={
    "filename": st.sampled_from(["invoice.pdf", "x", "", "../../etc/passwd"]) | _odd,
    "content_type": st.sampled_from(["application/pdf", "image/png", "text/html"]) | _odd,
    "size": st.integers(-1, 10 ** 7) | _odd,
    "purpose": st.sampled_from(["invoice", "warranty", "other", "bogus"]) | _odd,
}), max_size=3)

envelopes = st.fixed_dictionaries({}, optional={
    "marketplace": st.sampled_from(["UK", "US", "SA", "uk", "XX", ""]) | _odd,
    "channel": st.sampled_from(["seller_central", "email", "api", "fax"]),
    "direction": st.sampled_from(["proactive", "reply", "sideways"]),
    "reason": st.sampled_from(["order_fulfillment_issue", "review_request", "unspecified", "bogus"]),
    "sent_at": _dates | _odd,
    "subject": message_texts | _odd,
    "body": message_texts | _odd,
    "html": message_texts.map(lambda t: f"<p>{t}</p>") | _odd,
    "template": st.booleans() | _odd,
    "order": _orders | _odd,
    "history": _history | _odd,
    "attachments": _attachments | _odd,
    "extra": _odd,
})


def _json(envelope: dict, ascii_only: bool) -> bytes:
    return json.dumps(envelope, ensure_ascii=ascii_only).encode("utf-8")


class _PlainDumper(yaml.SafeDumper):
    """Writes a value shared by two keys twice, as an author would, not as an anchor and alias."""

    def ignore_aliases(self, data) -> bool:
        return True


def as_yaml(envelope: dict, flow: bool = False) -> bytes:
    return yaml.dump(envelope, Dumper=_PlainDumper, allow_unicode=True, default_flow_style=flow).encode("utf-8")


json_envelopes = _damaged(st.builds(_json, envelopes, st.booleans()))
yaml_envelopes = _damaged(st.builds(as_yaml, envelopes, st.booleans()))

# SP-API Messaging request bodies: an operation's own fields, others, and wrong values.
_api_fields = st.fixed_dictionaries({}, optional={
    "text": message_texts | _odd,
    "attachments": st.lists(st.fixed_dictionaries({}, optional={
        "fileName": st.sampled_from(["warranty.pdf", "x", ""]) | _odd, "uploadDestinationId": st.text(max_size=4)}),
        max_size=2) | _odd,
    "coverageStartDate": _dates, "coverageEndDate": _dates, "unknown": _odd,
})
api_requests = st.tuples(st.sampled_from(sorted(OPERATIONS)),
                         _damaged(st.builds(_json, _api_fields | _odd, st.booleans())))

# ---------------------------------------------------------------------------------------------
# E-mail: headers, MIME parts, transfer encodings and charsets
# ---------------------------------------------------------------------------------------------

_HEADERS = [
    b"From: Jo Seller <jo@example.com>", b'From::;"', b"From: Pacific <", b"From: <>", b"To: buyer@marketplace.invalid",
    b"Subject: Your order", b"Subject: =?utf-8?b?WW91ciBvcmRlciDwn5iA?=", b"Subject: =?x-unknown?q?caf=E9?=",
    b"Subject: Gr\xc3\xbc\xc3\x9fe", b"Subject: Gr\xfc\xdfe \xff", b"Subject:", b"Subject: a\r\n b\r\n\tc",
    b"Date: Mon, 1 Jan 2024 00:00:00 +0000", b"Date: Mon, 1 Jan 2024 00:00:00 +9999", b"Date: Mon, 1 Jan 99999 00:00:00 +0000",
    b"Date: Mon, 31 Feb 2024 25:61:61 -0000", b"Date: yesterday", b"Date:", b"MIME-Version: 1.0",
    b"Message-ID: <x@y>", b"X-Mailer: \x00\x01", b"no colon in this line", b": no name", b"Received: from a by b",
]
_CHARSETS = [b"utf-8", b"iso-8859-1", b"utf-16", b"utf-16-le", b"x-unknown", b"", b"us-ascii", b"windows-1256"]
_TEXT_TYPES = [b"text/plain", b"text/html", b"text/enriched", b"application/octet-stream", b"image/png"]


def _encoded(text: str, charset: bytes, encoding: str) -> bytes:
    """The text as a part's payload: in its charset (UTF-8 for one Python does not know), then in
    its transfer encoding — or, for `not-base64`, characters no base64 decoder accepts."""
    try:
        raw = text.encode(charset.decode() or "utf-8", errors="replace")
    except LookupError:
        raw = text.encode("utf-8", errors="replace")
    if encoding == "base64":
        return base64.encodebytes(raw)
    if encoding == "quoted-printable":
        return quopri.encodestring(raw)
    if encoding == "not-base64":
        return b"!!" + raw + b"*** not base64"
    return raw


@st.composite
def _leaf(draw) -> bytes:
    ctype = draw(st.sampled_from(_TEXT_TYPES))
    charset = draw(st.sampled_from(_CHARSETS))
    encoding = draw(st.sampled_from(["7bit", "8bit", "base64", "quoted-printable", "not-base64", "x-bogus"]))
    text = draw(message_texts)
    if ctype == b"text/html":
        text = f"<p>{text}</p>"
    headers = [b"Content-Type: " + ctype + (b"; charset=" + charset if charset else b"")]
    headers.append(b"Content-Transfer-Encoding: " + (b"base64" if encoding == "not-base64" else encoding.encode()))
    if draw(st.booleans()):
        headers.append(draw(st.sampled_from([b"Content-Disposition: attachment; filename=a.pdf",
                                             b"Content-Disposition: inline", b"Content-ID: <logo>",
                                             b"Content-Disposition: attachment; filename*=x-unknown''%FF"])))
    return b"\r\n".join(headers) + b"\r\n\r\n" + _encoded(text, charset, encoding)


@st.composite
def _part(draw, depth: int) -> bytes:
    if depth <= 0 or draw(st.integers(0, 2)):
        return draw(_leaf())
    boundary = draw(st.sampled_from([b"b1", b"==x==", b"a b", b"", b"-"])) + str(depth).encode()
    children = draw(st.lists(_part(depth - 1), min_size=0, max_size=3))
    closed = draw(st.booleans())
    declared = draw(st.sampled_from([b'; boundary="' + boundary + b'"', b"; boundary=" + boundary, b""]))
    body = b"".join(b"--" + boundary + b"\r\n" + child + b"\r\n" for child in children)
    subtype = draw(st.sampled_from([b"mixed", b"alternative", b"related", b"bogus"]))
    return (b"Content-Type: multipart/" + subtype + declared + b"\r\n\r\npreamble\r\n" + body
            + (b"--" + boundary + b"--\r\n" if closed else b""))


@st.composite
def _deep(draw) -> bytes:
    """Multipart nested `depth` levels, each level its own boundary, closed or not."""
    depth = draw(st.integers(1, 1_100))         # past the interpreter's 1,000 frames
    opened = b"".join(b'Content-Type: multipart/mixed; boundary="n%d"\r\n\r\n--n%d\r\n' % (i, i) for i in range(depth))
    closed = b"".join(b"--n%d--\r\n" % i for i in reversed(range(depth))) if draw(st.booleans()) else b""
    return opened + b"Content-Type: text/plain\r\n\r\nhello\r\n" + closed


@st.composite
def _email(draw) -> bytes:
    headers = draw(st.lists(st.sampled_from(_HEADERS), max_size=6))
    if draw(st.integers(0, 9)) == 0:                   # one very long header, interpreted or not
        name = draw(st.sampled_from([b"Subject", b"Content-Type", b"X-Long", b"From", b"Date"]))
        headers.append(name + b": " + draw(st.sampled_from([b"x ", b"a=b; ", b"=?utf-8?q?x?= ", b"a@b.c, "]))
                       * draw(st.integers(500, 3_000)))
    kind = draw(st.integers(0, 9))                   # deep nesting is slow to parse: one e-mail in ten
    body = draw(_deep() if kind == 0 else _part(3) if kind < 7 else message_texts.map(lambda t: b"\r\n" + t.encode("utf-8")))
    return b"\r\n".join(headers) + (b"\r\n" if headers else b"") + body


emails = _damaged(_email())


@st.composite
def mboxes(draw) -> bytes:
    """An mbox: e-mails each after a `From ` line, some lines within them that begin with `From`."""
    messages = draw(st.lists(_email(), min_size=1, max_size=4))
    out = b""
    for message in messages:
        out += b"From seller@example.com Mon Jan  1 00:00:00 2024\n" + message.replace(b"\r\n", b"\n") + b"\n\n"
    return draw(damaged(out))

# ---------------------------------------------------------------------------------------------
# HTML and CSS
# ---------------------------------------------------------------------------------------------

_CSS = ["color:red", "margin:0 20%", "font-size:3em", "line-height:2", "font-family:Comic Sans",
        "background:url(http://t.example/p.gif)", "width:100px", "display:none", "!important", "{", "}", "(",
        ")", "[", "/*", "*/", ";", ":", "\\", '"', "@media x{", "p{", ".c{", "#i{"]
_css = st.lists(st.sampled_from(_CSS) | st.text(max_size=3), max_size=12).map(" ".join)


@st.composite
def _nested_css(draw) -> str:
    opener = draw(st.sampled_from(["{", "(", "[", "{(", "a{b:"]))
    return opener * draw(st.integers(1, 3_000))   # past the interpreter's 1,000 frames


_HTML = ["<p>", "</p>", "<div>", "</div>", "<br>", "<br/>", "<table><tr><td>", "</td></tr></table>",
         '<a href="https://www.amazon.co.uk/x">', '<a href="http://example.com">', "</a>", '<a href="mailto:a@b.c">',
         '<img src="cid:logo" alt="logo">', '<img src="http://t.example/p.gif" width="1" height="1">',
         '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">', "<script>alert(1)</script>", "<!--", "-->",
         "<![CDATA[", "]]>", "&amp;", "&#0;", "&#x110000;", "&nbsp;", "<pre>", "</pre>", "<font size=7>", "<h1>",
         "<template>", "<svg><style>", "<math>", "<", ">", "</", '"', "'", "="]


@st.composite
def html_documents(draw) -> str:
    pieces = draw(st.lists(st.one_of(
        st.sampled_from(_HTML), message_texts,
        _css.map(lambda c: f'<span style="{c}">'),
        _css.map(lambda c: f"<style>{c}</style>"),
        _nested_css().map(lambda c: f"<style>p{c}</style>"),
        _nested_css().map(lambda c: f'<p style="x:{c}">'),
    ), max_size=12))
    return "".join(pieces)
