"""Read a message in the forms a seller or a tool has it, as an envelope (policies/message.schema.json).

Stage: first step of normalisation. Input: a file path (or text) and the envelope fields given
separately (CLI flags, API arguments). Output: a validated envelope mapping. Forms: a JSON or
YAML envelope; a bare `.txt` (the body) or `.html`/`.htm` (the HTML) whose other fields come from
the given fields. Errors: InputError (I100 for an envelope that breaks the schema, I101 for a file
that cannot be read or decoded, or is over the size limit).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping

import yaml

from dsl.errors import Diagnostic, InputError
from dsl.schema import message_problems

DEFAULT_LIMIT = 1_000_000          # bytes; a message larger than this is refused, not truncated
TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm"}
ENVELOPE_SUFFIXES = {".json", ".yaml", ".yml"}


def _fail(code: str, source: str, message: str, help: str | None = None) -> InputError:
    return InputError([Diagnostic(code, f"{source}: {message}", help=help)])


def check_envelope(envelope: Mapping, source: str = "<message>") -> dict:
    """The envelope if it matches the schema; InputError naming every place it does not."""
    if not isinstance(envelope, Mapping):
        raise _fail("I100", source, "a message envelope must be a mapping (marketplace:, body: or html:, …)")
    found = message_problems(envelope)
    if found:
        raise InputError([Diagnostic("I100", f"{source}: {'.'.join(map(str, where)) or 'envelope'}: {message}",
                                     help="see policies/message.schema.json") for where, message in found])
    return dict(envelope)


def _decode(raw: bytes, source: str) -> str:
    for encoding in ("utf-8-sig", "utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig",):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _fail("I101", source, f"not UTF-8 text (byte {exc.start})", "save the message as UTF-8") from None


def read_message(path: str | Path, fields: Mapping | None = None, *, limit: int = DEFAULT_LIMIT,
                 data: bytes | None = None) -> dict:
    """An envelope from a file (or from `data`, e.g. standard input, named by `path`).

    `fields` fill in what the file does not say; for a JSON/YAML envelope the file's own
    fields win, except that given fields are used where the file is silent.
    """
    path = Path(path)
    source = str(path)
    fields = dict(fields or {})
    if data is None:
        try:
            size = path.stat().st_size
            if size > limit:
                raise _fail("I101", source, f"message is {size:,} bytes, over the limit of {limit:,}",
                            "raise the limit with --max-size if this is really one message")
            data = path.read_bytes()
        except OSError as exc:
            raise _fail("I101", source, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise _fail("I101", source, f"message is {len(data):,} bytes, over the limit of {limit:,}")
    text = _decode(data, source)
    suffix = path.suffix.lower()
    if suffix not in ENVELOPE_SUFFIXES | HTML_SUFFIXES | TEXT_SUFFIXES and text.lstrip()[:1] == "{":
        suffix = ".json"          # standard input or an unnamed file holding a JSON envelope
    if suffix in ENVELOPE_SUFFIXES:
        try:
            loaded = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
        except (json.JSONDecodeError, yaml.YAMLError) as exc:
            raise _fail("I101", source, f"not a valid {suffix[1:].upper()} envelope: {exc}") from None
        if isinstance(loaded, Mapping):
            loaded = {**fields, **{k: v for k, v in loaded.items()}}
        return check_envelope(_dates_as_text(loaded), source)
    if suffix in HTML_SUFFIXES or (suffix not in TEXT_SUFFIXES and text.lstrip()[:1] == "<"):
        return check_envelope({**fields, "html": text}, source)
    return check_envelope({**fields, "body": text}, source)


def _dates_as_text(value):
    """YAML reads 2020-11-06 as a date; the envelope carries dates as text."""
    if isinstance(value, Mapping):
        return {k: _dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
