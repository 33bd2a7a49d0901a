"""Read a message in the forms a seller or a tool has it, as an envelope (policies/message.schema.json).

Stage: first step of normalisation. Input: a file path (or bytes) and the envelope fields given
separately (CLI flags, API arguments). Output: a validated envelope mapping. Forms: a JSON or
YAML envelope; a bare `.txt` (the body) or `.html`/`.htm` (the HTML); an `.eml` e-mail; the JSON
body of an SP-API Messaging request with its operation name (given, or in the file name:
`x.sendInvoice.json`). Batches: an mbox (`.mbox`) and a
JSONL file of envelopes give one envelope or one error per message (`iter_envelopes`).
Each envelope read from a file is an `Envelope` carrying the `Origin` of its text: the characters
of the file that hold the message, and how the body's characters were written there (as they
are, in a JSON or YAML string, in a MIME part), so a span of the text can be pointed at in the
file later without reading it again.
Errors: InputError (I100 for an envelope that breaks the schema, I101 for a file that cannot be
read or decoded, or is over the size limit, I102 for JSON or YAML over the bounds of
interpreter.read.bounded: nesting, integer digits, anchors and aliases).
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator, Mapping

from dsl.contract.errors import Diagnostic, InputError, internal_error
from dsl.contract.schema import as_json_data, message_problems

from interpreter.read.bounded import Malformed, NotYAML, OverLimit, load_json
from interpreter.read.origin import Envelope, Origin, Unread
from interpreter.read.spapi import OPERATIONS, api_envelope
from interpreter.read.written import Written, json_written

DEFAULT_LIMIT = 1_000_000          # bytes; a message larger than this is refused, not truncated
TEXT_SUFFIXES = {".txt", ".text"}
MAIL_SUFFIXES = {".eml", ".msg"}
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


def _bounds(exc: OverLimit | Malformed, source: str, form: str) -> InputError:
    """A JSON or YAML text over a reader's bounds (I102) or not well-formed data (I101)."""
    if isinstance(exc, OverLimit):
        return _fail("I102", source, f"{form} {exc}", "a message envelope is a few fields, a few levels deep")
    return _fail("I101", source, f"not a valid {form} envelope: {exc}")


def _check_size(size: int, limit: int, source: str) -> None:
    if size > limit:
        raise _fail("I101", source, f"message is {size:,} bytes, over the limit of {limit:,}",
                    "raise the limit with --max-size if this is really one message")


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
                 data: bytes | None = None, api_operation: str | None = None) -> Envelope:
    """An envelope from a file (or from `data`, e.g. standard input, named by `path`).

    `fields` fill in what the file does not say; for a JSON/YAML envelope the file's own
    fields win, except that given fields are used where the file is silent.
    """
    path = Path(path)
    source = str(path)
    if data is None:
        try:
            _check_size(path.stat().st_size, limit, source)     # before reading a huge file into memory
            data = path.read_bytes()
        except OSError as exc:
            raise _fail("I101", source, f"cannot read: {exc.strerror or exc}") from None
    return envelope_of(data, path.suffix.lower(), source, fields, limit=limit,
                       api_operation=api_operation or operation_named(path))


def operation_named(path: Path) -> str | None:
    """The SP-API operation a file's name declares: `engraving.confirmCustomizationDetails.json`
    holds the body of a confirmCustomizationDetails request (so archives of them need no flag)."""
    if path.suffix.lower() != ".json" or len(path.suffixes) < 2:
        return None
    name = path.suffixes[-2][1:]
    return name if name in OPERATIONS else None


def envelope_of(data: bytes, suffix: str, source: str, fields: Mapping | None = None, *,
                limit: int = DEFAULT_LIMIT, api_operation: str | None = None) -> Envelope:
    """The envelope of one message's bytes, read by the form its suffix (or content) names."""
    fields = dict(fields or {})
    _check_size(len(data), limit, source)
    if suffix in MAIL_SUFFIXES:
        from interpreter.read.mail import email_envelope     # the e-mail parser, only for e-mail

        mail, origin = email_envelope(data, source)
        return Envelope(check_envelope({**fields, **mail}, source), origin)
    text = _decode(data, source)
    if api_operation is not None:
        try:
            body = load_json(text)
        except json.JSONDecodeError as exc:
            raise _fail("I101", source, f"an SP-API request body must be JSON: {exc}") from None
        except (OverLimit, Malformed) as exc:
            raise _bounds(exc, source, "JSON") from None
        envelope = check_envelope({**fields, **api_envelope(api_operation, body, source, fields)}, source)
        text_of = body.get("text") if isinstance(body, Mapping) else None
        return Envelope(envelope, _written_origin(text, json_written(text, "text", text_of)))
    if suffix not in ENVELOPE_SUFFIXES | HTML_SUFFIXES | TEXT_SUFFIXES and text.lstrip()[:1] == "{":
        suffix = ".json"          # standard input or an unnamed file holding a JSON envelope
    if suffix in ENVELOPE_SUFFIXES:
        return _file_envelope(text, suffix, source, fields)
    if suffix in HTML_SUFFIXES or (suffix not in TEXT_SUFFIXES and text.lstrip()[:1] == "<"):
        return Envelope(check_envelope({**fields, "html": text}, source), Origin(text))
    return Envelope(check_envelope({**fields, "body": text}, source), Origin(text))


def _file_envelope(text: str, suffix: str, source: str, fields: dict) -> Envelope:
    """A JSON or YAML envelope; the file's own fields win over the given ones."""
    try:
        if suffix == ".json":
            loaded, nodes = load_json(text), None
        else:
            from interpreter.read.yaml_file import load_yaml     # PyYAML, for a YAML file only
            loaded, nodes = load_yaml(text)
    except (json.JSONDecodeError, NotYAML) as exc:
        raise _fail("I101", source, f"not a valid {suffix[1:].upper()} envelope: {exc}") from None
    except (OverLimit, Malformed) as exc:
        raise _bounds(exc, source, suffix[1:].upper()) from None
    if isinstance(loaded, Mapping):
        loaded = {**fields, **{k: v for k, v in loaded.items()}}
    envelope = check_envelope(as_json_data(loaded), source)   # YAML reads 2020-11-06 as a date
    key = "html" if "html" in envelope else "body"
    value = envelope.get(key)
    if nodes is None:
        written = json_written(text, key, value)
    else:
        from interpreter.read.yaml_file import yaml_written
        written = yaml_written(text, nodes.get(key), value)
    return Envelope(envelope, _written_origin(text, written))


def _written_origin(text: str, written: Written | None) -> Origin:
    if written is None:
        # The file writes no body (it came from the given fields, or there is none): no place in it.
        return Origin.unplaced(text)
    return Origin(text, 1, written.start, (written,))


@dataclass(frozen=True)
class Part:
    """A stretch of a file read on its own (by a worker of a distributed audit): its bytes, from
    one message boundary to another — a line of a JSONL file, a `From ` line of an mbox, or the
    whole of any other file — and where they begin in the file, so that each message gets the
    name, line and error row a reading of the whole file gives it."""
    name: str                 # the file, as its messages' names begin: a path, or a URL
    data: bytes
    line: int = 1             # the file's line number of the first line of `data`
    before: int = 0           # messages of an mbox before this stretch
    size: int | None = None   # a whole file's size when `data` holds only its first bytes (it is over the limit)


def iter_envelopes(path: str | Path, fields: Mapping | None = None, *, limit: int = DEFAULT_LIMIT,
                   api_operation: str | None = None, part: Part | None = None,
                   lines_unread: bool = False) -> Iterator[tuple[str, dict | InputError | Part]]:
    """(name, envelope) for each message in a file — or (name, InputError) for one that cannot be
    read — so a batch loses nothing: every message in gives one row out. With `part`, the
    messages of that stretch of the file, read from its bytes (the file is not opened). With
    `lines_unread`, each line of a JSONL file is given as the Part of that line, for another
    process to read with `read_line` (parsing and checking it is most of what reading costs)."""
    path = Path(path)
    name = str(path) if part is None else part.name
    suffix = path.suffix.lower()
    try:
        if suffix == ".mbox":
            from interpreter.read.mail import mbox_messages

            stored_messages = mbox_messages(path) if part is None else \
                mbox_messages(name, part.data, first_line=part.line, before=part.before)
            for stored in stored_messages:
                read = _attempt(stored.name, envelope_of, stored.data, ".eml", stored.name, fields, limit=limit)
                yield stored.name, _in_batch(read, stored.line, stored.text, stored.at)
            return
        if suffix == ".jsonl":
            with path.open("rb") if part is None else io.BytesIO(part.data) as lines:
                for number, line in enumerate(lines, start=1 if part is None else part.line):
                    if line.strip() and lines_unread:
                        yield f"{name}:{number}", Part(name, line, number)
                    elif line.strip():
                        read = _attempt(f"{name}:{number}", envelope_of, line, ".json", f"{name}:{number}", fields,
                                        limit=limit)
                        yield f"{name}:{number}", _in_batch(read, number)
            return
    except OSError as exc:
        yield name, _fail("I101", name, f"cannot read: {exc.strerror or exc}")
        return
    if part is None:
        yield name, _attempt(name, read_message, path, fields, limit=limit, api_operation=api_operation)
    else:
        yield name, _attempt(name, _read_part, part, suffix, fields, limit=limit,
                             api_operation=api_operation or operation_named(path))


def read_line(line: Part, fields: Mapping | None = None, *, limit: int = DEFAULT_LIMIT) -> dict | InputError:
    """The envelope (or InputError) of a JSONL line that iter_envelopes left unread, as reading
    the whole file would have given it."""
    return next(iter_envelopes(line.name, fields, limit=limit, part=line))[1]


def _read_part(part: Part, suffix: str, fields: Mapping | None, *, limit: int,
               api_operation: str | None) -> Envelope:
    """The envelope of a whole file given as a Part: as read_message reads the file itself."""
    _check_size(part.size if part.size is not None else len(part.data), limit, part.name)
    return envelope_of(part.data, suffix, part.name, fields, limit=limit, api_operation=api_operation)


def _attempt(source: str, read, *args, **kwargs) -> dict | InputError:
    """One message of a batch read, or the reason it could not be. A bug met reading it (any
    other exception) is that message's I190, not the end of the batch: the generator reading a
    file could not go on after an exception, and every message after it would be lost."""
    try:
        return read(*args, **kwargs)
    except InputError as error:
        return error
    except Exception as exc:           # noqa: BLE001 — a bug: this message's error row, never a pass
        return InputError([internal_error(exc, source)])


def _in_batch(read: Envelope | InputError, line: int, text: str | None = None,
              at: int = 0) -> Envelope | InputError:
    """A message of a batch file, placed on the file's line `line`. `text`: the file's characters
    that hold it when they are more than its own (an mbox message's From line and the blank line
    after it; the message begins at `text[at:]`). A message that could not be read keeps its place."""
    if isinstance(read, InputError):
        return Unread(read.diagnostics, Origin(text or "", line, None, (None,)))
    if read.origin is not None:          # the envelope was made just now, by this reader: placed in place
        read.origin = replace(read.origin, line=line) if text is None else read.origin.within(text, line, at)
    return read
