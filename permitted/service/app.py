"""The service's FastAPI application: its state, its start-up, and errors as problem details.

Stage: the HTTP service (`permitted serve`). Input: `Settings`, and optionally a policy set
already compiled (the command line compiles it before binding the port, so a broken policy
stops a single-worker start with its diagnostics). Output: an ASGI app — the routes of
permitted.service.routes behind the gate (permitted.service.gate). Every error a client can
meet is a problem (RFC 9457) with the project's code; a bug is a 500 with I190 and the
traceback goes to the server's log, never to the client. SIGHUP reloads the policies (and the
token file) while the old set keeps serving. The web page, when there is one, is mounted at `/`
by this factory after the API routes, so it never shadows them.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import anyio
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from dsl.contract.errors import Diagnostic, Problem, internal_error

from permitted import __version__
from permitted.service.decisions import DecisionLog
from permitted.service.gate import Gate, load_tokens
from permitted.service.metrics import Metrics
from permitted.service.models import envelope_schema
from permitted.service.policies import Policies, Reload
from permitted.service.problems import MEDIA_TYPE, problem
from permitted.service.settings import Settings
from permitted.views.visible import json_text

log = logging.getLogger("uvicorn.error")


class Service:
    """What the routes share in one worker: settings, the policy set, tokens, log, metrics."""

    def __init__(self, settings: Settings, policies: Policies | None = None):
        self.settings = settings
        self.policies = policies or Policies(settings.policy_root)
        self.tokens = load_tokens(settings.token_file) if settings.token_file else ()
        self.decisions = DecisionLog(settings.decision_log, settings.log_evidence) if settings.decision_log else None
        self.metrics = Metrics()
        # One message judged at a time in this worker (made in the lifespan, inside the event
        # loop): the work holds the GIL, so messages judged in several threads at once only took
        # turns, each slower, and every answer came late.
        self.judging: anyio.CapacityLimiter | None = None

    def reload(self) -> Reload:
        """Policies compiled aside and swapped in whole; the token file read again. A policy set
        that does not compile leaves the old one serving, and says why in the log and /readyz."""
        outcome = self.policies.reload()
        self.metrics.reloads.labels("ok" if outcome.ok else "failed").inc()
        if outcome.ok:
            log.info("policies reloaded: generation %d, %s", outcome.generation,
                     ", ".join(self.policies.current.policies))
        else:
            log.error("policy reload failed; generation %d keeps serving:\n%s", outcome.generation,
                      "\n".join(f"  {d.code} {d.span.file + ':' + str(d.span.line) + ': ' if d.span else ''}{d.message}"
                                for d in outcome.errors))
        if self.settings.token_file:
            try:
                self.tokens = load_tokens(self.settings.token_file)
            except Problem as error:
                log.error("token file not reloaded, the old tokens stay: %s", error)
        return outcome

    async def reload_in_background(self) -> None:
        await anyio.to_thread.run_sync(self.reload)

    @contextlib.asynccontextmanager
    async def lifespan(self, app: FastAPI):
        if self.policies.current is None:
            outcome = await anyio.to_thread.run_sync(self.reload)
            if not outcome.ok:
                raise RuntimeError("the policies do not compile: " + "; ".join(
                    f"{d.code} {d.message}" for d in outcome.errors))
        self.judging = anyio.CapacityLimiter(1)
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):   # not the main thread
            loop.add_signal_handler(signal.SIGHUP, lambda: loop.create_task(self.reload_in_background()))
        current = self.policies.current
        log.info("policies ready: generation %d, %s", current.generation, ", ".join(current.policies))
        try:
            yield
        finally:
            if self.decisions is not None:
                self.decisions.close()


def problem_response(diagnostics, status: int | None = None, service: Service | None = None, headers=None) -> Response:
    body = problem(diagnostics, status)
    if service is not None:
        for d in body["errors"]:
            service.metrics.errors.labels(d["code"]).inc()
    return Response(json_text(body), status_code=body["status"], media_type=MEDIA_TYPE, headers=headers)


def _validation(exc: RequestValidationError) -> tuple[list[Diagnostic], int]:
    found, in_body = [], False
    for e in exc.errors():
        where = ".".join(str(p) for p in e.get("loc", ()))
        in_body |= bool(e.get("loc")) and e["loc"][0] == "body"
        found.append(Diagnostic("I100" if in_body else "U100", f"{where}: {e.get('msg', 'not valid')}"))
    return found or [Diagnostic("U100", "the request is not valid")], 422 if in_body else 400


def create_app(settings: Settings, policies: Policies | None = None) -> FastAPI:
    from permitted.service import drafts, page, routes

    service = Service(settings, policies)
    app = FastAPI(title="permitted", version=__version__, lifespan=service.lifespan,
                  docs_url=None, redoc_url=None,
                  description="Checks a seller's message to a marketplace buyer against the marketplace's "
                              "communication rules, before it is sent. Errors are RFC 9457 problem details "
                              "with the project's error codes.")
    app.state.service = service
    app.include_router(routes.checks)
    app.include_router(routes.router)
    app.include_router(drafts.router)
    app.include_router(page.router)
    generate = app.openapi

    def openapi() -> dict:
        # The routes name the envelope by reference; its schema is the message schema itself.
        document = generate()
        document.setdefault("components", {}).setdefault("schemas", {})["Envelope"] = envelope_schema()
        return document

    app.openapi = openapi

    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem):
        return problem_response(exc.diagnostics, service=service)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError):
        found, status = _validation(exc)
        return problem_response(found, status, service)

    @app.exception_handler(HTTPException)
    async def on_http(request: Request, exc: HTTPException):
        code = {404: "U102", 405: "U103"}.get(exc.status_code, "U100")
        what = {404: "no such route", 405: "this route does not answer"}.get(exc.status_code, exc.detail)
        return problem_response([Diagnostic(code, f"{request.method} {request.url.path}: {what}")],
                                exc.status_code, service, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def on_bug(request: Request, exc: Exception):
        log.exception("a bug answering %s %s", request.method, request.url.path)
        return problem_response([internal_error(exc, "request")], 500, service)

    # Outermost but for the server-error handler: a refused request costs no routing or parsing.
    app.add_middleware(Gate, service=service)
    return app


def app_from_environment() -> FastAPI:
    """The app of one worker process when there are several (uvicorn's factory)."""
    return create_app(Settings.from_environment())
