"""Hostile message files end in a clean error with a code, within bounded time and memory (issue 13).

Every reader bounds what it builds (interpreter.read.bounded): YAML anchors and aliases are
refused as in policy files, nesting and integer literals are bounded (I102); duplicate keys,
non-finite numbers, impossible dates and times are clean errors (I101, I100) — never a
traceback, a hang or gigabytes of memory.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from dsl.contract.errors import InputError
from interpreter.read.bounded import MAX_NESTING
from interpreter.read.envelope import envelope_of, iter_envelopes

from .policytext import ROOT
from .test_hostile_policies import PEAK

LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
body: *i
"""


@pytest.fixture(scope="module", autouse=True)
def warm():
    """Policies compiled and language models loaded once, so the times below are the message's."""
    from permitted import check
    check("Thanks for your order.", "UK")


def refusal(tmp_path, text: str, suffix: str) -> InputError:
    """What `check` says of a message file: read by its form, then its facts built."""
    from permitted import check

    path = tmp_path / f"m{suffix}"
    path.write_text(text, encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(InputError) as caught:
        check(path, "UK")
    assert time.monotonic() - started < 5
    return caught.value


@pytest.mark.parametrize("text,suffix,code,words", [
    (LAUGHS, ".yaml", "I102", "anchors and aliases are not allowed"),
    ("body: &x hi\nsubject: *x\n", ".yaml", "I102", "anchor `&x`"),
    ('{"body": "x", "h": ' + "[" * 100_000 + "]" * 100_000 + "}", ".json", "I102", "nested more than"),
    ('{"body": "x", "h": ' + "[" * 500 + "]" * 500 + "}", ".json", "I102", "nested more than"),
    ("body: x\nh: " + "[" * 100_000 + "]" * 100_000 + "\n", ".yaml", "I102", "nested more than"),
    ('{"body": "x", "history": {"review_requests_sent": ' + "9" * 5_000 + "}}", ".json", "I102", "integer of"),
    ("body: x\nhistory: {review_requests_sent: " + "9" * 5_000 + "}\n", ".yaml", "I102", "integer of"),
    ("body: x\nhistory: {review_requests_sent: " + ":".join(["59"] * 300_000) + "}\n", ".yaml", "I102", "integer of"),
    ('{"body": "hi", "body": "ho"}', ".json", "I101", "duplicate key"),
    ("body: hi\nbody: ho\n", ".yaml", "I101", "duplicate key"),
    ('{"body": "x", "attachments": [{"filename": "a", "content_type": "x", "size": NaN}]}', ".json", "I101", "NaN"),
    ('{"body": "x", "attachments": [{"filename": "a", "content_type": "x", "size": 1e999}]}', ".json", "I101", "range"),
    ("body: x\nattachments: [{filename: a, content_type: x, size: .inf}]\n", ".yaml", "I101", "range"),
    ("body: x\nsent_at: 2021-02-30\n", ".yaml", "I100", "not a calendar date"),
    ("body: x\nsent_at: 0000-00-00\n", ".yaml", "I100", "not a calendar date"),
    ('{"body": "x", "sent_at": "2021-02-30"}', ".json", "I100", "not a calendar date"),
    ('{"body": "x", "sent_at": "2021-01-01T25:99:00Z"}', ".json", "I100", "ISO 8601 timestamp"),
    ('{"body": "x", "order": {"completed_at": "2021-01-01T10:00:00+24:00"}}', ".json", "I100", "ISO 8601"),
])
def test_hostile_envelopes_are_clean_errors(tmp_path, text, suffix, code, words):
    error = refusal(tmp_path, text, suffix)
    assert any(d.code == code and words in d.message for d in error.diagnostics), error


def test_nesting_within_the_bound_is_read():
    inner = "[" * (MAX_NESTING - 2) + "]" * (MAX_NESTING - 2)
    envelope_of(('{"body": "x", "subject": "s"}').encode(), ".json", "m.json")
    with pytest.raises(InputError) as caught:           # deep but allowed: the schema, not the reader, refuses it
        envelope_of(('{"body": "x", "h": ' + inner + "}").encode(), ".json", "m.json")
    assert [d.code for d in caught.value.diagnostics] == ["I100"]


def test_billion_laughs_costs_neither_time_nor_memory():
    """1 KB of nested aliases grew to 24 GB before the kernel stopped it."""
    script = (PEAK + "from interpreter.read.envelope import envelope_of\n"
              "from dsl.contract.errors import InputError\n"
              f"text = {LAUGHS!r}\n"
              "before = peak()\n"
              "try:\n    envelope_of(text.encode(), '.yaml', 'm.yaml')\nexcept InputError as e:\n"
              "    print(e.diagnostics[0].code)\n"
              "print(peak() - before)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    code, grown = done.stdout.split()
    assert code == "I102" and int(grown) < 100_000, done.stdout + done.stderr      # KB: under 100 MB more


def test_a_hostile_line_of_an_archive_is_one_error_row(tmp_path):
    lines = ['{"marketplace": "UK", "body": "fine"}', '{"body": ' + "[" * 50_000 + "]" * 50_000 + "}",
             '{"body": "a", "body": "b"}', '{"marketplace": "UK", "body": "x", "n": ' + "9" * 5_000 + "}",
             '{"marketplace": "UK", "body": "also fine"}']
    archive = tmp_path / "a.jsonl"
    archive.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = list(iter_envelopes(archive))
    assert len(rows) == 5
    kinds = [r.diagnostics[0].code if isinstance(r, Exception) else "ok" for _, r in rows]
    assert kinds == ["ok", "I102", "I101", "I102", "ok"]


@pytest.mark.parametrize("name,text", [
    ("laughs.yaml", LAUGHS),
    ("deep.json", '{"body": "x", "h": ' + "[" * 100_000 + "]" * 100_000 + "}"),
    ("big.json", '{"body": "x", "history": {"review_requests_sent": ' + "9" * 5_000 + "}}"),
    ("date.yaml", "body: x\nsent_at: 2021-02-30\n"),
])
def test_check_exits_3_with_a_code(cli, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code, out, err = cli("check", str(path), "-m", "UK", "--format", "json")
    assert code == 3, out + err
    assert json.loads(out)["errors"][0]["code"] in ("I100", "I101", "I102")
