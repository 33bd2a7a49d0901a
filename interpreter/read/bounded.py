"""JSON and YAML as a message may be written: read with bounds on what they make the reader build.

Stage: reading envelopes (interpreter.read.envelope, interpreter.read.written). Input: the text of
a JSON or YAML envelope (or an SP-API request body). Output: the data, as `json.loads` and
`yaml.safe_load` would give it. A message comes from anyone, and these parsers will otherwise
build whatever a text describes: a 1 KB YAML file of nested anchors and aliases expands to
gigabytes ("billion laughs"), a JSON text nested 100,000 deep exhausts the stack, an integer of
thousands of digits costs time quadratic in its length (Python refuses one over 4,300 digits).

- YAML anchors and aliases are refused, as in policy files: an envelope never needs them.
- Nesting is at most MAX_NESTING levels (an envelope nests four: envelope, order, attachments,
  an attachment).
- Integers have at most MAX_INTEGER_DIGITS characters; numbers must be finite (no NaN,
  Infinity, `.inf`).
- A key may appear only once in a mapping: a parser would silently keep the last, so a message
  could show one body to a reader and another to us.

Errors: `OverLimit` (a bound above: the caller reports I102) and `Malformed` (a duplicate key, a
number that is not one: I101), both ValueErrors carrying a message that names the place.
"""
from __future__ import annotations

import json
import math

import yaml

MAX_NESTING = 64
MAX_INTEGER_DIGITS = 100


class OverLimit(ValueError):
    """The text asks the reader to build more than the bounds allow."""


class Malformed(ValueError):
    """The text is not well-formed data: a duplicate key, a number that is not finite."""


# ---- JSON ----------------------------------------------------------------------------------------

def _pairs(pairs: list[tuple[str, object]]) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise Malformed(f"duplicate key {json.dumps(key)[:80]}")
        out[key] = value
    return out


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise OverLimit(f"integer of {len(text):,} digits (at most {MAX_INTEGER_DIGITS})")
    return int(text)


def _real(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise Malformed(f"number out of range: {text[:40]}")
    return value


def _constant(text: str):
    raise Malformed(f"{text} is not a JSON number")


def _depth(data) -> int:
    """How deeply lists and mappings nest in `data`, measured without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


def load_json(text: str):
    """`json.loads(text)` within the bounds; json.JSONDecodeError for text that is not JSON."""
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_int=_integer, parse_float=_real,
                          parse_constant=_constant)
    except RecursionError:
        # The standard library's scanner recurses once per level: past the interpreter's limit
        # this is the only report it gives of a text nested that deep.
        raise OverLimit(f"nested more than {MAX_NESTING} levels deep") from None
    if _depth(data) > MAX_NESTING:
        raise OverLimit(f"nested more than {MAX_NESTING} levels deep")
    return data


# ---- YAML ----------------------------------------------------------------------------------------

class BoundedLoader(yaml.SafeLoader):
    """yaml.SafeLoader that refuses anchors, aliases, deep nesting, huge integers, non-finite
    numbers and duplicate keys. PyYAML composes recursively, one level of Python calls per level
    of nesting: the bound is checked before each level is entered."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise OverLimit(f"alias `*{event.anchor}` on line {event.start_mark.line + 1}: "
                            "anchors and aliases are not allowed in a message file")
        if getattr(event, "anchor", None):
            raise OverLimit(f"anchor `&{event.anchor}` on line {event.start_mark.line + 1}: "
                            "anchors and aliases are not allowed in a message file")
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            self._depth += 1
            if self._depth > MAX_NESTING:
                raise OverLimit(f"nested more than {MAX_NESTING} levels deep (line {event.start_mark.line + 1})")
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
        return super().compose_node(parent, index)

    def construct_yaml_int(self, node):
        if len(node.value) > MAX_INTEGER_DIGITS:
            raise OverLimit(f"integer of {len(node.value):,} characters on line {node.start_mark.line + 1} "
                            f"(at most {MAX_INTEGER_DIGITS})")
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node):
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise Malformed(f"number out of range on line {node.start_mark.line + 1}: {node.value[:40]}")
        return value

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: set = set()
            for key_node, _ in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
                if key in seen:
                    raise Malformed(f"duplicate key `{str(key)[:80]}` on line {key_node.start_mark.line + 1}")
                seen.add(key)
        return super().construct_mapping(node, deep)


BoundedLoader.add_constructor("tag:yaml.org,2002:int", BoundedLoader.construct_yaml_int)
BoundedLoader.add_constructor("tag:yaml.org,2002:float", BoundedLoader.construct_yaml_float)
