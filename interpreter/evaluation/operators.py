"""Implementations of the operators declared in dsl/contract/operators.py.

Stage: bound by interpreter.evaluation.program. Each implementation takes known values (the lowering returns
unknown before calling it when an argument is unknown) in the types of a built facts record
(dates as datetime.date) and never raises on values the facts schema allows. A test keeps this
table and the declarations equal.
"""
from __future__ import annotations

import datetime as _dt
import re
from urllib.parse import urlsplit

from interpreter.evaluation import sentences
from interpreter.evaluation.phrases import phrase_matcher, regex_hits


def _days_between(earlier: _dt.date, later: _dt.date) -> int:
    # Date facts are datetime.date from the moment the facts record is built
    # (interpreter.facts.record.calendar_date) and date literals are compiled to them, so
    # nothing is parsed here, once per rule per message.
    return (later - earlier).days


def _host_of(url: str) -> str:
    text = url.strip()
    if "//" not in text.split("?", 1)[0]:
        text = "//" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def _within_domains(host: str, domains) -> bool:
    host = host.casefold().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in (d.casefold().strip(".") for d in domains) if d)


def _mentions(text: str, phrases) -> list[dict]:
    return phrase_matcher(tuple(phrases))(text)


def _matches(text: str, pattern: re.Pattern) -> list[dict]:
    return regex_hits(pattern, text)


def _mentions_near(text: str, phrases, others, words) -> list[dict]:
    return sentences.near(text, _mentions(text, phrases), _mentions(text, others), words)


def _mentions_before(text: str, phrases, others, words) -> list[dict]:
    return sentences.near(text, _mentions(text, phrases), _mentions(text, others), words, after=True)


def _sentences(text: str) -> list[dict]:
    return list(sentences.split(text))      # the split is cached; each caller gets its own list


IMPLEMENTATIONS = {
    "exists": lambda value: value is not None,
    "count": len,
    "len": len,
    "mentions": _mentions,
    "matches": _matches,
    "mentions_near": _mentions_near,
    "mentions_before": _mentions_before,
    "sentences": _sentences,
    "sentence_runs": sentences.runs,
    "days_between": _days_between,
    "lower": str.lower,
    "host_of": _host_of,
    "within_domains": _within_domains,
    "language_of": lambda tag: re.split(r"[-_]", tag.strip(), maxsplit=1)[0].lower(),
    "contains": lambda text, part: part.casefold() in text.casefold(),
    "starts_with": lambda text, prefix: text.casefold().startswith(prefix.casefold()),
    "ends_with": lambda text, suffix: text.casefold().endswith(suffix.casefold()),
}
