"""CSS for the HTML reader: which declarations apply to an element, and what they mean.

Stage: used by interpreter.facts.html while it walks an HTML message. Input: the text of
`<style>` blocks, `style` attributes and presentational attributes (align, width, <font>).
Output: the declarations that apply to one element, the inherited text style (font size,
alignment, overridden line height / family / colour) that interpreter.facts.styling tallies
into `$defs/styling`. Errors: none; CSS that cannot be read is ignored, as a browser
ignores it.

What is resolved, and what is not: `<style>` rules apply when every selector of the rule is a
compound of a type, `*`, classes and an id (`body`, `p.note`, `#main`, `td.x.y`); selectors with
combinators (`td a`), attribute selectors or pseudo-classes (`a:link`) are skipped, as are
at-rules (`@media` is for other screens, `@font-face` declares without applying). Precedence
follows CSS: !important, then inline over stylesheet, then specificity, then order.
Percentages are taken as shares of the message width, not of the enclosing box.
"""
from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import tinycss2

# E-mail bodies are laid out for a 600 px column (the width e-mail templates and Seller
# Central's message view are designed for), so a length in px is read against 600 px.
MESSAGE_WIDTH_PX = 600.0
# The browser default font size; em, rem and ex on margins and widths are read against it.
DEFAULT_FONT_PX = 16.0

# px per unit; font-relative units against the default size, viewport units against the column.
_PX_PER_UNIT = {"px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4, "q": 96 / 101.6,
                "em": DEFAULT_FONT_PX, "rem": DEFAULT_FONT_PX, "ex": DEFAULT_FONT_PX / 2, "ch": DEFAULT_FONT_PX / 2,
                "vw": MESSAGE_WIDTH_PX / 100, "vmin": MESSAGE_WIDTH_PX / 100, "vmax": MESSAGE_WIDTH_PX / 100}
# CSS keyword sizes as factors of the default size (CSS Fonts 4, "absolute-size").
_SIZE_KEYWORDS = {"xx-small": 0.5625, "x-small": 0.625, "small": 0.8125, "medium": 1.0, "large": 1.125,
                  "x-large": 1.5, "xx-large": 2.0, "xxx-large": 3.0}
_SIZE_WORDS = set(_SIZE_KEYWORDS) | {"smaller", "larger"}
# <font size=1..7> as the same keywords (HTML's legacy font size mapping).
_FONT_ATTR_SIZES = ("x-small", "x-small", "small", "medium", "large", "x-large", "xx-large", "xxx-large")
# Browser default heading sizes; h4 is body size, bold.
HEADING_FACTORS = {"h1": 2.0, "h2": 1.5, "h3": 1.17, "h4": 1.0, "h5": 0.83, "h6": 0.67}
# Values that restate the default rather than override it.
_NOT_AN_OVERRIDE = {"inherit", "initial", "unset", "revert", "revert-layer", "currentcolor", "normal"}
_ALIGN = {"center": "center", "-webkit-center": "center", "-moz-center": "center", "middle": "center",
          "right": "right", "end": "right", "-webkit-right": "right", "justify": "justify",
          "justify-all": "justify", "left": "left", "-webkit-left": "left"}
# `align` on these elements aligns their text; on <table> or <img> it places the box instead.
_TEXT_ALIGN_ATTR = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "tbody", "thead",
                    "tfoot", "caption", "col", "colgroup", "legend"}
_BLOCK_DISPLAY = {"block", "flex", "grid", "list-item", "table", "table-row", "table-row-group",
                  "table-header-group", "table-footer-group", "table-caption", "flow-root"}
_INLINE_DISPLAY = {"inline", "inline-block", "inline-flex", "inline-grid", "inline-table", "contents"}

Size = tuple  # ("px", pixels) for an absolute size, ("default", factor) for one relative to the default
DEFAULT_SIZE: Size = ("default", 1.0)


# --- Declarations and rules ---

def attr_text(attrs: dict, name: str) -> str:
    """An attribute as text ("" when absent); bs4 gives multi-valued ones (class) as lists."""
    value = attrs.get(name)
    if isinstance(value, (list, tuple)):
        return " ".join(value)
    return value if isinstance(value, str) else ""


def _tokens(values) -> tuple:
    return tuple(t for t in values if t.type not in ("whitespace", "comment"))


@functools.lru_cache(maxsize=2048)
def parse_declarations(css: str) -> Mapping[str, tuple[tuple, bool]]:
    """A declaration list (a style attribute or a rule's body): property -> (tokens, !important).

    Cached and read-only: e-mail templates repeat the same few style attributes on every cell."""
    return _declarations(css or "")


def _declarations(css) -> Mapping[str, tuple[tuple, bool]]:
    """parse_declarations of a text, or of a rule's content as tinycss2 parsed it. The content is
    read as it is, never written back to text first: tinycss2 parses nested blocks with a stack,
    but writes them out by recursion, once per level, and a `<style>` of 100,000 nested braces
    (which a browser reads without complaint) would exhaust the stack."""
    out: dict[str, tuple[tuple, bool]] = {}
    for item in tinycss2.parse_blocks_contents(css, skip_comments=True, skip_whitespace=True):
        if item.type != "declaration":
            continue
        if item.lower_name in out and out[item.lower_name][1] and not item.important:
            continue                           # an earlier !important beats a later normal value
        out[item.lower_name] = (_tokens(item.value), item.important)
    return MappingProxyType(out)


@dataclass(frozen=True)
class _Rule:
    tag: str | None
    ident: str | None
    classes: frozenset
    rank: tuple                                # (ids, classes, types, source order)
    declarations: dict = field(hash=False, compare=False)


def _compound(tokens: list) -> tuple | None:
    """(type, id, classes) of a compound selector, or None when it is not one we resolve."""
    tag, ident, classes, i = None, None, set(), 0
    if tokens and tokens[0].type == "ident":
        tag, i = tokens[0].lower_value, 1
    elif tokens and tokens[0].type == "literal" and tokens[0].value == "*":
        i = 1
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "hash" and tok.is_identifier and ident is None:
            ident, i = tok.value, i + 1
        elif (tok.type == "literal" and tok.value == "." and i + 1 < len(tokens)
              and tokens[i + 1].type == "ident"):
            classes.add(tokens[i + 1].value)
            i += 2
        else:
            return None
    return (tag, ident, frozenset(classes)) if i else None


def _selectors(prelude) -> list[tuple | None]:
    """The selectors of a rule, split at commas, each as _compound reads it."""
    groups: list[list] = [[]]
    for tok in prelude:
        if tok.type == "literal" and tok.value == ",":
            groups.append([])
        elif tok.type != "whitespace" or groups[-1]:      # leading whitespace is not a combinator
            groups[-1].append(tok)
    return [_compound(g[:-1] if g and g[-1].type == "whitespace" else g) for g in groups]


class Stylesheet:
    """The rules of every <style> block that we can resolve, in source order."""

    def __init__(self, css_texts=()):
        self.rules: list[_Rule] = []
        self._seen: dict[tuple, Mapping[str, tuple]] = {}
        self._margins: dict[int, tuple[Mapping, float]] = {}
        self._index: dict[tuple, list[_Rule]] | None = None   # built when first needed: see _candidates
        for css in css_texts:
            for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
                if rule.type == "qualified-rule":
                    self._add(rule)

    def _add(self, rule) -> None:
        declarations = None
        for selector in _selectors(rule.prelude):
            if selector is None:
                continue
            if declarations is None:
                declarations = _declarations(rule.content)
            tag, ident, classes = selector
            rank = (int(ident is not None), len(classes), int(tag is not None), len(self.rules))
            self.rules.append(_Rule(tag, ident, classes, rank, declarations))

    def declarations_for(self, name: str, attrs: dict) -> Mapping[str, tuple]:
        """property -> tokens of the value that wins for this element (read-only)."""
        style = attr_text(attrs, "style")
        if not self.rules:                         # the common case: inline styles alone
            return _inline_values(style) if style else NO_DECLARATIONS
        ident, classes = attr_text(attrs, "id") or None, frozenset(attr_text(attrs, "class").split())
        key = (name, ident, classes, style)
        if key not in self._seen:                   # elements of a template repeat: resolve each kind once
            self._seen[key] = self._resolve(name, ident, classes, style)
        return self._seen[key]

    def margin_of(self, declarations: Mapping) -> float:
        """margin_percent, worked out once per declarations object: elements of a kind share theirs
        (the object is kept with its value, so its id cannot be reused while this sheet lives)."""
        if not declarations:
            return 0.0
        known = self._margins.get(id(declarations))
        if known is None or known[0] is not declarations:
            known = self._margins[id(declarations)] = (declarations, margin_percent(declarations))
        return known[1]

    def _candidates(self, name: str, ident: str | None, classes: frozenset) -> list[_Rule]:
        """The rules that may apply to an element, looked up rather than all tried: a message of
        thousands of rules and thousands of differently classed elements took time quadratic in
        its size. Each rule is filed under one thing an element must have for it to apply — its
        id, else its class named by the fewest rules, else its type — or as universal."""
        if self._index is None:
            counts = Counter(c for r in self.rules for c in r.classes)
            self._index = defaultdict(list)
            for r in self.rules:
                key = ("#", r.ident) if r.ident is not None else \
                    (".", min(r.classes, key=lambda c: (counts[c], c))) if r.classes else \
                    ("t", r.tag) if r.tag is not None else ("*",)
                self._index[key].append(r)
        index = self._index
        found = index.get(("#", ident), []) + index.get(("t", name), []) + index.get(("*",), [])
        for c in classes:
            found += index.get((".", c), ())
        return found

    def _resolve(self, name: str, ident: str | None, classes: frozenset, style: str) -> Mapping[str, tuple]:
        # Each rule's rank is unique (it ends with its source order), so the order in which the
        # candidates are tried decides nothing.
        sources = [((0,) + r.rank, r.declarations) for r in self._candidates(name, ident, classes)
                   if r.tag in (None, name) and r.ident in (None, ident) and r.classes <= classes]
        if style.strip():
            sources.append(((1, 0, 0, 0, 0), parse_declarations(style)))
        if not sources:
            return NO_DECLARATIONS
        chosen: dict[str, tuple] = {}
        for rank, declarations in sources:
            for prop, (value, important) in declarations.items():
                key = (important,) + rank
                if prop not in chosen or key >= chosen[prop][0]:
                    chosen[prop] = (key, value)
        return MappingProxyType({prop: value for prop, (_, value) in chosen.items()})


NO_DECLARATIONS: Mapping[str, tuple] = MappingProxyType({})


@functools.lru_cache(maxsize=2048)
def _inline_values(style: str) -> Mapping[str, tuple]:
    """property -> tokens of a style attribute alone (its !important marks decide nothing then)."""
    return MappingProxyType({prop: value for prop, (value, _) in parse_declarations(style).items()})


# --- Values ---

def _word(tokens) -> str | None:
    return tokens[0].lower_value if len(tokens) == 1 and tokens[0].type == "ident" else None


def to_px(token) -> float | None:
    """A length token in px (percentages of the message width); None when it is not a length."""
    if token.type == "dimension":
        factor = _PX_PER_UNIT.get(token.lower_unit)
        return None if factor is None else token.value * factor
    if token.type == "percentage":
        return token.value * MESSAGE_WIDTH_PX / 100
    if token.type == "number":                # unitless: 0, or px as lenient e-mail clients read it
        return float(token.value)
    return None


def to_percent(token) -> float | None:
    px = to_px(token)
    return None if px is None else px * 100 / MESSAGE_WIDTH_PX


_ATTR_LENGTH = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*(%?)")


def attr_px(value: str) -> float | None:
    """An HTML width/height attribute ("300", "300px", "50%") in px, as browsers read its prefix."""
    m = _ATTR_LENGTH.match(value)
    return None if not m else float(m.group(1)) * (MESSAGE_WIDTH_PX / 100 if m.group(2) else 1.0)


def box_px(attrs: dict, declarations: dict, prop: str) -> float | None:
    """An element's width or height in px: CSS wins over the attribute, as in browsers."""
    tokens = declarations.get(prop, ())
    px = to_px(tokens[0]) if len(tokens) == 1 else None
    return px if px is not None else attr_px(attr_text(attrs, prop))


def _sides(declarations: dict, box: str) -> tuple[float, float]:
    """(left, right) of `margin` or `padding` in % of the width: shorthands, then longhands."""
    left = right = None
    shorthand, inline = declarations.get(box, ()), declarations.get(f"{box}-inline", ())
    if 1 <= len(shorthand) <= 4:                          # top [right [bottom [left]]]
        right = shorthand[1] if len(shorthand) > 1 else shorthand[0]
        left = shorthand[3] if len(shorthand) == 4 else right
    if 1 <= len(inline) <= 2:                             # start [end]
        left, right = inline[0], inline[-1]
    for prop in (f"{box}-left", f"{box}-inline-start"):
        left = declarations[prop][0] if len(declarations.get(prop, ())) == 1 else left
    for prop in (f"{box}-right", f"{box}-inline-end"):
        right = declarations[prop][0] if len(declarations.get(prop, ())) == 1 else right
    gaps = [to_percent(side) if side is not None else None for side in (left, right)]
    return max(gaps[0] or 0.0, 0.0), max(gaps[1] or 0.0, 0.0)        # negative margins pull, not push


def margin_percent(declarations: Mapping) -> float:
    """The wider side gap (margin + padding, the space a reader sees) as % of the width."""
    margin, padding = _sides(declarations, "margin"), _sides(declarations, "padding")
    return max(margin[0] + padding[0], margin[1] + padding[1])


def background_urls(declarations: dict) -> list[str]:
    """Image addresses in background / background-image declarations."""
    out = []
    for prop in ("background-image", "background"):
        for tok in declarations.get(prop, ()):
            if tok.type == "url":
                out.append(tok.value)
            elif tok.type == "function" and tok.lower_name == "url":
                out.extend(a.value for a in tok.arguments if a.type == "string")
    return out


def display(name: str, declarations: dict, block_tags: frozenset) -> str:
    """'none', 'block', 'cell' or 'inline' for an element, from its CSS display or else its tag."""
    value = _word(declarations.get("display", ()))
    if value in ("none", "table-cell"):
        return "none" if value == "none" else "cell"
    if value in _BLOCK_DISPLAY or value in _INLINE_DISPLAY:
        return "block" if value in _BLOCK_DISPLAY else "inline"
    return "cell" if name in ("td", "th") else "block" if name in block_tags else "inline"


def hides(attrs: dict, declarations: dict) -> bool:
    """Does this element hide itself and everything in it (hidden, display:none, opacity:0)?"""
    if "hidden" in attrs or _word(declarations.get("display", ())) == "none":
        return True
    opacity = declarations.get("opacity", ())
    return len(opacity) == 1 and opacity[0].type in ("number", "percentage") and opacity[0].value == 0


def visibility(declarations: dict, inherited: bool) -> bool:
    """visibility is inherited and a child may set it back to visible."""
    value = _word(declarations.get("visibility", ()))
    return False if value in ("hidden", "collapse") else True if value == "visible" else inherited


# --- Inherited text style ---

@dataclass(frozen=True)
class TextStyle:
    """What a piece of text inherits: its font size and alignment, and which defaults are overridden."""
    size: Size = DEFAULT_SIZE
    align: str | None = None
    line_height: bool = False
    family: bool = False
    color: bool = False
    pre: bool = False


def _scaled(size: Size, factor: float) -> Size:
    return (size[0], size[1] * factor)


def font_size(tokens, parent: Size) -> Size | None:
    """The size a font-size value gives, relative to the parent's; None when unreadable."""
    if len(tokens) != 1:
        return None
    tok = tokens[0]
    if tok.type == "dimension":
        if tok.lower_unit in ("em", "ex", "ch"):
            return _scaled(parent, tok.value if tok.lower_unit == "em" else tok.value / 2)
        if tok.lower_unit == "rem":
            return ("default", tok.value)
        px = to_px(tok)
        return None if px is None else ("px", px)
    if tok.type == "percentage":
        return _scaled(parent, tok.value / 100)
    if tok.type == "number":
        return ("px", float(tok.value))
    if tok.type == "ident":
        word = tok.lower_value
        if word in _SIZE_KEYWORDS:
            return ("default", _SIZE_KEYWORDS[word])
        if word in ("smaller", "larger"):
            return _scaled(parent, 1 / 1.2 if word == "smaller" else 1.2)
        if word == "initial":
            return DEFAULT_SIZE
    return None


def _font_attr_size(value: str) -> Size | None:
    """<font size>: 1–7, or relative to 3 (+1, -2)."""
    m = re.fullmatch(r"([+-]?)(\d+)", value.strip())
    if not m:
        return None
    n = int(m.group(2))
    n = 3 + n if m.group(1) == "+" else 3 - n if m.group(1) == "-" else n
    return ("default", _SIZE_KEYWORDS[_FONT_ATTR_SIZES[min(max(n, 1), 7)]])


def _font_shorthand(tokens) -> tuple:
    """(size tokens, line-height tokens, family tokens) of a `font` shorthand."""
    for i, tok in enumerate(tokens):
        if not (tok.type in ("dimension", "percentage") or (tok.type == "number" and tok.value == 0)
                or (tok.type == "ident" and tok.lower_value in _SIZE_WORDS)):
            continue
        rest = tokens[i + 1:]
        line_height = ()
        if len(rest) >= 2 and rest[0].type == "literal" and rest[0].value == "/":
            line_height, rest = rest[1:2], rest[2:]
        family = tuple(t for t in rest if t.type in ("ident", "string"))
        return (tok,), line_height, family
    return (), (), ()


def _overrides(tokens) -> bool:
    return bool(tokens) and _word(tokens) not in _NOT_AN_OVERRIDE


# Elements whose tag alone changes the text style inside them, and the properties that do.
_STYLING_TAGS = frozenset(HEADING_FACTORS) | {"center", "font", "pre", "textarea", "listing", "xmp"}
_TEXT_PROPERTIES = frozenset({"font", "font-size", "line-height", "font-family", "color", "text-align", "white-space"})


def child_style(parent: TextStyle, name: str, attrs: dict, declarations: Mapping) -> TextStyle:
    """The text style inside an element, from its parent's, its tag, attributes and CSS."""
    if (name not in _STYLING_TAGS and not (name in _TEXT_ALIGN_ATTR and "align" in attrs)
            and _TEXT_PROPERTIES.isdisjoint(declarations)):
        return parent                               # most elements: the parent's style, as it is
    size, align = parent.size, parent.align
    line_height, family, color = parent.line_height, parent.family, parent.color
    if name in HEADING_FACTORS:
        size = _scaled(size, HEADING_FACTORS[name])
    if name == "center":
        align = "center"
    if name == "font":
        family = family or bool(attr_text(attrs, "face").strip())
        color = color or bool(attr_text(attrs, "color").strip())
        size = _font_attr_size(attr_text(attrs, "size")) or size
    if name in _TEXT_ALIGN_ATTR:
        align = _ALIGN.get(attr_text(attrs, "align").strip().lower(), align)
    short_size, short_height, short_family = _font_shorthand(declarations.get("font", ()))
    size = font_size(short_size, size) or size
    size = font_size(declarations.get("font-size", ()), size) or size
    line_height = line_height or _overrides(declarations.get("line-height")) or _overrides(short_height)
    family = family or _overrides(declarations.get("font-family")) or bool(short_family)
    color = color or _overrides(declarations.get("color"))
    text_align = _word(declarations.get("text-align", ()))
    if text_align in _ALIGN:
        align = _ALIGN[text_align]
    elif text_align in ("start", "initial"):
        align = None
    white_space = _word(declarations.get("white-space", ()))
    pre = name in ("pre", "textarea", "listing", "xmp") or parent.pre
    if white_space is not None:
        pre = white_space in ("pre", "pre-wrap", "pre-line", "break-spaces")
    return TextStyle(size, align, line_height, family, color, pre)
