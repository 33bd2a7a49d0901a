"""The service's routes: check, batch, policies, rules, lint, health, readiness, metrics, reload.

Stage: the HTTP service. Input: requests that passed the gate. Output: JSON answers (the check
report of `permitted check --format json` with a decision id, the policy's hash and the engine
version) or problems. Judging, linting and reloading run in worker threads under the time limit,
so a long message never stalls the health checks; a request over the limit is answered 503 with
I192 (the thread finishes its message and is dropped). Errors: Problem subclasses, turned into
problem details by permitted.service.app.
"""
from __future__ import annotations

import datetime as _dt
import inspect
import os
import signal
import typing
import uuid
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Query, Request, params
from fastapi.routing import APIRoute
from starlette.responses import Response

from dsl.contract.errors import Diagnostic, InputError, PolicyError, UsageError
from dsl.contract.resources import display_path, policies_dir
from dsl.contract.schema import load_schema

from permitted import __version__
from permitted.checking import Checked, Choice, Judge
from permitted.explaining import find_rule
from permitted.linting import lint_text
from permitted.service import models
from permitted.service.metrics import CONTENT_TYPE
from permitted.service.policies import PolicySet
from permitted.service.problems import MEDIA_TYPE, problem
from permitted.service.requests import (MESSAGE_TYPES, POLICY_TYPES, batch_items, body_of, draft_path,
                                        message_envelope, require_type)
from permitted.views.marked import marked_json
from permitted.views.policy_json import policy_detail, policy_summary, rule_detail
from permitted.views.visible import json_text


class QuerylessRoute(APIRoute):
    """A route that answers a request without a query string by calling its endpoint with every
    parameter at its default, without FastAPI solving the route's query parameters: for
    `POST /v1/check`, whose envelope fields may come as 19 query parameters and which a
    pre-send gate calls with a JSON envelope and none, that solving took 1.5 ms of each request,
    more than all the rest of the service's own work for it. A request with a query goes the
    usual way (its parameters read, checked, refused with U100), and the OpenAPI document is
    made from the endpoint's signature as before."""

    def get_route_handler(self):
        usual = super().get_route_handler()
        endpoint, defaults = self.endpoint, _defaults(self.endpoint)

        async def handler(request: Request) -> Response:
            if request.scope.get("query_string"):
                return await usual(request)
            return await endpoint(request, **{name: make() for name, make in defaults.items()})
        return handler


def _defaults(endpoint) -> dict:
    """What each parameter of an endpoint but the request is when the query gives nothing: a
    dependency called with no arguments (a class of query parameters, made with no arguments),
    else the parameter's default."""
    hints = typing.get_type_hints(endpoint, include_extras=True)
    out = {}
    for name, parameter in inspect.signature(endpoint).parameters.items():
        hint = hints.get(name)
        if hint is Request:
            continue
        depends = next((m for m in getattr(hint, "__metadata__", ()) if isinstance(m, params.Depends)), None)
        if depends is not None:
            out[name] = depends.dependency or typing.get_args(hint)[0]
        else:
            assert parameter.default is not inspect.Parameter.empty, f"{name}: a query parameter without a default"
            out[name] = lambda value=parameter.default: value
    return out


# The routes a messaging pipeline calls for every message, and the others.
checks = APIRouter(route_class=QuerylessRoute)
router = APIRouter()
ENGINE = {"name": "permitted", "version": __version__}

_PROBLEMS = {status: {"model": models.Problem, "content": {MEDIA_TYPE: {}}, "description": what}
             for status, what in ((400, "The request cannot be read (I101, I102, U100)"),
                                  (401, "No valid bearer token (U101)"),
                                  (404, "No such policy, rule or route (P700, U102)"),
                                  (413, "The body or the batch is over its limit (I103, I105)"),
                                  (415, "A content type the route does not read (I104)"),
                                  (422, "The envelope breaks the message schema (I100)"),
                                  (429, "The worker is busy (U104)"),
                                  (500, "A bug (I190)"),
                                  (503, "Over the time limit (I192)"))}


def _json(data, status: int = 200) -> Response:
    return Response(json_text(data), status_code=status, media_type="application/json")


def _service(request: Request):
    return request.app.state.service


def _current(request: Request) -> PolicySet:
    current = _service(request).policies.current
    assert current is not None, "the lifespan compiles the policies before the first request"
    return current


async def _in_thread(request: Request, work):
    """Run `work` in a worker thread under the service's time limit, one at a time."""
    service = _service(request)
    limit = service.settings.time_limit
    try:
        with anyio.fail_after(limit):           # waiting for the worker's turn counts too
            return await anyio.to_thread.run_sync(work, abandon_on_cancel=True, limiter=service.judging)
    except TimeoutError:
        raise InputError([Diagnostic("I192", f"request: not answered within the time limit of {limit:g} s",
                                     help="send a shorter message, or ask the service's operator about --time-limit")]) from None


def envelope_fields(
    marketplace: Annotated[str | None, Query(description="Marketplace code (US, UK, SA, …) when the envelope does not say")] = None,
    channel: Annotated[str | None, Query(description="seller_central, email or api")] = None,
    direction: Annotated[str | None, Query(description="proactive or reply")] = None,
    reason: Annotated[str | None, Query(description="The contact reason, e.g. review_request")] = None,
    api_message_type: Annotated[str | None, Query(description="The SP-API Messaging operation")] = None,
    sent_at: Annotated[str | None, Query(description="When the message is sent (YYYY-MM-DD or ISO timestamp)")] = None,
    subject: Annotated[str | None, Query()] = None,
    template: Annotated[bool | None, Query(description="The message is a template: placeholders count as filled in")] = None,
    order_id: Annotated[str | None, Query()] = None,
    order_status: Annotated[str | None, Query(description="e.g. shipped, delivered")] = None,
    purchased_at: Annotated[str | None, Query()] = None,
    completed_at: Annotated[str | None, Query()] = None,
    delivered_at: Annotated[str | None, Query()] = None,
    buyer_language: Annotated[str | None, Query(description="e.g. en-GB")] = None,
    buyer_contacted_first: Annotated[bool | None, Query()] = None,
    review_requests_sent: Annotated[int | None, Query(ge=0)] = None,
) -> dict:
    """The envelope fields the query gives (used where a JSON envelope is silent)."""
    fields: dict = {}
    for name, value in (("marketplace", marketplace.upper() if marketplace else None), ("channel", channel),
                        ("direction", direction), ("reason", reason), ("api_message_type", api_message_type),
                        ("sent_at", sent_at), ("subject", subject), ("template", template)):
        if value is not None:
            fields[name] = value
    for group, pairs in (("order", (("id", order_id), ("status", order_status), ("purchased_at", purchased_at),
                                    ("completed_at", completed_at), ("delivered_at", delivered_at),
                                    ("buyer_language", buyer_language))),
                         ("history", (("buyer_contacted_first", buyer_contacted_first),
                                      ("review_requests_sent", review_requests_sent)))):
        given = {k: v for k, v in pairs if v is not None}
        if given:
            fields[group] = given
    return fields


class Selection:
    """Which policy judges: a policy id for every message, or each message's marketplace's
    version in force on `as_of` (default: the day it was sent, else today)."""

    def __init__(self, policy: Annotated[str | None, Query(description="A policy id such as uk@2020-11-06")] = None,
                 as_of: Annotated[_dt.date | None, Query(description="Judge by the version in force on this day")] = None):
        self.policy, self.as_of = policy, as_of

    def judge(self, current: PolicySet) -> Judge:
        policy = current.get(self.policy).id if self.policy else None     # P700 for an id not in the set
        return Judge(Choice(as_of=self.as_of, policy=policy), current.store)


def _answer(service, current: PolicySet, row: Checked) -> dict:
    """The report of a judged message, with its decision id, policy hash and the engine; logged
    and counted."""
    report = row.report
    decision_id = str(uuid.uuid4())
    data = row.to_json()
    policy_hash = current.policies[report.policy_id].hash
    data["policy"]["hash"] = policy_hash
    data["decision_id"] = decision_id
    data["engine"] = ENGINE
    service.metrics.judged(report)
    if service.decisions is not None:
        service.decisions.record(decision_id, row, policy_hash)
    return data


def refusal(row: Checked) -> InputError | PolicyError:
    """The problem of a message that could not be judged: its input's, or its policy's."""
    return (InputError if all(d.code.startswith("I") for d in row.error) else PolicyError)(row.error)


_ENVELOPE_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/Envelope"}},
    "text/plain": {"schema": {"type": "string"}, "example": "Your order has shipped."},
    "text/html": {"schema": {"type": "string"}, "example": "<p>Your order has shipped.</p>"},
    "message/rfc822": {"schema": {"type": "string"}}}}}
_BATCH_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "additionalProperties": False, "required": ["messages"],
    "properties": {"messages": {"type": "array", "items": {"$ref": "#/components/schemas/Envelope"}}},
    "examples": [{"messages": [models.ENVELOPE_EXAMPLE, {"marketplace": "US", "body": "Thanks!"}]}]}}}}}
_POLICY_BODY = {"requestBody": {"required": True, "content": {
    kind: {"schema": {"type": "string"}, "example": "policy: buyer-messaging\nmarketplace: UK\n…"}
    for kind in POLICY_TYPES}}}


@checks.post("/v1/check", response_model=models.CheckResult, responses=_PROBLEMS, openapi_extra=_ENVELOPE_BODY,
             summary="Judge one message", tags=["check"])
async def check(request: Request, fields: Annotated[dict, Depends(envelope_fields)],
                selection: Annotated[Selection, Depends()],
                display: Annotated[bool, Query(description="Add `display`: the message text laid out with "
                                                           "its numbered evidence marks (the web page shows it)")] = False):
    """An envelope (JSON), or the message itself (text, HTML, an e-mail) with the envelope's
    other fields as query parameters. Answers the report of `permitted check --format json`."""
    service, current = _service(request), _current(request)
    media = require_type(request, MESSAGE_TYPES)
    data = await body_of(request, service.settings.max_body)
    judge = selection.judge(current)

    def work() -> Checked:
        return judge.row("request", message_envelope(data, media, fields, service.settings.max_body))

    # Answered (logged, counted) here, not in the thread: a message judged after its request ran
    # out of time is no decision anyone received.
    row = await _in_thread(request, work)
    if row.report is None:
        raise refusal(row)
    answer = _answer(service, current, row)
    if display:
        answer["display"] = marked_json(row.report, row.text)
    return _json(answer)


@checks.post("/v1/check/batch", response_model=models.BatchResult, responses=_PROBLEMS, openapi_extra=_BATCH_BODY,
             summary="Judge several messages, in order", tags=["check"])
async def check_batch(request: Request, fields: Annotated[dict, Depends(envelope_fields)],
                      selection: Annotated[Selection, Depends()]):
    """Each message is its own report or its own error: one bad message never fails the others."""
    service, current = _service(request), _current(request)
    require_type(request, ("application/json",))
    data = await body_of(request, service.settings.max_body)
    judge = selection.judge(current)

    def work() -> list[Checked]:
        return [judge.row(source, envelope) for source, envelope in batch_items(data, fields, service.settings.max_batch)]

    results = []
    for row in await _in_thread(request, work):
        if row.report is not None:
            results.append(_answer(service, current, row))
        else:
            for d in row.error:
                service.metrics.errors.labels(d.code).inc()
            results.append({**problem(row.error), "source": row.source, "verdict": "error"})
    return _json({"results": results})


@router.get("/v1/policies", response_model=models.PolicyList, responses=_PROBLEMS, tags=["policies"],
            summary="The policy versions in service")
async def list_policies(request: Request):
    current = _current(request)
    today = {}
    for market in current.store.catalogue.versions:
        try:
            today[market] = current.store.catalogue.in_force(market).id
        except PolicyError:          # every version of this marketplace starts in the future
            pass
    return _json({"generation": current.generation,
                  "policies": [policy_summary(e.compiled.policy, e.hash, today.get(e.version.marketplace) == e.id)
                               for e in current.policies.values()]})


@router.get("/v1/policies/{policy_id}", response_model=models.PolicyDetail, responses=_PROBLEMS,
            tags=["policies"], summary="A policy version and its rules")
async def get_policy(request: Request, policy_id: str):
    entry = _current(request).get(policy_id)
    return _json(policy_detail(entry.compiled.policy, entry.hash))


@router.get("/v1/rules/{rule_id}", response_model=models.RuleDetail, responses=_PROBLEMS, tags=["policies"],
            summary="A rule, as `permitted explain` shows it")
async def get_rule(request: Request, rule_id: str,
                   marketplace: Annotated[str | None, Query(description="Look in this marketplace's version")] = None,
                   policy: Annotated[str | None, Query(description="Look in this policy id")] = None,
                   as_of: Annotated[_dt.date | None, Query(description="The versions in force on this day")] = None):
    current = _current(request)
    if policy:
        policy = current.get(policy).id
    try:
        found = find_rule(current.store, rule_id, policy, marketplace, as_of)
    except UsageError as error:            # for HTTP, a rule that is not there is a resource not found
        raise UsageError([Diagnostic("U102", d.message, help=d.help) for d in error.diagnostics]) from None
    return _json(rule_detail(found.policy, found.rule, load_schema(), found.also_in))


@router.post("/v1/lint", response_model=models.LintResult, responses=_PROBLEMS, openapi_extra=_POLICY_BODY,
             tags=["policies"], summary="Compile a policy text and report every error with line and column")
async def lint(request: Request,
               file: Annotated[str, Query(description="Where in the policy tree the text would be: its "
                                                      "`extends:` is resolved from there",
                                          examples=["uk/draft.yaml"])] = "draft.yaml"):
    service = _service(request)
    require_type(request, POLICY_TYPES)
    data = await body_of(request, service.settings.max_body)
    root = (service.settings.policy_root or policies_dir()).resolve()
    where = draft_path(root, file)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([Diagnostic("I101", f"request: not UTF-8 text (byte {exc.start})")]) from None
    linted = await _in_thread(request, lambda: lint_text(text, display_path(where), root))
    return _json(linted.to_json())


@router.get("/healthz", response_model=models.Health, tags=["service"], summary="The process answers")
async def healthz():
    return _json({"status": "ok"})


@router.get("/readyz", response_model=models.Ready, responses={503: {"model": models.Ready}}, tags=["service"],
            summary="The policies are compiled; the outcome of the last reload")
async def readyz(request: Request):
    policies = _service(request).policies
    current, last = policies.current, policies.last_reload
    return _json({"status": "ready" if current else "starting", "generation": current.generation if current else 0,
                  "loaded_at": current.loaded_at if current else None,
                  "policies": list(current.policies) if current else [],
                  "last_reload": last.to_json() if last else None}, 200 if current else 503)


@router.get("/metrics", tags=["service"], summary="Prometheus metrics (text format)",
            responses={200: {"content": {CONTENT_TYPE: {"schema": {"type": "string"}}}}, **_PROBLEMS})
async def metrics(request: Request):
    return Response(_service(request).metrics.exposition(), media_type=CONTENT_TYPE)


@router.post("/v1/admin/reload", response_model=models.ReloadOut, tags=["service"],
             responses={202: {"model": models.Reloading}, **_PROBLEMS},
             summary="Compile the policies again and swap them in; the old set serves until then")
async def reload(request: Request):
    service = _service(request)
    if service.settings.workers > 1:
        # Every worker reloads on its own: the parent passes SIGHUP on to each of them.
        os.kill(os.getppid(), signal.SIGHUP)
        return _json({"status": "reloading", "workers": service.settings.workers}, 202)
    outcome = await anyio.to_thread.run_sync(service.reload)
    if not outcome.ok:
        raise PolicyError(outcome.errors)
    return _json(outcome.to_json())
