"""The typed request and response shapes of the service, for its OpenAPI document.

Stage: the service's contract. Input: none. Output: pydantic models of every answer (the check
report with its decision id, policy hash and engine version; problem details; policies, rules,
lint results, health) with examples, and the message envelope's JSON Schema taken from
policies/message.schema.json with its references to the facts schema written out, so the
document has one definition of a message and it is the one the service validates against.
Answers are built by the routes as plain JSON (the report's own `to_json`); these models
describe them, and the schema tests hold the two together.
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dsl.contract.resources import policies_dir

Verdict = Literal["allowed", "review", "blocked"]
Severity = Literal["block", "warn"]


@lru_cache(maxsize=1)
def envelope_schema() -> dict:
    """policies/message.schema.json as one self-contained JSON Schema (references inlined)."""
    folder = policies_dir()
    docs = {name: json.loads((folder / name).read_text(encoding="utf-8"))
            for name in ("message.schema.json", "facts.schema.json")}

    def inline(node, doc: str):
        if isinstance(node, list):
            return [inline(n, doc) for n in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            file, _, pointer = node["$ref"].partition("#")
            file = file or doc
            target = docs[file]
            for part in filter(None, pointer.split("/")):
                target = target[part]
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return {**inline(target, file), **inline(rest, doc)}
        return {k: inline(v, doc) for k, v in node.items() if k not in ("$schema", "$id", "$defs")}

    out = inline(docs["message.schema.json"], "message.schema.json")
    out["examples"] = [ENVELOPE_EXAMPLE]
    return out


ENVELOPE_EXAMPLE = {"marketplace": "UK", "channel": "email", "reason": "order_fulfillment_issue",
                    "sent_at": "2024-03-02", "order": {"id": "203-1234567-1234567", "status": "shipped"},
                    "body": "Your order 203-1234567-1234567 was dispatched today :)"}


class Evidence(BaseModel):
    fact: str = Field(description="The fact that made the rule fire, e.g. message.emoji")
    text: str | None = Field(None, description="The offending characters (for a fact found in the text)")
    start: int | None = Field(None, description="Where they start in the message text (characters)")
    end: int | None = Field(None, description="Where they end (excluded)")
    value: Any = Field(None, description="The value of a fact that is not in the text (a date, a count)")
    phrase: str | None = Field(None, description="The phrase list entry that matched")


class Violation(BaseModel):
    rule: str
    severity: Severity
    title: str
    clause: str = Field(description="The guideline text the rule encodes")
    hint: str | None = Field(None, description="How to fix it")
    evidence: list[Evidence]


class Undetermined(BaseModel):
    rule: str
    needs: list[str] = Field(description="The unknown facts the rule needs, e.g. order.completed_at")


class NotChecked(BaseModel):
    rule: str
    title: str
    says: str = Field(description="Why the rule could not be applied, e.g. spelling in a language without a word list")


class PolicyRef(BaseModel):
    id: str = Field(examples=["uk@2020-11-06"])
    file: str
    hash: str = Field(description="sha256 of the policy's source files, its `extends:` chain included")


class Engine(BaseModel):
    name: Literal["permitted"]
    version: str


class HighlightOut(BaseModel):
    number: int = Field(description="1, 2, … in reading order; the same numbers as the HTML report")
    start: int
    end: int = Field(description="== start for evidence with no visible text (an image)")
    text: str
    rules: list[str] = Field(description="Every rule citing these characters")
    severity: Severity = Field(description="The gravest severity among those rules")
    facts: list[str]
    what: str | None = Field(None, description="What an empty highlight stands for, e.g. `image`")


class MarkNode(BaseModel):
    mark: int = Field(description="The number of the highlight")
    first: bool = Field(description="False for the continuation of a mark split by one it crosses")
    children: list[str | MarkNode]


class ViolationMarks(BaseModel):
    rule: str
    marks: list[int] = Field(description="The numbers of the highlights its evidence points at")
    values: list[str] = Field(description="Evidence that is a fact's value rather than characters")


class Display(BaseModel):
    """The message text laid out for display: plain pieces and (nested) marks; joining every
    piece gives back `text`."""
    text: str
    highlights: list[HighlightOut]
    layout: list[str | MarkNode]
    violations: list[ViolationMarks] = Field(description="One per violation, in report order")


class CheckResult(BaseModel):
    """The report of `permitted check --format json`, with what a caller keeps for its records."""
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "source": "request", "verdict": "blocked", "marketplace": "UK",
        "policy": {"id": "uk@2020-11-06", "file": "policies/uk/2020-11-06.yaml", "hash": "sha256:…"},
        "violations": [{"rule": "styling.no-emoji", "severity": "block", "title": "No emojis or emoticons",
                        "clause": "…", "hint": "Remove 1 emoji(s).",
                        "evidence": [{"fact": "message.emoji", "text": ":)", "start": 53, "end": 55}]}],
        "undetermined": [], "decision_id": "0d5c6f0e-5a8e-4d39-9a77-7f1e3c1b2a10",
        "engine": {"name": "permitted", "version": "0.1.0"}}]})
    source: str
    verdict: Verdict
    marketplace: str | None
    policy: PolicyRef
    violations: list[Violation]
    undetermined: list[Undetermined]
    not_checked: list[NotChecked] = Field(default_factory=list, description="Rules that could not be applied to this "
                                          "message and say so; they do not change the verdict. Absent when empty")
    decision_id: str
    engine: Engine
    display: Display | None = Field(None, description="With `display=true` only")


class DiagnosticOut(BaseModel):
    code: str = Field(examples=["I100"])
    name: str
    severity: Literal["error", "warning"]
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    help: str | None = None


class Problem(BaseModel):
    """RFC 9457 problem details, with the project's error code and every diagnostic."""
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "type": "https://permitted.invalid/problems/I100", "title": "Bad facts", "status": 422,
        "detail": "request: channel: 'fax' is not one of ['seller_central', 'email', 'api']", "code": "I100",
        "errors": [{"code": "I100", "name": "bad-facts", "severity": "error",
                    "message": "request: channel: 'fax' is not one of ['seller_central', 'email', 'api']",
                    "help": "see policies/message.schema.json"}]}]})
    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[DiagnosticOut]


class BatchError(Problem):
    source: str = Field(examples=["messages[3]"])
    verdict: Literal["error"]


class BatchResult(BaseModel):
    results: list[CheckResult | BatchError] = Field(description="One per message, in the order given")


class PolicySummary(BaseModel):
    id: str
    marketplace: str
    effective: str
    file: str
    hash: str
    rules: int
    in_force: bool = Field(description="The marketplace's version in force today")


class PolicyList(BaseModel):
    generation: int = Field(description="Counts the policy sets loaded; a reload that succeeds adds one")
    policies: list[PolicySummary]


class RuleSummary(BaseModel):
    id: str
    title: str
    severity: Severity
    clause: str
    file: str
    line: int | None


class PolicyDetail(BaseModel):
    id: str
    name: str
    marketplace: str
    effective: str
    file: str
    source: str
    description: str
    hash: str
    extends: list[str] = Field(description="The files of the policy, from the farthest base to this one")
    rules: list[RuleSummary]


class FactRead(BaseModel):
    fact: str
    type: str
    absent: str | None
    description: str


class RuleExample(BaseModel):
    name: str
    expect: list[str]
    undetermined: list[str]
    message: dict | None = None
    facts: dict | None = None


class RuleDetail(BaseModel):
    id: str
    policy: str
    title: str
    severity: Severity
    clause: str
    condition: str = Field(description="The condition, written the canonical way (`permitted fmt`)")
    hint: str | None
    file: str
    line: int | None
    reads: list[FactRead]
    examples: list[RuleExample]
    also_in: list[str] = Field(description="Other policies with a rule of this id")


class LintResult(BaseModel):
    file: str
    kind: Literal["policy"]
    ok: bool
    policy: str | None = None
    rules: int | None = None
    diagnostics: list[DiagnosticOut]


class Health(BaseModel):
    status: Literal["ok"]


class ReloadOut(BaseModel):
    ok: bool
    generation: int
    at: str
    errors: list[DiagnosticOut]


class Ready(BaseModel):
    status: Literal["ready", "starting"]
    generation: int
    loaded_at: str | None
    policies: list[str]
    last_reload: ReloadOut | None


class Reloading(BaseModel):
    status: Literal["reloading"]
    workers: int


class FactsOut(BaseModel):
    """The facts of `permitted facts-of --format json` (policies/facts.schema.json)."""
    model_config = ConfigDict(extra="allow")
    message: dict[str, Any]


class Draft(BaseModel):
    """A policy text held in memory, never stored."""
    policy: str = Field(description="The policy's YAML text", examples=["policy: buyer-messaging\nmarketplace: UK\n…"])
    file: str = Field("draft.yaml", description="Where in the policy tree the text would be: its `extends:` is "
                                                "resolved from there", examples=["uk/draft.yaml"])


class DraftCheck(Draft):
    message: dict[str, Any] = Field(description="The message envelope (policies/message.schema.json)",
                                    examples=[ENVELOPE_EXAMPLE])


class DraftDiff(Draft):
    against: str | None = Field(None, description="The bundled policy id to compare with; default the latest "
                                                  "version of the draft's marketplace", examples=["uk@2020-11-06"])


class ExampleOut(BaseModel):
    name: str = Field(examples=["uk:styling.no-emoji:smiley"])
    rule: str
    example: str
    passed: bool
    problems: list[str] = Field(description="What did not match, in words")


class ExamplesOut(BaseModel):
    passed: int
    failed: int
    examples: list[ExampleOut]


class DraftPolicyRef(BaseModel):
    id: str
    file: str


class DraftReport(BaseModel):
    """The report of `permitted check --format json` under a draft, with the text laid out."""
    source: str
    verdict: Verdict
    marketplace: str | None
    policy: DraftPolicyRef
    violations: list[Violation]
    undetermined: list[Undetermined]
    not_checked: list[NotChecked] = Field(default_factory=list, description="As in CheckResult")
    display: Display


class DiffOut(BaseModel):
    """`permitted diff --format json`: structural changes and, per rule, the witness messages."""
    model_config = ConfigDict(extra="allow")
    old: DraftPolicyRef
    new: DraftPolicyRef
    equivalent: bool | None
    rules: list[dict[str, Any]]
    text: str = Field(description="The same diff as `permitted diff` prints it")
