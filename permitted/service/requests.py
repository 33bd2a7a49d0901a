"""Reading a request: its body, bounded, and the envelope(s) it holds.

Stage: input of the service. Input: the request's bytes, its content type and the envelope
fields given as query parameters. Output: envelopes (interpreter.read.envelope validates them
exactly as it does for `permitted check`), or the InputError for one that cannot be read. A JSON
envelope's own fields win; query parameters fill in what it does not say, like the CLI's flags.
Errors: InputError I101 (not UTF-8, not JSON), I102 (JSON over the reader's bounds), I103 (a
body over the size limit), I104 (a content type the route does not read), I105 (a batch over
the batch limit).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping

from starlette.requests import Request

from dsl.contract.errors import Diagnostic, InputError, UsageError
from interpreter.read.bounded import Malformed, OverLimit, load_json
from interpreter.read.envelope import check_envelope, envelope_of

# What POST /v1/check reads, and the form each is read as (the suffix a file of it would have).
MESSAGE_TYPES = {"application/json": ".json", "text/plain": ".txt", "text/html": ".html", "message/rfc822": ".eml"}
POLICY_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")


def _fail(code: str, message: str, help: str | None = None) -> InputError:
    return InputError([Diagnostic(code, message, help=help)])


def media_type(request: Request) -> str:
    raw = request.headers.get("content-type", "")
    return raw.split(";", 1)[0].strip().lower()


def require_type(request: Request, accepted) -> str:
    found = media_type(request)
    if found in accepted or (found.endswith("+json") and "application/json" in accepted):
        return "application/json" if found.endswith("+json") else found
    raise _fail("I104", f"this route does not read `{found or 'a body without a Content-Type'}`",
                "send one of: " + ", ".join(accepted))


async def body_of(request: Request, limit: int) -> bytes:
    """The body, refused once it passes `limit` bytes: a chunked upload is not held past it."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(int(declared), limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(size, limit)
        chunks.append(chunk)
    return b"".join(chunks)


def too_large(size: int, limit: int) -> InputError:
    return _fail("I103", f"the request body is {size:,} bytes or more, over the limit of {limit:,}",
                 "split the batch, or ask the service's operator about --max-body")


def message_envelope(data: bytes, media: str, fields: Mapping, limit: int) -> dict:
    """The envelope of POST /v1/check's body: a JSON envelope, or the message itself as text,
    HTML or an e-mail, with the other fields from the query."""
    return envelope_of(data, MESSAGE_TYPES[media], "request", fields, limit=limit)


def json_body(data: bytes, bounds_help: str):
    """A JSON body, read within the reader's bounds (nesting, digits)."""
    try:
        return load_json(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise _fail("I101", f"request: not UTF-8 text (byte {exc.start})") from None
    except (json.JSONDecodeError, Malformed) as exc:
        raise _fail("I101", f"request: not valid JSON: {exc}") from None
    except OverLimit as exc:
        raise _fail("I102", f"request: JSON {exc}", bounds_help) from None


def batch_items(data: bytes, fields: Mapping, max_batch: int) -> list[tuple[str, dict | InputError]]:
    """(source, envelope or error) for each message of a batch body `{"messages": [...]}`: one
    message that breaks the schema is its own error, never the batch's."""
    loaded = json_body(data, "a batch is a list of envelopes of a few fields each")
    messages = loaded.get("messages") if isinstance(loaded, Mapping) else None
    if not isinstance(messages, list) or set(loaded) != {"messages"}:
        raise _fail("I100", "request: a batch is an object with one key, `messages`, a list of envelopes",
                    'send {"messages": [{"marketplace": "UK", "body": "…"}, …]}')
    if len(messages) > max_batch:
        raise _fail("I105", f"request: {len(messages):,} messages, over the batch limit of {max_batch:,}",
                    "send the messages in smaller batches")
    out = []
    for i, item in enumerate(messages):
        source = f"messages[{i}]"
        try:
            out.append((source, check_envelope({**fields, **item} if isinstance(item, Mapping) else item, source)))
        except InputError as error:
            out.append((source, error))
    return out


def draft_path(root: Path, file: str) -> Path:
    """Where in the policy tree a policy text held in memory would be (its `extends:` is
    resolved from there); never a path outside the tree."""
    where = (root / file).resolve()
    if Path(file).is_absolute() or not where.is_relative_to(root) or "\x00" in file:
        raise UsageError([Diagnostic("U100", f"file: `{file}` is not a path inside the policy tree",
                                     help="name a relative path such as uk/draft.yaml")])
    return where
