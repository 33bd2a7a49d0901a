"""What every request passes before a route: the bearer token, the body size, back-pressure,
and the request's metrics.

Stage: the service's outer layer (plain ASGI, so it costs a few microseconds a request). Input:
the request's scope and headers. Output: the route's answer, or a problem (401 U101, 413 I103,
429 U104) before any of the body is read. Health checks (`/healthz`, `/readyz`) are open to
anyone, so an orchestrator needs no token, and so are the web page's files (they hold no data);
everything else needs one when a token file is given.
Tokens are compared in constant time, against every token, so the time taken says nothing of
which token came close.
"""
from __future__ import annotations

import hmac
import time
from pathlib import Path

from dsl.contract.errors import Diagnostic, UsageError

from permitted.service.metrics import Metrics
from permitted.service.page import PATHS as PAGE_PATHS
from permitted.service.problems import MEDIA_TYPE, one
from permitted.views.visible import json_text

# The web page's files are open too: they hold no data, and the page sends the token itself.
OPEN = frozenset({"/healthz", "/readyz"}) | PAGE_PATHS
# Routes that are cheap and must answer when the service is busy: not counted as pending work.
UNCOUNTED = OPEN | {"/metrics"}


def load_tokens(path: str) -> tuple[bytes, ...]:
    """The tokens of a token file: one a line; blank lines and `#` comments left out."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError([Diagnostic("U100", f"--token-file {path}: cannot read: {exc}")]) from None
    tokens = tuple(line.strip().encode() for line in lines if line.strip() and not line.lstrip().startswith("#"))
    if not tokens:
        raise UsageError([Diagnostic("U100", f"--token-file {path}: no tokens in it",
                                     help="write one token a line (e.g. `openssl rand -hex 32`)")])
    return tokens


def authorised(header: bytes | None, tokens: tuple[bytes, ...]) -> bool:
    if header is None or not header[:7].lower() == b"bearer ":
        return False
    given = header[7:].strip()
    match = False
    for token in tokens:
        match |= hmac.compare_digest(given, token)
    return match


def _header(scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return value
    return None


class Gate:
    def __init__(self, app, service):
        self.app = app
        self.service = service
        self.pending = 0

    async def _refuse(self, send, body: dict, extra=()) -> None:
        await send({"type": "http.response.start", "status": body["status"],
                    "headers": [(b"content-type", MEDIA_TYPE.encode()), *extra]})
        await send({"type": "http.response.body", "body": json_text(body).encode()})

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = [500]

        async def sending(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        service, path, counted = self.service, scope["path"], False
        metrics: Metrics = service.metrics
        try:
            refusal, extra = None, ()
            if service.tokens and path not in OPEN and not authorised(_header(scope, b"authorization"), service.tokens):
                refusal = one("U101", "a bearer token is needed: Authorization: Bearer <token>",
                              "ask the service's operator for a token")
                extra = ((b"www-authenticate", b'Bearer realm="permitted"'),)
            elif (length := _header(scope, b"content-length")) is not None and length.isdigit() \
                    and int(length) > service.settings.max_body:
                refusal = one("I103", f"the request body is {int(length):,} bytes, over the limit of "
                                      f"{service.settings.max_body:,}",
                              "split the batch, or ask the service's operator about --max-body")
            elif path not in UNCOUNTED and self.pending >= service.settings.max_pending:
                refusal = one("U104", f"the service is judging {self.pending} requests already; try again shortly",
                              "retry after a short pause, or add workers (--workers)")
                extra = ((b"retry-after", b"1"),)
            if refusal is not None:
                metrics.errors.labels(refusal["code"]).inc()
                await self._refuse(sending, refusal, extra)
                return
            if path not in UNCOUNTED:
                self.pending += 1
                counted = True
            await self.app(scope, receive, sending)
        finally:
            if counted:
                self.pending -= 1
            route = scope.get("route")
            label = getattr(route, "path", None) or "unmatched"
            metrics.requests.labels(label, scope["method"], str(status[0])).inc()
            metrics.latency.labels(label).observe(time.perf_counter() - started)
