"""Build small policy files in memory for tests."""
from __future__ import annotations

import functools
import json
from pathlib import Path

from dsl.compiler import compile_file, compile_text
from dsl.contract.model import Policy

ROOT = Path(__file__).resolve().parent.parent

VOCAB = {"marketing_phrases": {"en": ["% off", "coupon"]}, "window_days": 30, "amazon_hosts": ["amazon.co.uk"]}


def policy_yaml(*conditions: str, vocab: dict | None = None, marketplace: str = "UK") -> str:
    """A policy with one rule per condition (ids r0, r1, …); conditions become `|` blocks."""
    lines = ["policy: buyer-messaging", f"marketplace: {marketplace}", "effective: 2020-11-06", "source: test",
             f"vocab: {json.dumps(vocab if vocab is not None else VOCAB)}", "rules:"]
    for i, cond in enumerate(conditions):
        lines += [f"  - id: r{i}", f"    title: rule {i}", "    severity: block", "    clause: test", "    when: |"]
        lines += [f"      {line}" for line in cond.split("\n")]
    return "\n".join(lines) + "\n"


# A spelling rule with a not-checked note (tests of the note in evaluation and in `permitted test`).
NOTED = """policy: buyer-messaging
marketplace: UK
effective: 2020-11-06
source: test
rules:
  - id: styling.spelling
    title: Many spelling errors
    severity: warn
    clause: "Egregious spelling errors"
    when: message.spelling.checked and message.spelling.unknown_percent > 15
    not_checked:
      when: not message.spelling.checked and exists(message.spelling.language)
      say: "Spelling not checked ({message.spelling.language})."
"""


def compile_conditions(*conditions: str, vocab: dict | None = None):
    return compile_text(policy_yaml(*conditions, vocab=vocab), "test.yaml")


@functools.cache
def bundled_policy(file: str = "policies/uk/2020-11-06.yaml") -> Policy:
    """A bundled policy, compiled once: its vocabulary shapes some facts (interpreter.facts.lexicon)."""
    return compile_file(ROOT / file, file)
