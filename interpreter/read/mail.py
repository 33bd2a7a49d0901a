"""E-mail messages as envelopes: one `.eml` file, or each message of an mbox.

Stage: reading messages, before normalisation. Input: the bytes of an RFC 5322 message.
Output: envelope fields (subject, html or body, sent_at from the Date header, attachments,
channel `email`). MIME is read with the standard library: multipart bodies, charsets,
base64 and quoted-printable. The HTML part is preferred to the plain one, as a mail client
shows it; the images it shows by Content-ID are part of it, not attachments. With the fields comes the text's `Origin`: where the chosen part's payload is in the
message, traced through its transfer encoding (interpreter.read.transfer). An mbox is split on
its `From ` lines as the standard library's mailbox module splits it, keeping the line each
message begins on. Errors: InputError I101 for bytes that are not an e-mail message; a part in
an unknown charset is read as UTF-8 with replacement characters (best effort, never a crash).

Bounds, because the standard library's parser trusts what it reads: it recurses once per level
of multipart nesting (a few hundred levels exhaust the stack) and its header parser takes time
quadratic in a structured header's length (a 64 KB Content-Type took 4 s, a 900 KB Subject 25 s;
a megabyte of encoded words exhausted memory). So MIME parts nest at most MAX_PARTS_DEPTH deep and
the headers the reader interprets (Subject, Date, Content-*) are at most MAX_HEADER characters:
beyond either the message is refused with I102 rather than read in part, since a part left out
could be the one a buyer sees. Other headers (From, To, Received, DKIM-Signature, …) are never
interpreted, so any length the size limit allows is read past. A Date that names no moment (an
offset of +9999, year 99999, hour 99) leaves sent_at unknown, as an absent Date does; 8-bit bytes
in a header are read as UTF-8, a byte that is not as U+FFFD; a line without a colon ends the
headers (the rest is the body, as the standard library reads it); a boundary never closed ends
its part at the end of the message, as mail clients read it; a multipart without a boundary is
read as the text it is, boundary lines and all, never as an empty message; UTF-16 without a byte
order mark is read in the order its zero bytes show; base64 that is not base64 (characters
outside its alphabet, a length no encoder writes) is refused with I101, since what it decodes
to was written by nobody.
"""
from __future__ import annotations

import email
import email.errors
import email.policy
import io
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote

from dsl.contract.errors import Diagnostic, InputError

from interpreter.read.origin import Origin
from interpreter.read.transfer import Transferred

_HEADERS = ("from", "to", "subject", "date", "content-type", "message-id", "mime-version")
# Headers whose values the reader (or the standard library, for it) parses.
_INTERPRETED = frozenset({"subject", "date", "content-type", "content-transfer-encoding",
                          "content-disposition", "content-id"})
MAX_PARTS_DEPTH = 32            # levels of multipart nesting; real mail nests three or four
MAX_HEADER = 8_000              # characters of an interpreted header, folded lines included
_BLANK_LINE = re.compile(r"\r?\n\r?\n")
_CID = re.compile(r"""\bcid:([^\s"'<>)]+)""", re.IGNORECASE)


def _charset(part: EmailMessage) -> str | None:
    """The charset a part's text is decoded with: the one it names, but for UTF-16 without a byte
    order mark, whose order is read from where the zero bytes of its (mostly Latin) text fall."""
    charset = part.get_content_charset()
    if charset not in ("utf-16", "utf16"):
        return charset
    payload = part.get_payload(decode=True) or b""
    if payload[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return charset
    return "utf-16-be" if payload[0::2].count(0) > payload[1::2].count(0) else "utf-16-le"


# Base64 the decoder had to guess at: characters outside the alphabet, or a length no encoder
# writes. Decoded anyway, it is bytes nobody wrote.
_NOT_BASE64 = (email.errors.InvalidBase64CharactersDefect, email.errors.InvalidBase64LengthDefect)


def _text_of(part: EmailMessage, source: str) -> str:
    charset = _charset(part)
    try:
        if charset is not None and charset != part.get_content_charset():
            text = (part.get_payload(decode=True) or b"").decode(charset, errors="replace")
        else:
            text = part.get_content()
    except (LookupError, UnicodeError, ValueError):   # unknown or lying charset: keep what can be read
        payload = part.get_payload(decode=True) or b""
        text = payload.decode("utf-8", errors="replace")
    if any(isinstance(d, _NOT_BASE64) for d in part.defects):
        raise InputError([Diagnostic("I101", f"{source}: the text of the message is declared base64 but is not "
                                             "(characters outside base64, or a length no encoder writes)",
                                     help="send the message as its mail program wrote it")])
    return text


def _body(message: EmailMessage, preferences: tuple[str, ...] = ("html", "plain")) -> EmailMessage | None:
    """The part a mail client shows, chosen as EmailMessage.get_body chooses it (the first part of
    the most preferred text subtype, attachments skipped, a multipart/related by its `start` part
    or else its first), without its crash on a multipart/related whose boundary never comes
    (it takes the first character of the unsplit text for a part)."""
    best: tuple[int, EmailMessage] | None = None
    stack = [message]
    while stack:
        part = stack.pop()
        if part.is_attachment():
            continue
        maintype, subtype = part.get_content_type().split("/")
        if maintype == "text":
            if subtype in preferences and (best is None or preferences.index(subtype) < best[0]):
                best = (preferences.index(subtype), part)
                if best[0] == 0:
                    break
            continue
        payload = part.get_payload()
        if maintype != "multipart" or not isinstance(payload, list):
            continue
        children = [child for child in payload if isinstance(child, EmailMessage)]
        if subtype == "related" and children:
            start = part.get_param("start")
            chosen = next((c for c in children if start and c["content-id"] == start), None)
            children = [chosen or children[0]]
        stack.extend(reversed(children))
    return best[1] if best else None


def _unsplit(message: EmailMessage) -> EmailMessage | None:
    """A part declared multipart that could not be split (its boundary missing): its text is read as
    it is, boundary lines and all, rather than the message read as empty."""
    for part in message.walk():
        if part.get_content_maintype() == "multipart" and isinstance(part.get_payload(), str) \
                and part.get_payload().strip():
            return part
    return None


def _over_limit(source: str, message: str) -> InputError:
    return InputError([Diagnostic("I102", f"{source}: {message}",
                                  help="an e-mail a seller sends nests a few parts and has short headers")])


class _LongHeader(Exception):
    """An interpreted header over MAX_HEADER characters, met when something asks for its value."""


class _BoundedPolicy(email.policy.EmailPolicy):
    """email.policy.default, but for the value of an interpreted header over MAX_HEADER characters,
    which it refuses before parsing it. The parser itself asks for Content-Type while it reads,
    so the bound has to be here rather than checked on the parsed message."""

    def header_fetch_parse(self, name, value):
        if name.lower() in _INTERPRETED and len(value) > MAX_HEADER:
            raise _LongHeader(f"a {name[:40]} header of {len(value):,} characters (at most {MAX_HEADER:,})")
        return super().header_fetch_parse(name, value)


_POLICY = _BoundedPolicy()


def _parsed(data: bytes, source: str) -> EmailMessage:
    """The message as the standard library parses it, within the nesting bound of this module."""
    try:
        message = email.message_from_bytes(data, policy=_POLICY)
    except RecursionError:
        # The parser recurses once per level of multipart nesting: past the interpreter's limit
        # this is the only report it gives of parts nested that deep.
        raise _over_limit(source, f"MIME parts nested more than {MAX_PARTS_DEPTH} deep") from None
    stack = [(message, 1)]                     # walked without recursion, before anything else reads it
    while stack:
        part, depth = stack.pop()
        if depth > MAX_PARTS_DEPTH:
            raise _over_limit(source, f"MIME parts nested more than {MAX_PARTS_DEPTH} deep")
        payload = part.get_payload()
        if isinstance(payload, list):
            stack.extend((child, depth + 1) for child in payload if isinstance(child, EmailMessage))
    return message


def _sent_at(message: EmailMessage) -> str | None:
    """The Date header as an ISO timestamp; None when there is none or it names no moment."""
    raw = next((value for name, value in message.raw_items() if name.lower() == "date"), None)
    if raw is None:
        return None
    try:
        return parsedate_to_datetime(str(raw)).isoformat()
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


def email_envelope(data: bytes, source: str) -> tuple[dict, Origin]:
    """Envelope fields of one e-mail message, and the origin of its text."""
    try:
        return _envelope(data, source)
    except _LongHeader as long:
        raise _over_limit(source, str(long)) from None


def _envelope(data: bytes, source: str) -> tuple[dict, Origin]:
    message = _parsed(data, source)
    # Header names only: a header's value is parsed when it is read, and From and To are never
    # needed (`From::;"` crashes the standard library's address parser).
    if not any(name.lower() in _HEADERS for name in message.keys()):
        raise InputError([Diagnostic("I101", f"{source}: not an e-mail message (no headers)",
                                     help="give a plain-text message a .txt name, or an HTML one a .html name")])
    fields: dict = {"channel": "email"}
    if message.get("subject") is not None:
        fields["subject"] = str(message["subject"])
    sent_at = _sent_at(message)
    if sent_at is not None:
        fields["sent_at"] = sent_at      # an unreadable Date leaves sent_at unknown, as if absent
    body = _body(message) or _unsplit(message)
    if body is not None:
        key = "html" if body.get_content_subtype() == "html" else "body"
        fields[key] = _text_of(body, source)
        origin = _origin(data, message, body, fields[key])
    else:
        fields["body"] = ""
        origin = Origin.unplaced(data.decode("utf-8", errors="replace"))
    # An image the HTML shows by its Content-ID (<img src="cid:logo">) is part of the body as the
    # buyer sees it, and is read as an image of the message, not as a file attached to it.
    shown = {unquote(m).lower() for m in _CID.findall(fields.get("html", ""))}
    attachments = []
    for part in message.iter_attachments():
        if str(part.get("content-id", "")).strip().strip("<>").lower() in shown:
            continue
        payload = part.get_payload(decode=True) or b""
        item = {"filename": part.get_filename() or "(unnamed)", "content_type": part.get_content_type(),
                "size": len(payload)}
        attachments.append(item)
    if attachments:
        fields["attachments"] = attachments
    return fields, origin


def _origin(data: bytes, message: EmailMessage, body: EmailMessage, text: str) -> Origin:
    """Where the text of `body` (a part of `message`, or the message itself) is in `data`."""
    source = data.decode("utf-8", errors="replace")
    # The parser reads bytes as ASCII with surrogate escapes, so its payloads are found in the
    # same decoding at their byte offsets. Parts come in the order they are written; each one's
    # payload follows a blank line (its headers' end), which keeps a short payload from being
    # found in the headers before it.
    raw = data.decode("ascii", errors="surrogateescape")
    at = 0
    for part in message.walk():
        payload = part.get_payload()
        if part.is_multipart() or not isinstance(payload, str):
            continue
        gap = _BLANK_LINE.search(raw, at)
        found = raw.find(payload, gap.end() if gap else at)
        if found < 0:
            break
        if part is body:
            charsets = (_charset(body) or "ascii", "utf-8")   # as _text_of tries them
            encoding = str(body.get("content-transfer-encoding", "7bit")).strip().lower()
            transferred = Transferred(data, found, found + len(payload), encoding, charsets, text)
            start = len(data[:found].decode("utf-8", errors="replace"))
            return Origin(source, 1, start, (transferred,))
        at = found + len(payload)
    gap = _BLANK_LINE.search(raw)
    return Origin.unplaced(source, len(data[:gap.end()].decode("utf-8", errors="replace")) if gap else None)


@dataclass(frozen=True)
class Stored:
    """One message of an mbox, and where it is in the file."""
    name: str            # `file#N` (1-based)
    data: bytes          # the message, as mailbox.mbox gives it: no From line, no blank line after
    line: int            # the file's line of its From line
    text: str            # the file's lines it spans, From line to the blank line after it, decoded
    at: int              # where `data` begins in `text`: just after the From line


def mbox_messages(path: Path | str, data: bytes | None = None, *, first_line: int = 1,
                  before: int = 0) -> Iterator[Stored]:
    """Each message of an mbox file, read a line at a time (an archive may be larger than memory).

    A message begins at every line that begins with `From `; the blank line before the next one,
    or before the end of the file, belongs to no message — as in mailbox.mbox, whose messages
    these are, byte for byte. `data`: a stretch of the file named `path`, from a `From ` line to
    another (or the end), read instead of the file; it begins on the file's line `first_line`, after
    `before` messages, so its messages get the names and lines a reading of the whole file gives."""
    lines: list[bytes] = []
    first = 0
    count = before
    with open(path, "rb") if data is None else io.BytesIO(data) as f:
        for number, line in enumerate(f, start=first_line):
            if line.startswith(b"From "):
                if lines:
                    count += 1
                    yield _stored(path, count, first, lines)
                lines, first = [line], number
            elif lines:
                lines.append(line)
    if lines:
        yield _stored(path, count + 1, first, lines)


def _stored(path: Path | str, count: int, first: int, lines: list[bytes]) -> Stored:
    part = b"".join(lines)
    end = len(part) - 1 if len(lines) > 1 and lines[-1] == b"\n" else len(part)
    at = len(lines[0])
    return Stored(f"{path}#{count}", part[at:end], first, part.decode("utf-8", errors="replace"),
                  len(lines[0].decode("utf-8", errors="replace")))
