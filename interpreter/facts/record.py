"""Facts records: complete, validate and prepare a facts record for evaluation.

Stage: between the normaliser (or a ready-made record in an example or a JSON file) and
evaluate. Input: a facts mapping, possibly partial. Output: `Facts`, whose `data` is the full
record with defaults filled in and dates as datetime.date (text becomes a date here and nowhere
else), with the origin of its text when the message was read from a file. Errors: InputError
(I100) naming every place the record breaks policies/facts.schema.json, and every date that
names no calendar day.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping

from dsl.contract import schema as facts_schema
from dsl.contract.errors import Diagnostic, InputError

from interpreter.read.origin import Origin


@dataclass(frozen=True)
class Facts:
    data: dict = field(repr=False)   # read-only by convention: evaluation never writes to it
    # Where message.text is in the file the message was read from; provenance, not a fact.
    origin: Origin | None = field(default=None, repr=False, compare=False)

    @property
    def text(self) -> str:
        return self.data["message"].get("text", "")

    @property
    def marketplace(self) -> str | None:
        return self.data["message"].get("marketplace")


@lru_cache(maxsize=4)
def _date_paths(schema: facts_schema.FactSchema) -> tuple[tuple[str, ...], ...]:
    """Where the dates are; worked out once per schema, not for every message."""
    out = []
    for root in schema.roots:
        for name, spec in schema.fields(root).items():
            if spec.type.kind == "date":
                out.append((root, name))
    return tuple(out)


def calendar_date(value) -> _dt.date:
    """The day a date fact names: a date, a datetime, or ISO text (YYYY-MM-DD, or a timestamp
    whose date part is all that counts). ValueError when it names no calendar day.

    The one place date text becomes a date: the time of day is dropped because no rule reads
    it (facts.schema.json: "only the date counts"), and operators and comparisons take the
    date as it is. Output turns it back into ISO text (dsl.contract.schema.as_json_data)."""
    if isinstance(value, _dt.date):
        return value.date() if isinstance(value, _dt.datetime) else value
    return _dt.date.fromisoformat(str(value)[:10])


def build_facts(record: Mapping, marketplace: str | None = None, *, validate: bool = True,
                source: str = "<facts>", origin: Origin | None = None) -> Facts:
    schema = facts_schema.load_schema()
    data = facts_schema.complete(record, marketplace, schema)
    if validate:
        found = facts_schema.problems(data, schema)
        if found:
            raise InputError([Diagnostic("I100", f"{source}: facts.{'.'.join(map(str, where)) or '(root)'}: {message}",
                                         help="run `permitted facts` to see the facts and their types")
                              for where, message in found])
    bad = []
    for root, name in _date_paths(schema):
        if name in data.get(root, {}):
            try:
                data[root][name] = calendar_date(data[root][name])
            except ValueError:
                bad.append(Diagnostic("I100", f"{source}: facts.{root}.{name}: {data[root][name]!r} is not a calendar date",
                                      help="write dates as YYYY-MM-DD or an ISO 8601 timestamp"))
    if bad:
        raise InputError(bad)
    return Facts(data, origin)
