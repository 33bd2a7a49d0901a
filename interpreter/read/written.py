"""Strings as JSON and YAML files write them: where a message's body is in an envelope file.

Stage: part of reading an envelope (interpreter.read.envelope). Input: the file's text, parsed
once. Output: the data, and for the top-level string members (`body`, `html`, an SP-API
request's `text`) the characters that write them, as a `Written` offset map. Errors: those of
the parsers, raised as they are (the caller names them); a member that cannot be found has no map.

JSON: the standard library's own scanner walks the top-level object, so a member is found where
`json.loads` took it (the last of duplicate keys). YAML: the document is composed and then
constructed, as `yaml.safe_load` does, and the composed nodes keep their marks.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from json.decoder import scanstring

from interpreter.read.origin import Derived

_DECODER = json.JSONDecoder()
_JSON_SPACE = " \t\n\r"

# Single-character escapes: JSON's (RFC 8259), and those of YAML's double-quoted style
# (YAML 1.1, as PyYAML reads them).
_JSON_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_YAML_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
                 "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
                 "L": "\u2028", "P": "\u2029"}
_HEX_DIGITS = {"json": {"u": 4}, '"': {"x": 2, "u": 4, "U": 8}}
_HEX = re.compile(r"[0-9A-Fa-f]+")
_LOW_SURROGATE = re.compile(r"\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE)


@dataclass(frozen=True)
class Written(Derived):
    """`value` as `source[start:end]` writes it: the characters between a string's quotes, the
    lines of a YAML block scalar, or a plain YAML scalar. `quoting` names the escapes in use:
    "json", '"' or "'" (YAML quoted styles), "" (none)."""
    source: str
    start: int
    end: int
    value: str
    quoting: str
    indent: int = 0         # a block scalar's indentation: spaces at the start of its lines, not of its value

    def places(self):
        s, v, quoting, indent = self.source, self.value, self.quoting, self.indent
        escapes = quoting in ("json", '"')
        j, i, out = self.start, 0, []
        dedented = -1
        while i < len(v):
            c = v[i]
            if indent and j != dedented and (j == self.start or s[j - 1] == "\n"):
                dedented = j = _dedent(s, j, min(j + indent, self.end))
            if j < self.end:
                ch = s[j]
                if ch == "\\" and escapes:
                    found = next(((chars, after) for chars, after in _escapes(s, j, quoting)
                                  if v.startswith(chars, i)), None)
                    if found is None:
                        return None
                    chars, after = found
                    out.extend((j, after) for _ in chars)
                    i, j = i + len(chars), after
                    continue
                if ch == "'" and quoting == "'" and c == "'" and s.startswith("''", j):
                    out.append((j, j + 2))
                    i, j = i + 1, j + 2
                    continue
                if ch == c:
                    out.append((j, j + 1))
                    i, j = i + 1, j + 1
                    continue
                if ch in " \t\r\n":
                    j += 1                    # indentation, or a line break folded away
                    continue
            if c in " \n":
                out.append((j, j))            # a space or line break folding or chomping made from none
                i += 1
                continue
            return None                       # the value is not what these characters write
        return out


def _dedent(s: str, j: int, limit: int) -> int:
    while j < limit and s[j] == " ":
        j += 1
    return j


def _escapes(s: str, j: int, quoting: str) -> list[tuple[str, int]]:
    """What the escape at s[j] (a backslash) may stand for, and where it ends: "" for YAML's
    escaped line break; for an escaped surrogate pair, the one character JSON makes of it, then
    the first half alone, as YAML keeps it."""
    kind = s[j + 1:j + 2]
    table = _JSON_ESCAPES if quoting == "json" else _YAML_ESCAPES
    if kind and kind in table:
        return [(table[kind], j + 2)]
    width = _HEX_DIGITS[quoting].get(kind)
    if width is not None:
        digits = _HEX.fullmatch(s, j + 2, j + 2 + width)
        if digits is None or digits.end() - digits.start() != width:
            return []
        code, after = int(digits.group(), 16), j + 2 + width
        low = _LOW_SURROGATE.match(s, after) if 0xD800 <= code < 0xDC00 else None
        if low is not None:
            pair = chr(0x10000 + ((code - 0xD800) << 10) + (int(low.group(1), 16) - 0xDC00))
            return [(pair, low.end()), (chr(code), after)]
        return [(chr(code), after)]
    if quoting == '"' and kind in ("\n", "\r"):
        return [("", j + (3 if s.startswith("\r\n", j + 1) else 2))]
    return []


def json_members(text: str) -> dict[str, tuple[int, int]]:
    """Where the top-level object of a JSON text writes each string member: the characters
    between its quotes. Empty when the text is not an object."""
    out: dict[str, tuple[int, int]] = {}
    i = _skip(text, 0)
    if text[i:i + 1] != "{":
        return out
    i = _skip(text, i + 1)
    while i < len(text) and text[i] == '"':
        key, i = scanstring(text, i + 1)
        i = _skip(text, i)
        if text[i:i + 1] != ":":
            return out
        i = _skip(text, i + 1)
        if text[i:i + 1] == '"':
            _, after = scanstring(text, i + 1)
            out[key] = (i + 1, after - 1)
            i = after
        else:
            out.pop(key, None)              # a later non-string value replaces an earlier string
            _, i = _DECODER.raw_decode(text, i)
        i = _skip(text, i)
        if text[i:i + 1] != ",":
            break
        i = _skip(text, i + 1)
    return out


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _JSON_SPACE:
        i += 1
    return i


def json_written(text: str, key: str, value) -> Written | None:
    """The map of a top-level string member of a JSON object text."""
    if not isinstance(value, str):
        return None
    try:
        where = json_members(text).get(key)
    except (ValueError, IndexError):        # not the JSON json.loads read: no map rather than a wrong one
        return None
    return None if where is None else Written(text, where[0], where[1], value, "json")
