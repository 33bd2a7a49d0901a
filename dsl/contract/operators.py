"""Operators of the rule language: declared here, implemented in interpreter/operators.py
(contract module).

Stage: resolve/check read the declarations to type calls; the interpreter binds each name to
its implementation, and a test keeps the two sets equal. Operators are generic (count, match,
measure); a rule is never implemented in Python.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from dsl.contract.types import (ANY, BOOL, DATE, LIST_ANY, LIST_HIT, LIST_SENTENCE, LIST_STRING, NUMBER, REGEX, STRING,
                                Type)


@dataclass(frozen=True)
class Param:
    name: str
    type: Type


@dataclass(frozen=True)
class Operator:
    name: str
    params: tuple[Param, ...]
    returns: Type
    doc: str

    @property
    def signature(self) -> str:
        args = ", ".join(f"{p.name}: {p.type}" for p in self.params)
        return f"{self.name}({args}) -> {self.returns}"


def _op(name: str, params: list[tuple[str, Type]], returns: Type, doc: str) -> Operator:
    return Operator(name, tuple(Param(n, t) for n, t in params), returns, doc)


_DECLARED = [
    _op("exists", [("fact", ANY)], BOOL,
        "True when the fact is present. Guards an optional fact (`exists(link.anchor_text) and …`) "
        "and tests an unknown one without making the rule undetermined."),
    _op("count", [("items", LIST_ANY)], NUMBER, "The number of items in a list."),
    _op("len", [("text", STRING)], NUMBER, "The number of characters in a text."),
    _op("mentions", [("text", STRING), ("phrases", LIST_STRING)], LIST_HIT,
        "The places where the text mentions any of the phrases: whole words, ignoring case, accents, "
        "Arabic diacritics and letter variants, and runs of white space. Each hit has text, phrase, start, end."),
    _op("matches", [("text", STRING), ("pattern", REGEX)], LIST_HIT,
        "The places where the regular expression matches the text. Each hit has text, phrase, start, end."),
    _op("mentions_near", [("text", STRING), ("phrases", LIST_STRING), ("others", LIST_STRING), ("words", NUMBER)],
        LIST_HIT,
        "The places where the text mentions one of the phrases (as `mentions` finds them) with at most `words` "
        "words between it and a mention of one of the others, before or after it (0: next to each other). "
        "In Chinese, Japanese and Thai, written without spaces, each character counts as a word."),
    _op("mentions_before", [("text", STRING), ("phrases", LIST_STRING), ("others", LIST_STRING), ("words", NUMBER)],
        LIST_HIT,
        "Like `mentions_near`, but only where the mention of one of the others comes after: "
        "`mentions_before(s.text, [\"if\"], [\"happy\"], 3)` finds \"If\" in \"If you are happy\", "
        "not in \"happy if you\"."),
    _op("sentences", [("text", STRING)], LIST_SENTENCE,
        "The sentences of the text, in order; each has text, start, end. A sentence ends at . ! ? … 。！？ ؟, "
        "at a blank line, before a list item and at a line break the text does not run on across; not after "
        "an abbreviation (`e.g.`, `Mr.`, `z.B.`), a number's point (`4.5`) or an ordinal (`3. März`). "
        "`mentions(s.text, …)` of a sentence `s` of message.text shows its evidence in the message."),
    _op("sentence_runs", [("text", STRING), ("size", NUMBER)], LIST_SENTENCE,
        "Every run of `size` sentences in a row (a shorter text is one run), each with text, start, end: "
        "`any s in sentence_runs(message.text, 2): …` finds two things said in the same sentence or the next."),
    _op("days_between", [("earlier", DATE), ("later", DATE)], NUMBER,
        "Whole days from the first date to the second (negative when the second is earlier)."),
    _op("lower", [("text", STRING)], STRING, "The text in lower case."),
    _op("host_of", [("url", STRING)], STRING, "The host name of a URL, lower case, without port or `www.`."),
    _op("within_domains", [("host", STRING), ("domains", LIST_STRING)], BOOL,
        "True when the host is one of the domains or a subdomain of one, ignoring case "
        "(`track.dpd.co.uk` is within `dpd.co.uk`; `evildpd.co.uk` is not)."),
    _op("language_of", [("tag", STRING)], STRING,
        "The primary language of a language tag, lower case: `en-GB` -> `en`."),
    _op("contains", [("text", STRING), ("part", STRING)], BOOL,
        "True when the text contains the part, ignoring case."),
    _op("starts_with", [("text", STRING), ("prefix", STRING)], BOOL,
        "True when the text starts with the prefix, ignoring case."),
    _op("ends_with", [("text", STRING), ("suffix", STRING)], BOOL,
        "True when the text ends with the suffix, ignoring case (`ends_with(link.host, \".amazon.com\")`)."),
]

OPERATORS: MappingProxyType = MappingProxyType({op.name: op for op in _DECLARED})
