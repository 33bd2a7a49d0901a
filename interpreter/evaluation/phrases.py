"""Phrase matching for `mentions`: whole words, ignoring case, accents, Arabic diacritics and
letter variants, and runs of white space, in any script.

Stage: used by interpreter.evaluation.program (lowering) and operators. Input: a text and a
tuple of phrases. Output: hits with spans into the original text. Both sides are folded the same
way; a map from folded to original offsets turns match positions back into spans the CLI can
highlight.

A policy's phrase lists are one `PhraseSet`: one Aho-Corasick automaton over every phrase of
every list, built when the policy is lowered. A text is folded and scanned once, and every rule
and every evidence trace that asks about that text reads its list's hits from that one scan
(a policy had 33 full-text regex scans per message, 8 of them repeated by evidence tracing).
`regex_matcher` is the reference: one regular expression per list, the same hits
(tests/test_textmatch.py, tests/test_same_reports.py; dsl.contract.reference).
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from functools import lru_cache
from typing import Callable, Iterable, Sequence

import ahocorasick

from dsl.contract.reference import REFERENCE
from dsl.contract.regex import PolicyRegex

# Arabic letters written several ways in practice; folded to one form on both sides.
_ARABIC = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"}
_DROP = {"\u0640", "\u200b", "\u200c", "\u200d", "\u00ad", "\u2060", "\ufeff"}   # tatweel, zero-width, soft hyphen
_SAME = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
         "\u2014": "-", "\u2212": "-", "\u201c": '"', "\u201d": '"'}


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in _DROP:
        return ""
    if ch in _SAME:
        return _SAME[ch]
    if ch in _ARABIC:
        return _ARABIC[ch]
    if ch.isascii():
        return ch.lower()
    out = []
    for c in unicodedata.normalize("NFKD", ch):
        if unicodedata.category(c) == "Mn":
            continue
        out.append(_ARABIC.get(c, c))
    return "".join(out).casefold()


# Scripts written without spaces between words (Han, kana, Thai, Lao, Myanmar, Khmer): a phrase
# in them needs no word boundary, or it would never be found inside running text ("レビュー" in
# "レビューをお願いします"). Every other letter or digit is a word character, and a phrase
# starting or ending with one matches only as a whole word.
UNSPACED = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
WORD_CHAR = rf"[^\W{UNSPACED}]"
_STARTS_WORD = re.compile(WORD_CHAR)


@lru_cache(maxsize=None)
def _word_run() -> re.Pattern:
    # Compiled on first use, as is the class of unspaced characters below: a class of these
    # ranges takes milliseconds to compile, and only the reference matcher needs them.
    return re.compile(WORD_CHAR + "+")


def folded(text: str) -> str:
    """The folded text alone (fold() keeps its offsets as a few shifts, so this costs no more)."""
    return fold(text)[0]


@lru_cache(maxsize=128)
def _words(text: str) -> frozenset[str]:
    return frozenset(_word_run().findall(folded(text)))


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@lru_cache(maxsize=None)
def _unspaced_char() -> re.Pattern:
    return re.compile(f"[{UNSPACED}]")


@lru_cache(maxsize=128)
def _has_unspaced(text: str) -> bool:
    return not text.isascii() and bool(_unspaced_char().search(text))


_RUNS = re.compile(r"\s{2,}")      # the runs of white space folding shortens (a single one stays one)


class Shifts:
    """Folded offset -> original offset, for a fold that only shortens runs of white space to one
    space: stored as the folded offsets where the shift grows, not one entry per character (a
    per-character index cost more than the scan itself on texts of a few kilobytes)."""

    __slots__ = ("_at", "_shift", "_size", "_ends")

    def __init__(self, text: str, runs: bool = True):
        """`runs` False: the caller knows the text has no run of white space (its collapsed form
        is as long), and the search for them is left out."""
        at, shift, ends, removed = [], [], [], 0
        for m in _RUNS.finditer(text) if runs else ():
            removed += m.end() - m.start() - 1
            at.append(m.end() - removed)          # the first folded character after the run
            shift.append(removed)
            ends.append(m.end())
        self._at, self._shift, self._size, self._ends = at, shift, len(text) - removed, ends

    def position(self, offset: int) -> int:
        """The folded offset of the first character at or after original `offset` (what
        bisect_left over the offsets gives, in one step)."""
        j = bisect_right(self._ends, offset)      # runs that end at or before it
        if j < len(self._ends):
            run_end = self._ends[j]
            if run_end - (self._shift[j] - (self._shift[j - 1] if j else 0)) < offset:
                return self._at[j]                # inside a run, past its one kept space
        return min(offset - (self._shift[j - 1] if j else 0), self._size)

    def __getitem__(self, i: int) -> int:
        if not 0 <= i < self._size:
            raise IndexError(i)
        j = bisect_right(self._at, i)
        return i + (self._shift[j - 1] if j else 0)

    def __len__(self) -> int:
        return self._size

    def __iter__(self):
        return (self[i] for i in range(self._size))


def _position(index: Sequence[int], offset: int) -> int:
    """The folded offset of the first character at or after original `offset`."""
    return index.position(offset) if isinstance(index, Shifts) else bisect_left(index, offset)


def collapse_spaces(text: str) -> str:
    """Each run of white space as one space, as `re.sub(r"\\s+", " ", text)` gives it: by str.split,
    which splits at the same characters (str.isspace, as \\s matches), in a third of the time."""
    words = text.split()
    if not words:
        return " " if text else ""
    out = " ".join(words)
    if text[0].isspace():
        out = " " + out
    return out + " " if text[-1].isspace() else out


def _collapse_spaces(text: str) -> tuple[str, Shifts] | None:
    """Runs of white space as one space, lower case, with the original offset of each character;
    None when lower() changed a length (then only the character walk is right)."""
    collapsed = collapse_spaces(text)
    out = collapsed.lower()
    return (out, Shifts(text, runs=len(collapsed) < len(text))) if len(out) == len(collapsed) else None


_FEW_CHANGES = 24


def _translated(text: str) -> str | None:
    """The text with each non-ASCII character folded, when each folds to one character (é -> e,
    emoji, Arabic letters: most do), else None. Offsets then only move around runs of white
    space; text with characters that vanish or grow (diacritics, ligatures) takes the
    per-character walk."""
    if text.isascii():
        return text
    changed = {ch: f for ch in set(_NON_ASCII.findall(text)) if (f := _fold_char(ch)) != ch}
    if any(len(f) != 1 for f in changed.values()):
        return None
    # str.translate looks every character of a non-ASCII text up in its table: 0.36 ms for a
    # message of 3 KB with a few curly quotes, where replacing each of the few characters that
    # change, a pass each, takes 4 µs. Many (Chinese text), or one whose fold is another that
    # changes (the passes' order would matter): translate.
    if len(changed) > _FEW_CHANGES or any(f in changed for f in changed.values()):
        return text.translate({ord(ch): f for ch, f in changed.items()})
    for ch, f in changed.items():
        text = text.replace(ch, f)
    return text


@lru_cache(maxsize=128)
def fold(text: str) -> tuple[str, Sequence[int]]:
    """The folded text and, for each of its characters, the offset of the original character."""
    translated = _translated(text)
    found = _collapse_spaces(translated) if translated is not None else None   # ASCII's never None
    return found if found is not None else fold_each(text)


def folded_alone(text: str) -> str:
    """fold(text)[0], without the offsets and outside fold's cache: for the phrases of a policy,
    each folded once when the policy is lowered (four thousand of them, a tenth of a cold start
    when each also built its offsets and went through the cache)."""
    translated = _translated(text)
    if translated is not None:
        collapsed = collapse_spaces(translated)
        out = collapsed.lower()
        if len(out) == len(collapsed):
            return out
    return fold_each(text)[0]


def fold_each(text: str) -> tuple[str, tuple[int, ...]]:
    """fold(), one character at a time: right for any text, and the reference for the fast paths."""
    out: list[str] = []
    index: list[int] = []
    previous_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not previous_space:
                out.append(" ")
                index.append(i)
            previous_space = True
            continue
        previous_space = False
        f = _fold_char(ch)
        out.append(f)
        index.extend([i] * len(f))
    return "".join(out), tuple(index)


def _fold_phrase(phrase: str) -> str:
    # A phrase needs no offset index (tests/test_textmatch.py: the two folds agree).
    return folded_alone(phrase.strip())


def _by_folded(phrases: tuple[str, ...]) -> dict[str, str]:
    """Each folded phrase, and the first phrase of the list that folds to it (what a hit names)."""
    by_folded: dict[str, str] = {}
    for p in phrases:
        f = _fold_phrase(p)
        if f:
            by_folded.setdefault(f, p)
    return by_folded


def _hit(text: str, index: Sequence[int], start: int, end: int, phrase: str) -> dict:
    """A match of folded[start:end] as a span of the original text."""
    start, end = index[start], index[end - 1] + 1
    while end < len(text) and (unicodedata.category(text[end]) == "Mn" or text[end] in _DROP):
        end += 1      # marks folded away after the last letter still belong to the word
    return {"text": text[start:end], "phrase": phrase, "start": start, "end": end}


@lru_cache(maxsize=4096)
def is_word_char(ch: str) -> bool:
    """A letter or digit of a spaced script: a character a phrase's word boundary looks at."""
    return _STARTS_WORD.match(ch) is not None


@lru_cache(maxsize=4096)
def is_unspaced(ch: str) -> bool:
    """A character of a script written without spaces between words."""
    return _unspaced_char().match(ch) is not None


Finder = Callable[[str], list]


class PhraseSet:
    """Phrase lists scanned together: one automaton, one scan of each text for all of them.

    The hits of a list are what `regex_matcher` finds: at each position of the folded text, the
    longest phrase of the list that stands there on word boundaries (a phrase starting with a
    word character needs none before it, one ending with a word character none after it;
    characters of unspaced scripts are not word characters), then the next search starts where
    that hit ends. The automaton finds every occurrence of every phrase; the boundaries are
    checked once per occurrence, and each list keeps its own non-overlapping leftmost-longest
    choice among the occurrences of its phrases."""

    def __init__(self, lists: Iterable[tuple[str, ...]], scans: int = 256):
        self._lists: dict[tuple[str, ...], tuple[int, dict[str, str]]] = {}
        # The caches below are keyed by a list's bit, not by its tuple of phrases: Python does not
        # remember a tuple's hash, and hashing hundreds of phrases on every question added up.
        self._by_bit: dict[int, dict[str, str]] = {}
        entries: dict[str, int] = {}              # folded phrase -> bit mask of the lists holding it
        for phrases in lists:
            if phrases in self._lists:
                continue
            bit = 1 << len(self._lists)
            by_folded = _by_folded(phrases)
            self._lists[phrases] = (bit, by_folded)
            self._by_bit[bit] = by_folded
            for f in by_folded:
                entries[f] = entries.get(f, 0) | bit
        self._automaton = None
        if entries:
            automaton = ahocorasick.Automaton()
            for f, mask in entries.items():
                automaton.add_word(f, (len(f), is_word_char(f[0]), is_word_char(f[-1]), mask, f))
            automaton.make_automaton()
            self._automaton = automaton
        self._scans = scans
        self._caches()

    def _caches(self) -> None:
        # The last texts scanned, with each list's hits: a message's text, its subject, its
        # sentences and link texts are each asked about by several rules and again by evidence.
        scans = self._scans
        self._scan = lru_cache(maxsize=scans)(self._occurrences)
        self._hits = lru_cache(maxsize=4 * scans)(self._list_hits)
        self._within = lru_cache(maxsize=4 * scans)(self._stretch_hits)
        self._reaches = lru_cache(maxsize=4 * scans)(self._reach)

    # A set is kept on disk with its compiled policy (permitted.cache): folding four thousand
    # phrases and building the automaton took 30-50 ms of every cold start, reading them back
    # 10. What is kept is what was built, not the texts scanned since.
    def __getstate__(self) -> dict:
        return {"lists": self._lists, "by_bit": self._by_bit, "automaton": self._automaton, "scans": self._scans}

    def __setstate__(self, state: dict) -> None:
        self._lists, self._by_bit = state["lists"], state["by_bit"]
        self._automaton, self._scans = state["automaton"], state["scans"]
        self._caches()

    def built_from(self, lists: Iterable[tuple[str, ...]]) -> bool:
        """Was this set built from these phrase lists, in this order?"""
        return tuple(self._lists) == tuple(dict.fromkeys(lists))

    def _occurrences(self, text: str) -> dict[int, list[tuple[int, int, str]]]:
        """Per list bit, (start, end, folded phrase) of every occurrence of its phrases on word
        boundaries in the folded text, by start, longest first. Sorted out once per text: each
        list then reads only its own occurrences (a message's text is asked about by ~30 lists)."""
        folded_text = folded(text)
        size = len(folded_text)
        found = []
        # A folded text's words are mostly separated by one space, which is no word character:
        # it is told apart before asking is_word_char (an occurrence is checked at both ends).
        for last, (n, starts_word, ends_word, mask, f) in self._automaton.iter(folded_text):
            start = last - n + 1
            if starts_word and start and (c := folded_text[start - 1]) != " " and is_word_char(c):
                continue
            if ends_word and last + 1 < size and (c := folded_text[last + 1]) != " " and is_word_char(c):
                continue
            found.append((start, -n, mask, f))
        found.sort()
        by_list: dict[int, list[tuple[int, int, str]]] = {}
        for start, neg, mask, f in found:
            if not mask & (mask - 1):             # a phrase of one list, as most are
                by_list.setdefault(mask, []).append((start, start - neg, f))
                continue
            while mask:
                bit = mask & -mask
                by_list.setdefault(bit, []).append((start, start - neg, f))
                mask ^= bit
        return by_list

    def _list_hits(self, text: str, bit: int) -> tuple[dict, ...]:
        by_folded = self._by_bit[bit]
        chosen, reach = [], 0
        for start, end, f in self._scan(text).get(bit, ()):
            if start >= reach:
                chosen.append((start, end, f))
                reach = end
        if not chosen:
            return ()
        folded_text, index = fold(text)
        return tuple(_hit(text, index, start, end, by_folded[f]) for start, end, f in chosen)

    def within(self, whole: str, start: int, end: int, phrases: tuple[str, ...]) -> tuple[dict, ...]:
        """The hits of one of the set's lists in whole[start:end], with offsets from `start`: what
        a scan of that stretch alone finds, read from the scan of the whole text (a message's
        sentences and runs of sentences were ~2/3 of its scanning). Exact for a stretch whose
        edges stand next to no word character and no white space inside it — a sentence
        (interpreter.evaluation.sentences): then the word-boundary tests at its edges and the
        folding inside it are the same in both texts (tests/test_sentences.py checks them equal)."""
        return self._within(whole, start, end, self._lists[phrases][0])

    def _stretch_hits(self, whole: str, start: int, end: int, bit: int) -> tuple[dict, ...]:
        by_folded = self._by_bit[bit]
        if self._automaton is None:
            return ()
        occurrences = self._scan(whole).get(bit)
        if not occurrences:
            return ()
        _, index = fold(whole)
        first, stop = _position(index, start), _position(index, end)
        chosen, reach = [], first
        for i in range(bisect_left(occurrences, (first,)), len(occurrences)):
            s, e, f = occurrences[i]
            if s >= stop:
                break
            if e <= stop and s >= reach:
                chosen.append((s, e, f))
                reach = e
        out = []
        for s, e, f in chosen:
            hit = _hit(whole, index, s, e, by_folded[f])
            hit["start"] -= start
            hit["end"] -= start
            out.append(hit)
        return tuple(out)

    def _reach(self, whole: str, bit: int) -> tuple[list[int], list[int], list[int]]:
        """The occurrences of one list in `whole`, in original offsets: where each starts, where
        it ends, and the nearest end of it or any occurrence after it. An occurrence lies wholly
        inside whole[start:end] when one starting at or after `start` ends by `end`: one bisection
        per stretch, where mapping each stretch into folded offsets took two (a quantifier asks
        this of every sentence of a text, for each list its body names)."""
        occurrences = self._scan(whole).get(bit, ())
        _, index = fold(whole)
        starts = [index[s] for s, _, _ in occurrences]
        ends = [index[e - 1] + 1 for _, e, _ in occurrences]
        nearest = list(ends)
        for i in range(len(nearest) - 2, -1, -1):
            if nearest[i + 1] < nearest[i]:
                nearest[i] = nearest[i + 1]
        return starts, ends, nearest

    def _stretch_mentions(self, whole: str, start: int, end: int, bit: int) -> bool:
        """Whether `within` finds anything: an occurrence lies wholly inside the stretch (the
        first such one is always chosen), found without building the hits. The folded offsets
        map to original ones in order, so "inside" reads the same in either."""
        if bit not in self._scan(whole):
            return False
        starts, _, nearest = self._reaches(whole, bit)
        i = bisect_left(starts, start)
        return i < len(starts) and nearest[i] <= end

    def tester(self, phrases: tuple[str, ...]) -> Callable[[str], bool] | None:
        """A function text -> whether the text holds a hit of one of the set's lists (`mentions`
        as a condition): a list has a hit wherever it has an occurrence, as the first is always
        chosen. None where `matcher` must be used (the reference, a list not in the set)."""
        if REFERENCE or phrases not in self._lists:
            return None
        if self._automaton is None or not self._lists[phrases][1]:
            return lambda text: False
        scan, bit = self._scan, self._lists[phrases][0]
        return lambda text: bit in scan(text)

    def stretch_tester(self, phrases: tuple[str, ...]) -> Callable[[str, int, int], bool] | None:
        """A function (whole, start, end) -> whether the stretch mentions one of the set's lists:
        `mentions` as a condition, asked of every sentence of a text by a quantifier. None where
        `stretch_matcher` is None."""
        if REFERENCE or phrases not in self._lists:
            return None
        if self._automaton is None or not self._lists[phrases][1]:
            return lambda whole, start, end: False
        bit, mentions = self._lists[phrases][0], self._stretch_mentions
        return lambda whole, start, end: mentions(whole, start, end, bit)

    def stretch_matcher(self, phrases: tuple[str, ...]) -> Callable[[str, int, int], list] | None:
        """A function (whole, start, end) -> list of hits for one of the set's lists (see
        `within`); None where `matcher` must be used (the reference, a list not in the set)."""
        if REFERENCE or phrases not in self._lists:
            return None
        if self._automaton is None or not self._lists[phrases][1]:
            return lambda whole, start, end: []
        within, bit = self._within, self._lists[phrases][0]
        return lambda whole, start, end: [dict(h) for h in within(whole, start, end, bit)]

    def stretch_picker(self, phrases: tuple[str, ...]) -> Callable[[str, Sequence[dict]], Sequence[dict]] | None:
        """A function (whole, items) -> the items holding an occurrence of one of the set's
        lists, in order: the stretches of `whole` (its sentences, or runs of them: sorted by
        start, and by end too) where `stretch_tester` says yes, found from the list's
        occurrences rather than by asking each item. None where `stretch_tester` is None."""
        if REFERENCE or phrases not in self._lists:
            return None
        bit = self._lists[phrases][0]
        return lambda whole, items: self._picked(whole, items, bit)

    def _picked(self, whole: str, items: Sequence[dict], bit: int) -> Sequence[dict]:
        occurrences = self._scan(whole).get(bit) if self._automaton is not None else None
        if not occurrences:
            return ()
        if len(occurrences) >= len(items):       # as many as items: each is asked, by the body
            return items
        item_starts = [item["start"] for item in items]
        item_ends = [item["end"] for item in items]
        picked: set[int] = set()
        for start, end in zip(*self._reaches(whole, bit)[:2]):
            # the items that start at or before the occurrence and end at or after it
            picked.update(range(bisect_left(item_ends, end), bisect_right(item_starts, start)))
        return [items[i] for i in sorted(picked)]

    def matcher(self, phrases: tuple[str, ...]) -> Finder:
        """A function text -> list of hits for one of the set's lists."""
        if REFERENCE:
            return regex_matcher(phrases)
        if phrases not in self._lists:
            return phrase_matcher(phrases)        # a list the set was not built with: its own set
        if self._automaton is None or not self._lists[phrases][1]:
            return lambda text: []
        hits, bit = self._hits, self._lists[phrases][0]
        # Copies, so that a caller may keep or change its list without touching the cached one.
        return lambda text: [dict(h) for h in hits(text, bit)]


@lru_cache(maxsize=1)
def build_version() -> str:
    """What a kept PhraseSet depends on besides its lists: the folding and matching code (this
    module and interpreter.evaluation.narrow), Python's Unicode tables, and the automaton's
    library (its pickled form). A kept set made under another is built again."""
    import hashlib
    import sys
    from pathlib import Path

    from interpreter.evaluation import narrow

    h = hashlib.sha256(f"{sys.version}\0{unicodedata.unidata_version}\0".encode())
    library = Path(ahocorasick.__file__).stat()
    h.update(f"{ahocorasick.__file__}\0{library.st_size}\0{library.st_mtime_ns}\0".encode())
    for source in (Path(__file__), Path(narrow.__file__)):
        h.update(source.read_bytes() + b"\0")
    return h.hexdigest()


@lru_cache(maxsize=512)
def phrase_matcher(phrases: tuple[str, ...]) -> Finder:
    """A function text -> list of hits for this phrase list, built once (a set of its own: for
    lists outside a policy's program, such as the normaliser's)."""
    return PhraseSet([phrases], scans=32).matcher(phrases)


@lru_cache(maxsize=512)
def regex_matcher(phrases: tuple[str, ...]) -> Finder:
    """phrase_matcher as one regular expression per list: the reference for PhraseSet."""
    by_folded = _by_folded(phrases)
    if not by_folded:
        return lambda text: []
    # Every word of a phrase must stand as a whole word in the text for the phrase to match
    # (phrases match on word boundaries), so a text lacking them is skipped without a scan.
    # A phrase written without spaces (レビュー) has no such words: it needs a character of its
    # script in the text instead.
    needs = [frozenset(_word_run().findall(f)) for f in by_folded]
    unspaced = [not n and bool(_unspaced_char().search(f)) for n, f in zip(needs, by_folded)]
    always = any(not n and not u for n, u in zip(needs, unspaced))
    # One word per phrase is enough to look for: a text holding none of them holds no phrase.
    # (One set test in C, where checking every phrase's words took a Python loop per text.)
    keys = frozenset(max(sorted(n), key=len) for n in needs if n)
    any_unspaced = any(unspaced)
    word_start: list[str] = []
    other_start: list[str] = []
    for f in sorted(by_folded, key=len, reverse=True):
        (word_start if _STARTS_WORD.match(f[0]) else other_start).append(f)
    # The first character decides which group can match at a position, so the left word
    # boundary is checked once per position instead of once per phrase.
    groups = []
    if word_start:
        groups.append(f"(?<!{WORD_CHAR})" + _alternatives(word_start))
    if other_start:
        groups.append(_alternatives(other_start))
    pattern = re.compile("|".join(groups))

    def find(text: str) -> list[dict]:
        if not always:
            words = _words(text)
            if keys.isdisjoint(words) and not (any_unspaced and _has_unspaced(text)):
                return []
        if not pattern.search(folded(text)):
            return []
        folded_text, index = fold(text)
        return [_hit(text, index, m.start(), m.end(), by_folded[m.group()])
                for m in pattern.finditer(folded_text) if m.end() > m.start()]

    return find


def _alternatives(phrases: list[str]) -> str:
    """The phrases, longest first, as one alternation; those ending in a word character must end
    a word. Neighbours with the same need share one lookahead: `(?:a|b)(?!w)` tries the same
    phrases in the same order as `a(?!w)|b(?!w)`, because a failed lookahead backtracks into the
    alternation, and compiling WORD_CHAR (large ranges of code points) costs ~2.5 ms per copy,
    which had made a cold `check` spend seconds compiling phrase lists."""
    runs: list[tuple[bool, list[str]]] = []
    for f in phrases:
        ends_word = bool(_STARTS_WORD.match(f[-1]))
        if runs and runs[-1][0] == ends_word:
            runs[-1][1].append(re.escape(f))
        else:
            runs.append((ends_word, [re.escape(f)]))
    return "(?:" + "|".join("(?:" + "|".join(run) + ")" + (f"(?!{WORD_CHAR})" if ends_word else "")
                            for ends_word, run in runs) + ")"


def regex_hits(pattern: PolicyRegex, text: str) -> list[dict]:
    """The non-empty matches of a policy's pattern, each where its evidence is (its `hit` group
    when it has one: dsl.contract.regex)."""
    hits = []
    for m in pattern.finditer(text):
        start, end = pattern.span(m)
        if end > start:
            hits.append({"text": text[start:end], "phrase": pattern.pattern, "start": start, "end": end})
    return hits
