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

    def line_text(self, line: int) -> str:
        if line < 1 or line > len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self._line_starts[line] - 1 if line < len(self._line_starts) else len(self.text)
        return self.text[start:end]
