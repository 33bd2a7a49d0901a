"""The layout of a plain-text body: its `$defs/styling` record, line breaks included.

Stage: part of the normaliser, for envelopes whose body is plain text. Input: the text as a
reader sees it. Output: a complete `$defs/styling` record (policies/facts.schema.json): plain
text sets no margin, font, colour or alignment, so those keep their defaults, and
`max_line_breaks` counts line breaks the way the HTML reader counts them (interpreter.facts.html),
so one message reads the same whichever form it was written in. Errors: none.

A line break is the end of a line: "\\n", "\\r\\n" or a lone "\\r" (and the other characters
Python's str.splitlines ends lines at, but for the file and group separators). Between two
lines that hold something, the run of line breaks is one more than the blank lines between
them: "A\\nB" is 1, "A\\n\\nB" (a blank line between paragraphs) is 2, as `<p>A</p><p>B</p>`
is 1 and `A<br><br>B` is 2. A line of white space and invisible characters only (spaces, tabs,
no-break spaces, zero-width spaces) is blank: a reader sees no difference. Breaks before the
first or after the last visible line are not counted, as in HTML.
"""
from __future__ import annotations

import re

from interpreter.facts.styling import StylingTally

_LINE_END = re.compile(r"\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
# White space Python's str.strip() leaves, but a reader does not see.
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS))


def _blank(line: str) -> bool:
    # A line whose first character after the white space is visible holds something: only one
    # that starts with an invisible character is translated (str.translate looks every character
    # of a non-ASCII line up in its table, which for every line of every message added up).
    visible = line.strip()
    return not visible or (visible[0] in _INVISIBLE_CHARS and not visible.translate(_INVISIBLE).strip())


def max_line_breaks(text: str) -> int:
    """The longest run of line breaks between two lines that hold something."""
    longest, last = 0, None               # last: the index of the last line that held something
    for i, line in enumerate(_LINE_END.split(text)):
        if _blank(line):
            continue
        if last is not None:
            longest = max(longest, i - last)
        last = i
    return longest


def plain_styling(text: str) -> dict:
    """`$defs/styling` of a plain-text body."""
    return StylingTally(line_breaks=max_line_breaks(text)).as_dict()
