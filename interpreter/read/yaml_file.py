"""YAML message files: read within the bounds of interpreter.read.bounded, and where their strings
are written.

Stage: part of reading an envelope (interpreter.read.envelope), for a `.yaml` or `.yml` file
only: PyYAML and the loader below are imported when such a file is read (about 25 ms of a cold
start that a text or JSON message does not need). Input: the file's text. Output: its data, as
`yaml.safe_load` reads it, the nodes of its top-level mapping, and for a string member the
`Written` map of the characters that write it. Errors: OverLimit, Malformed and NotYAML
(interpreter.read.bounded), raised for the caller to name.
"""
from __future__ import annotations

import math
import re

import yaml

from interpreter.read.bounded import MAX_INTEGER_DIGITS, MAX_NESTING, Malformed, NotYAML, OverLimit
from interpreter.read.written import Written

_BLOCK_LINE = re.compile(r"^( *)[^ \r\n]", re.MULTILINE)   # a block scalar's first line with content


class BoundedLoader(yaml.SafeLoader):
    """yaml.SafeLoader that refuses anchors, aliases, deep nesting, huge integers, non-finite
    numbers and duplicate keys. PyYAML composes recursively, one level of Python calls per level
    of nesting: the bound is checked before each level is entered. A timestamp naming no calendar
    day (`2020-02-30`) stays text: the facts record then names it like any other bad date, where
    PyYAML would raise."""

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

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)


BoundedLoader.add_constructor("tag:yaml.org,2002:int", BoundedLoader.construct_yaml_int)
BoundedLoader.add_constructor("tag:yaml.org,2002:float", BoundedLoader.construct_yaml_float)
BoundedLoader.add_constructor("tag:yaml.org,2002:timestamp", BoundedLoader.construct_yaml_timestamp)


def load_yaml(text: str) -> tuple[object, dict[str, yaml.Node]]:
    """The data of a YAML text, as yaml.safe_load reads it (but for impossible dates, which stay
    text, and within the bounds of interpreter.read.bounded, whose errors it raises), and the
    nodes of its top-level mapping's values by key."""
    try:
        loader = BoundedLoader(text)        # its reader refuses some characters at once
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise NotYAML(str(exc)) from None
    nodes: dict[str, yaml.Node] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                nodes[key.value] = value    # the last of duplicate keys, as construction takes it
    return data, nodes


def yaml_written(text: str, node: yaml.Node | None, value) -> Written | None:
    """The map of a YAML scalar node's string value."""
    if not isinstance(node, yaml.ScalarNode) or not isinstance(value, str):
        return None
    start, end, style = node.start_mark.index, node.end_mark.index, node.style
    if style in ('"', "'"):
        return Written(text, start + 1, end - 1, value, style)
    if style in ("|", ">"):
        header = text.find("\n", start, end)      # the `|-` or `>2` line: the value begins below it
        first = end if header < 0 else header + 1
        lines = _BLOCK_LINE.search(text, first, end)
        indent = len(lines.group(1)) if lines else 0
        return Written(text, first, end, value, "", indent)
    return Written(text, start, end, value, "")
