"""Where the visible text of an HTML body is in its markup.

Stage: part of the normaliser, for envelopes whose body is `html`; worked out only when asked
(interpreter.read.origin.Derived). Input: the text interpreter.facts.html read, and the markup.
Output: `VisibleText`, an offset map from the text to the markup. Errors: none; a word that
cannot be found is not placed.

The HTML parser (lxml) keeps no offsets, so the text is lined up with the markup instead: the
markup is read as the characters a reader could see — character references decoded, tags and
comments skipped, the contents of elements never shown (scripts, styles, titles, …) dropped — and
each word of the text is found there, in order, after the one before. A word split by tags
(`pur<b>chase</b>`) is found, as the tags are skipped; a space or line break of the text is the
markup between the words around it. A word hidden by CSS and shown again later may be placed at
its hidden copy: only the parser knows what CSS hides, and it does not say where.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

from interpreter.facts.html import DROPPED
from interpreter.read.origin import Derived

_MARKUP = re.compile(r"""
      <!--.*?(?:-->|\Z)                                          # a comment
    | <[!?][^>]*>?                                               # a doctype, CDATA, a processing instruction
    | </?([A-Za-z][^\s/>]*)(?:[^>"']|"[^"]*"|'[^']*')*>?         # a tag
    | &(?:\#[0-9]+|\#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);?    # a character reference
""", re.DOTALL | re.VERBOSE)
_WORD = re.compile(r"\S+")
# Elements whose content is never shown. <head> is left out: it is often never closed, and what
# it holds (title, style, script, meta) is skipped element by element.
_UNSHOWN = DROPPED - {"head"}
_LOOKAHEAD = 50_000     # how far past the last word the next one is looked for (hidden content is rarely longer)


@dataclass(frozen=True)
class VisibleText(Derived):
    text: str           # message.text, as interpreter.facts.html read it
    markup: str         # the HTML it was read from

    def places(self):
        seen, where = _readable(self.markup)
        out: list[tuple[int, int] | None] = [None] * len(self.text)
        cursor, previous = 0, None            # in `seen`; the markup just after the last word placed
        for m in _WORD.finditer(self.text):
            at = seen.find(m.group(), cursor, cursor + _LOOKAHEAD + len(m.group()))
            if at < 0:
                previous = None
                continue
            for k in range(len(m.group())):
                out[m.start() + k] = where[at + k]
            if previous is not None:           # the space or line break before it: the markup between
                gap = (previous, where[at][0])
                for k in range(m.start() - 1, -1, -1):
                    if out[k] is not None:
                        break
                    out[k] = gap
            cursor, previous = at + len(m.group()), where[at + len(m.group()) - 1][1]
        return out


def _readable(markup: str) -> tuple[str, list[tuple[int, int]]]:
    """The characters of the markup a reader could see, and where each one is written."""
    seen: list[str] = []
    where: list[tuple[int, int]] = []
    i = 0
    for m in _MARKUP.finditer(markup):
        if m.start() < i:
            continue                          # inside an element skipped below
        _copy(markup, i, m.start(), seen, where)
        i = m.end()
        token = m.group()
        if token[0] == "&":
            decoded = html.unescape(token)
            seen.append(decoded)
            where.extend((m.start(), m.end()) for _ in decoded)
        elif m.group(1) and token[1] != "/" and m.group(1).lower() in _UNSHOWN:
            close = re.compile(r"</" + re.escape(m.group(1)) + r"\s*>", re.IGNORECASE).search(markup, i)
            if close is not None:
                i = close.end()
    _copy(markup, i, len(markup), seen, where)
    return "".join(seen), where


def _copy(markup: str, a: int, b: int, seen: list[str], where: list[tuple[int, int]]) -> None:
    if b > a:
        seen.append(markup[a:b])
        where.extend(zip(range(a, b), range(a + 1, b + 1)))
