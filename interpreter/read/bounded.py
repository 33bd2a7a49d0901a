"""JSON and YAML as a message may be written: read with bounds on what they make the reader build.

Stage: reading envelopes (interpreter.read.envelope; YAML in interpreter.read.yaml_file, which
holds the loader these bounds make, so that PyYAML is imported only for a YAML file). Input: the
text of a JSON or YAML envelope (or an SP-API request body). Output: the data, as `json.loads` and
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

Errors: `OverLimit` (a bound above: the caller reports I102), `Malformed` (a duplicate key, a
number that is not one: I101) and `NotYAML` (what PyYAML cannot read: I101), all ValueErrors
carrying a message that names the place.
"""
from __future__ import annotations

import json
import math

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


class NotYAML(ValueError):
    """A text PyYAML cannot read, with PyYAML's message (interpreter.read.yaml_file)."""
