"""The `$defs/styling` record of a message (policies/facts.schema.json), tallied while it is read.

Stage: used by interpreter.facts.html, which notes the style of each piece of text it writes
(interpreter.facts.css), and by interpreter.facts.layout for plain text, which sets nothing but
its line breaks. Kept apart from the CSS reader so that a plain-text message does not import it
(and tinycss2). Input: what the reader has seen. Output: `StylingTally.as_dict()`, a complete
record. Errors: none.
"""
from __future__ import annotations

from dataclasses import dataclass, field


def size_key(size: tuple) -> tuple:
    """A font size (interpreter.facts.css.Size) as sizes are told apart: to a hundredth."""
    return (size[0], round(size[1], 2))


_ALIGN_RANK = {"center": 3, "right": 2, "justify": 1, "left": 0}


@dataclass
class StylingTally:
    """What the walk has seen so far; `as_dict` is a complete `$defs/styling` record."""
    margin: float = 0.0
    image_width: float = 0.0
    line_height: bool = False
    family: bool = False
    color: bool = False
    sizes: set = field(default_factory=set)
    aligns: set = field(default_factory=set)
    line_breaks: int = 0

    def note_text(self, style) -> None:
        """Note a piece of text written in `style` (an interpreter.facts.css.TextStyle)."""
        self.line_height |= style.line_height
        self.family |= style.family
        self.color |= style.color
        self.sizes.add(size_key(style.size))
        if style.align:
            self.aligns.add(style.align)

    def as_dict(self) -> dict:
        align = max(self.aligns, key=_ALIGN_RANK.__getitem__) if self.aligns else "default"
        return {"max_margin_percent": round(self.margin, 2), "max_image_width_percent": round(self.image_width, 2),
                "overrides_line_height": self.line_height, "overrides_font_family": self.family,
                "overrides_color": self.color, "font_sizes": max(1, len(self.sizes)), "text_align": align,
                "max_line_breaks": self.line_breaks}
