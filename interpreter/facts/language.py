"""Language and spelling of a message's text: the facts `message.language` and `message.spelling`.

Stage: called by the normaliser, only when a policy reads these facts (building a model or a
dictionary costs a fraction of a second, once per process). Input: the visible text; for
spelling also its language (ISO 639-1; a tag such as "en-GB" is read as "en"), the spans the
normaliser already claimed (placeholders, URLs, e-mail addresses, order ids, …) and brand words
from the policy's vocabulary. Output: `detect_language` gives an ISO 639-1 code or None when the
text is too short or too mixed to tell; `spelling` gives a dict matching `$defs/spelling` in
policies/facts.schema.json, whose `checked` is false (and which has no counts) when there is no
dictionary for the language. Errors: none; every str gives a result, and the same input always
gives the same result.

Models and dictionaries come inside PyPI packages; nothing is downloaded at run time.

Language: py3langid (naive Bayes over byte n-grams), restricted to the languages buyers choose
on Amazon marketplaces (fewer look-alikes make short texts more accurate) and a few neighbours
in other scripts; a text whose script none of them uses gets None. Chosen over
lingua-language-detector by measurement on 99 labelled seller-like texts of three or more words
(one or two sentences in en, en-GB, ar, de, fr, es and ten more languages, greetings, English
product names inside other languages, Arabic with Latin order ids), same languages for both:
py3langid 99/99 correct, lingua 97/99 (a French and a Spanish sentence holding English product
names came out English). py3langid: 4.5 MB installed plus numpy, 0.5 s to load, ~45 µs a call,
~120 MB resident; lingua: 96 MB installed, 2-4 s to load its models, ~190 µs a call, 300-600 MB.

Spelling: pyspellchecker's word-frequency dictionaries (7 MB; en, ar, de, fr, it, nl, pt, ru),
and for Spanish also wordfreq's list of frequent words, looked up directly (no corrections are
computed); other languages are not checked. Loading a language's words, once per process: 0.15-0.2
s for a pyspellchecker list; Spanish about 0.5 s (importing wordfreq 0.25 s, its list 0.03 s, the
two lists joined 0.03 s). pyspellchecker's English list is American, so a British spelling counts
as known when its American form is (colour → color, organise → organize).
"""
from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from itertools import accumulate, compress
from pathlib import Path
from types import MappingProxyType
from typing import Container, Iterable, Mapping

from dsl.contract.reference import REFERENCE
from dsl.contract.resources import cache_dir, keep_in_cache, used, write_whole

from interpreter.evaluation.narrow import Narrowed, latin1_class

# --- language --------------------------------------------------------------------------------

# Languages a buyer can choose on Amazon's marketplaces (US, CA, MX, BR, UK, IE, DE, FR, IT, ES,
# NL, BE, SE, PL, TR, AE, SA, EG, IN, JP, CN, SG, AU).
_MARKETPLACE_LANGUAGES = ("en", "es", "fr", "de", "it", "nl", "sv", "pl", "tr", "pt", "cs", "da", "ar",
                          "he", "ja", "zh", "ko", "hi", "ta", "te", "kn", "ml", "bn", "mr")
# Persian and Urdu would otherwise be called Arabic, and Cyrillic texts nothing at all. Neighbours
# in Latin script (Catalan, Norwegian, Slovak) are left out: they took short Spanish, Danish and
# Czech texts from their own language, a false "wrong language" for a text the buyer reads.
_NEIGHBOURS = ("fa", "ur", "ru", "uk")
_LANGUAGES = _MARKETPLACE_LANGUAGES + _NEIGHBOURS

# Below this probability the text mixes languages (or is too generic) to name one; short texts
# in one language score 0.4 and up, three generic words ("Kind regards, Acme") about 0.3.
_MIN_CONFIDENCE = 0.35
_MIN_WORDS = 3

# Script of each language, as the first word of the Unicode names of its letters.
_SCRIPTS = {"ar": {"ARABIC"}, "fa": {"ARABIC"}, "ur": {"ARABIC"}, "he": {"HEBREW"},
            "ja": {"CJK", "HIRAGANA", "KATAKANA"}, "zh": {"CJK"}, "ko": {"HANGUL"},
            "hi": {"DEVANAGARI"}, "mr": {"DEVANAGARI"}, "ta": {"TAMIL"}, "te": {"TELUGU"},
            "kn": {"KANNADA"}, "ml": {"MALAYALAM"}, "bn": {"BENGALI"}, "ru": {"CYRILLIC"}, "uk": {"CYRILLIC"}}

# What carries no language: placeholders (whose field names may hold spaces), and any run of
# ASCII holding a digit, an address or a template sign (order ids, prices, tracking and phone
# numbers, model numbers, URLs, e-mail addresses). Runs, not regexes spanning the text, keep the
# cost linear on long unbroken input; Arabic or Japanese written next to them is kept.
_PLACEHOLDER = re.compile(r"\{\{[^{}\n]{0,80}\}\}|\[\[[^\[\]\n]{0,80}\]\]|%%[^%\n]{0,80}%%")
# A whole run of printable ASCII that holds one of those signs; one regex, so the text is
# rewritten in one pass of the regex engine rather than one Python call per word. The run is read
# from its start: characters no sign starts with are taken in a stretch, and a sign is looked for
# only at the others (most words hold none of them); then the rest of the run is taken.
_SIGN = r"[0-9@{}#%]|://|(?i:www\.)|\.[a-z]{2,}/"
_NO_SIGN_STARTS = "[" + "".join(re.escape(chr(c)) for c in range(0x21, 0x7f) if chr(c) not in "0123456789@{}#%:.wW") + "]"
_NOT_PROSE_RUN = re.compile(
    rf"(?<![!-~]){_NO_SIGN_STARTS}*+(?:(?!{_SIGN})[!-~]{_NO_SIGN_STARTS}*+)*+(?:{_SIGN})[!-~]*+")
# Scripts written without spaces between words: two characters count as one word. (A pattern's
# text, compiled by re on first use: only a text of very few words needs it.)
_UNSPACED = r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"


@functools.lru_cache(maxsize=None)
def _identifier():
    """The model, restricted to _LANGUAGES; loaded once per process, on first use (forked audit
    workers inherit it). py3langid ships it LZMA-compressed, and unpacking it took 0.45-0.5 s of
    every cold start, so the restricted model is kept unpacked in the cache folder
    (dsl.contract.resources.cache_dir), with the window after which its automaton forgets
    (interpreter.facts.langid_walk), worked out once when the model is unpacked."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    from interpreter.facts.langid_walk import WindowedIdentifier, forgetting_window

    model = MODEL_DIR / MODEL_FILE
    kept = _kept_model(model)
    if kept is not None:
        return kept
    identifier = WindowedIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(_LANGUAGES))
    if not REFERENCE:           # the reference walks the bytes as py3langid does
        identifier.window = forgetting_window(identifier.tk_nextmove, identifier.tk_row)
    _keep_model(model, identifier)
    # read back as every later process reads it (its float32 scores, without the whole model
    # py3langid keeps beside the restricted one); as unpacked where it could not be kept
    return _kept_model(model) or identifier


# Part of the kept model's name: files written in an earlier layout are not read.
_MODEL_FORMAT = "permitted-langid 4"
# The kept model's two large tables (the automaton's moves, 40 MB, and the per-feature scores,
# 11 MB) are files of their own, mapped into memory rather than read: a message touches a few
# pages of them, and reading them whole (with a zip archive's checksum) took most of the load.
_MAPPED = ("nextmove", "ptc")


def _kept_model_paths(model) -> dict[str, Path]:
    """The kept model's files: "rest" (the small arrays, one archive) and each of _MAPPED."""
    stat = model.stat()
    key = f"{_MODEL_FORMAT}\0{model}\0{stat.st_size}\0{stat.st_mtime_ns}\0{','.join(_LANGUAGES)}"
    stem = f"langid-{hashlib.sha256(key.encode()).hexdigest()[:24]}"
    return {"rest": cache_dir() / f"{stem}.npz", **{name: cache_dir() / f"{stem}-{name}.npy" for name in _MAPPED}}


def _keep_model(model, identifier) -> None:
    import io

    import numpy as np

    if REFERENCE:
        return
    # The scores are kept as float32, where py3langid ships float16: its scoring multiplies
    # float32 counts by them, so numpy widened each row a message meets, every time (most of the
    # scoring's cost); widened once, the products and sums are the same numbers.
    arrays = {"ptc": np.asarray(identifier.nb_ptc, dtype=np.float32), "pc": identifier.nb_pc, "classes": np.array(identifier.nb_classes),
              "nextmove": np.frombuffer(identifier.tk_nextmove, dtype=identifier.tk_nextmove.typecode),
              "row": np.frombuffer(identifier.tk_row, dtype=identifier.tk_row.typecode),
              "output": np.asarray(identifier.tk_output, dtype=np.int32),
              "window": np.array(identifier.window or 0)}       # 0: the automaton does not forget
    paths = _kept_model_paths(model)
    try:
        for name in _MAPPED:            # before the archive: a reader finds the archive last
            buffer = io.BytesIO()
            np.save(buffer, np.ascontiguousarray(arrays.pop(name)))
            write_whole(paths[name], buffer.getvalue())
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        keep_in_cache(paths["rest"], buffer.getvalue())
    except OSError:
        pass            # a folder that cannot be written: unpacked again next time


def _kept_model(model):
    """The model as _keep_model wrote it, or None (absent, cut short, or not one)."""
    from array import array

    import numpy as np

    from interpreter.facts.langid_walk import WindowedIdentifier

    if REFERENCE:
        return None

    def as_array(values) -> array:
        out = array(values.dtype.char)
        out.frombytes(memoryview(values).cast("B"))
        return out

    try:
        paths = _kept_model_paths(model)
        mapped = {name: np.load(paths[name], mmap_mode="r", allow_pickle=False) for name in _MAPPED}
        with np.load(paths["rest"], allow_pickle=False) as data:
            window = int(data["window"]) or None
            # the windowed walk reads the features and rows as arrays: lists of them are for
            # py3langid's own walk only (and took milliseconds of a cold start to make)
            output, row = (data["output"], data["row"]) if window else (data["output"].tolist(), as_array(data["row"]))
            identifier = WindowedIdentifier(
                mapped["ptc"], data["pc"], data["classes"].tolist(), mapped["nextmove"],
                output, norm_probs=True, tk_row=row, window=window)
    except Exception:                   # noqa: BLE001 — whatever is wrong with the files, unpack again
        return None
    for path in paths.values():
        used(path)
    return identifier if identifier.nb_classes == [c for c in identifier.nb_classes if c in _LANGUAGES] else None


@functools.lru_cache(maxsize=8192)
def _script(ch: str) -> str:
    return unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0]


_ASCII_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _dominant_script(text: str) -> str | None:
    # ASCII letters are all Latin: counted as the bytes that deleting them removes from the UTF-8
    # form (no other character's bytes are ASCII); only the other characters are named, once each.
    counts: Counter[str] = Counter()
    raw = text.encode("utf-8", "surrogatepass")
    latin = len(raw) - len(raw.translate(None, _ASCII_LETTERS))
    if latin:
        counts["LATIN"] = latin
    for ch, n in Counter("".join(_NON_ASCII.findall(text))).items():
        if ch.isalpha():
            counts[_script(ch)] += n
    # ties go to the alphabetically first script, so the answer never depends on dict order
    return min(counts, key=lambda s: (-counts[s], s)) if counts else None


_CLASSIFY_CHARS = 4000
# The language of a message shows in its first few thousand characters; classifying more costs
# time in proportion and does not change the answer for a message a seller writes. So a long
# text is read from its start only, as long as that start holds enough prose to classify.
_READ_CHARS = 4 * _CLASSIFY_CHARS


def _prose_words(text: str) -> tuple[str, list[str]]:
    prose = _NOT_PROSE_RUN.sub(" ", _PLACEHOLDER.sub(" ", text))
    return prose, _word_patterns().for_text(prose).findall(prose)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when the text is too short or too mixed to tell."""
    prose, words = _prose_words(text[:_READ_CHARS])
    if len(text) > _READ_CHARS and sum(map(len, words)) + len(words) <= _CLASSIFY_CHARS + 1:
        prose, words = _prose_words(text)          # mostly numbers and links at the start: read it all
    # every word counts at least once, so only a text of very few words needs counting
    if len(words) < _MIN_WORDS and sum(len(re.findall(_UNSPACED, w)) // 2 or 1 for w in words) < _MIN_WORDS:
        return None
    sample = " ".join(words)[:_CLASSIFY_CHARS]
    language, confidence = _identifier().classify(sample)
    if confidence < _MIN_CONFIDENCE:
        return None
    # The model only knows the languages above: a text in another script (Greek, Thai, …) gets
    # the nearest of them, which would be a wrong answer rather than no answer.
    if _SCRIPTS.get(language, {"LATIN"}).isdisjoint({_dominant_script(prose)}):
        return None
    return language


# --- words -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _word_pattern() -> re.Pattern:
    # A word is a run of letters with their combining marks (Arabic vowel signs, Indic matras),
    # and may hold apostrophes between letters (don't, l'adresse). Python's \w has no marks.
    # Written as runs of letters between runs of marks, each taken whole (possessive): the same
    # words as (letter marks*)+, found in half the time, since most words have no mark at all.
    letters = r"[^\W\d_]++"
    run = rf"{letters}(?:[{_marks()}]++[^\W\d_]*+)*+"
    return re.compile(rf"{run}(?:['\u2019]{run})*+")


@functools.lru_cache(maxsize=None)
def _word_patterns() -> Narrowed:
    """_word_pattern, and its twin for texts whose letters are all Latin-1 (no Latin-1 character
    is a combining mark): interpreter.evaluation.narrow."""
    letters = latin1_class(re.compile(r"[^\W\d_]"))
    narrow = re.compile(rf"[{letters}]++(?:['\u2019][{letters}]++)*+")
    return Narrowed(_word_pattern(), narrow, re.compile(rf"[^\W\d_]|[{_marks()}]").match)


def _marks() -> str:
    """The combining marks (category M) of the Basic Multilingual Plane, as a character class's
    ranges. Finding them takes a look at 65,536 code points (a hundredth of a second of a cold
    start, with the categories looked up by map), so they are kept in the cache folder, by the
    version of Unicode they were read from."""
    path = cache_dir() / f"marks-{unicodedata.unidata_version}.txt"
    if not REFERENCE:
        try:
            kept = path.read_text(encoding="ascii")
            if kept.startswith(_MARKS_FORMAT + "\n"):
                used(path)
                return kept[len(_MARKS_FORMAT) + 1:]
        except (OSError, UnicodeDecodeError):
            pass
    marks = _marks_of_unicode()
    if not REFERENCE:
        try:
            keep_in_cache(path, f"{_MARKS_FORMAT}\n{marks}".encode("ascii"))
        except OSError:
            pass        # a folder that cannot be written: found again next time
    return marks


_MARKS_FORMAT = "permitted-marks 1"


def _marks_of_unicode() -> str:
    # categories looked up by map: a Python loop over the code points took ten times as long
    runs: list[list[int]] = []
    for cp, category in enumerate(map(unicodedata.category, map(chr, range(0x10000)))):
        if category[0] == "M":
            if runs and runs[-1][1] == cp - 1:
                runs[-1][1] = cp
            else:
                runs.append([cp, cp])
    return "".join(f"\\u{start:04x}-\\u{end:04x}" for start, end in runs)


def _words(text: str) -> list[re.Match]:
    return list(_word_pattern().finditer(text))


# --- spelling --------------------------------------------------------------------------------

# Where each language's words come from: the lists that know a plain seller's paragraph. Share
# of unknown words in one such paragraph with pyspellchecker's list: en, ar, fr, nl, pt 0-3%, de
# 1-3%, it 6-10%, ru 7%. Its Spanish list lacks everyday words (19%: "gracias", "hemos", "sido",
# "saludos"), so Spanish adds wordfreq's list of the 35,000 most frequent Spanish words (2.6%; a
# paragraph of typical misspellings stays at 38%, where wordfreq's large list, which holds common
# misspellings such as "grasias", lets it fall to 19%). pyspellchecker's Persian list (20%) would
# report sound texts as badly spelt; Latvian and Basque are no marketplace's language. Any other
# language is not checked: message.spelling says so, and the policy decides what that means.
_SOURCES = {"en": ("pyspellchecker",), "ar": ("pyspellchecker",), "de": ("pyspellchecker",),
            "fr": ("pyspellchecker",), "it": ("pyspellchecker",), "nl": ("pyspellchecker",),
            "pt": ("pyspellchecker",), "ru": ("pyspellchecker",), "es": ("pyspellchecker", "wordfreq")}
CHECKED_LANGUAGES = frozenset(_SOURCES)
_MAX_SAMPLES = 10
# What ends a sentence: after it a capitalised word is an ordinary word, not a name.
_SENTENCE_END = frozenset(".!?…\n\r\u061f\u3002\uff01\uff1f")
# What may stand between a sentence's end and its first word.
_OPENERS = frozenset(" \t\f\v\u00a0\"'“”‘’«»([{¿¡-–—*•·")
# Arabic vowel signs and the stretching tatweel: optional in writing, absent from the dictionary.
_ARABIC_OPTIONAL = re.compile(r"[\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06ed]")
# Proclitics written as part of an Arabic word (and, so, with, for, like, the): a rare inflected
# form is known when the word it is attached to is.
_ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")

# British spellings the dictionary lacks and whose American form follows no rule below.
_BRITISH = {"jewellery": "jewelry", "aluminium": "aluminum", "pyjamas": "pajamas", "cheque": "check",
            "cheques": "checks", "kerb": "curb", "tyres": "tires", "sceptical": "skeptical",
            "draught": "draft", "maths": "math", "aeroplane": "airplane", "mould": "mold", "moulds": "molds",
            "mouldy": "moldy", "smoulder": "smolder"}
# British endings and their American forms (colour, organise, analyse, centre, defence,
# catalogue, programme, labelled, paediatric); only for words of five letters or more, so
# short typos are not read as British ("raed" is not "red", "sise" is not "size").
_BRITISH_RULES = [(re.compile(p), r) for p, r in (
    (r"our", "or"), (r"is(e|ed|es|ing|ation|ations|er|ers|able)$", r"iz\1"), (r"ys(e|ed|es|ing)$", r"yz\1"),
    (r"([^aeiou])re$", r"\1er"), (r"([^aeiou])res$", r"\1ers"), (r"([^aeiou])red$", r"\1ered"),
    (r"([cft])ence(s?)$", r"\1ense\2"), (r"ogue(s?)$", r"og\1"), (r"mme(s?)$", r"m\1"), (r"ll(ed|ing|er|ers)$", r"l\1"),
    (r"ae", "e"), (r"oe", "e"))]


@functools.lru_cache(maxsize=None)
def _dictionary(language: str) -> Container[str]:
    """A language's words, once per process. Building them from the packages' compressed lists
    took 0.4-1 s of a cold `check`, so the joined list is kept in the cache folder
    (dsl.contract.resources.cache_dir) as sorted lines, and asked where it lies (_KeptWords)."""
    kept = _kept_words(language)
    if kept is not None:
        return kept
    words = frozenset().union(*(_LOADERS[source](language) for source in _SOURCES[language]))
    _keep_words(language, words)
    return _lookup(words)


def _lookup(words) -> Mapping[str, None]:
    # Lookups are all we need. A dict of strings is never walked by the cycle collector (a set
    # always is: 160,000 English words walked at every full collection, a tenth of the time a
    # warm process spent per message went to collections); the read-only view keeps callers out.
    # Made from the list's lines directly: a set of them first doubled the load.
    return MappingProxyType(dict.fromkeys(words))


# Questions a kept list answers by bisection before it is made a dict: a bisection costs about
# 25 us, making the dict of 160,000 English words 40-70 ms, so a process asking more than this
# many (an audit, the service) is better served by the dict.
_ASKED_BEFORE_DICT = 2000


class _KeptWords:
    """A kept word list as its file holds it, sorted lines of UTF-8 (whose byte order is the
    order of the characters), asked by bisection over the bytes. Making the dict of 160,000
    words took 40-70 ms of every cold `check`, which asks about a few dozen words; after
    _ASKED_BEFORE_DICT questions the list becomes that dict. Both answer alike
    (tests/test_language.py)."""

    __slots__ = ("_lines", "_asked", "_dict")

    def __init__(self, body: bytes):
        self._lines = b"\n" + body + b"\n" if body else b"\n"     # each line between two line breaks
        self._asked = 0
        self._dict: Mapping[str, None] | None = None

    def __contains__(self, word: object) -> bool:
        if self._dict is not None:
            return word in self._dict
        if not isinstance(word, str):
            return False
        self._asked += 1
        if self._asked > _ASKED_BEFORE_DICT:
            body = self._lines[1:-1]
            self._dict = _lookup(body.decode("utf-8").split("\n") if body else ())
            self._lines = b""
            return word in self._dict
        return _bisect_lines(self._lines, word.encode("utf-8", "surrogatepass"))


def _bisect_lines(lines: bytes, wanted: bytes) -> bool:
    """Whether `lines` (sorted lines, each between two line breaks) has the line `wanted`."""
    lo, hi = 1, len(lines)      # the lines still in question are lines[lo:hi]; a break precedes lo and ends hi
    while lo < hi:
        mid = (lo + hi) // 2
        start = lines.rfind(b"\n", lo - 1, mid) + 1
        end = lines.index(b"\n", start)
        line = lines[start:end]
        if line == wanted:
            return True
        if line < wanted:
            lo = end + 1
        else:
            hi = start
    return False


# The files each source builds a language's words from (its package's code and its list), found
# without importing the package: a kept list is stale once any of them changes.
_SOURCE_FILES = {"pyspellchecker": ("spellchecker", "resources/{}.json.gz"),
                 "wordfreq": ("wordfreq", "data/small_{}.msgpack.gz")}
_WORDS_FORMAT = "permitted-words 1"


def _kept_words_path(language: str):
    from importlib.util import find_spec

    key = [_WORDS_FORMAT, language]
    for source in _SOURCES[language]:
        package, data = _SOURCE_FILES[source]
        spec = find_spec(package)
        if spec is None or spec.origin is None:
            return None
        for file in (Path(spec.origin), Path(spec.origin).parent / data.format(language)):
            stat = file.stat()
            key.append(f"{file}\0{stat.st_size}\0{stat.st_mtime_ns}")
    digest = hashlib.sha256("\0".join(key).encode()).hexdigest()[:24]
    return cache_dir() / f"words-{language}-{digest}.txt"


def _keep_words(language: str, words: frozenset[str]) -> None:
    if REFERENCE:
        return
    try:
        path = _kept_words_path(language)
        if path is not None:
            keep_in_cache(path, "\n".join([f"{_WORDS_FORMAT} {len(words)}", *sorted(words)]).encode("utf-8"))
    except OSError:
        pass            # a folder that cannot be written: built again next time


def _kept_words(language: str) -> _KeptWords | None:
    """The words as _keep_words wrote them, or None (absent, cut short, or not such a list)."""
    if REFERENCE:
        return None
    try:
        path = _kept_words_path(language)
        # bytes as they are: reading as text would turn a "\r" inside a word into "\n"
        data = path.read_bytes() if path is not None else b""
        data.decode("utf-8")            # a file cut inside a character is no list
    except (OSError, UnicodeDecodeError):
        return None
    head, _, body = data.partition(b"\n")
    count = body.count(b"\n") + 1 if body else 0
    if head != f"{_WORDS_FORMAT} {count}".encode():
        return None
    used(path)
    return _KeptWords(body)


def _pyspellchecker(language: str):
    from spellchecker import SpellChecker

    return SpellChecker(language=language, case_sensitive=False).word_frequency.dictionary


def _wordfreq(language: str):
    # Imported only for a language that needs it: the import alone takes about 0.25 s.
    import wordfreq

    return wordfreq.iter_wordlist(language, "small")


_LOADERS = {"pyspellchecker": _pyspellchecker, "wordfreq": _wordfreq}


def _american(word: str) -> set[str]:
    forms = {_BRITISH[word]} if word in _BRITISH else set()
    if len(word) < 5:
        return forms
    combined = word
    for pattern, replacement in _BRITISH_RULES:
        forms.add(pattern.sub(replacement, word))
        combined = pattern.sub(replacement, combined)
    forms.add(combined)
    forms.discard(word)
    return forms


@functools.lru_cache(maxsize=65536)
def _known(word: str, language: str) -> bool:
    """Is `word` (lower case, apostrophes straight) spelt right in `language`? Cached: the same
    words recur from message to message, and a miss tries several British and Arabic forms."""
    words = _dictionary(language)
    if language == "ar":
        word = _ARABIC_OPTIONAL.sub("", word)
    if word in words:
        return True
    if "'" in word:
        # elided articles and pronouns (l'adresse, qu'il, jusqu'à) and possessives (seller's)
        return all(part in words or len(part) <= 2 or part.endswith("qu") for part in word.split("'"))
    if language == "en":
        return any(form in words for form in _american(word))
    if language == "ar":
        return any(word.startswith(p) and len(word) - len(p) >= 2 and word[len(p):] in words
                   for p in _ARABIC_PREFIXES)
    return False


# A word and a full stop ending the text searched; a word is taken from its first letter only, so
# that no character is read by more than one try (linear on any text, not only the few characters
# it is asked about).
_WORD_AND_DOT = re.compile(r"(?<![^\W\d_])([^\W\d_]++)\.$")


def _sentence_start(text: str, start: int) -> bool:
    i = start
    while i > 0 and text[i - 1] in _OPENERS:
        i -= 1
    if i == 0:
        return True
    if text[i - 1] != ".":
        return text[i - 1] in _SENTENCE_END
    # "Mr. Smith", "J. Smith": a dot after a short capitalised word is an abbreviation's
    before = _WORD_AND_DOT.search(text[max(0, i - 5):i])
    return not (before and before.group(1)[0].isupper() and len(before.group(1)) <= 3)


# What a word is, apart from where it stands: left out of the check (an acronym, a brand
# spelling, a brand, a word of another script, a letter alone), or checked as `lower`, unless it
# is `capitalised` somewhere other than at a sentence's start (then it is a name).
_LEFT_OUT = None


# A word's kind is a plain tuple (capitalised, known): `known` when its lower-case form, with
# straight apostrophes, is spelt right in the language the kind was made for. (A tuple of plain
# values is dropped from the cycle collector's walk; a long audit keeps many kinds.)
_Word = tuple[bool, bool]


def _word_kind(word: str, language: str, brands: frozenset[str]) -> _Word | None:
    if len(word) < 2:
        return _LEFT_OUT
    lower = word.lower()
    capitalised = False
    if word != lower:
        if word.isupper() or word[1:] != word[1:].lower():
            return _LEFT_OUT                      # acronyms and shouting; brand spellings: iPhone, eBay
        capitalised = word[0].isupper()
    # a word in another script is no word of this language (a Japanese greeting in an English
    # paragraph, an English product word in an Arabic one): its dictionary cannot judge it
    if not _written_in(word, language):
        return _LEFT_OUT
    lower = lower.replace("\u2019", "'")
    return _LEFT_OUT if lower in brands else (capitalised, _known(lower, language))


# Word kinds per (language, brand words): the same words recur from message to message. Emptied
# when it grows past its bound, so a long audit does not keep every word it ever met.
_KINDS: dict[tuple[str, frozenset[str]], dict[str, _Word | None]] = {}
_KINDS_KEPT = 200_000


def _kinds(language: str, brands: frozenset[str]) -> dict[str, _Word | None]:
    kinds = _KINDS.setdefault((language, brands), {})
    if len(kinds) > _KINDS_KEPT:
        kinds.clear()
    return kinds


def _written_in(word: str, language: str) -> bool:
    first = word[0]
    return ("LATIN" if first < "\x80" else _script(first)) in _SCRIPTS.get(language, {"LATIN"})


def _primary(language: str) -> str:
    return re.split(r"[-_]", language.strip(), maxsplit=1)[0].lower()


@functools.lru_cache(maxsize=64)
def _brand_words(known: tuple) -> frozenset[str]:
    """A policy's brand words as the spell check compares them (one policy, many messages)."""
    return frozenset(w.group().lower().replace("\u2019", "'") for entry in known for w in _words(str(entry)))


_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


def spelling(text: str, language: str, skip: Iterable[tuple[int, int]] = (), known: Iterable[str] = ()) -> dict:
    """`$defs/spelling` for the text; `checked` is false when there is no dictionary for the language."""
    return _spelling(text, [(0, len(text), _primary(language))], skip, known)


# A blank line: where a text written in two languages turns from one to the other.
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def spelling_by_paragraph(text: str, skip: Iterable[tuple[int, int]] = (), known: Iterable[str] = ()) -> dict | None:
    """`$defs/spelling` for a text whose language cannot be told as a whole, such as a notice
    written twice, in Japanese and then in English: each paragraph is checked in its own
    language, and a paragraph whose language cannot be told is left out. None when no
    paragraph's language can be told."""
    bounds = [0, *(i for m in _PARAGRAPH_BREAK.finditer(text) for i in m.span()), len(text)]
    if len(bounds) == 2:
        return None                   # one paragraph: the whole text, whose language was not told
    parts = [(start, end, language) for start, end in zip(bounds[::2], bounds[1::2])
             if (language := detect_language(text[start:end])) is not None]
    return _spelling(text, parts, skip, known) if parts else None


def _spelling(text: str, parts: list[tuple[int, int, str]], skip, known) -> dict:
    """Spelling of the parts of `text` (start, end, language), each checked in its language."""
    checked_parts = [part for part in parts if part[2] in _SOURCES]
    # The language named is that of the longest part checked, or of the longest part when none is.
    longest = max(checked_parts or parts, key=lambda part: part[1] - part[0])[2]
    if not checked_parts:
        return {"checked": False, "language": longest} if _LANGUAGE_CODE.fullmatch(longest) else {"checked": False}
    skip = [(int(start), int(end)) for start, end in skip if start < end]
    brands = _brand_words(tuple(known))
    checked = unknown = 0
    samples: list[str] = []
    splitter = _splitter(_word_patterns().for_text(text))
    for first, last, language in checked_parts:
        # A message has hundreds of words and few distinct ones: what a word is (kind) is looked
        # up per distinct word, and only the few words whose place may leave them out (a name,
        # a word in a link, a model number) are looked at one by one. The words and what stands
        # between them come from one split of the text, their offsets from the pieces' lengths.
        kinds = _kinds(language, brands)
        pieces = splitter.split(text[first:last])
        words = pieces[1::2]
        distinct = set(words)
        for word in distinct.difference(kinds):
            kinds[word] = _word_kind(word, language, brands)
        at = list(accumulate(map(len, pieces), initial=first))     # at[k]: where piece k starts
        placed_out = _left_out_by_place(text, pieces, at, [w for w in distinct if (kinds[w] or (False,))[0]], skip)
        counts = Counter(map(kinds.__getitem__, words))
        for i in placed_out:
            counts[kinds[words[i]]] -= 1
        counts.pop(_LEFT_OUT, None)
        checked += sum(counts.values())
        wrong = [kind for kind in counts if not kind[1]]
        unknown += sum(counts[kind] for kind in wrong)
        if wrong and len(samples) < _MAX_SAMPLES:
            misspelt = {w for w in distinct if kinds[w] in wrong}
            for i in compress(range(len(words)), map(misspelt.__contains__, words)):
                if i not in placed_out and words[i] not in samples:
                    samples.append(words[i])
                    if len(samples) == _MAX_SAMPLES:
                        break
    percent = round(100 * unknown / checked, 2) if checked else 0
    out = {"checked": True, "language": longest, "words": checked, "unknown": unknown,
           "unknown_percent": percent, "samples": samples}
    unchecked = sorted({language for _, _, language in parts if language not in _SOURCES})
    if unchecked:
        out["unchecked_languages"] = unchecked
    return out


def _left_out_by_place(text: str, pieces: list[str], at: list[int], capitalised: list[str],
                       skip: list[tuple[int, int]]) -> set[int]:
    """The words (by number) that where they stand leaves out of the check: a capitalised word
    not at a sentence's start (a name), a word overlapping a span the normaliser claimed, a letter
    run touching a digit (part of a model number or a code: B07XYZ, 18V, 2nd). `pieces` alternate
    what stands between words and the words; `at` is where each piece starts in `text`."""
    words, between = pieces[1::2], pieces[2:-1:2]      # between[j] stands after word j
    out: set[int] = set()
    if not words:
        return out
    names = set(capitalised)
    out.update(i for i in compress(range(len(words)), map(names.__contains__, words))
               if not _sentence_start(text, at[2 * i + 1]))
    starts, ends = at[1:-1:2], at[2::2]
    for start, end in skip:
        out.update(range(bisect_right(ends, start), bisect_left(starts, end)))
    # Between two words stands at least one character, and the same few stand between most
    # words (a space, a comma and a space): each distinct stretch is looked at once. The first
    # and last words' neighbours may lie outside the part checked.
    distinct = set(between)
    before_digit = {b for b in distinct if b[0].isnumeric()}
    after_digit = {b for b in distinct if b[-1].isnumeric()}
    if before_digit:
        out.update(compress(range(len(between)), map(before_digit.__contains__, between)))
    if after_digit:
        out.update(j + 1 for j in compress(range(len(between)), map(after_digit.__contains__, between)))
    if starts[0] and text[starts[0] - 1].isnumeric():
        out.add(0)
    if ends[-1] < len(text) and text[ends[-1]].isnumeric():
        out.add(len(words) - 1)
    return out


@functools.lru_cache(maxsize=None)
def _splitter(pattern: re.Pattern) -> re.Pattern:
    """The word pattern with the word captured: its split alternates what stands between words
    and the words."""
    return re.compile(f"({pattern.pattern})")
