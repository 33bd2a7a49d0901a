"""Text from messages, file names and policies made safe to show: on a terminal, in a page, as JSON.

Stage: output, under every rendering. Input: any string a user, a message or a policy file
supplied. Output: the same text with every character that could act instead of being read
shown as a visible stand-in, or, for JSON, escaped losslessly. Messages come from anyone: an
escape sequence in a message, its subject or its file name could clear the screen, rewrite
BLOCKED into ALLOWED or plant a hidden link (OSC 8); a bidi override could reorder what a page
shows; a lone surrogate (not a character: a JSON `\\ud800`, a file name that is not UTF-8) cannot
be written as UTF-8 at all. Lone surrogates are shown here, at the output boundary, rather than
refused when a message is read: file names (which no reader can refuse) carry them too, and the
rest of a message holding one can still be judged. No errors.

- C0 controls and DEL become the Unicode control pictures (`\\x1b` → `␛`, NUL → `␀`): one
  character each, so columns and carets stay aligned;
- C1 controls, the bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and
  lone surrogates have no picture: they become their escape (`\\x9b`, `\\u202e`, `\\ud800`).

Line feeds and tabs are kept where text has lines (`visible`), a CR only before a line feed;
`visible_line` is for what must stay on one line (a file name, a subject, a title).
"""
from __future__ import annotations

import json
import re

_PICTURES = {c: chr(0x2400 + c) for c in range(0x20)} | {0x7F: "\u2421"}

# Shown everywhere: DEL, C1, bidi embeddings, overrides and isolates, lone surrogates.
_SHOWN = "\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
# In text with lines, LF, TAB and the CR of a CRLF are layout, not something to show.
_IN_LINES = re.compile(f"\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f{_SHOWN}]")
_IN_LINE = re.compile(f"[\x00-\x1f{_SHOWN}]")
# What json.dumps(ensure_ascii=False) leaves raw inside its strings (it escapes C0 itself).
_IN_JSON = re.compile(f"[{_SHOWN}]")


def _stand_in(match: re.Match) -> str:
    code = ord(match.group())
    if code in _PICTURES:
        return _PICTURES[code]
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every control character, bidi control and lone surrogate shown (lines kept)."""
    return _IN_LINES.sub(_stand_in, text)


def visible_line(text: str) -> str:
    """`visible`, with line breaks and tabs shown too: for what must stay on one line."""
    return _IN_LINE.sub(_stand_in, text)


def markdown_cell(text: str) -> str:
    """`text` for one cell of a Markdown table: on one line, with the backslashes and pipes that
    would end or bend the cell escaped (control characters are shown when the document is written)."""
    return " ".join(text.splitlines()).replace("\\", "\\\\").replace("|", "\\|")


def json_text(data, *, indent: int | None = None, sort_keys: bool = False) -> str:
    """JSON for a file or a terminal: readable non-ASCII text, and the characters a terminal
    could act on (DEL, C1, bidi controls) or UTF-8 cannot hold (lone surrogates) as `\\uXXXX`
    escapes, which read back as the very same string (but for a high surrogate right before a low
    one, which JSON reads as the one character the two encode)."""
    raw = json.dumps(data, ensure_ascii=False, indent=indent, sort_keys=sort_keys)
    return _IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", raw)
