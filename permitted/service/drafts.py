"""The routes the web page needs beyond checking: a message's facts, and a policy draft held in
memory — its text, its examples, a message judged by it, and its diff against a bundled version.

Stage: the HTTP service. Input: a message (as for POST /v1/check) or a draft's YAML text with
the path in the policy tree it would have (so its `extends:` resolves). Output: JSON answers —
the facts of `permitted facts-of --format json`, one pass/fail per example as `permitted test`
runs them, the report of `permitted check --format json` under the draft, the JSON of `permitted
diff --format json`. Nothing is stored: a draft lives for one request. Errors: a draft that does
not compile is a problem with every diagnostic and its line (P…, 422); the diff runs under the
service's time limit (I192, 503).
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ValidationError
from rich.console import Console
from starlette.responses import Response

from dsl.contract.errors import Diagnostic, InputError, PolicyError
from dsl.contract.model import Policy
from dsl.contract.resources import display_path, policies_dir
from dsl.contract.schema import as_json_data
from interpreter.evaluation.program import lower_policy
from interpreter.facts.normalise import EVERYTHING, normalise
from interpreter.read.envelope import check_envelope

from permitted.checking import Choice, Judge
from permitted.examples import run_examples
from permitted.linting import lint_text
from permitted.service import models
from permitted.service.requests import MESSAGE_TYPES, body_of, draft_path, json_body, message_envelope, require_type
from permitted.service.routes import _ENVELOPE_BODY, _PROBLEMS, Selection, _current, _in_thread, _json, _service, \
    envelope_fields, refusal
from permitted.store import Compiled
from permitted.views.marked import marked_json

router = APIRouter()
Body = TypeVar("Body", bound=BaseModel)


def _body_spec(model: type[BaseModel]) -> dict:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": model.model_json_schema()}}}}


async def _read(request: Request, model: type[Body]) -> Body:
    """The JSON body as `model`, read like every other body: bounded in size while it streams
    and in nesting while it parses, so a draft costs no more to read than a message."""
    require_type(request, ("application/json",))
    data = await body_of(request, _service(request).settings.max_body)
    try:
        return model.model_validate(json_body(data, "a draft is a policy text and a few fields"))
    except ValidationError as exc:
        raise InputError([Diagnostic("I100", f"{'.'.join(map(str, e['loc'])) or 'request'}: {e['msg']}")
                          for e in exc.errors()]) from None


@router.post("/v1/facts", response_model=models.FactsOut, responses=_PROBLEMS, openapi_extra=_ENVELOPE_BODY,
             summary="The facts the rules see in a message, as `permitted facts-of`", tags=["check"])
async def facts_of(request: Request, fields: Annotated[dict, Depends(envelope_fields)],
                   selection: Annotated[Selection, Depends()]):
    service, current = _service(request), _current(request)
    media = require_type(request, MESSAGE_TYPES)
    data = await body_of(request, service.settings.max_body)
    judge = selection.judge(current)

    def work() -> dict:
        envelope = message_envelope(data, media, fields, service.settings.max_body)
        # Every fact is shown, also those no rule of the policy reads.
        facts = normalise(envelope, envelope.get("marketplace"), source="request",
                          policy=judge.policy_if_known(envelope, "request"), wants=EVERYTHING)
        return as_json_data(facts.data)

    return _json(await _in_thread(request, work))


def _draft(request: Request, draft: models.Draft) -> Policy:
    """The draft compiled as if it were `draft.file` in the service's policy tree."""
    root = (_service(request).settings.policy_root or policies_dir()).resolve()
    linted = lint_text(draft.policy, display_path(draft_path(root, draft.file)), root)
    if linted.policy is None:
        raise PolicyError(linted.diagnostics)
    return linted.policy


@router.get("/v1/policies/{policy_id}/text", responses={200: {"content": {"application/yaml": {
    "schema": {"type": "string"}}}}, **_PROBLEMS}, tags=["policies"],
            summary="A policy version's YAML file, to edit as a draft")
async def policy_text(request: Request, policy_id: str):
    entry = _current(request).get(policy_id)
    path = entry.version.path
    root = (_service(request).settings.policy_root or policies_dir()).resolve()
    return Response(Path(path).read_text(encoding="utf-8"), media_type="application/yaml",
                    headers={"x-policy-file": Path(path).resolve().relative_to(root).as_posix()})


def _draft_route(path: str, body: type[models.Draft], answer: type[BaseModel], summary: str):
    """A POST route of a draft: its JSON body read as `body`, then `build(request, draft)` run in a
    worker thread under the time limit, its dict the answer."""
    def register(build):
        @router.post(path, response_model=answer, responses=_PROBLEMS, tags=["policies"], name=build.__name__,
                     openapi_extra=_body_spec(body), summary=summary)
        async def route(request: Request):
            draft = await _read(request, body)
            return _json(await _in_thread(request, lambda: build(request, draft)))
        return build
    return register


@_draft_route("/v1/policy/test", models.Draft, models.ExamplesOut, "Run a draft policy's examples, as `permitted test`")
def examples_of_draft(request: Request, draft: models.Draft) -> dict:
    results = run_examples(_draft(request, draft))
    return {"passed": sum(r.passed for r in results), "failed": sum(not r.passed for r in results),
            "examples": [{"name": r.name, "rule": r.rule.id, "example": r.example.name, "passed": r.passed,
                          "problems": list(r.problems)} for r in results]}


@_draft_route("/v1/policy/check", models.DraftCheck, models.DraftReport,
              "Judge a message by a draft policy, with its text laid out with the evidence marks")
def check_by_draft(request: Request, draft: models.DraftCheck) -> dict:
    policy = _draft(request, draft)
    envelope = check_envelope(draft.message, "request")
    judge = Judge(Choice(), _current(request).store, Compiled(policy, lower_policy(policy)))
    row = judge.row("request", envelope)
    if row.report is None:
        raise refusal(row)
    return {**row.to_json(), "display": marked_json(row.report, row.text)}


@_draft_route("/v1/policy/diff", models.DraftDiff, models.DiffOut,
              "What a draft changes against a bundled version, as `permitted diff --format json`")
def diff_of_draft(request: Request, draft: models.DraftDiff) -> dict:
    # The solver (z3) loads only when a diff runs: the service starts without it.
    from permitted.diffing import compare
    from permitted.views.diff import as_text as diff_text
    from permitted.views.diff import to_json as diff_json

    current = _current(request)
    new = _draft(request, draft)
    if draft.against:
        old = current.get(draft.against).compiled.policy
    else:
        old = current.store.compiled(current.store.catalogue.latest(new.marketplace).path).policy
    result = compare(old, new)
    # The text of `permitted diff` as well, so the page shows what the terminal shows.
    console = Console(file=io.StringIO(), width=100, no_color=True, highlight=False, emoji=False, record=True)
    console.print(diff_text(result))
    return {**diff_json(result), "text": console.export_text()}
