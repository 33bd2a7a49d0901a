"""Stage 1 of the compiler: load a policy file as YAML, keeping positions.

Input: a path. Output: `LoadedFile` — plain data (dicts, lists, strings, numbers, booleans;
dates as ISO strings) and, for every value, where it sits in the file, so later stages can
point into the YAML the author edits, including inside `when: |` blocks.
Errors (PolicyError): unreadable file (P103: also a device, a pipe or anything but a regular
file, and a file over MAX_FILE_BYTES), YAML syntax (P100: also nesting deeper than MAX_NESTING
and integers longer than MAX_INTEGER_CHARS), duplicate keys (P101), anchors and aliases (P102) —
rejected because a rule copied by alias hides what a diff shows.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from dsl.contract.errors import Diagnostic, PolicyError
from dsl.contract.spans import SourceText, Span

Key = tuple  # a path into the data: ("rules", 3, "when")

# Bounds on what a policy file may make the loader build. A policy comes from a colleague or a
# pull request; the largest bundled file is 160 KB and nests 7 levels deep. An integer of
# thousands of digits (or a YAML 1.1 base-60 one, `1:2:3:…`) costs time quadratic in its length
# to build, and Python refuses to read one over 4,300 digits.
MAX_FILE_BYTES = 2_000_000
MAX_NESTING = 64
MAX_INTEGER_CHARS = 100

# libyaml's parser gives the same nodes and marks as the pure-Python one, five times faster;
# the pure-Python one is the fallback where PyYAML was built without libyaml.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Located:
    start: int               # offsets of the value node in the file text
    end: int
    style: str | None        # YAML scalar style: None (plain), "'", '"', "|", ">"
    key_start: int | None = None
    key_end: int | None = None


@dataclass(frozen=True)
class LoadedFile:
    source: SourceText
    data: object
    where: Mapping[Key, Located] = field(repr=False)

    @property
    def file(self) -> str:
        return self.source.file

    def _nearest(self, path: Key) -> Located | None:
        path = tuple(path)
        while path not in self.where and path:
            path = path[:-1]
        return self.where.get(path)

    def span(self, path: Key) -> Span:
        loc = self._nearest(path)
        if loc is None:
            return self.source.span(0, 1)
        return self.source.span(loc.start, loc.end)

    def key_span(self, path: Key) -> Span:
        loc = self.where.get(tuple(path))
        if loc is None or loc.key_start is None:
            return self.span(path)
        return self.source.span(loc.key_start, loc.key_end)

    def scalar_offsets(self, path: Key) -> list[int] | None:
        """For a string value, the file offset of each of its characters (plus one past the end)."""
        loc = self.where.get(tuple(path))
        value = self.get(path)
        if loc is None or not isinstance(value, str):
            return None
        return _align(self.source.text, loc, value)

    def get(self, path: Key) -> object:
        node = self.data
        for part in path:
            node = node[part]
        return node

    def diagnostic(self, code: str, message: str, span: Span, help: str | None = None) -> Diagnostic:
        line, shift = self.source.excerpt(span.line, span.column)
        return Diagnostic(code, message, span, line, help, shift)


def _align(text: str, loc: Located, value: str) -> list[int]:
    """Map each character of a scalar's value to its offset in the file.

    YAML folds line breaks and strips indentation, so the value is walked against the source
    text greedily: a non-blank character matches its next occurrence; a space or newline in the
    value matches any blank. Good to the column for plain, quoted and block scalars.
    """
    i = loc.start
    if loc.style in ("|", ">"):
        i = text.find("\n", i) + 1 or loc.start
    elif loc.style in ("'", '"'):
        i += 1
    end = max(loc.end, i)
    offsets: list[int] = []
    for ch in value:
        j = i
        while j < end:
            src = text[j]
            if src == ch or (ch in " \n\t" and src in " \n\t"):
                break
            j += 1
        if j >= end:      # escapes or folding we could not follow: stay put
            j = min(i, end)
        offsets.append(j)
        i = j + 1
    offsets.append(min(i, max(end, i)))
    return offsets


def _check_events(text: str, source: SourceText) -> list[Diagnostic]:
    problems = []
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        mark = event.start_mark
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_NESTING:
                span = source.span(mark.index, mark.index + 1)
                return problems + [Diagnostic("P100", f"YAML nested more than {MAX_NESTING} levels deep", span,
                                              source.line_text(span.line), "a policy file nests a few levels: check the brackets")]
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        if isinstance(event, yaml.AliasEvent):
            what = f"alias `*{event.anchor}`"
        elif getattr(event, "anchor", None):
            what = f"anchor `&{event.anchor}`"
        else:
            continue
        span = source.span(mark.index, event.end_mark.index)
        problems.append(Diagnostic(
            "P102", f"YAML {what} is not allowed in a policy file", span, source.line_text(span.line),
            "write the value out in full (or put shared rules in a base file and use `extends:`)"))
    return problems


class _Builder:
    def __init__(self, source: SourceText):
        self.source = source
        self.where: dict[Key, Located] = {}
        self.problems: list[Diagnostic] = []
        self.constructor = SafeConstructor()

    def build(self, node, path: Key):
        style = node.style if isinstance(node, ScalarNode) else None
        previous = self.where.get(path)
        located = Located(node.start_mark.index, node.end_mark.index, style or None,
                          previous.key_start if previous else None, previous.key_end if previous else None)
        self.where[path] = located
        if isinstance(node, MappingNode):
            out: dict = {}
            for key_node, value_node in node.value:
                # Keys are always text: `0:` or `true:` as a key is a typo, reported by the shape check.
                key = key_node.value if isinstance(key_node, ScalarNode) else "(complex key)"
                if key in out:
                    span = self.source.span(key_node.start_mark.index, key_node.end_mark.index)
                    first = self.where[path + (key,)]
                    line, _ = self.source.position(first.key_start)
                    self.problems.append(Diagnostic(
                        "P101", f"duplicate key `{key}`", span, self.source.line_text(span.line),
                        f"`{key}` is already set on line {line}; YAML would silently keep only the last one"))
                    continue
                self.where[path + (key,)] = Located(0, 0, None, key_node.start_mark.index, key_node.end_mark.index)
                out[key] = self.build(value_node, path + (key,))
            return out
        if isinstance(node, SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def scalar(self, node: ScalarNode):
        # Dates stay text: later stages check them, and YAML's own timestamp parsing
        # would turn a mistake like 0000-01-01 into a crash instead of an error message.
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value
        if node.tag == "tag:yaml.org,2002:int" and len(node.value) > MAX_INTEGER_CHARS:
            span = self.source.span(node.start_mark.index, node.end_mark.index)
            self.problems.append(Diagnostic("P100", f"number too long ({len(node.value):,} characters; "
                                                    f"at most {MAX_INTEGER_CHARS})", span,
                                            self.source.line_text(span.line), "quote the value to keep it as text"))
            return node.value
        try:
            return self.constructor.construct_object(node, deep=True)
        except (ValueError, TypeError, IndexError, KeyError, yaml.YAMLError) as exc:   # what PyYAML's constructors raise
            span = self.source.span(node.start_mark.index, node.end_mark.index)
            self.problems.append(Diagnostic("P100", f"YAML value cannot be read: {exc}", span,
                                            self.source.line_text(span.line), "quote the value to keep it as text"))
            return node.value


def _yaml_help(exc: yaml.MarkedYAMLError, line: str) -> str:
    stripped = line.strip()
    if "mapping values are not allowed" in str(exc.problem) and stripped.split(":", 1)[0].lstrip("- ") in ("when", "hint", "clause", "title"):
        return ("a value containing `: ` (as in `any x in list: …`) must be a block: write `when: |` "
                "and the condition indented on the next lines")
    return "check indentation, quotes and colons on this line and the one above"


def load_text(text: str, file: str) -> LoadedFile:
    source = SourceText(file, text)
    try:
        problems = _check_events(text, source)
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        span = source.span(mark.index, mark.index + 1) if mark else source.span(0, 1)
        message = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        raise PolicyError([Diagnostic("P100", f"YAML syntax: {message}", span, source.line_text(span.line),
                                      _yaml_help(exc, source.line_text(span.line)))]) from None
    except yaml.YAMLError as exc:
        raise PolicyError([Diagnostic("P100", f"YAML syntax: {exc}", source.span(0, 1), source.line_text(1))]) from None
    if problems:
        raise PolicyError(problems)
    if root is None:
        return LoadedFile(source, None, {})
    builder = _Builder(source)
    data = builder.build(root, ())
    if builder.problems:
        raise PolicyError(builder.problems)
    return LoadedFile(source, data, builder.where)


def read_policy_bytes(path: str | Path, display: str | None = None) -> bytes:
    """The bytes of a policy file: a regular file of at most MAX_FILE_BYTES, else P103.

    Opened without blocking and checked on the open file, so a pipe, a device (`/dev/zero`) or a
    file swapped for one after a check can neither hang the reader nor fill its memory."""
    name = display or str(path)
    where = Span(name, 1, 1, 1, 1)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError) as exc:     # ValueError: a NUL in the name
        raise PolicyError([Diagnostic("P103", f"cannot read policy file: {getattr(exc, 'strerror', None) or exc}",
                                      where)]) from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise PolicyError([Diagnostic("P103", "cannot read policy file: not a regular file", where,
                                          help="a policy is a YAML file, not a folder, device or pipe")])
        if info.st_size > MAX_FILE_BYTES:
            raise PolicyError([Diagnostic("P103", f"policy file too large ({info.st_size:,} bytes; "
                                                  f"at most {MAX_FILE_BYTES:,})", where)])
        try:
            raw = f.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise PolicyError([Diagnostic("P103", f"cannot read policy file: {exc.strerror or exc}", where)]) from None
    if len(raw) > MAX_FILE_BYTES:            # it grew after the check
        raise PolicyError([Diagnostic("P103", f"policy file too large (over {MAX_FILE_BYTES:,} bytes)", where)])
    return raw


def read_policy_text(path: str | Path, display: str | None = None) -> str:
    """The text of a policy file (UTF-8, a byte-order mark dropped), else P103."""
    raw = read_policy_bytes(path, display)
    try:
        return raw.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise PolicyError([Diagnostic("P103", f"policy file is not UTF-8 (byte {exc.start})",
                                      Span(display or str(path), 1, 1, 1, 1), help="save the file as UTF-8")]) from None


def load_file(path: str | Path, display: str | None = None) -> LoadedFile:
    name = display or str(path)
    return load_text(read_policy_text(path, name), name)
