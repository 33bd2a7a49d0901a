"""The HTML reader: an HTML message body -> its visible text, links, images and styling.

Stage: part of the normaliser, for envelopes whose body is `html`. Input: the HTML as a string,
however broken, and the policy's words for link facts (interpreter.facts.lexicon). Output:
`HtmlFacts` — the text a reader sees (NFC, one "\\n" per line break), the anchors as
`$defs/link` records whose spans point into that text, the images as `$defs/image` records,
and a complete `$defs/styling` record (policies/facts.schema.json).
Errors: none. Malformed markup is read the way lxml's HTML parser repairs it; input a parser
cannot take at all (lone surrogates) is cleaned first.

The text is built while walking the tree, so every offset is known when it is written: runs
of whitespace become one space, lines carry no leading or trailing space, block elements end
a line, each <br> (and each newline inside <pre>) is a line break, and an empty <p>/<div>
adds one, so `A<br><br>B` reads "A\\n\\nB". Line breaks before the first or after the last
visible thing are dropped. An image stands on its line like a word without characters.
"""
from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import unquote, unquote_to_bytes

from bs4 import BeautifulSoup, NavigableString, Tag

from interpreter.evaluation.phrases import collapse_spaces
from interpreter.facts.css import (MESSAGE_WIDTH_PX, Stylesheet, TextStyle, attr_text, background_urls, box_px, child_style, display, hides, visibility)
from interpreter.facts.lexicon import NO_WORDS, Lexicon
from interpreter.facts.links import link_record
from interpreter.facts.styling import StylingTally

# Never shown to a reader; their text and their images are not part of the message as read.
DROPPED = frozenset({"script", "style", "head", "title", "template", "noscript", "meta", "link", "base",
                     "iframe", "object", "embed", "param", "source", "track", "datalist", "frameset"})
BLOCK_TAGS = frozenset({"address", "article", "aside", "blockquote", "body", "caption", "center", "dd",
                        "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure",
                        "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html",
                        "legend", "li", "listing", "main", "menu", "nav", "ol", "p", "pre", "section",
                        "summary", "table", "tbody", "tfoot", "thead", "tr", "ul", "xmp"})
# An empty one of these is a blank line in the editors sellers write with (<p>&nbsp;</p>).
PARAGRAPHS = frozenset({"p", "div"})
_SPACES = re.compile(r"\s+")
_NEWLINE = re.compile(r"\r\n?|\n")
_SURROGATES = re.compile("[\ud800-\udfff]")
_SCHEME = re.compile(r"\s*([A-Za-z][A-Za-z0-9+.-]*):")
_IMAGE_SCHEMES = {"https", "http", "data", "cid"}
_STYLE_TAG = re.compile(r"<style", re.IGNORECASE)


@dataclass(frozen=True)
class HtmlFacts:
    text: str                  # visible text as a reader sees it
    links: tuple[dict, ...]    # $defs/link, source "html", span = the anchor's text in `text`
    images: tuple[dict, ...]   # $defs/image
    styling: dict              # $defs/styling, every key present


# --- The text, written as the tree is walked ---

@dataclass(eq=False)
class _Anchor:
    url: str
    start: int | None = None    # where its first visible character was written
    end: int = 0                # just past its last visible character
    image_at: int | None = None
    alts: list = field(default_factory=list)


class _Text:
    """Append-only visible text; line breaks wait until something visible follows them."""

    def __init__(self, tally: StylingTally):
        self.tally = tally
        self.parts: list[str] = []
        self.length = 0
        self.line_start = 0         # offset of the current line's first character
        self.pending = 0            # line breaks not yet written
        self.space = False          # a collapsed space not yet written
        self.line_used = False      # the current line holds text or an image
        self.writes = 0             # visible things written (text pieces and images)
        self.breaks = 0             # hard breaks asked for (<br>, newlines in <pre>, empty blocks)
        self.open_anchors: list[_Anchor] = []

    def value(self) -> str:
        return "".join(self.parts)

    def _write_breaks(self) -> None:
        if not self.pending:
            return
        if self.length:                 # breaks before the first visible thing are dropped
            self.parts.append("\n" * self.pending)
            self.length += self.pending
            self.line_start = self.length
            self.tally.line_breaks = max(self.tally.line_breaks, self.pending)
        self.pending, self.space = 0, False

    def word(self, piece: str) -> None:
        self._write_breaks()
        if self.space and self.length > self.line_start:
            self.parts.append(" ")
            self.length += 1
        self.space = False
        start = self.length
        self.parts.append(piece)
        self.length += len(piece)
        self.line_used = True
        self.writes += 1
        for anchor in self.open_anchors:
            if anchor.start is None:
                anchor.start = start
            anchor.end = self.length

    def text(self, raw: str, pre: bool) -> None:
        for i, segment in enumerate(_NEWLINE.split(raw) if pre else (raw,)):
            if i:
                self.hard_break()
            collapsed = collapse_spaces(segment)
            core = collapsed.strip(" ")
            if collapsed.startswith(" "):
                self.space_between()
            if core:
                # NFC per piece, before measuring, so every offset is an offset into the final text.
                self.word(unicodedata.normalize("NFC", core))
                if collapsed.endswith(" "):
                    self.space_between()

    def image(self) -> int:
        self._write_breaks()
        self.line_used = True
        self.writes += 1
        return self.length

    def space_between(self) -> None:
        if not self.pending and self.length > self.line_start:
            self.space = True

    def soft_break(self) -> None:
        """End the line if it holds anything (a block starts or ends)."""
        if self.line_used:
            self.pending = max(self.pending, 1)
        self.line_used, self.space = False, False

    def hard_break(self) -> None:
        self.pending += 1
        self.breaks += 1
        self.line_used, self.space = False, False


# --- Images ---

def image_scheme(src: str) -> str:
    m = _SCHEME.match(src)
    scheme = m.group(1).lower() if m else ""
    return scheme if scheme in _IMAGE_SCHEMES else "other"


def _skip_sub_blocks(data: bytes, pos: int) -> int | None:
    while pos < len(data):
        size = data[pos]
        pos += 1 + size
        if size == 0:
            return pos
    return None


def gif_frames(data: bytes) -> int:
    """How many images a GIF holds (its frames); reading stops at the first broken block."""
    if len(data) < 13 or data[:6] not in (b"GIF87a", b"GIF89a"):
        return 0
    pos = 13 + (3 << ((data[10] & 7) + 1) if data[10] & 0x80 else 0)   # global colour table
    frames = 0
    while pos is not None and pos < len(data):
        if data[pos] == 0x2C:                                         # image descriptor
            if pos + 10 > len(data):
                break
            frames += 1
            packed = data[pos + 9]
            pos += 10 + (3 << ((packed & 7) + 1) if packed & 0x80 else 0)
            pos = _skip_sub_blocks(data, pos + 1)                      # after the LZW code size
        elif data[pos] == 0x21:                                       # extension: label, sub-blocks
            pos = _skip_sub_blocks(data, pos + 2)
        else:                                                         # trailer or junk
            break
    return frames


def _data_bytes(src: str) -> tuple[str, bytes]:
    head, _, payload = src.partition(",")
    head = head.lower()
    if ";base64" not in head:
        return head, unquote_to_bytes(payload)
    b64 = _SPACES.sub("", unquote(payload)).rstrip("=")
    try:
        return head, base64.b64decode(b64 + "=" * (-len(b64) % 4), altchars=b"-_")
    except (binascii.Error, ValueError):
        return head, b""


def is_animated(src: str, presume_gif: bool = True) -> bool:
    """Whether an image is animated: counted for a data: GIF; presumed from a .gif address only
    when `presume_gif` (a tracking pixel is not shown, so nothing about it is a banner)."""
    if src[:5].lower() == "data:":
        head, data = _data_bytes(src)
        return "image/gif" in head and gif_frames(data) > 1
    # A remote (or cid:) GIF cannot be fetched here to count its frames. GIFs in seller messages
    # are mostly animated banners, and a still image has no reason to be a GIF, so a .gif address
    # is taken as animated; a policy's hint can say that a PNG or JPEG avoids the question.
    return presume_gif and re.split(r"[?#]", src, maxsplit=1)[0].lower().endswith(".gif")


def _is_logo(src: str, alt: str | None, attrs: dict) -> bool:
    name = "" if src[:5].lower() == "data:" else re.split(r"[?#]", src, maxsplit=1)[0].rsplit("/", 1)[-1]
    return any("logo" in word.lower() for word in (name, alt or "", attr_text(attrs, "class"), attr_text(attrs, "id")))


def _link_facts(url: str, start: int, end: int, anchor_text: str = "", before: str = "",
                lexicon: Lexicon = NO_WORDS) -> dict:
    return link_record(url, start, end, "html", anchor_text=anchor_text, before=before, lexicon=lexicon)


def _link_target(anchor: _Anchor | None) -> tuple[str, bool]:
    if anchor is None:
        return "", False
    record = _link_facts(anchor.url, 0, 0)
    return record["host"], record["is_amazon"]


def image_record(src: str, alt: str | None, attrs: dict, declarations: dict, shown: bool,
                 anchor: _Anchor | None, at: int, sized: bool = True) -> dict:
    """`$defs/image` for an <img> (sized) or a CSS/attribute background image (not sized)."""
    width, height = box_px(attrs, declarations, "width"), box_px(attrs, declarations, "height")
    tiny = (width is not None and height is not None and width <= 1 and height <= 1) or width == 0 or height == 0
    host, amazon = _link_target(anchor)
    pixel = tiny or not shown
    record = {"src": src, "scheme": image_scheme(src), "animated": is_animated(src, presume_gif=not pixel),
              "tracking_pixel": pixel, "links_outside_amazon": bool(host) and not amazon,
              "is_logo": _is_logo(src, alt, attrs), "start": at, "end": at}
    if alt is not None:
        record["alt"] = alt
    if sized and width is not None:
        record["width_percent"] = round(width * 100 / MESSAGE_WIDTH_PX, 2)
    if host:
        record["link_host"] = host
    return record


# --- The walk ---

@dataclass(frozen=True)
class _Context:
    shown: bool = True             # no ancestor hides its subtree (display:none, hidden, opacity:0)
    visible: bool = True           # the inherited `visibility`
    style: TextStyle = TextStyle()
    anchor: _Anchor | None = None  # the innermost enclosing <a href> that is a link


def _href(attrs: dict) -> str | None:
    """The address of a link, or None for in-page (#...), script and empty targets."""
    href = re.sub(r"[\t\n\r]", "", attr_text(attrs, "href")).strip("".join(map(chr, range(33))))
    if not href or href.startswith("#") or href.lower().startswith(("javascript:", "vbscript:")):
        return None
    return href


class _Walker:
    """Walks the parsed tree without recursion (mail can nest thousands of levels deep)."""

    def __init__(self, sheet: Stylesheet, tally: StylingTally):
        self.sheet, self.tally = sheet, tally
        self.out = _Text(tally)
        self.anchors: list[_Anchor] = []
        self.images: list[dict] = []

    def walk(self, root: Tag) -> None:
        stack: list = [(child, _Context()) for child in reversed(root.contents)]
        while stack:
            node, ctx = stack.pop()
            if node is None:                          # an element ends: ctx holds its closer
                ctx()
            elif type(node) is NavigableString:       # not comments, CDATA, doctypes, scripts
                self._text(str(node), ctx)
            elif isinstance(node, Tag) and node.name not in DROPPED:
                exit_, child_ctx = self._enter(node, ctx)
                if exit_ is not None:
                    stack.append((None, exit_))
                stack.extend((child, child_ctx) for child in reversed(node.contents))

    def _text(self, raw: str, ctx: _Context) -> None:
        if not (ctx.shown and ctx.visible) or ctx.style.size[1] == 0:   # font-size:0 hides text too
            return
        before = self.out.writes
        self.out.text(raw, ctx.style.pre)
        if self.out.writes > before:
            self.tally.note_text(ctx.style)

    def _enter(self, tag: Tag, ctx: _Context):
        name, attrs = tag.name, tag.attrs
        declarations = self.sheet.declarations_for(name, attrs)
        shown = ctx.shown and not hides(attrs, declarations)
        visible, style = visibility(declarations, ctx.visible), child_style(ctx.style, name, attrs, declarations)
        if (shown, visible, style) != (ctx.shown, ctx.visible, ctx.style):
            ctx = _Context(shown, visible, style, ctx.anchor)
        laid_out = ctx.shown and ctx.visible
        if declarations or "background" in attrs:
            self._backgrounds(attrs, declarations, ctx, laid_out)
        if name == "img":
            self._img(attrs, declarations, ctx, laid_out)
            return None, ctx
        if name == "br":
            if laid_out:
                self.out.hard_break()
            return None, ctx
        kind = display(name, declarations, BLOCK_TAGS)
        closers = []
        if laid_out and kind in ("block", "cell"):
            self.tally.margin = max(self.tally.margin, self.sheet.margin_of(declarations))
        if laid_out and kind == "cell":
            self.out.space_between()
        if laid_out and kind == "block":
            closers.append(self._block(name))
        href = _href(attrs) if name == "a" else None
        if href is not None:
            anchor = _Anchor(href)
            self.anchors.append(anchor)
            self.out.open_anchors.append(anchor)
            closers.append(lambda: self._close_anchor(anchor))
            ctx = _Context(ctx.shown, ctx.visible, ctx.style, anchor)
        if not closers:
            return None, ctx
        return (lambda: [close() for close in reversed(closers)]), ctx

    def _block(self, name: str):
        self.out.soft_break()
        writes, breaks = self.out.writes, self.out.breaks

        def close() -> None:
            if name in PARAGRAPHS and self.out.writes == writes and self.out.breaks == breaks:
                self.out.hard_break()               # an empty paragraph is a blank line
            self.out.soft_break()
        return close

    def _close_anchor(self, anchor: _Anchor) -> None:
        self.out.open_anchors.remove(anchor)
        if anchor.start is None:
            anchor.start = anchor.end = anchor.image_at if anchor.image_at is not None else self.out.length

    def _img(self, attrs: dict, declarations: dict, ctx: _Context, laid_out: bool) -> None:
        alt = collapse_spaces(unicodedata.normalize("NFC", attr_text(attrs, "alt"))).strip() if "alt" in attrs else None
        at = self.out.image() if laid_out else self.out.length
        if laid_out and ctx.anchor is not None:
            if ctx.anchor.image_at is None:
                ctx.anchor.image_at = at
            if alt:
                ctx.anchor.alts.append(alt)
        self.images.append(image_record(attr_text(attrs, "src").strip(), alt, attrs, declarations, laid_out,
                                        ctx.anchor, at))

    def _backgrounds(self, attrs: dict, declarations: dict, ctx: _Context, laid_out: bool) -> None:
        urls = background_urls(declarations) + ([attr_text(attrs, "background")] if attr_text(attrs, "background") else [])
        for url in urls:
            self.images.append(image_record(url.strip(), None, attrs, declarations, laid_out, ctx.anchor,
                                            self.out.length, sized=False))


# --- Entry point ---

def _link(anchor: _Anchor, text: str, lexicon: Lexicon) -> dict:
    start, end = anchor.start, anchor.end
    anchor_text = text[start:end] if end > start else " ".join(anchor.alts)
    before = text[text.rfind("\n", 0, start) + 1:start].strip()
    return _link_facts(anchor.url, start, end, anchor_text, before, lexicon)


def read_html(html: str, lexicon: Lexicon = NO_WORDS) -> HtmlFacts:
    """Read an HTML message body as a reader sees it."""
    markup = _SURROGATES.sub("\ufffd", html or "")
    # bs4 warns when short markup without a tag or newline looks like a URL or a file name. Such a
    # message is still a message: an invisible trailing newline skips that check, leaving the
    # process-wide warning filters alone.
    soup = BeautifulSoup(markup if "<" in markup else markup + "\n", "lxml")
    # find_all walks the whole tree; markup without "<style" has nothing for it to find
    sheet = Stylesheet(style.get_text() for style in soup.find_all("style")) if _STYLE_TAG.search(markup) else Stylesheet()
    tally = StylingTally()
    walker = _Walker(sheet, tally)
    walker.walk(soup)
    # An image alone on the last line leaves that line's break behind; drop it, and keep what
    # stood there at the end of the text.
    text = walker.out.value().rstrip("\n")
    for image in walker.images:
        image["start"] = image["end"] = min(image["start"], len(text))
    for anchor in walker.anchors:
        anchor.start, anchor.end = min(anchor.start, len(text)), min(anchor.end, len(text))
    links = tuple(_link(anchor, text, lexicon) for anchor in walker.anchors)
    tally.image_width = max((image.get("width_percent", 0.0) for image in walker.images), default=0.0)
    return HtmlFacts(text, links, tuple(walker.images), tally.as_dict())
