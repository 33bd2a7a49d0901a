"""E-mail messages as envelopes: one `.eml` file, or each message of an mbox.

Stage: reading messages, before normalisation. Input: the bytes of an RFC 5322 message.
Output: envelope fields (subject, html or body, sent_at from the Date header, attachments,
channel `email`). MIME is read with the standard library: multipart bodies, charsets,
base64 and quoted-printable. The HTML part is preferred to the plain one, as a mail client
shows it. Errors: InputError I101 for bytes that are not an e-mail message; a part in an
unknown charset is read as UTF-8 with replacement characters (best effort, never a crash).
"""
from __future__ import annotations

import email
import email.policy
import mailbox
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Iterator

from dsl.contract.errors import Diagnostic, InputError

_HEADERS = ("from", "to", "subject", "date", "content-type", "message-id", "mime-version")


def _text_of(part: EmailMessage) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, ValueError):   # unknown or lying charset: keep what can be read
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


def email_envelope(data: bytes, source: str) -> dict:
    """Envelope fields of one e-mail message."""
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
    else:
        fields["body"] = ""
    attachments = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True) or b""
        item = {"filename": part.get_filename() or "(unnamed)", "content_type": part.get_content_type(),
                "size": len(payload)}
        attachments.append(item)
    if attachments:
        fields["attachments"] = attachments
    return fields


def mbox_messages(path: Path) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of each message in an mbox file, named `file#N` (1-based)."""
    box = mailbox.mbox(str(path), create=False)
    try:
        for i, key in enumerate(box.iterkeys(), start=1):
            yield f"{path}#{i}", box.get_bytes(key)
    finally:
        box.close()
