"""Types of the rule language (contract module).

Stage: resolve and check. Every fact, vocabulary entry, literal and operator result has a
`Type`; the checker compares them and the formatter of errors prints them.
Objects are named after their definition in facts.schema.json (`link`, `hit`, …); their fields
live in the facts schema model (dsl/schema.py), not in the type, so types stay small values.
"""
from __future__ import annotations

from dataclasses import dataclass

@dataclass(frozen=True)
class Regex:
    """A regular expression literal's value: /pattern/flags."""

    pattern: str
    flags: str = ""

    def __str__(self) -> str:
        return "/" + self.pattern + "/" + self.flags


KINDS = ("bool", "number", "string", "date", "regex", "list", "object", "any")


@dataclass(frozen=True)
class Type:
    kind: str
    item: "Type | None" = None          # list element type
    name: str | None = None             # object definition name
    enum: tuple[str, ...] | None = None  # the possible values of a string fact

    def __post_init__(self) -> None:
        assert self.kind in KINDS, self.kind

    def __str__(self) -> str:
        if self.kind == "list":
            return f"list of {self.item}" if self.item and self.item.kind != "any" else "list"
        if self.kind == "object":
            return self.name or "object"
        return self.kind

    @property
    def is_list(self) -> bool:
        return self.kind == "list"

    def plain(self) -> "Type":
        """The type without its enum, for comparing kinds."""
        return Type(self.kind, self.item, self.name) if self.enum else self


BOOL = Type("bool")
NUMBER = Type("number")
STRING = Type("string")
DATE = Type("date")
REGEX = Type("regex")
ANY = Type("any")
LIST_ANY = Type("list", ANY)
LIST_STRING = Type("list", STRING)


def list_of(item: Type) -> Type:
    return Type("list", item)


def obj(name: str) -> Type:
    return Type("object", name=name)


HIT = obj("hit")
LIST_HIT = list_of(HIT)
SENTENCE = obj("sentence")
LIST_SENTENCE = list_of(SENTENCE)


def accepts(expected: Type, actual: Type) -> bool:
    """Can a value of type `actual` stand where `expected` is required?"""
    if expected.kind == "any" or actual.kind == "any":
        return True
    if expected.kind != actual.kind:
        return False
    if expected.kind == "list":
        return accepts(expected.item or ANY, actual.item or ANY)
    if expected.kind == "object":
        return expected.name == actual.name
    return True


def unify(a: Type, b: Type) -> Type | None:
    """The common type of two values compared or listed together, or None if they clash."""
    if a.kind == "any":
        return b
    if b.kind == "any":
        return a
    if a.kind != b.kind:
        return None
    if a.kind == "list":
        inner = unify(a.item or ANY, b.item or ANY)
        return None if inner is None else list_of(inner)
    if a.kind == "object" and a.name != b.name:
        return None
    return a.plain() if a.enum != b.enum else a
