"""The diff's witnesses are messages that could be sent, and the same in every run.

A witness is the diff's evidence that two policies judge some message differently. One that no
real message could be (an order delivered before it was bought, an unshipped order with a
delivery date, a field the message schema refuses) would send a compliance reviewer after a
difference that never happens; one that changes from run to run makes `diff --format json`
useless in a pull request's checks.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from functools import lru_cache

import pytest

from dsl.analysis.relations import DATE_ORDER, STATUS_WITHOUT
from dsl.contract.schema import message_problems
from interpreter.facts.normalise import normalise
from permitted.checking import Judge, choice_of
from permitted.diffing import compare, load, policy_path

from .policytext import ROOT

PAIRS = [("us@2018-10-12", "us@2020-11-03"), ("uk", "sa")]
# Message fields a witness's facts name directly; the other facts of `message` are read from its text.
_ENVELOPE_FIELDS = ("marketplace", "channel", "direction", "reason", "api_message_type", "sent_at", "subject")


@lru_cache(maxsize=None)
def witnesses(old: str, new: str) -> list:
    result = compare(load(old), load(new))
    return [w for comparison in (*result.rules, result.verdict) for w in comparison.witnesses]


def envelope(facts: dict) -> dict:
    """The message a witness describes, as policies/message.schema.json writes one."""
    message = facts.get("message", {})
    out = {k: message[k] for k in _ENVELOPE_FIELDS if k in message}
    out["body"] = message.get("text", "")
    if "is_template" in message:
        out["template"] = message["is_template"]
    for part in ("order", "history"):
        if facts.get(part):
            out[part] = facts[part]
    if "attachments" in message:
        out["attachments"] = message["attachments"]
    return out


def _day(value: str) -> dt.date:
    return dt.date.fromisoformat(value[:10])


@pytest.mark.parametrize("old,new", PAIRS)
def test_every_witness_is_a_message_the_schema_accepts(old, new):
    found = witnesses(old, new)
    assert found, "the bundled versions differ: the diff must show witnesses"
    for w in found:
        assert message_problems(envelope(w.facts)) == [], w.facts


@pytest.mark.parametrize("old,new", PAIRS)
def test_every_witness_keeps_the_relations_of_a_real_order(old, new):
    """Dates in the order they happen, none after the message is sent; a status that fits them."""
    for w in witnesses(old, new):
        known = {("order", k): v for k, v in w.facts.get("order", {}).items()}
        known.update({("message", k): v for k, v in w.facts.get("message", {}).items()})
        for earlier, later in DATE_ORDER:
            if earlier in known and later in known:
                assert _day(known[earlier]) <= _day(known[later]), (earlier, later, w.facts)
        status = known.get(("order", "status"))
        for date in STATUS_WITHOUT.get(status, ()):
            assert ("order", date) not in known, (status, date, w.facts)


@pytest.mark.parametrize("old,new", PAIRS)
def test_a_witness_sent_as_a_message_is_judged_as_the_diff_claims(old, new):
    """Each witness whose facts are all written in its envelope or read from its text (the
    message the facts describe gives the same facts) is checked as a message under both
    policies, and gets the verdicts the diff shows."""
    judges = Judge(choice_of(policy=str(policy_path(old)))), Judge(choice_of(policy=str(policy_path(new))))
    sent = 0
    for w in witnesses(old, new):
        message = envelope(w.facts)
        read = normalise(message, judges[1].fixed.policy.marketplace).data["message"]
        derived = {k: v for k, v in w.facts.get("message", {}).items() if k not in _ENVELOPE_FIELDS and k != "text"}
        if any(read.get(k) != v for k, v in derived.items()):
            continue                       # facts no text of it gives (a link the text does not hold)
        sent += 1
        verdicts = tuple(judge.judge(message, "<witness>").report.verdict for judge in judges)
        assert verdicts == (w.old_report.verdict, w.new_report.verdict), (w.kind, message)
    assert sent, "no witness could be sent as a message"


def test_diff_json_is_the_same_whatever_the_hash_seed(tmp_path):
    """`diff --format json` of two bundled versions is byte for byte the same under different
    PYTHONHASHSEED values: witnesses are chosen in a fixed order, not a set's."""
    outputs = []
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "permitted", "diff", "us@2018-10-12", "us@2020-11-03",
                               "--format", "json"], cwd=ROOT, env=env, capture_output=True, timeout=300)
        assert done.returncode == 1, done.stderr.decode()
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
