"""Sentences and word distances in a text, for rules that need two things said together.

Stage: used by interpreter.evaluation.operators (`sentences`, `sentence_runs`, `mentions_near`,
`mentions_before`).
Input: a text (and, for nearness, hits found in it). Output: sentence items
{"text", "start", "end"} whose text is exactly text[start:end], or the hits that lie near
others. One pass over the text each, so the time grows with its length.

Where a sentence ends:
- after . ! ? … (and ؟ ।), with the quotes and brackets that close it, before white space or the
  end of the text; after the full-width 。！？． right away (Japanese and Chinese put no space);
- at a blank line, and before a line that starts a list item (`- `, `* `, `• `, `1. `, `2) `, `a) `);
- at any other line break (paragraphs of HTML become single line breaks), unless the line
  plainly goes on: it ends in a comma, semicolon, colon, dash, `&` or `/`, or the next line
  starts with a lower-case letter (a hard-wrapped paragraph).
A full stop does not end a sentence after an abbreviation — a single letter (`J. Smith`), letters
joined by full stops (`e.g.`, `z. B.` written `z.B.`, `p.ex.`), a word in _ABBREVIATIONS (`Mr.`,
`Nr.`, `Mme.`), a number of one or two digits (`am 3. März`, a list's `1.`) — nor before a
lower-case letter (`approx. two weeks`). A number's decimal point (`4.5`) is never followed
by white space, so it never ends one.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache

from interpreter.evaluation.narrow import Narrowed, latin1_class, latin1_members
from interpreter.evaluation.phrases import UNSPACED, is_unspaced, is_word_char

# Words that end with a full stop in the middle of a sentence, lower case, without the stop
# (English, French, German, Spanish, Italian). Single letters and letters joined by full stops
# are found by their shape and need no entry.
_ABBREVIATIONS = frozenset("""
    mr mrs ms dr prof st jr sr no nos vs approx appt dept est fig tel ref nr ca bzw usw evtl ggf inkl zzgl
    str hr hrn fr frl mme mmes mlle mlles env cf sra srta dña dto núm aprox pág sig sigg dott dott.ssa
    gent spett ecc pag art vol pp nº
""".split())

_CLOSERS = "\"'”’»)]」』）"
# A stop that needs white space (or the end) after it, a full-width stop that does not, or a
# run of line breaks with the blanks between them.
_CLOSING = "[" + re.escape(_CLOSERS) + "]*"
# A stop starts only where a run of stops starts: tried again at each full stop of a long run,
# it would cost time quadratic in the run (a message of a megabyte of tabs took hours when runs
# of blanks were tried the same way); a match never starts inside such a run anyway.
# The pattern begins with the one character every break starts with, and each alternative then
# looks behind at it: a pattern that begins with a class of characters is searched for at C speed
# from one candidate to the next, where alternatives each opening with a look-behind were tried
# at every character of the text. A run of lines starts at its first line break, not at the blanks
# before it: the class then holds no blank, and the spaces between words (a sixth of a text) are
# passed over without trying an alternative at each, which was most of the pattern's cost; the
# blanks before the break are trailing white space of the sentence, trimmed from it anyway, and
# `_ends` looks past them for the character that ends the line. Which kind of break was found is
# the name of the empty group that ends its alternative (`lastgroup`).
# After a stop or a run of lines, the next character that is not white space is taken too
# (`next`, empty at the end of the text), in a look-ahead that always succeeds: whether it is
# lower case decides many breaks, and asking the pattern cost less than a second search per break.
# The white space it reads follows one break only (a stop needs it after, and a run of lines has
# taken every line break of it), so the text is still read once.
# (tests/test_sentences.py compares it with the pattern as first written, on random texts.)
_STOP = "[.!?…؟।]"
_BREAK = re.compile(
    r"[.!?…؟।。！？．\n]"
    rf"(?:(?<={_STOP})(?<!{_STOP}{_STOP}){_STOP}*{_CLOSING}(?=\s|\Z)(?=\s*+(?P<next>\S)|)(?P<stop>)"
    rf"|(?<=[。！？．])[。！？．]*{_CLOSING}(?P<wide>)"
    r"|(?<=\n)(?:[^\S\n]*\n)*(?=[^\S\n]*+(?P<after>\S)|)(?P<lines>))"
)
_LIST_ITEM = re.compile(r"[^\S\n]*(?:[-*•·▪◦‣–—]\s|\d{1,2}[.)]\s|[A-Za-z][.)]\s|\(\d{1,2}\)\s)")
# The word (letters, digits, inner full stops) just before a full stop, read backwards from it:
# matched once on the reversed 20 characters, where searching forwards for one that reaches the
# stop tried each of the 20 starts.
_TOKEN_BEFORE = re.compile(r"[\w.]{1,20}")
_GOES_ON = frozenset(",;:-–—&/(")


def _is_abbreviation(token: str) -> bool:
    """Does a full stop after this word (letters, digits, inner full stops) leave the sentence open?"""
    if token.isdigit():
        return len(token) <= 2
    if "." not in token:            # one part: a letter alone, or a listed word (most tokens)
        return (len(token) == 1 and token.isalpha()) or token.lower() in _ABBREVIATIONS
    parts = token.split(".")
    if all(p.isalpha() and len(p) <= 2 for p in parts) and (len(parts) > 1 or len(token) == 1):
        return True
    return token.lower() in _ABBREVIATIONS


def _next_is_lower(m: re.Match) -> bool:
    """Does the text go on after this break with a lower-case letter?"""
    after = m.group("next") or m.group("after")
    return bool(after) and after.islower()


def _ends(text: str, m: re.Match) -> bool:
    """Does this break end a sentence?"""
    kind = m.lastgroup
    if kind == "wide":
        return True
    if kind == "lines":
        if m.group().count("\n") > 1 or _LIST_ITEM.match(text, m.end()):
            return True
        # The line ends with the last character before the break that is not a blank.
        last = m.start() - 1
        while last >= 0 and text[last] != "\n" and text[last].isspace():
            last -= 1
        return last >= 0 and text[last] not in _GOES_ON and not _next_is_lower(m)
    stop = m.group().rstrip(_CLOSERS)
    if stop in (".", "…", "...") or set(stop) == {"."}:
        if _next_is_lower(m):
            return False
        if stop == ".":
            token = _TOKEN_BEFORE.match(text[max(0, m.start() - 20):m.start()][::-1])
            return not (token and _is_abbreviation(token.group()[::-1].strip(".")))
    return True


class Stretch(dict):
    """A sentence item ({"text", "start", "end"}) that knows the text it was cut from: phrase
    lists asked about it are read from that text's one scan (interpreter.evaluation.phrases:
    PhraseSet.within). Its edges never stand inside a word, which is what makes that exact."""

    __slots__ = ("whole",)

    def __reduce__(self):           # pickled (forked workers, caches) as the plain item it is
        return (dict, (dict(self),))


def _stretch(whole: str, start: int, end: int, text: str) -> Stretch:
    # dict's own __init__, the whole text set after: a Python __init__ calling dict's took twice
    # as long, and a text has a sentence item and a run item per sentence
    item = Stretch(text=text, start=start, end=end)
    item.whole = whole
    return item


def _trimmed(text: str, start: int, end: int) -> Stretch | None:
    # str.strip strips what str.isspace calls white space, as \s and the breaks above read it
    piece = text[start:end]
    kept = piece.strip()
    if not kept:
        return None
    start += len(piece) - len(piece.lstrip())
    return _stretch(text, start, start + len(kept), kept)


@lru_cache(maxsize=64)
def split(text: str) -> tuple[dict, ...]:
    """The sentences of a text, in order, trimmed of white space; none for a blank text."""
    out: list[dict] = []
    start = 0
    for m in _BREAK.finditer(text):
        if _ends(text, m):
            cut = m.start() if m.lastgroup == "lines" else m.end()
            item = _trimmed(text, start, cut)
            if item:
                out.append(item)
            start = m.end()
    item = _trimmed(text, start, len(text))
    if item:
        out.append(item)
    return tuple(out)


def runs(text: str, size: int) -> list[dict]:
    """Each sentence with the `size - 1` sentences after it, as one item spanning them: the places
    where something said "in the same sentence or the next" can be found (size 2). A text with
    fewer sentences than `size` is one run."""
    return list(_runs(text, max(1, int(size))))      # cached; each caller gets its own list


@lru_cache(maxsize=64)
def _runs(text: str, size: int) -> tuple[dict, ...]:
    items = split(text)
    if len(items) <= size:
        return (_trimmed(text, items[0]["start"], items[-1]["end"]),) if items else ()
    # sentences are trimmed already, so a run from one's start to another's end is too
    return tuple(_stretch(text, item["start"], last["end"], text[item["start"]:last["end"]])
                 for item, last in zip(items, items[size - 1:]))


@lru_cache(maxsize=None)
def _words_of() -> Narrowed:
    """The word pattern, and its twin for texts whose word characters are all Latin-1. Compiled on
    first use: a class of the unspaced scripts' ranges takes milliseconds to compile, which a cold
    `check` of a message that needs no word distances should not pay."""
    # A word: a run of letters and digits of a spaced script, or one character of a script written
    # without spaces (there a character stands for a word; Japanese words are one to three
    # characters). The two alternatives start with different characters, so their order does not
    # change what is found; the frequent one is tried first.
    wide = re.compile(rf"[^\W{UNSPACED}]++|[{UNSPACED}]")
    narrow = re.compile("[" + latin1_class(re.compile(r"\w")) + "]++")
    # what the wide pattern can take: a word character (\w: str.isalnum or "_") or an unspaced one
    return Narrowed(wide, narrow, lambda ch: ch.isalnum() or ch == "_" or is_unspaced(ch))


@lru_cache(maxsize=64)
def _words(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Where each word of the text starts, and where it ends."""
    words = _words_of()
    pattern = words.for_text(text)
    if pattern is words.narrow and len(text) > _LONG:
        return _latin1_words(text)
    found = list(pattern.finditer(text))
    return tuple(map(re.Match.start, found)), tuple(map(re.Match.end, found))


# A message's whole text (for `mentions_near` on message.text) has hundreds of words; a match
# object per word cost more than telling, for every character at once, whether it is a word
# character. Shorter texts (sentences) are read by the pattern.
_LONG = 256


@lru_cache(maxsize=None)
def _latin1_word_table():
    import numpy as np      # loaded with the language model in any process that judges language

    # whether each character below U+0100 is a word character; one more entry, False, stands for
    # every character above (none of which is a word character in a text read here)
    return np.array([*latin1_members(re.compile(r"\w")), False], dtype=np.int8)


def _latin1_words(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """_words for a text whose word characters are all Latin-1: words are the runs of them."""
    import numpy as np

    table = _latin1_word_table()
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    edges = np.diff(table[np.minimum(codes, 256)], prepend=np.int8(0), append=np.int8(0))
    return tuple(np.flatnonzero(edges == 1).tolist()), tuple(np.flatnonzero(edges == -1).tolist())


def words_between(text: str, end: int, start: int) -> int:
    """How many words stand between a stretch ending at `end` and one starting at `start`: the
    words starting in text[end:start]. Only that stretch is read (a gap is a few words; indexing
    the whole text cost more than the rest of reading a message's purposes)."""
    if start <= end:
        return 0
    count = sum(1 for _ in _words_of().for_text(text).finditer(text, end, start))
    # a word the stretch before `end` already started does not start in the gap
    if count and 0 < end < len(text) and is_word_char(text[end - 1]) and is_word_char(text[end]):
        count -= 1
    return count


def _word_range(words: tuple[tuple[int, ...], tuple[int, ...]], start: int, end: int) -> tuple[int, int]:
    """The first and last word a stretch of text touches. A stretch without a word ("?") sits
    between two words: its first is the word after it, its last the word before."""
    starts, ends = words
    return bisect_right(ends, start), bisect_left(starts, end) - 1


def near(text: str, hits: list[dict], others: list[dict], words: float, after: bool = False) -> list[dict]:
    """The hits with at most `words` words between them and one of the others (0: next to each
    other), on either side — or, with `after`, only where the other comes after the hit. Hits
    and others are spans of `text`; an other overlapping a hit is next to it (not after it)."""
    if not hits or not others or words < 0:
        return []
    gap = int(words)
    index = _words(text)
    if after:
        # Of the others starting after a hit ends, the first to start is the nearest.
        following = sorted((o["start"], _word_range(index, o["start"], o["end"])[0]) for o in others)
        starts = [s for s, _ in following]
        out = []
        for h in hits:
            j = bisect_left(starts, h["end"])
            if j < len(following) and following[j][1] - _word_range(index, h["start"], h["end"])[1] - 1 <= gap:
                out.append(h)
        return out
    spans = sorted(_word_range(index, o["start"], o["end"]) for o in others)
    firsts = [f for f, _ in spans]
    reach: list[int] = []          # the furthest last word among the others starting this early
    for _, last in spans:
        reach.append(max(last, reach[-1]) if reach else last)
    out = []
    for h in hits:
        first, last = _word_range(index, h["start"], h["end"])
        # Some other is near when it starts at most `gap` words after this hit ends and ends at
        # most `gap` words before it starts.
        j = bisect_right(firsts, last + gap + 1) - 1
        if j >= 0 and reach[j] >= first - gap - 1:
            out.append(h)
    return out
