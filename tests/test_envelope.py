"""Reading messages: every form a seller or a tool has, into a checked envelope; bad input named."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings

from dsl.contract.errors import InputError
from interpreter.read.envelope import check_envelope, read_message

from .conftest import examples
from .input_strategies import envelopes

FIELDS = {"marketplace": "UK", "order": {"completed_at": "2020-11-01"}}

FORMS = [
    # file name, bytes, expected envelope (with FIELDS given)
    ("m.txt", b"Thanks for your order.", {**FIELDS, "body": "Thanks for your order."}),
    ("m.html", b"<p>Hello</p>", {**FIELDS, "html": "<p>Hello</p>"}),
    ("m", b"  <div>sniffed as HTML</div>", {**FIELDS, "html": "  <div>sniffed as HTML</div>"}),
    ("m.txt", "\ufeffcaf\u00e9".encode("utf-8"), {**FIELDS, "body": "caf\u00e9"}),
    ("m.txt", "hi".encode("utf-16"), {**FIELDS, "body": "hi"}),
    ("m.json", json.dumps({"marketplace": "US", "body": "x", "reason": "invoice"}).encode(),
     {"marketplace": "US", "order": {"completed_at": "2020-11-01"}, "body": "x", "reason": "invoice"}),
    ("m.yaml", b"body: x\nsent_at: 2020-11-20\norder: {completed_at: 2020-11-02}\n",
     {"marketplace": "UK", "order": {"completed_at": "2020-11-02"}, "body": "x", "sent_at": "2020-11-20"}),
    ("-", b'{"body": "from standard input"}', {**FIELDS, "body": "from standard input"}),
]


@pytest.mark.parametrize("name,data,expected", FORMS, ids=[f"{f[0]}:{f[1][:12]!r}" for f in FORMS])
def test_forms(tmp_path, name, data, expected):
    path = tmp_path / name
    if name == "-":
        assert read_message(path, FIELDS, data=data) == expected
    else:
        path.write_bytes(data)
        assert read_message(path, FIELDS) == expected


BAD = [
    ("m.json", b'{"body": "x", "html": "<p>x</p>"}', "I100", "give `body` or `html`, not both"),
    ("m.json", b'{"body": "x", "channel": "fax"}', "I100", "channel: 'fax' is not one of"),
    ("m.json", b'{"body": "x", "order": {"completed_at": "yesterday"}}', "I100", "order.completed_at"),
    ("m.json", b'{"body": ', "I101", "not a valid JSON envelope"),
    ("m.yaml", b"- a\n- list\n", "I100", "must be a mapping"),
    ("m.txt", b"\xff\xfe\xfa\xfb junk \x80", "I101", "not UTF-8"),
]


@pytest.mark.parametrize("name,data,code,message", BAD, ids=[b[3] for b in BAD])
def test_bad_input_is_named(tmp_path, name, data, code, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        read_message(path, {})
    d = info.value.diagnostics[0]
    assert d.code == code and message in d.message and str(path) in d.message


def test_size_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 2000)
    with pytest.raises(InputError) as info:
        read_message(path, {}, limit=1000)
    assert "over the limit of 1,000" in info.value.diagnostics[0].message
    assert read_message(path, {}, limit=5000)["body"] == "x" * 2000


def test_missing_file(tmp_path):
    with pytest.raises(InputError) as info:
        read_message(tmp_path / "nope.txt", {})
    assert info.value.diagnostics[0].code == "I101" and "cannot read" in info.value.diagnostics[0].message


def test_every_problem_is_reported():
    with pytest.raises(InputError) as info:
        check_envelope({"marketplace": "XX", "channel": "fax", "body": "x"})
    assert len(info.value.diagnostics) == 2


def _jsonschema_accepts(envelope) -> bool:
    from dsl.contract.schema import _message_validator

    return not any(True for _ in _message_validator().iter_errors(envelope))


@pytest.mark.parametrize("envelope", [
    {"body": "x", "attachments": ({"filename": "a.pdf", "content_type": "application/pdf"},)},   # a tuple
    {"body": "x", "sent_at": "2024-01-17\n"},                  # `$` matches before a final newline in jsonschema
    {"body": "x", "history": {"review_requests_sent": 2.0}},  # an integral float is an integer
    {"body": "x", "history": {"review_requests_sent": True}},
    {"body": "x", "html": "<p>x</p>"},
    {"marketplace": "UK", "body": "x", "order": {"id": "203-5521984-0736215", "completed_at": "2024-01-10"}},
])
def test_the_compiled_envelope_check_gives_jsonschema_verdicts(envelope):
    """message_problems answers "valid" from the compiled check only where jsonschema agrees;
    everything else is worded by jsonschema, so the errors are jsonschema's."""
    from dsl.contract.schema import message_problems

    assert (message_problems(envelope) == []) == _jsonschema_accepts(envelope)


@settings(max_examples=examples(300), deadline=None)
@given(envelopes)
def test_the_compiled_envelope_check_lets_through_only_what_jsonschema_accepts(envelope):
    from dsl.contract.schema import _valid_at_once

    if _valid_at_once(envelope):
        assert _jsonschema_accepts(envelope), envelope
