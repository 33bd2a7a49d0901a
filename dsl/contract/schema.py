"""The facts vocabulary: policies/facts.schema.json as typed fields (contract module).

Stage: resolve and check read it to bind names; the interpreter reads it to complete and
validate facts records. Input: the JSON Schema. Output: `FactSchema`, mapping each object
(the roots `message`, `order`, `history` and the `$defs` such as `link`) to its fields, each
with a `Type`, how it may be absent, its default and its description.
"""
from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from dsl.contract.reference import REFERENCE
from dsl.contract.resources import policies_dir
from dsl.contract.types import ANY, BOOL, DATE, NUMBER, STRING, Type, list_of, obj

MISSING = object()


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: Type
    absent: str              # present | unknown | optional
    description: str
    default: object = field(default=MISSING, compare=False)


@dataclass(frozen=True, eq=False)
class FactSchema:
    objects: Mapping[str, Mapping[str, FieldSpec]]
    roots: tuple[str, ...]
    raw: Mapping = field(compare=False, repr=False)
    descriptions: Mapping[str, str] = field(compare=False, repr=False)

    def field(self, object_name: str, name: str) -> FieldSpec | None:
        return self.objects.get(object_name, {}).get(name)

    def fields(self, object_name: str) -> Mapping[str, FieldSpec]:
        return self.objects.get(object_name, MappingProxyType({}))

    def all_paths(self) -> list[str]:
        """Every dotted path reachable from the roots without going through a list."""
        out: list[str] = []

        def visit(prefix: str, object_name: str) -> None:
            for name, spec in self.fields(object_name).items():
                path = f"{prefix}.{name}"
                out.append(path)
                if spec.type.kind == "object" and spec.type.name:
                    visit(path, spec.type.name)

        for root in self.roots:
            out.append(root)
            visit(root, root)
        return out


def _type_of(node: Mapping, name: str, defs_seen: dict[str, Mapping], pending: list) -> Type:
    if "$ref" in node:
        ref = node["$ref"].rsplit("/", 1)[-1]
        return obj(ref)
    kind = node.get("type")
    if kind == "object":
        pending.append((name, node))
        return obj(name)
    if kind == "array":
        return list_of(_type_of(node.get("items", {}), name + "_item", defs_seen, pending))
    if kind == "string":
        if node.get("x-type") == "date" or node.get("format") in ("date", "date-time"):
            return DATE
        enum = node.get("enum")
        return Type("string", enum=tuple(enum)) if enum else STRING
    if kind in ("number", "integer"):
        return NUMBER
    if kind == "boolean":
        return BOOL
    return ANY


def build(raw: Mapping) -> FactSchema:
    defs: Mapping[str, Mapping] = raw.get("$defs", {})
    objects: dict[str, Mapping[str, FieldSpec]] = {}
    descriptions: dict[str, str] = {}
    pending: list[tuple[str, Mapping]] = [(root, raw["properties"][root]) for root in raw["properties"]]
    pending += list(defs.items())
    while pending:
        name, node = pending.pop(0)
        if name in objects:
            continue
        descriptions[name] = node.get("description", "")
        required = set(node.get("required", ()))
        fields: dict[str, FieldSpec] = {}
        for prop, sub in node.get("properties", {}).items():
            target = defs.get(sub["$ref"].rsplit("/", 1)[-1], {}) if "$ref" in sub else sub
            absent = "present" if prop in required else sub.get("x-absent", target.get("x-absent", "optional"))
            fields[prop] = FieldSpec(
                name=prop,
                type=_type_of(sub, prop, defs, pending),
                absent=absent,
                description=sub.get("description") or target.get("description", ""),
                default=sub.get("default", target.get("default", MISSING)),
            )
        objects[name] = MappingProxyType(fields)
    return FactSchema(MappingProxyType(objects), tuple(raw["properties"]), raw, MappingProxyType(descriptions))


def schema_path() -> Path:
    return policies_dir() / "facts.schema.json"


@lru_cache(maxsize=4)
def load_schema(path: str | None = None) -> FactSchema:
    p = Path(path) if path else schema_path()
    return build(json.loads(p.read_text(encoding="utf-8")))


_SCALARS = frozenset({str, int, float, bool, type(None)})


def as_json_data(value):
    """JSON-ready data, as a new copy: mappings as dicts, sequences as lists, dates as ISO text
    (as envelopes and facts records carry them in files)."""
    # Exact types first: a facts record is thousands of plain values, and isinstance against
    # the Mapping ABC costs ten times a type lookup.
    # A scalar inside a mapping or a list is taken as it is without a call for it (most of them).
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict or isinstance(value, Mapping):
        return {k: v if type(v) in _SCALARS else as_json_data(v) for k, v in value.items()}
    if kind is list or isinstance(value, (list, tuple)):
        return [v if type(v) in _SCALARS else as_json_data(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return value


def complete(partial: Mapping, marketplace: str | None = None, schema: FactSchema | None = None) -> dict:
    """A full facts record from a partial one: every missing property that has a default gets it.

    Facts that are unknown stay absent. `marketplace` fills message.marketplace when not given.
    """
    schema = schema or load_schema()
    raw = schema.raw
    out = as_json_data(partial)                 # a deep copy; the caller's record is never changed
    defs = raw.get("$defs", {})

    def fill(node: dict, obj_schema: Mapping) -> None:
        if "$ref" in obj_schema:
            obj_schema = defs[obj_schema["$ref"].rsplit("/", 1)[-1]]
        for prop, sub in obj_schema.get("properties", {}).items():
            target = defs[sub["$ref"].rsplit("/", 1)[-1]] if "$ref" in sub else sub
            if prop not in node:
                default = sub.get("default", target.get("default", MISSING))
                if default is MISSING:
                    continue
                node[prop] = as_json_data(default)
            if target.get("type") == "object" and isinstance(node[prop], dict):
                fill(node[prop], target)

    if isinstance(out, dict):
        message = out.setdefault("message", {})
        if isinstance(message, dict) and "marketplace" not in message and marketplace:
            message["marketplace"] = marketplace
        fill(out, raw)
    return out


@lru_cache(maxsize=4)
def _facts_validator(schema: FactSchema):
    import jsonschema
    return jsonschema.Draft202012Validator(dict(schema.raw), format_checker=jsonschema.FormatChecker())


def _message(e) -> str:
    """A schema error in a reader's words: a date that breaks its pattern is named as a date."""
    if e.validator == "pattern" and e.schema.get("x-type") == "date":
        shown = repr(e.instance) if len(str(e.instance)) <= 80 else repr(str(e.instance)[:80] + "…")
        return f"{shown} is not a date (YYYY-MM-DD) or an ISO 8601 timestamp (YYYY-MM-DDThh:mm:ssZ)"
    return e.message


def problems(record: Mapping, schema: FactSchema | None = None) -> list[tuple[tuple, str]]:
    """Where a facts record breaks the schema: (path, message) pairs, empty when valid."""
    validator = _facts_validator(schema or load_schema())
    return [(tuple(e.absolute_path), _message(e))
            for e in sorted(validator.iter_errors(record), key=lambda e: list(map(str, e.absolute_path)))]


@lru_cache(maxsize=1)
def _envelope_schemas() -> tuple[dict, dict]:
    """(facts.schema.json, message.schema.json): the envelope's schema takes its enumerations
    from the facts schema by reference."""
    folder = policies_dir()
    return tuple(json.loads((folder / name).read_text(encoding="utf-8"))
                 for name in ("facts.schema.json", "message.schema.json"))


@lru_cache(maxsize=1)
def _message_validator():
    import jsonschema
    from referencing import Registry, Resource

    facts, message = _envelope_schemas()
    registry = Registry().with_resources([(facts["$id"], Resource.from_contents(facts)),
                                          ("facts.schema.json", Resource.from_contents(facts))])
    return jsonschema.Draft202012Validator(message, registry=registry, format_checker=jsonschema.FormatChecker())


@lru_cache(maxsize=1)
def _compiled_message_check():
    """message.schema.json compiled to Python (fastjsonschema): it says whether an envelope is
    valid in microseconds, where jsonschema takes a few hundred and a quarter of a second to
    import and build. It names no problems the way jsonschema does, so it only lets valid
    envelopes through; jsonschema still words every error."""
    import fastjsonschema

    facts, message = _envelope_schemas()
    # use_default=False: the envelope is checked, never filled in with the schema's defaults;
    # detailed_exceptions=False: no wording is read from it, and the code it writes (and
    # compiles in every new process) is a third of the size.
    return fastjsonschema.compile(message, handlers={"https": lambda uri: {facts["$id"]: facts}[uri]},
                                  use_default=False, use_formats=False, detailed_exceptions=False)


def _valid_at_once(envelope) -> bool:
    """The compiled check's yes, where it agrees with jsonschema's. Where the two differ the
    compiled check is the stricter (a pattern's `$` does not match before a final newline; the
    schema uses no `format`), except that it takes a tuple for an array: so only an envelope
    whose attachments, the schema's one array, are a list is let through here. With
    PERMITTED_REFERENCE=1 (dsl.contract.reference) every envelope goes to jsonschema."""
    if REFERENCE or type(envelope) is not dict or type(envelope.get("attachments", [])) is not list:
        return False
    import fastjsonschema

    try:
        _compiled_message_check()(envelope)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def message_problems(envelope: Mapping) -> list[tuple[tuple, str]]:
    """Where a message envelope breaks policies/message.schema.json: (path, message) pairs."""
    if _valid_at_once(envelope):
        return []
    out = []
    for e in sorted(_message_validator().iter_errors(envelope), key=lambda e: list(map(str, e.absolute_path))):
        out.append((tuple(e.absolute_path), "give `body` or `html`, not both" if e.validator == "not" else _message(e)))
    return out
