"""Facts found in the visible text of a message: order ids, placeholders, bare links, e-mail
addresses, phone numbers, emoji and emoticons.

Stage: the normaliser's text reader, run on message.text once a plain or HTML body has become
the text a reader sees. Input: that text and the marketplace code (UK, US, SA, ...), which picks
the region for numbers written in national form, and the policy's words for link facts
(interpreter.facts.lexicon). Output: `text_facts`, one list per family, each item matching its
`$defs` entry in policies/facts.schema.json (order_id, placeholder, link, email, phone, emoji),
with `start`/`end` as str offsets into the text (text[start:end] is what was found), in order
of appearance. Errors: none; every str gives a result.

A character a reader sees belongs to one thing: an order id, placeholder, address, number or
emoticon written inside a URL is a detail of the link and is not reported again, and an order
id or an address is never also a phone number.
"""
from __future__ import annotations

import bisect
import functools
import heapq
import itertools
import re
import unicodedata
from dataclasses import dataclass

from interpreter.facts.lexicon import NO_WORDS, Lexicon
from interpreter.facts.links import link_record

FAMILIES = ("order_ids", "placeholders", "links", "emails", "phones", "emoji")


def text_facts(text: str, marketplace: str, lexicon: Lexicon = NO_WORDS) -> dict[str, list[dict]]:
    """Facts found in the visible text of a message."""
    folded = _Folded.of(text)
    links = folded.placed(_find_links(folded.text, lexicon))
    in_link = Spans.of(links)
    emails = [e for e in folded.placed(_find_emails(folded.text)) if not in_link.overlaps_item(e)]
    in_address = Spans.of(links, emails)
    order_ids = [o for o in _find_order_ids(text) if not in_address.overlaps_item(o)]
    placeholders = [p for p in _find_placeholders(text) if not in_link.overlaps_item(p)]
    claimed = Spans.of(links, emails, order_ids)
    phones = [p for p in _find_phones(text, marketplace, links + emails + order_ids) if not claimed.overlaps_item(p)]
    pictographs = _find_emoji(text)
    not_emoticons = Spans.of(links, emails, pictographs)
    emoticons = [e for e in _find_emoticons(text) if not not_emoticons.overlaps_item(e)]
    return {
        "order_ids": order_ids,
        "placeholders": placeholders,
        "links": links,
        "emails": emails,
        "phones": phones,
        "emoji": sorted(pictographs + emoticons, key=lambda item: item["start"]),
    }


# Characters a buyer does not see, or sees as "@" and ".", that a seller can write inside an address
# or a link to hide it from a search while the buyer still reads it: invisible ones (zero-width
# space, non-joiner and joiner, word joiner, byte order mark, soft hyphen) and the fullwidth and
# small forms of "@" and ".". Links and addresses are found in the text with these folded away
# (the invisible ones dropped, the others made ASCII); each one's span is then put back on the
# text as written, hidden characters included. Other fullwidth punctuation stays: "：" and "！"
# end a link in Japanese prose, as they must.
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
_LOOKALIKES = {"\uff20": "@", "\ufe6b": "@", "\uff0e": ".", "\ufe52": "."}
_TO_FOLD = re.compile("[" + "".join(sorted(_INVISIBLE)) + "".join(_LOOKALIKES) + "]")


@dataclass(frozen=True)
class _Folded:
    """A text with the characters above folded away, and where each of its characters was written."""
    text: str
    places: tuple[int, ...] | None     # character k of `text` is character places[k] of the original; None: the same text

    @classmethod
    def of(cls, text: str) -> "_Folded":
        if not _TO_FOLD.search(text):
            return cls(text, None)
        kept = [(i, _LOOKALIKES.get(c, c)) for i, c in enumerate(text) if c not in _INVISIBLE]
        return cls("".join(c for _, c in kept), tuple(i for i, _ in kept))

    def placed(self, items: list[dict]) -> list[dict]:
        """Items found in the folded text, with their spans on the original: from the first
        character found to the last, what is hidden between them included."""
        if self.places is None:
            return items
        for item in items:
            start, end = item["start"], item["end"]
            item["start"], item["end"] = (self.places[start], self.places[end - 1] + 1) if end > start else \
                (self.places[start],) * 2 if start < len(self.places) else (self.places[-1] + 1,) * 2
        return items


class Spans:
    """Where things already found stand, to ask quickly whether a new span overlaps one.
    Empty spans cover nothing and are left out."""

    def __init__(self, pairs):
        pairs = sorted((int(start), int(end)) for start, end in pairs if start < end)
        self._starts = [start for start, _ in pairs]
        # the furthest end among the spans starting before each point, so overlapping spans work too
        self._reach = list(itertools.accumulate((end for _, end in pairs), max))

    @classmethod
    def of(cls, *families: list[dict]) -> Spans:
        return cls((item["start"], item["end"]) for family in families for item in family)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self._starts, end)
        return i > 0 and self._reach[i - 1] > start

    def overlaps_item(self, item: dict) -> bool:
        return self.overlaps(item["start"], item["end"])


def _line_before(text: str, start: int, window: int = 400) -> str:
    # a bounded look back: only the last few words matter, and huge one-line texts stay linear
    low = max(0, start - window)
    cut = max(text.rfind("\n", low, start), text.rfind("\r", low, start))
    return text[(cut + 1 if cut >= 0 else low):start]


# --- order ids ----------------------------------------------------------------------------

# Not part of a longer run of digits, nor of a longer hyphenated number (…-123-1234567-1234567-…).
_ORDER_ID = re.compile(r"(?<!\d)(?<!\d-)[0-9]{3}-[0-9]{7}-[0-9]{7}(?!-?\d)")
# Its tail begins with a literal "-", which the regex engine scans for at string-search speed;
# the whole pattern is then tried where it would start, three characters earlier.
_ORDER_ID_TAIL = re.compile(r"-[0-9]{7}-[0-9]{7}")


def _find_order_ids(text: str) -> list[dict]:
    found = []
    for tail in _ORDER_ID_TAIL.finditer(text):
        m = _ORDER_ID.match(text, tail.start() - 3) if tail.start() >= 3 else None
        if m:
            found.append({"text": m.group(), "start": m.start(), "end": m.end()})
    return found


# --- placeholders -------------------------------------------------------------------------

# A field name: words joined by one separator; the delimiters that allow spaces allow them inside.
_NAME_SPACED = r"[^\W\d]\w*(?:[.\- ]\w+){0,5}"
_NAME_TIGHT = r"[^\W\d]\w*(?:[.\-]\w+){0,5}"
# Alternatives from the longest delimiters down, so {{x}} is one placeholder, not {x} inside.
# Every one opens with [, {, % or #: testing that first lets the scan pass the other positions
# without trying each alternative's lookbehinds (ten times faster on prose).
_PLACEHOLDER = re.compile(
    r"(?=[\[{%#])(?:"
    rf"(?P<double_square>\[\[[ \t]*(?P<n1>{_NAME_SPACED})[ \t]*\]\])"
    rf"|(?P<triple_curly>\{{\{{\{{[ \t]*(?P<n2>{_NAME_SPACED})[ \t]*\}}\}}\}})"
    rf"|(?P<double_curly>\{{\{{[ \t]*(?P<n3>{_NAME_SPACED})[ \t]*\}}\}})"
    rf"|(?P<double_percent>%%[ \t]*(?P<n4>{_NAME_SPACED})[ \t]*%%)"
    rf"|(?P<hash>(?<![\w#&])#(?P<n5>{_NAME_TIGHT})#(?![\w#]))"
    rf"|(?P<curly>(?<!\{{)\{{[ \t]*(?P<n6>{_NAME_TIGHT})[ \t]*\}}(?!\}}))"
    # a markdown link's text ([Order details](https://…)) is not a placeholder
    r"|(?P<square>(?<!\[)\[(?P<n7>[A-Za-z][A-Za-z0-9]*(?:[ _.\-][A-Za-z0-9]+){0,3})\](?![\[\](]))"
    r")"
)
_SYNTAX = {"double_square": "double_square", "triple_curly": "double_curly", "double_curly": "double_curly",
           "double_percent": "double_percent", "hash": "hash", "curly": "curly", "square": "square"}
# Single brackets hold prose as often as fields ([sic], [SALE], [Photo attached]); a bracketed
# Title Case or capitalised name counts only when one of its words names an order/buyer field.
_FIELD_WORDS = frozenset(
    "order id number name first last full buyer customer recipient seller store shop company brand "
    "product item asin sku title tracking carrier date address email phone link url quantity qty price "
    "amount total code".split())
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[-.\s]+")


def _normalise_name(raw: str) -> str:
    """`{{order.id}}`, `[Order ID]`, `{{orderId}}` -> `order_id`."""
    return _SEPARATORS.sub("_", _CAMEL.sub("_", raw.strip())).lower()


def _looks_like_field(raw: str) -> bool:
    words = re.split(r"[ _.\-]", raw)
    if ("_" in raw or "." in raw) and all(len(w) > 1 for w in words):
        return True                                    # [order_id], [order.id]: a template's spelling
    return (all(w[0].isupper() for w in words)
            and any(w.lower() in _FIELD_WORDS for w in _normalise_name(raw).split("_")))


# The characters a placeholder opens with. A pattern opening with a look-ahead is still tried at
# every position; a class is searched for at C speed, so the pattern is tried only after it.
_PLACEHOLDER_OPENER = re.compile(r"[\[{%#]")


def _placeholder_matches(text: str):
    """_PLACEHOLDER.finditer(text), tried only at the characters a placeholder opens with (a
    fifth of the time on prose, which has few of them)."""
    floor = 0
    for opener in _PLACEHOLDER_OPENER.finditer(text):
        if opener.start() >= floor and (m := _PLACEHOLDER.match(text, opener.start())):
            yield m
            floor = m.end()


def _find_placeholders(text: str) -> list[dict]:
    found = []
    for m in _placeholder_matches(text):
        kind = m.lastgroup                             # the outer group: nested names close first
        raw = next(g for g in m.groups()[1::2] if g is not None)
        if kind == "square" and not _looks_like_field(raw):
            continue
        found.append({"text": m.group(), "name": _normalise_name(raw), "syntax": _SYNTAX[kind],
                      "start": m.start(), "end": m.end()})
    return found


# --- links --------------------------------------------------------------------------------

# Printable ASCII but space, " < > (which end a URL in prose), or a letter/digit of any script.
_URL_CHAR = r"(?:[!#-;=?-~]|[^\x00-\x7f\W])"
_URL = re.compile(
    rf"(?<![A-Za-z0-9+.\-])(?i:https?|ftp)://(?=[\w\[]){_URL_CHAR}+"
    rf"|(?<![\w@.\-/:])(?i:www)\.(?=[^\W_]){_URL_CHAR}+"
    # a bare domain only with a path (example.com/x): "example.com" alone is too often prose;
    # a lower-case top-level domain keeps "Size M.XL/XXL" out
    rf"|(?<![\w@.\-/:%#])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+[a-z]{{2,24}}"
    rf"(?::[0-9]{{1,5}})?/{_URL_CHAR}*"
)
_SCHEME = re.compile(r"[A-Za-z]+://")
# Sentence punctuation and quotes after a URL belong to the sentence; closing brackets only
# when the URL has no opener for them (https://en.wikipedia.org/wiki/Foo_(bar) keeps its ")").
_TRAILING = frozenset(".,!?:;'\"*")
_OPENER = {")": "(", "]": "[", "}": "{"}


def _trim(url: str) -> str:
    unmatched = {closer: url.count(closer) - url.count(opener) for closer, opener in _OPENER.items()}
    end = len(url)
    while end:
        last = url[end - 1]
        if last in _TRAILING:
            end -= 1
        elif last in _OPENER and unmatched[last] > 0:
            unmatched[last] -= 1
            end -= 1
        else:
            break
    return url[:end]


# A link lies within one run of URL characters, and every link holds a "/" or a "www.": the
# regex is run only on the runs around those, found at string-search speed.
_URL_RUN = re.compile(rf"{_URL_CHAR}*")
_WWW = re.compile(r"[wW][wW][wW]\.")


def _slashes(text: str):
    at = text.find("/")
    while at != -1:
        yield at
        at = text.find("/", at + 1)


def _run_start(text: str, at: int, floor: int) -> int:
    """Where the run of URL characters reaching `at` starts (no earlier than `floor`)."""
    width = 64
    while True:
        low = max(floor, at - width)
        length = _URL_RUN.match(text[low:at][::-1]).end()
        if length < at - low or low == floor:
            return at - length
        width *= 8


def _url_runs(text: str):
    """(start, end) of each run of URL characters that holds a "/" or a "www.", in order."""
    done = 0
    for at in heapq.merge(_slashes(text), (m.start() for m in _WWW.finditer(text))):
        if at < done:
            continue
        start = _run_start(text, at, done)
        done = _URL_RUN.match(text, at).end()
        yield start, done


def _find_links(text: str, lexicon: Lexicon = NO_WORDS) -> list[dict]:
    found = []
    for run_start, run_end in _url_runs(text):
        for m in _URL.finditer(text, run_start, run_end):
            written = _trim(m.group())
            if not _SCHEME.match(written) and "@" in written.split("/", 1)[0]:
                continue                                   # www.jo@example.com is an e-mail address
            start = m.start()
            found.append(link_record(written, start, start + len(written), "text", before=_line_before(text, start),
                                     lexicon=lexicon))
    return found


# --- e-mail addresses ---------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.+%-])[\w+%-](?:[\w.+%'-]*[\w+%-])?"           # local part, not started mid-word
    r"@(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}"            # host with a letters-only TLD
    r"(?![\w-]|\.[^\W_])"                                      # ... and not cut off mid-host
)


_LOCAL_CHAR = re.compile(r"[\w.+%'-]")           # what _EMAIL allows in a local part


def _find_emails(text: str) -> list[dict]:
    """_EMAIL.finditer(text), read only where there is an "@".

    A match holds exactly one "@" and starts inside the run of local-part characters before it,
    so each search starts at the beginning of that run: the same matches as scanning the whole
    text, at the cost of the addresses alone."""
    found, done = [], 0
    at = text.find("@")
    while at != -1:
        start = at
        while start > done and _LOCAL_CHAR.match(text[start - 1]):
            start -= 1
        m = _EMAIL.search(text, start)
        if m is None:
            break
        found.append({"address": m.group().lower(), "start": m.start(), "end": m.end()})
        done = m.end()
        at = text.find("@", done)
    return found


# --- phone numbers ------------------------------------------------------------------------

# Marketplace codes that are not the ISO region of their numbers.
_REGIONS = {"UK": "GB"}
# A number right after a currency sign or code is an amount; phonenumbers only checks the
# character touching the number, not "£ 0201234567" or "USD 2025550143".
_CURRENCY_CODES = "USD|CAD|MXN|BRL|GBP|EUR|SEK|PLN|TRY|SAR|AED|EGP|INR|JPY|AUD|SGD"
_CODE_BEFORE = re.compile(rf"(?<![A-Za-z])(?:{_CURRENCY_CODES})\s*$")
_CODE_AFTER = re.compile(rf"^\s*(?:{_CURRENCY_CODES})(?![A-Za-z])")
_CONTEXT_WORDS = 6
_CONTEXT_WINDOW = 200


def _region(marketplace: str) -> str:
    import phonenumbers

    code = (marketplace or "").strip().upper()
    code = _REGIONS.get(code, code)
    # "ZZ" (unknown region) still finds numbers written in international form
    return code if code in phonenumbers.SUPPORTED_REGIONS else "ZZ"


def _is_amount(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 8):start].rstrip()
    after = text[end:end + 8].lstrip()
    if (before and unicodedata.category(before[-1]) == "Sc") or (after and unicodedata.category(after[0]) == "Sc"):
        return True
    return bool(_CODE_BEFORE.search(before) or _CODE_AFTER.match(after))


def _context(text: str, start: int, end: int) -> str:
    before = text[max(0, start - _CONTEXT_WINDOW):start].split()[-_CONTEXT_WORDS:]
    after = text[end:end + _CONTEXT_WINDOW].split()[:_CONTEXT_WORDS]
    return " ".join(before + after).lower()


# Every valid number written in international form has at least this many digits, country code
# included (+49 and a 4-digit German number); tests/test_textfacts.py recomputes it from the
# phonenumbers metadata, so a metadata update that lowers it fails a test, not a message.
INTERNATIONAL_MIN_DIGITS = 6
# A digit run as the matcher could read one number: digits with up to 4 other characters
# between them. phonenumbers allows up to 4 of its punctuation characters (which include "x"
# and "ー") between digit groups; any non-word character counts here, so a run is never
# shorter than a candidate of the matcher.
_DIGIT_RUN = re.compile(r"\d(?:[\W_xー]{0,4}\d)*")
# How far from a run that may be a number the text is left as written: the matcher reads
# brackets and "+" before a number, the character on either side, and an extension after it.
_NUMBER_SURROUNDINGS = 40


@functools.cache
def _min_digits(region: str) -> int:
    """The fewest digits a valid number found for `region` can have."""
    from phonenumbers import PhoneMetadata

    if region == "ZZ":
        return INTERNATIONAL_MIN_DIGITS
    national = [n for n in PhoneMetadata.metadata_for_region(region).general_desc.possible_length if n > 0]
    return min([INTERNATIONAL_MIN_DIGITS, *national])


def _blank(text: str, spans, filler: str) -> str:
    """`text` with each character of `spans` replaced by `filler`: same length, so offsets hold."""
    parts, at = [], 0
    for start, end in sorted(spans):
        if end > at:
            start = max(start, at)
            parts += [text[at:start], filler * (end - start)]
            at = end
    parts.append(text[at:])
    return "".join(parts)


def _phone_search_text(text: str, claimed, fewest: int) -> str:
    """The text the phone matcher reads: what is already an order id, link or address, and every
    digit run too short to be a number that stands away from any longer one, made blank.

    The matcher parses and validates every digit group it meets (prices, quantities, dates,
    tracking numbers); runs that cannot hold a number are most of them, and dropping them
    first makes finding phones several times faster with the same result."""
    # A line break ends a candidate and is no phone punctuation, so a number next to an order id
    # or a link is read on its own: neither joined to the digits of the order id nor given the
    # "x10" after the link as its extension.
    text = _blank(text, ((item["start"], item["end"]) for item in claimed), "\n")
    runs = [(m.start(), m.end(), sum(c.isdigit() for c in m.group()) >= fewest) for m in _DIGIT_RUN.finditer(text)]
    long_starts = [start for start, _, long in runs if long]
    long_ends = [end for _, end, long in runs if long]
    short = []
    for start, end, long in runs:
        if long:
            continue
        # the nearest longer run before and after this one: is either close enough to own it?
        i = bisect.bisect_left(long_starts, start)
        after = i < len(long_starts) and long_starts[i] - end <= _NUMBER_SURROUNDINGS
        before = i > 0 and start - long_ends[i - 1] <= _NUMBER_SURROUNDINGS
        if not (after or before):
            short.append((start, end))
    return _blank(text, short, " ") if short else text


_DIGIT = re.compile(r"\d")


def _find_phones(text: str, marketplace: str, claimed: list[dict] = ()) -> list[dict]:
    # Every number the matcher finds holds a digit (\d, as the matcher's own pattern reads one).
    # phonenumbers and its metadata are imported for the first text that has one: a few
    # hundredths of a second of a cold start that a short plain message does not need.
    if not _DIGIT.search(text):
        return []
    from phonenumbers import Leniency, PhoneNumberMatcher

    found = []
    region = _region(marketplace)
    searched = _phone_search_text(text, claimed, _min_digits(region))
    for line_start, line in _lines_with_a_digit(searched):
        for m in PhoneNumberMatcher(line, region, leniency=Leniency.VALID):
            start, end = line_start + m.start, line_start + m.end
            if not _is_amount(text, start, end):
                found.append(_phone_item(text, start, end, m.number))
    return found


def _lines_with_a_digit(text: str):
    """(where it starts, the line) for each line of the text that holds a digit.

    The matcher's pattern opens with an optional group, so it is tried at every character of
    the text it is given: most of the cost of finding phones in a message of a few kilobytes
    with one number. No match holds a line break (none of the pattern's classes has one), and
    around a match the matcher looks only at the character before and after it (a letter, `%`
    or a currency sign rejects it) and at a `:` and two digits after it (a time): a line break
    there rejects nothing, as the start or end of a text does not. So each line is read alone
    with the same result, and lines without a digit, which cannot hold a number, are not read."""
    at = _DIGIT.search(text)
    while at is not None:
        start = text.rfind("\n", 0, at.start()) + 1
        end = text.find("\n", at.start())
        end = len(text) if end < 0 else end
        yield start, text[start:end]
        at = _DIGIT.search(text, end)


def _phone_item(text: str, start: int, end: int, number) -> dict:
    import phonenumbers
    from phonenumbers import PhoneNumberFormat

    item = {"text": text[start:end], "number": phonenumbers.format_number(number, PhoneNumberFormat.E164),
            "context": _context(text, start, end), "start": start, "end": end}
    region_found = phonenumbers.region_code_for_number(number)
    if region_found and region_found.isalpha() and region_found != "ZZ":      # "001": non-geographic
        item["region"] = region_found
    return item


# --- emoji and emoticons ------------------------------------------------------------------


def _typographic(glyph: str) -> bool:
    # ©, ®, ™, ‼, ℹ and arrows such as ↔ are emoji only with U+FE0F; written bare they are
    # ordinary typography ("Acme™"), so only a single character below U+2200 is left out
    return len(glyph) == 1 and ord(glyph) < 0x2200


def _emoji_name(glyph: str) -> str | None:
    import emoji as _emoji

    data = _emoji.EMOJI_DATA.get(glyph)
    name = data["en"] if data else _emoji.demojize(glyph)
    if not (name.startswith(":") and name.endswith(":") and name.count(":") == 2):
        return None
    return name.strip(":").replace("_", " ") or None


# Every emoji has a code point outside ASCII; a keycap (1️⃣, #️⃣) starts with one ASCII
# character. The emoji package tokenises every character it is given, so it is given only the
# runs holding a character some emoji is made of: prose with curly quotes, currency signs or
# text in other scripts is passed over.
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_KEYCAP_START = frozenset("#*0123456789")


def _maybe_emoji(text: str):
    """(start, run) for each run of characters outside ASCII, with the keycap character before it
    when there is one: what `[#*0-9]?[^\\x00-\\x7f]+` finds, in half the time (a pattern that opens
    with an optional character is tried at every position; this one is searched for by its
    class). The character before a run is never part of an earlier one, which ends at ASCII."""
    for m in _NON_ASCII_RUN.finditer(text):
        start = m.start()
        if start and text[start - 1] in _KEYCAP_START:
            start -= 1
        yield start, text[start:m.end()]


@functools.cache
def _emoji_chars() -> frozenset:
    # The emoji package (its table takes a few hundredths of a second to import) is imported
    # for the first text with a character outside ASCII: an ASCII text holds no emoji.
    import emoji as _emoji

    return frozenset(c for glyph in _emoji.EMOJI_DATA for c in glyph if not c.isascii())


def _find_emoji(text: str) -> list[dict]:
    if text.isascii():
        return []
    found, chars = [], _emoji_chars()
    for start, run in _maybe_emoji(text):
        if not chars.isdisjoint(run):
            found.extend(_emoji_in(run, start))
    return found


def _emoji_in(segment: str, offset: int) -> list[dict]:
    import emoji as _emoji

    found = []
    for hit in _emoji.emoji_list(segment):
        glyph = hit["emoji"]
        if _typographic(glyph):
            continue
        item = {"text": glyph, "kind": "emoji", "start": offset + hit["match_start"], "end": offset + hit["match_end"]}
        name = _emoji_name(glyph)
        if name:
            item["name"] = name
        found.append(item)
    return found


_EYES = r"(?:[:;]|(?<![\w=])=)"
_EMOTICON = re.compile(
    # Every emoticon starts with one of these characters; checking it first lets the scan pass
    # most positions without trying each alternative's lookbehinds (10x faster on plain prose).
    r"(?=[:;=>8<^Xx\-oOT])(?:"
    rf"(?P<smile>(?:(?<![\w>])>)?{_EYES}['\-]?\)+)"
    # a frown does not open a parenthetical: "criteria:(a)" or "Tel:(555)"
    rf"|(?P<frown>(?:(?<![\w>])>)?{_EYES}['\-]?\(+(?![^\W_]))"
    # letter mouths need a non-letter after them: ":D" but not ":Data"
    rf"|(?P<letter>{_EYES}-?(?:D+|P+|p+|[oO]|\*|\|)(?![^\W_]))"
    r"|(?P<cool>(?<![\w(.,\-])8-?\))"
    r"|(?P<heart>(?<![\w<])</?3(?![\d.,%]))"
    r"|(?P<xd>(?<![\w\-])[Xx]D+(?![\w\-]))"
    r"|(?P<caret>(?<![\w^])\^[_.]?\^(?![\w^]))"
    r"|(?P<flat>(?<![\w\-])-_-(?![\w\-]))"
    r"|(?P<stare>(?<!\w)(?:[oO]_[oO]|o\.O|O\.o|T_T)(?!\w))"
    r")"
)
# "<3 days" means fewer than three, not a heart
_UNIT_AFTER = re.compile(
    r"\s*(?:days?|weeks?|wks?|hours?|hrs?|h|minutes?|mins?|seconds?|secs?|months?|years?|yrs?|kg|g|lbs?|oz|"
    r"cm|mm|m|km|inch(?:es)?|ft|feet|items?|units?|pcs|pieces|times|business|working)\b", re.I)


_CLOSING_PAREN = re.compile(r"(?<![:;=\-'])\)")     # a ")" that is not an emoticon's mouth


def _opens_parenthesis_before(text: str, start: int) -> bool:
    line = _line_before(text, start, window=200)
    return line.count("(") > len(_CLOSING_PAREN.findall(line))


def _emoticon_end(text: str, m: re.Match) -> int | None:
    """Where the emoticon matched by `m` ends, or None when it is not one after all."""
    kind, start, end = m.lastgroup, m.start(), m.end()
    if kind == "smile" and end - start == 2 and start and text[start - 1].isalnum():
        # "(see note 1:)": the ")" closes the reader's parenthesis, the colon ends the note
        return None if _opens_parenthesis_before(text, start) else end
    if kind == "smile" and text[end - 2] == ")" and _opens_parenthesis_before(text, start):
        return end - 1                                 # "(see you :))": the last ")" closes the aside
    if kind == "cool" and not _line_before(text, start).strip():
        return None                                    # "8) Plug it in" at a line start is a list item
    if kind == "heart" and m.group() == "<3" and _UNIT_AFTER.match(text, end):
        return None
    return end


# Every emoticon holds one of these, at most two characters after its start; the multi-character
# ones are matched as their first character, so marks never overlap. The pattern opens with the
# class of every mark's first character and then looks behind at it, so it is searched for by
# that class (half the time of `[:;=<^)_]|[Xx](?=D)|o(?=\.O)|O(?=\.o)`, which was tried at every
# position; tests/test_textfacts.py compares the two).
_EMOTICON_MARK = re.compile(r"[:;=<^)_XxoO](?:(?<=[:;=<^)_])|(?<=[Xx])(?=D)|(?<=o)(?=\.O)|(?<=O)(?=\.o))")


def _emoticon_matches(text: str):
    """_EMOTICON.finditer(text), tried only just before the marks an emoticon cannot lack.

    The next match at or after `floor` starts at most two characters before the first mark
    at or after `floor`, so trying those three starting points finds it, or shows there is none
    before the mark."""
    floor = 0
    for mark in _EMOTICON_MARK.finditer(text):
        at = mark.start()
        if at < floor:
            continue
        for start in range(max(floor, at - 2), at + 1):
            m = _EMOTICON.match(text, start)
            if m:
                yield m
                floor = m.end()
                break
        else:
            floor = at + 1


def _find_emoticons(text: str) -> list[dict]:
    found = []
    for m in _emoticon_matches(text):
        end = _emoticon_end(text, m)
        if end is not None:
            found.append({"text": text[m.start():end], "kind": "emoticon", "start": m.start(), "end": end})
    return found
