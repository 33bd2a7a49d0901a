"""The shared labelled corpus's conventions, as data: its evaluation protocol and its label codes.

Stage: application, before `permitted eval` judges anything. Input: policies/corpus-protocol.json
(how a corpus row becomes an envelope) and policies/label-codes.json (which rules encode each
violation code), read with the position-keeping loader so every mistake names its file and
line. Output: `Protocol` and `LabelCodes`, frozen. Errors: PolicyError — P100/P103 for a file
that cannot be read, P200/P201/P202 for a bad shape (against the files' JSON Schemas), P200 for
an envelope the protocol builds that breaks policies/message.schema.json and for a rule id that
no known policy defines.
The files are JSON, not YAML: every YAML file under policies/ is read as a policy file.
"""
from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Collection, Mapping

import jsonschema

from dsl.contract.errors import Diagnostic, PolicyError, did_you_mean
from dsl.contract.resources import display_path, policies_dir
from dsl.contract.schema import message_problems
from dsl.contract.spans import Span
from dsl.stages.load import LoadedFile, load_text
from dsl.stages.shape import diagnose, schema_errors


def protocol_path() -> Path:
    return policies_dir() / "corpus-protocol.json"


def label_codes_path() -> Path:
    return policies_dir() / "label-codes.json"


# An element of HTML as published templates use it. A body counts as HTML when it holds one, so a
# placeholder written in angle brackets (`<buyer name>`) does not make a plain-text body HTML.
_HTML_TAG = re.compile(r"</?(?:a|b|big|blockquote|body|br|center|div|em|font|h[1-6]|head|hr|html|i|img|li|ol|p|pre"
                       r"|small|span|strong|style|table|tbody|td|th|tr|u|ul)(?:\s[^<>]*)?/?>", re.IGNORECASE)


def is_html(body: str) -> bool:
    return _HTML_TAG.search(body) is not None


@dataclass(frozen=True)
class Protocol:
    """How a corpus row becomes an envelope (the corpus README's evaluation protocol)."""
    markets: Mapping[str, tuple[str, str]]     # marketplace_hint -> (marketplace, buyer language)
    no_hint: str                               # the hint a row without one is read as
    reasons: Mapping[str, str]                 # kind -> contact reason; other kinds give none
    envelope: Mapping                          # fields every row gets
    order_id: str
    first_line: Mapping[str, str]              # "body" / "html" -> the line put before the body

    def market(self, hint: str | None) -> tuple[str, str] | None:
        """(marketplace, buyer language) of a hint, or None for a hint the protocol does not know."""
        return self.markets.get(self.no_hint if hint is None else hint)

    def envelope_of(self, hint: str | None, kind: str, subject: str | None, body: str) -> dict:
        """The envelope of one row. The caller checks `market(hint)` first."""
        found = self.market(hint)
        assert found is not None, hint
        marketplace, language = found
        envelope = copy.deepcopy(dict(self.envelope))              # rows never share parts
        envelope["marketplace"] = marketplace
        envelope.setdefault("order", {})["buyer_language"] = language
        if kind in self.reasons:
            envelope["reason"] = self.reasons[kind]
        if subject is not None:
            envelope["subject"] = subject
        key = "html" if is_html(body) else "body"
        envelope[key] = self.first_line[key].replace("{order_id}", self.order_id) + body
        return envelope


@dataclass(frozen=True)
class LabelCodes:
    """Which rules encode each label code; a rule may encode several codes."""
    rules_of: Mapping[str, tuple[str, ...]]

    def codes_of(self, rule: str) -> tuple[str, ...]:
        return tuple(code for code, rules in self.rules_of.items() if rule in rules)

    def expected_rules(self, codes: Collection[str]) -> frozenset[str]:
        """The rules a row labelled with these codes should fire (codes not listed name none)."""
        return frozenset(rule for code in codes for rule in self.rules_of.get(code, ()))

    @property
    def rules(self) -> frozenset[str]:
        return frozenset(rule for rules in self.rules_of.values() for rule in rules)


# ---- reading ---------------------------------------------------------------------------------

@lru_cache(maxsize=2)
def _validator(schema: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads((policies_dir() / schema).read_text(encoding="utf-8")))


def _load(path: Path, schema: str) -> LoadedFile:
    """A data file read with positions, its shape checked; PolicyError with every problem."""
    name = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise PolicyError([Diagnostic("P103", f"cannot read {name}: {reason}", Span(name, 1, 1, 1, 1))]) from None
    loaded = load_text(text.lstrip("\ufeff"), name)
    if not isinstance(loaded.data, dict):
        raise PolicyError([loaded.diagnostic("P200", f"{name} must hold a JSON object", loaded.span(()))])
    problems = [d for error in schema_errors(_validator(schema), loaded.data) for d in _diagnose(loaded, error)]
    if problems:
        raise PolicyError(problems)
    return loaded


def _diagnose(loaded: LoadedFile, error: jsonschema.ValidationError) -> list[Diagnostic]:
    # The policy files' diagnoses, but a bad key name here is a marketplace hint, a kind or a code.
    if error.validator == "propertyNames":
        path = tuple(error.absolute_path)
        return [loaded.diagnostic("P200", f"`{error.instance}` is not a valid key of {'.'.join(map(str, path))}",
                                  loaded.key_span(path + (error.instance,)),
                                  f"keys here match {error.validator_value.get('pattern', '?')}")]
    return diagnose(loaded, error)


# Set for each row from the row itself: the protocol's fixed envelope may not give them.
_PER_ROW = ("marketplace", "reason", "subject", "body", "html")


def load_protocol(path: Path | None = None) -> Protocol:
    loaded = _load(path or protocol_path(), "corpus-protocol.schema.json")
    data = loaded.data
    problems = [loaded.diagnostic("P200", f"`{key}` comes from each row, not from the protocol's envelope",
                                  loaded.key_span(("envelope", key)), f"remove `{key}` here")
                for key in _PER_ROW if key in data["envelope"]]
    if data["no_marketplace_hint"] not in data["marketplaces"]:
        problems.append(loaded.diagnostic("P200", f"no_marketplace_hint `{data['no_marketplace_hint']}` is not one of "
                                          "the marketplaces", loaded.span(("no_marketplace_hint",)),
                                          did_you_mean(data["no_marketplace_hint"], data["marketplaces"])))
    protocol = Protocol(
        MappingProxyType({hint: (m["marketplace"], m["buyer_language"]) for hint, m in data["marketplaces"].items()}),
        data["no_marketplace_hint"], MappingProxyType(dict(data["reasons"])), MappingProxyType(data["envelope"]),
        data["order_id"], MappingProxyType(dict(data["first_line"])))
    if not problems:
        problems = _envelope_problems(loaded, protocol)
    if problems:
        raise PolicyError(problems)
    return protocol


def _envelope_problems(loaded: LoadedFile, protocol: Protocol) -> list[Diagnostic]:
    """Every envelope the protocol can build is a valid message envelope: one for each marketplace
    (with no reason) and one for each reason, each located at the entry that made it wrong."""
    out: dict[str, Diagnostic] = {}
    cases = [(("marketplaces", hint), hint, "") for hint in protocol.markets]     # kind "" gives no reason
    cases += [(("reasons", kind), protocol.no_hint, kind) for kind in protocol.reasons]
    for where, hint, kind in cases:
        for path, message in message_problems(protocol.envelope_of(hint, kind, None, "text")):
            at = where if path[:1] in (("marketplace",), ("reason",)) or path[:2] == ("order", "buyer_language") \
                else ("envelope", *path)
            out.setdefault(message, loaded.diagnostic(
                "P200", f"the envelope this builds breaks message.schema.json: {'.'.join(map(str, path))}: {message}",
                loaded.span(at), "see policies/message.schema.json"))
    return list(out.values())


def load_label_codes(known_rules: Collection[str], path: Path | None = None) -> LabelCodes:
    """The mapping, every rule id in it checked against `known_rules` (the rules of the policies in use)."""
    loaded = _load(path or label_codes_path(), "label-codes.schema.json")
    problems = []
    for code, entry in loaded.data["codes"].items():
        for i, rule in enumerate(entry["rules"]):
            if rule not in known_rules:
                problems.append(loaded.diagnostic(
                    "P200", f"`{rule}` (code `{code}`) is not a rule of any policy in use",
                    loaded.span(("codes", code, "rules", i)),
                    did_you_mean(rule, known_rules) or "`permitted explain RULE` shows a rule; rule ids are in the policy files"))
    if problems:
        raise PolicyError(problems)
    return LabelCodes(MappingProxyType({code: tuple(e["rules"]) for code, e in loaded.data["codes"].items()}))
