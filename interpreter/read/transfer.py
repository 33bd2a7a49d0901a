"""An e-mail body's characters traced back through its MIME transfer encoding and charset.

Stage: part of reading an e-mail (interpreter.read.mail). Input: what the reader recorded — the
message's bytes, where the chosen part's payload lies in them, its Content-Transfer-Encoding and
charset, and the text it decoded. Output: `Transferred`, an offset map from that text to the
characters of the message (decoded as UTF-8, as the file is shown). Errors: none; a body that
cannot be traced character by character has no map.

Quoted-printable and 7bit/8bit bodies are traced exactly: `=E2=80=99` is the source of one
character, a soft line break (`=` at a line's end) the source of none. A base64 body is not:
each byte is spread over the bits of two characters, and those characters would tell a reader
nothing; such a body is placed only by the line where it begins.
"""
from __future__ import annotations

import binascii
import codecs
import re
from dataclasses import dataclass

from interpreter.read.origin import Derived

_QP = re.compile(rb"=\r?\n|=[0-9A-Fa-f]{2}|[^=]+|=")


@dataclass(frozen=True)
class Transferred(Derived):
    data: bytes                 # the whole message, as read
    start: int                  # the payload of the part the text comes from: data[start:end]
    end: int
    encoding: str               # its Content-Transfer-Encoding, lower case
    charsets: tuple[str, ...]   # the charsets the reader may have decoded it with, in the order it tries them
    value: str                  # the text the reader decoded

    def places(self):
        if self.encoding == "base64":
            return None
        decoded, where = _undone(self.data[self.start:self.end], self.encoding, self.start)
        if decoded is None:
            return None
        chars = next((found for found in (_characters(decoded, where, c, self.value) for c in self.charsets)
                      if found is not None), None)
        if chars is None:
            return None
        index = _character_index(self.data)
        return [(index[a], index[b]) for a, b in chars]


def _undone(payload: bytes, encoding: str, at: int) -> tuple[bytes | None, list[tuple[int, int]]]:
    """The payload's decoded bytes, and the bytes of the message each one was written with."""
    if encoding != "quoted-printable":
        return payload, [(at + k, at + k + 1) for k in range(len(payload))]
    out, where = bytearray(), []
    for m in _QP.finditer(payload):
        piece, a = m.group(), at + m.start()
        if piece[:1] != b"=" or piece == b"=":
            out += piece
            where.extend((a + k, a + k + 1) for k in range(len(piece)))
        elif piece[1:2] not in (b"\r", b"\n"):
            out.append(int(piece[1:], 16))
            where.append((a, a + 3))
    # The standard library decodes what the reader read; tracing is trusted only where it agrees.
    return (bytes(out) if bytes(out) == binascii.a2b_qp(payload) else None), where


def _characters(decoded: bytes, where: list[tuple[int, int]], charset: str,
                value: str) -> list[tuple[int, int]] | None:
    """The message bytes each character of `value` was written with, when `decoded` in `charset`
    gives `value`."""
    try:
        decoder = codecs.getincrementaldecoder(charset)(errors="replace")
    except LookupError:
        return None
    out: list[tuple[int, int]] = []
    text: list[str] = []
    first = 0
    for k in range(len(decoded)):
        produced = decoder.decode(decoded[k:k + 1])
        if produced:
            text.append(produced)
            out.extend((where[first][0], where[k][1]) for _ in produced)
            first = k + 1
    produced = decoder.decode(b"", final=True)
    if produced:
        text.append(produced)
        out.extend((where[min(first, len(where) - 1)][0], where[-1][1]) for _ in produced)
    return out if "".join(text) == value else None


def _character_index(data: bytes) -> list[int] | range:
    """For each byte offset of `data` (and its end), the offset of the character it begins in
    `data` decoded as UTF-8 with replacement characters."""
    if data.isascii():
        return range(len(data) + 1)
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    index, count = [], 0
    for k in range(len(data)):
        index.append(count)
        count += len(decoder.decode(data[k:k + 1]))
    index.append(count + len(decoder.decode(b"", final=True)))
    return index
