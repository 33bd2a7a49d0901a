"""Where a message's text is in the file it was read from: the offsets the readers know.

Stage: made by the readers (interpreter.read), extended by the normaliser, carried on the
envelope (`Envelope.origin`), then on Facts and on the application's rows to the views that
point into files (SARIF). Input: what a reader knows as it reads — the characters of the file
that hold the message, the line they begin on, where the body was written and how it was
encoded. Output: `Origin.span`, the characters of the file that hold a span of `message.text`,
found without opening the file again. Errors: none; a span that cannot be placed is None.

The text the rules see is decoded up to three times on its way from the file: from a JSON or
YAML string or a MIME transfer encoding (the reader), from HTML (the HTML reader), into NFC (the
normaliser). Each decoding has an `OffsetMap` from the decoded string to the one it was decoded
from, and an Origin chains them. A map that needs a pass over the text is worked out on first
use (`Derived`): most runs never ask where a span is, so they do not pay for it.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Iterable, Mapping, Sequence

from dsl.contract.errors import Diagnostic, InputError

class OffsetMap:
    """Offsets in a decoded string -> offsets in the string it was decoded from."""

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """The source characters that hold the decoded characters [start, end)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Shift(OffsetMap):
    """The decoded string is the source from `at` on, character for character."""
    at: int = 0

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        return start + self.at, end + self.at


@dataclass(frozen=True)
class Pieces(OffsetMap):
    """A map stored as pieces: runs of characters copied one for one, and single characters
    written with several source characters (an escape, an entity, `=E2=80=99`) or with none (a
    line break a decoder added, which sits between two source characters)."""
    starts: tuple[int, ...]                          # decoded offset at which each piece begins
    places: tuple[tuple[int, int] | None, ...]       # the source characters of each piece
    length: int                                      # length of the decoded string

    @classmethod
    def of(cls, places: Sequence[tuple[int, int] | None]) -> "Pieces":
        """Pieces from the source characters of each decoded character."""
        starts: list[int] = []
        merged: list[tuple[int, int] | None] = []
        for i, place in enumerate(places):
            if merged and place is not None and place[1] - place[0] == 1:
                last = merged[-1]
                if last is not None and last[1] == place[0] and last[1] - last[0] == i - starts[-1]:
                    merged[-1] = (last[0], place[1])          # one more character of a copied run
                    continue
            starts.append(i)
            merged.append(place)
        return cls(tuple(starts), tuple(merged), len(places))

    def char(self, i: int) -> tuple[int, int] | None:
        k = bisect.bisect_right(self.starts, i) - 1
        place = self.places[k]
        if place is None:
            return None
        width = (self.starts[k + 1] if k + 1 < len(self.starts) else self.length) - self.starts[k]
        if place[1] - place[0] != width:
            return place                                  # one character, or characters made from none
        at = place[0] + i - self.starts[k]
        return at, at + 1

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        if not 0 <= start <= end <= self.length or not self.length:
            return None
        if start == end:
            edge = self.char(start) if start < self.length else self.char(start - 1)
            if edge is None:
                return None
            at = edge[0] if start < self.length else edge[1]
            return at, at
        first, last = self.char(start), self.char(end - 1)
        if first is None or last is None:
            return None
        return first[0], last[1]


class Derived(OffsetMap):
    """A map worked out on first use from what a decoder recorded (subclasses are frozen
    dataclasses of that record, so they pickle and compare as values)."""

    def places(self) -> Sequence[tuple[int, int] | None] | None:
        """The source characters of each decoded character; None when they cannot be told."""
        raise NotImplementedError

    @cached_property
    def pieces(self) -> Pieces | None:
        found = self.places()
        return None if found is None else Pieces.of(found)

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        pieces = self.pieces
        return None if pieces is None else pieces.span(start, end)


@dataclass(frozen=True)
class Normalised(Derived):
    """`text` is `original` in Unicode NFC. Composition works within runs that begin at a
    character of combining class 0, so each run of the text maps to its run of the original:
    one for one where NFC left it alone, as a whole where it composed characters."""
    text: str
    original: str

    def places(self):
        original = self.original
        runs = [i for i, c in enumerate(original) if i == 0 or not unicodedata.combining(c)]
        out: list[tuple[int, int]] = []
        written: list[str] = []
        for a, b in zip(runs, [*runs[1:], len(original)]):
            piece = original[a:b]
            composed = unicodedata.normalize("NFC", piece)
            written.append(composed)
            if composed == piece:
                out.extend((a + k, a + k + 1) for k in range(b - a))
            else:
                out.extend((a, b) for _ in composed)
        # Runs composed apart can differ from the whole composed at once (Hangul jamo are all
        # starters); then the text is not placed rather than placed wrongly.
        return out if "".join(written) == self.text else None


@dataclass(frozen=True)
class Origin:
    """Where a message is in its file, and how to find a span of its text there.

    `maps` run from the text the rules see to `source`: the normaliser puts its maps in front of
    the reader's. A None among them is a decoding that cannot be undone character by character
    (a base64 e-mail body): spans are then not placed, and `body_at` names where the body begins.
    """
    source: str                              # the file's characters that hold the message
    line: int = 1                            # the file's line on which `source` begins (1-based)
    body_at: int | None = 0                  # where the body (or html) begins in `source`; None: not in the file
    maps: tuple[OffsetMap | None, ...] = ()

    @classmethod
    def unplaced(cls, source: str, body_at: int | None = None) -> "Origin":
        """A message whose body the reader could not place in `source`."""
        return cls(source, 1, body_at, (None,))

    def through(self, decoded: OffsetMap | None) -> "Origin":
        """The origin of a string decoded from this one's text (by `decoded`)."""
        return replace(self, maps=(decoded, *self.maps))

    def within(self, source: str, line: int, at: int) -> "Origin":
        """This message as part of more of the file: `source[at:]` begins with this one's source,
        on the file's line `line`."""
        maps = (*self.maps, Shift(at)) if at else self.maps
        return Origin(source, line, None if self.body_at is None else self.body_at + at, maps)

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """The characters of `source` that hold the text's characters [start, end)."""
        for offsets in self.maps:
            if offsets is None:
                return None
            placed = offsets.span(start, end)
            if placed is None:
                return None
            start, end = placed
        return start, end

    @cached_property
    def _line_starts(self) -> tuple[int, ...]:
        return (0, *(m.end() for m in re.finditer("\n", self.source)))

    def point(self, offset: int) -> tuple[int, int]:
        """The file's line and column (1-based, in characters) of an offset into `source`."""
        starts = self._line_starts
        k = bisect.bisect_right(starts, offset)
        return self.line + k - 1, offset - starts[k - 1] + 1

    @property
    def last_line(self) -> int:
        """The file's last line that holds some of `source` (a final line break ends it)."""
        return self.line + self.source.count("\n", 0, max(len(self.source) - 1, 0))


class Envelope(dict):
    """A checked envelope (policies/message.schema.json) with the origin of its text when the
    reader knows it. Everywhere else it is the plain mapping it was: fields merged into a new
    mapping leave the origin behind, as they must, since the text may then come from elsewhere."""
    __slots__ = ("origin",)

    def __init__(self, fields: Mapping, origin: Origin | None = None):
        super().__init__(fields)
        self.origin = origin


class Unread(InputError):
    """A message of a batch file that could not be read, and the lines of the file that hold it."""

    def __init__(self, diagnostics: Iterable[Diagnostic], origin: Origin | None = None):
        super().__init__(diagnostics)
        self.origin = origin

    def __reduce__(self):
        return type(self), (self.diagnostics, self.origin)
