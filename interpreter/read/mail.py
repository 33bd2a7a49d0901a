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
"""
from __future__ import annotations

import email
import email.policy
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
_BLANK_LINE = re.compile(r"\r?\n\r?\n")
_CID = re.compile(r"""\bcid:([^\s"'<>)]+)""", re.IGNORECASE)


def _text_of(part: EmailMessage) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, ValueError):   # unknown or lying charset: keep what can be read
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


def email_envelope(data: bytes, source: str) -> tuple[dict, Origin]:
    """Envelope fields of one e-mail message, and the origin of its text."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not any(message.get(h) is not None for h in _HEADERS):
        raise InputError([Diagnostic("I101", f"{source}: not an e-mail message (no headers)",
                                     help="give a plain-text message a .txt name, or an HTML one a .html name")])
    fields: dict = {"channel": "email"}
    if message.get("subject") is not None:
        fields["subject"] = str(message["subject"])
    if message.get("date") is not None:
        try:
            fields["sent_at"] = parsedate_to_datetime(str(message["date"])).isoformat()
        except (TypeError, ValueError):
            pass                         # an unreadable Date leaves sent_at unknown, as if absent
    body = message.get_body(preferencelist=("html", "plain"))
    if body is not None:
        key = "html" if body.get_content_subtype() == "html" else "body"
        fields[key] = _text_of(body)
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
            charsets = (body.get_content_charset() or "ascii", "utf-8")   # as _text_of tries them
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


def mbox_messages(path: Path) -> Iterator[Stored]:
    """Each message of an mbox file, read a line at a time (an archive may be larger than memory).

    A message begins at every line that begins with `From `; the blank line before the next one,
    or before the end of the file, belongs to no message — as in mailbox.mbox, whose messages
    these are, byte for byte."""
    lines: list[bytes] = []
    first = count = 0
    with open(path, "rb") as f:
        for number, line in enumerate(f, start=1):
            if line.startswith(b"From "):
                if lines:
                    count += 1
                    yield _stored(path, count, first, lines)
                lines, first = [line], number
            elif lines:
                lines.append(line)
    if lines:
        yield _stored(path, count + 1, first, lines)


def _stored(path: Path, count: int, first: int, lines: list[bytes]) -> Stored:
    part = b"".join(lines)
    end = len(part) - 1 if len(lines) > 1 and lines[-1] == b"\n" else len(part)
    at = len(lines[0])
    return Stored(f"{path}#{count}", part[at:end], first, part.decode("utf-8", errors="replace"),
                  len(lines[0].decode("utf-8", errors="replace")))
