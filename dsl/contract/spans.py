"""Source positions (contract module).

Stage: shared by every stage. A `Span` names a region of a file by line and column (1-based,
end exclusive); `SourceText` turns character offsets into spans and gives back source lines,
so every error can be shown with the offending line and a caret.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


# A diagnostic quotes a line of at most LINE_LIMIT characters whole, and a longer one by a window
# around the column it points at (dsl.contract.errors): a policy may hold an 890 KB line.
LINE_LIMIT = 200
_BEFORE = 60                 # characters of a long line kept before the column


def window(length: int, column: int) -> tuple[int, int]:
    """The part [start, end) of a line of `length` characters a diagnostic at `column` (1-based)
    quotes, leaving room for a `…` at each end that is cut."""
    if length <= LINE_LIMIT:
        return 0, length
    start = max(0, min(column - 1 - _BEFORE, length - (LINE_LIMIT - 1)))
    return start, min(length, start + LINE_LIMIT - 2)


def span_field():
    """A dataclass field for a node's span: kept for messages, left out of == and repr,
    so trees written differently but meaning the same compare equal."""
    return field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class SourceText:
    """A file's text with a line index; offsets are indexes into `text`."""

    file: str
    text: str
    _line_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts = [0]
        at = self.text.find("\n")
        while at >= 0:
            starts.append(at + 1)
            at = self.text.find("\n", at + 1)
        object.__setattr__(self, "_line_starts", tuple(starts))

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    def span(self, start: int, end: int) -> Span:
        line, column = self.position(start)
        end_line, end_column = self.position(max(end, start + 1) if end <= start else end)
        return Span(self.file, line, column, end_line, end_column)

    def excerpt(self, line: int, column: int) -> tuple[str, int]:
        """A line as a diagnostic quotes it — whole, or a window around `column` marked with `…`
        — and the shift (dsl.contract.errors.excerpt), without copying a long line whole."""
        if line < 1 or line > len(self._line_starts):
            return "", 0
        first = self._line_starts[line - 1]
        end = self._line_starts[line] - 1 if line < len(self._line_starts) else len(self.text)
        a, b = window(end - first, column)
        head = "…" if a > 0 else ""
        return head + self.text[first + a:first + b] + ("…" if first + b < end else ""), a - len(head)

    def line_text(self, line: int) -> str:
        if line < 1 or line > len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self._line_starts[line] - 1 if line < len(self._line_starts) else len(self.text)
        return self.text[start:end]
