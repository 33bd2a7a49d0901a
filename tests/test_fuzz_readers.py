"""Fuzzing the readers: whatever a message file holds, it is judged or refused with a known code.

Each property runs a reader (and the judge behind it) on generated files — envelopes in JSON and
YAML, e-mail, mbox, HTML, plain text, SP-API request bodies — built from right and wrong pieces
and then damaged (tests/input_strategies.py). What a user would notice if one broke: a traceback
or an internal-error row (I190) instead of a verdict or a clean refusal; a highlight or a SARIF
region pointing outside the message; an archive whose rows no longer match its messages; an
address hidden with a zero-width space slipping past the rule against addresses.

`make test` runs these with the `full` profile; `make fuzz` with the `fuzz` profile (tests/conftest.py),
many more examples each, and tests/README.md records what a campaign found.
"""
from __future__ import annotations

import json
from email.message import EmailMessage

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dsl.contract.errors import InputError
from interpreter.facts.html import read_html
from interpreter.facts.normalise import normalise
from interpreter.facts.text import text_facts
from interpreter.read.envelope import envelope_of, iter_envelopes
from permitted.batch import audit
from permitted.checking import Judge, choice_of

from . import input_strategies as m
from . import strategies as s
from .conftest import examples

READER_CODES = {"I100", "I101", "I102"}        # what a message that cannot be read may get
FAMILIES = ("order_ids", "placeholders", "links", "emails", "phones", "emoji")
# The first examples pay for compiling policies and loading language models; generating e-mail
# and damaged bytes is deliberately thorough.
JUDGED = settings(deadline=None, max_examples=examples(60),
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
READ = settings(deadline=None, max_examples=examples(150),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_judge = None


def judge() -> Judge:
    global _judge
    if _judge is None:
        _judge = Judge(choice_of("UK"))
    return _judge


def _refused_cleanly(error: InputError) -> None:
    codes = {d.code for d in error.diagnostics}
    assert codes <= READER_CODES, error


def _judged_cleanly(source: str, read) -> None:
    """A read message is judged, or refused with a reader's code: never an internal error, and
    every highlight lies on the characters it quotes."""
    row = judge().row(source, read)
    if row.report is None:
        assert {d.code for d in row.error} <= READER_CODES | {"P700"}, row.error
        return
    for violation in row.report.violations:
        for e in violation.evidence:
            if e.start is None:
                continue
            within = row.subject if "subject" in e.fact else row.text
            assert within is not None and 0 <= e.start <= e.end <= len(within), (e, len(within or ""))
            assert within[e.start:e.end] == e.text, e


def _read_and_judge(data: bytes, suffix: str, **kwargs) -> None:
    source = f"m{suffix}"
    try:
        read = envelope_of(data, suffix, source, {"marketplace": "UK"}, **kwargs)
    except InputError as error:
        _refused_cleanly(error)
        return
    _judged_cleanly(source, read)
    _places_lie_in_the_file(read, data)


def _places_lie_in_the_file(read, data: bytes) -> None:
    """Every fact found in the text maps to characters of the file it was read from (SARIF
    regions), or to none; never past its end."""
    facts = normalise(read, "UK")
    message, origin = facts.data["message"], facts.origin
    text = message["text"]
    for family in FAMILIES:
        for item in message.get(family) or ():
            assert 0 <= item["start"] <= item["end"] <= len(text), (family, item, len(text))
            if origin is not None:
                placed = origin.span(item["start"], item["end"])
                if placed is not None:
                    assert 0 <= placed[0] <= placed[1] <= len(origin.source), (family, item, placed)


@JUDGED
@given(m.json_envelopes)
def test_json_envelopes_are_judged_or_refused_with_a_code(data):
    _read_and_judge(data, ".json")


@JUDGED
@given(m.yaml_envelopes)
@example(b"\x00")                   # PyYAML's reader refuses it before parsing begins
def test_yaml_envelopes_are_judged_or_refused_with_a_code(data):
    _read_and_judge(data, ".yaml")


@JUDGED
@given(m.emails)
def test_emails_are_judged_or_refused_with_a_code(data):
    _read_and_judge(data, ".eml")


@JUDGED
@given(m.api_requests)
def test_sp_api_bodies_are_judged_or_refused_with_a_code(request):
    operation, data = request
    _read_and_judge(data, ".json", api_operation=operation)


@JUDGED
@given(st.one_of(m.html_documents(), s.message_texts, s.lenient_texts).map(lambda t: t.encode("utf-8", "surrogatepass")),
       st.sampled_from([".html", ".txt"]))
def test_html_and_plain_text_are_judged_or_refused_with_a_code(data, suffix):
    _read_and_judge(data, suffix)


@READ
@given(m.html_documents())
def test_html_facts_lie_within_the_text(html):
    """The HTML reader gives a text, and its links and images point into it, whatever the
    markup and CSS (nested braces included)."""
    found = read_html(html)
    for item in (*found.links, *found.images):
        assert 0 <= item["start"] <= item["end"] <= len(found.text), item


@JUDGED
@given(m.mboxes())
def test_every_message_of_an_mbox_is_one_row(tmp_path_factory, data):
    """An mbox gives one row per `From ` line — a report or a clean refusal — whatever its
    messages hold."""
    path = tmp_path_factory.mktemp("mbox") / "sent.mbox"
    path.write_bytes(data)
    rows = list(iter_envelopes(path, {"marketplace": "UK"}))
    assert len(rows) == sum(1 for line in data.splitlines(keepends=True) if line.startswith(b"From "))
    for source, read in rows:
        if isinstance(read, InputError):
            _refused_cleanly(read)
        else:
            _judged_cleanly(source, read)


@JUDGED
@given(st.lists(s.message_texts, min_size=1, max_size=4),
       st.one_of(m.json_envelopes, m.yaml_envelopes, m.emails, st.binary(max_size=40)), st.data())
def test_one_bad_line_of_an_archive_is_one_error_row(tmp_path_factory, bodies, bad, data):
    """A JSONL archive with one hostile line among good ones: one row per line, in order, the
    good lines judged, and the hostile line's row an error exactly when that line cannot be
    read on its own."""
    bad = bad.replace(b"\r", b" ").replace(b"\n", b" ").strip() or b"{"
    lines = [json.dumps({"marketplace": "UK", "body": body}).encode() for body in bodies]
    at = data.draw(st.integers(0, len(lines)))
    lines.insert(at, bad)
    path = tmp_path_factory.mktemp("jsonl") / "archive.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    rows = list(audit([path], marketplace="UK"))
    assert [row.source for row in rows] == [f"{path}:{n}" for n in range(1, len(lines) + 1)]
    try:
        envelope_of(bad, ".json", "line", {"marketplace": "UK"})
        readable = True
    except InputError:
        readable = False
    for n, row in enumerate(rows):
        if n != at:
            assert row.report is not None, row.error
        elif not readable:
            assert row.report is None and {d.code for d in row.error} <= READER_CODES, row.error
        else:
            assert all(d.code != "I190" for d in row.error), row.error


@READ
@given(m.envelopes)
def test_json_and_yaml_writings_of_an_envelope_read_the_same(envelope):
    """Round trip: the same envelope written as JSON and as YAML is read as the same envelope,
    or refused by both with the same codes."""
    outcomes = []
    for suffix, data in ((".json", json.dumps(envelope).encode()),
                         (".yaml", m.as_yaml(envelope))):
        try:
            outcomes.append(dict(envelope_of(data, suffix, "m" + suffix)))
        except InputError as error:
            _refused_cleanly(error)
            outcomes.append(sorted({d.code for d in error.diagnostics}))
    assert outcomes[0] == outcomes[1]


_mail_text = st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=80)


@READ
@given(_mail_text, st.sampled_from(["plain", "html"]), st.sampled_from(["utf-8", "iso-8859-1"]),
       st.sampled_from(["7bit", "8bit", "base64", "quoted-printable"]))
def test_an_email_as_a_mail_program_writes_it_reads_back_as_its_text(text, subtype, charset, cte):
    """Round trip: what the standard library writes (in each transfer encoding) the reader gives
    back as the same text. Not UTF-16: the standard library ends a UTF-16 text with a bare
    b"\\n", which no reader can decode (tests/test_mail_edges.py reads UTF-16 as mail programs
    write it)."""
    if charset == "iso-8859-1":
        text = text.encode("latin-1", "replace").decode("latin-1")
    mail = EmailMessage()
    mail["Subject"] = "Your order"
    try:
        mail.set_content(text, subtype=subtype, charset=charset, cte=cte)
    except (ValueError, UnicodeError):
        return                               # a combination the standard library will not write
    read = envelope_of(mail.as_bytes(), ".eml", "m.eml")["html" if subtype == "html" else "body"]
    assert read.replace("\r\n", "\n").rstrip("\n") == text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")


# Invisible characters and the lookalikes of "@" and ".", as a seller hides an address with them.
_HIDERS = st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])
_CONTACT_TEXT = st.lists(st.one_of(
    st.sampled_from(["jo.smith@example.co.uk", "write to ", "https://shop.example.com/p?x=1", "www.example.org/a",
                     " or ", "mail@", "@home", "v2.0", "a.b", "user@localhost", "\n"]),
    s.message_texts), max_size=6).map("".join)


@st.composite
def _hidden(draw, text: str) -> str:
    out = []
    for c in text:
        if c in "@." and draw(st.booleans()):
            c = draw(st.sampled_from({"@": ["\uff20", "\ufe6b"], ".": ["\uff0e", "\ufe52"]}[c]))
        out.append(c)
        if draw(st.integers(0, 4)) == 0:
            out.append(draw(_HIDERS))
    return "".join(out)


@READ
@given(_CONTACT_TEXT.flatmap(lambda t: st.tuples(st.just(t), _hidden(t))))
def test_hidden_characters_do_not_hide_addresses_or_links(texts):
    """An address or link with zero-width characters inside, or written with a fullwidth "＠"
    or "．", is found as the same address or link, highlighted on the characters as written."""
    plain, hidden = texts
    before, after = text_facts(plain, "UK"), text_facts(hidden, "UK")
    assert [e["address"] for e in after["emails"]] == [e["address"] for e in before["emails"]]
    assert [link["url"] for link in after["links"]] == [link["url"] for link in before["links"]]
    for item in (*after["emails"], *after["links"]):
        assert 0 <= item["start"] < item["end"] <= len(hidden)
