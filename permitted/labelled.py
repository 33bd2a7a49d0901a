"""Labelled messages: JSONL rows each giving a message and the verdict a careful reader expects.

Stage: application, the input of `permitted eval`. Input: a JSONL file whose lines are in either
form (told apart line by line):

- the shared corpus's form (`id`, `marketplace_hint`, `kind`, `subject`, `body`, `expected`,
  `violations`, `notes`, …), made into an envelope by its evaluation protocol (permitted.corpus);
- our own plain form: `{"id", "envelope", "expected", "rules", "note", "kind"}` — the envelope as
  policies/message.schema.json; `rules` the rule ids expected to fire; `kind` optional.

Output: `Labelled` rows, or `Unreadable` rows for lines that cannot be one (bad JSON, neither form,
a bad field, a duplicate id) — one row per non-blank line, never a silent skip. Also the known
gaps file (YAML, id -> reason). Errors: UsageError (U100) only for a file that cannot be read.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Collection, Iterator, Mapping

from dsl.contract.errors import Diagnostic, InputError, UsageError, did_you_mean
from dsl.contract.resources import display_path
from dsl.contract.verdict import Verdict
from dsl.stages.load import load_text
from interpreter.read.envelope import check_envelope

from permitted.corpus import LabelCodes, Protocol

NONE = "\u2014"                       # the group of a row that does not say (no kind, no language)
EXPECTED = tuple(Verdict)
CORPUS_EXPECTED = (Verdict.ALLOWED, Verdict.BLOCKED)
PLAIN_KEYS = frozenset({"id", "envelope", "expected", "rules", "note", "kind"})
CORPUS_REQUIRED = ("id", "kind", "body", "expected", "violations")


def agrees(expected: str, verdict: str) -> bool:
    """The corpus protocol's agreement rule: `allowed` must come out allowed; `blocked` (and, in the
    plain form, `review`) must come out blocked or review. A row that could not be judged never agrees."""
    if expected == Verdict.ALLOWED:
        return verdict == Verdict.ALLOWED
    return verdict in (Verdict.REVIEW, Verdict.BLOCKED)


def is_doubt(note: str | None) -> bool:
    """The label is debatable: its note starts with DOUBT (the corpus's convention)."""
    return isinstance(note, str) and note.lstrip().upper().startswith("DOUBT")


@dataclass(frozen=True)
class Labelled:
    id: str
    source: str                         # file:line
    form: str                           # "corpus" or "plain"
    envelope: Mapping
    expected: str                       # allowed | review | blocked
    codes: tuple[str, ...]              # the corpus's violation codes (none in the plain form)
    rules: frozenset[str]               # the rules expected to fire: listed, or the codes' rules
    note: str | None
    kind: str
    language: str
    marketplace: str

    @property
    def doubt(self) -> bool:
        return is_doubt(self.note)


@dataclass(frozen=True)
class Unreadable:
    """A line that is not a labelled message; it still counts, as a disagreement."""
    id: str                             # the line's `id` when it has one, else its source
    source: str
    errors: tuple[Diagnostic, ...]
    note: str | None = None
    expected: str | None = None
    codes: tuple[str, ...] = ()
    rules: frozenset[str] = frozenset()
    kind: str = NONE
    language: str = NONE
    marketplace: str = NONE
    doubt: bool = False


Row = Labelled | Unreadable


class _Bad(Exception):
    """One line's problem, turned into an Unreadable row."""


def _text(value, field: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or (not optional and not value.strip()):
        raise _Bad(f"`{field}` must be {'text or null' if optional else 'non-empty text'}, not {json.dumps(value)[:40]}")
    return value


def _strings(value, field: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Bad(f"`{field}` must be a list of text")
    return tuple(value)


def _expected(value, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise _Bad(f"`expected` must be one of {', '.join(allowed)}, not {json.dumps(value)}")
    return value


def _groups(envelope: Mapping) -> tuple[str, str]:
    order = envelope.get("order") or {}
    return order.get("buyer_language") or NONE, envelope.get("marketplace") or NONE


def _corpus_row(data: dict, source: str, protocol: Protocol, codes: LabelCodes) -> Labelled:
    missing = [k for k in CORPUS_REQUIRED if k not in data]
    if missing:
        raise _Bad("a corpus row needs " + ", ".join(f"`{k}`" for k in missing))
    hint = _text(data.get("marketplace_hint"), "marketplace_hint", optional=True)
    if protocol.market(hint) is None:
        raise _Bad(f"marketplace_hint `{hint}` is not in the protocol (policies/corpus-protocol.json)",
                   did_you_mean(str(hint), protocol.markets))
    kind = _text(data["kind"], "kind")
    envelope = check_envelope(protocol.envelope_of(hint, kind, _text(data.get("subject"), "subject", optional=True),
                                                   _text(data["body"], "body")), source)
    violations = _strings(data["violations"], "violations")
    language, marketplace = _groups(envelope)
    return Labelled(str(data["id"]), source, "corpus", MappingProxyType(envelope),
                    _expected(data["expected"], CORPUS_EXPECTED), violations, codes.expected_rules(violations),
                    _text(data.get("notes"), "notes", optional=True), kind, language, marketplace)


def _plain_row(data: dict, source: str, known_rules: Collection[str]) -> Labelled:
    unknown = sorted(set(data) - PLAIN_KEYS)
    if unknown:
        raise _Bad(f"unknown key `{unknown[0]}` in a plain row", did_you_mean(unknown[0], PLAIN_KEYS))
    if "expected" not in data:
        raise _Bad("a plain row needs `expected`")
    rules = _strings(data.get("rules", []), "rules")
    for rule in rules:
        if rule not in known_rules:
            raise _Bad(f"`rules`: `{rule}` is not a rule of any policy in use", did_you_mean(rule, known_rules))
    envelope = check_envelope(data["envelope"], source)
    language, marketplace = _groups(envelope)
    kind = _text(data["kind"], "kind") if "kind" in data else NONE
    return Labelled(str(data["id"]), source, "plain", MappingProxyType(envelope), _expected(data["expected"], EXPECTED),
                    (), frozenset(rules), _text(data.get("note"), "note", optional=True), kind, language, marketplace)


def _row(line: bytes, source: str, protocol: Protocol, codes: LabelCodes, known_rules: Collection[str]) -> Row:
    data: object = None
    try:
        try:
            data = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise _Bad(f"not a JSON object: {exc}") from None
        if not isinstance(data, dict):
            raise _Bad("a labelled message is a JSON object")
        if not isinstance(data.get("id"), (str, int)) or isinstance(data.get("id"), bool):
            raise _Bad("a labelled message needs an `id` (text)")
        if "envelope" in data:
            return _plain_row(data, source, known_rules)
        if "body" in data or "marketplace_hint" in data:
            return _corpus_row(data, source, protocol, codes)
        raise _Bad("neither the corpus form (marketplace_hint, kind, body, …) nor the plain form (envelope, expected, …)")
    except _Bad as bad:
        errors: tuple[Diagnostic, ...] = (Diagnostic("I100", f"{source}: {bad.args[0]}",
                                                     help=bad.args[1] if len(bad.args) > 1 else None),)
    except InputError as problem:               # the envelope breaks policies/message.schema.json
        errors = problem.diagnostics
    return _unreadable(data, source, errors)


def _unreadable(data: object, source: str, errors: tuple[Diagnostic, ...]) -> Unreadable:
    """What a bad line still says about itself (its id, note and label), for the disagreement list."""
    known = data if isinstance(data, dict) else {}
    note = known.get("notes", known.get("note"))
    expected = known.get("expected")
    codes = known.get("violations")
    return Unreadable(str(known.get("id", source)), source, errors,
                      note if isinstance(note, str) else None, expected if expected in EXPECTED else None,
                      tuple(c for c in codes if isinstance(c, str)) if isinstance(codes, list) else (),
                      doubt=is_doubt(note))


def read_labelled(path: str | Path, protocol: Protocol, codes: LabelCodes, known_rules: Collection[str]) -> Iterator[Row]:
    """One row per non-blank line. A second row with an id already seen is Unreadable: ids name rows
    in the known gaps and in the report, so they must be unique."""
    path = Path(path)
    seen: dict[str, str] = {}
    try:
        with path.open("rb") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                source = f"{path}:{number}"
                row = _row(line, source, protocol, codes, known_rules)
                if row.id in seen:
                    row = Unreadable(row.id, source, (Diagnostic("I100", f"{source}: duplicate id `{row.id}`",
                                                                 help=f"first used at {seen[row.id]}"),),
                                     row.note, row.expected, row.codes, row.rules, doubt=row.doubt)
                seen.setdefault(row.id, source)
                yield row
    except OSError as exc:
        raise UsageError([Diagnostic("U100", f"cannot read {path}: {exc.strerror or exc}")]) from None


def load_known_gaps(path: str | Path) -> Mapping[str, str]:
    """id -> why the checker is known to judge that row otherwise (YAML mapping; empty file: none)."""
    path = Path(path)
    name = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError([Diagnostic("U100", f"cannot read known gaps {name}: {getattr(exc, 'strerror', None) or exc}")]) from None
    loaded = load_text(text, name)
    if loaded.data is None:
        return MappingProxyType({})
    if not isinstance(loaded.data, dict):
        raise UsageError([loaded.diagnostic("U100", f"{name}: known gaps are a mapping, id: reason",
                                            loaded.span(()))])
    bad = [loaded.diagnostic("U100", f"{name}: the reason for `{key}` must be non-empty text",
                             loaded.span((key,)), "say why the checker judges this row otherwise")
           for key, reason in loaded.data.items() if not isinstance(reason, str) or not reason.strip()]
    if bad:
        raise UsageError(bad)
    return MappingProxyType({str(k): v.strip() for k, v in loaded.data.items()})
