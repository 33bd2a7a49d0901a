"""Hostile text never acts on the reader's screen or page: control characters, bidi overrides and
lone surrogates from a message, its subject, its file name or a policy reach every rendering
shown, never raw (issue 13), and never crash an output that writes UTF-8."""
from __future__ import annotations

import io
import json
import os
import re

import pytest
from rich.console import Console

from permitted.cli import main
from permitted.views.visible import json_text, visible, visible_line

from .conftest import ROOT

# Anything a terminal or a browser could act on, or UTF-8 could not hold. LF and TAB are layout.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

CLEAR = "\x1b[2J"
OSC8 = "\x1b]8;;https://evil.example/\x1b\\click here\x1b]8;;\x1b\\"
# Up a line, back to its start, erase it, and print a verdict of the message's own choosing.
REWRITE = "\x1b[1A\r\x1b[2KALLOWED  nothing to see\x08\x08\x08"
ODD = "\x00 NUL \x7f DEL \x9b31m C1 \u202egnp.exe\u202c \u2066iso\u2069 \ud800"
HOSTILE = f"{CLEAR}{OSC8} {REWRITE} {ODD}"


@pytest.mark.parametrize("text, shown, shown_line", [
    ("plain text, é, ☺, عربى", "plain text, é, ☺, عربى", "plain text, é, ☺, عربى"),
    ("a\x1b[2Jb", "a\u241b[2Jb", "a\u241b[2Jb"),
    ("x\r\ny\rz\tw\n", "x\r\ny\u240dz\tw\n", "x\u240d\u240ay\u240dz\u2409w\u240a"),
    ("\x00\x07\x08\x7f", "\u2400\u2407\u2408\u2421", "\u2400\u2407\u2408\u2421"),
    ("\x85\x9b", "\\x85\\x9b", "\\x85\\x9b"),
    ("\u202a\u202b\u202c\u202d\u202e", "\\u202a\\u202b\\u202c\\u202d\\u202e", "\\u202a\\u202b\\u202c\\u202d\\u202e"),
    ("\u2066\u2067\u2068\u2069", "\\u2066\\u2067\\u2068\\u2069", "\\u2066\\u2067\\u2068\\u2069"),
    ("\ud800 \udcff", "\\ud800 \\udcff", "\\ud800 \\udcff"),
    ("\u200f\u200e\u061c", "\u200f\u200e\u061c", "\u200f\u200e\u061c"),   # marks Arabic text needs stay
])
def test_visible_shows_every_control_character(text, shown, shown_line):
    assert visible(text) == shown
    assert visible_line(text) == shown_line
    assert not RAW.search(visible_line(text))
    assert visible(visible(text)) == visible(text)          # a stand-in is never shown again


@pytest.mark.parametrize("value", [HOSTILE, "\x7f\x85\u202e\u2069\ud800 \udcff", "é☺ plain", ["\x1b", {"k\u202e": "\x9b"}]])
def test_json_text_escapes_what_json_leaves_raw_and_reads_back_the_same(value):
    text = json_text({"v": value}, indent=2)
    assert not RAW.search(text.replace("\n", ""))
    text.encode("utf-8")                                    # no lone surrogate left to fail on
    assert json.loads(text) == {"v": value}
    assert "é" in json_text("é")                            # readable, not \u00e9


# ---- every rendering, end to end ---------------------------------------------------------------

def _run(*argv: str, colour: bool = False) -> tuple[int, str, str]:
    """The CLI with consoles that write UTF-8 strictly, as a real terminal's standard output
    does: a lone surrogate that reached one would raise UnicodeEncodeError here too."""
    out, err = io.BytesIO(), io.BytesIO()
    streams = [io.TextIOWrapper(b, encoding="utf-8", errors="strict", write_through=True) for b in (out, err)]
    style = {"force_terminal": True, "color_system": "truecolor"} if colour else {"color_system": None}
    code = main(list(argv), *(Console(file=s, width=100, highlight=False, **style) for s in streams))
    return code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8")


def _inert(text: str, colour: bool = False) -> None:
    if colour:         # the console's own colours are the only escape sequences allowed
        text = re.sub("\x1b\\[[0-9;]*m", "", text)
    found = RAW.search(text)
    assert found is None, f"raw {found.group()!r} at {found.start()}: {text[max(0, found.start() - 60):found.start() + 20]!r}"


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    """A message whose text and subject hold every kind of hostile character, in a file whose
    name holds an escape sequence and a byte that is not UTF-8 (a lone surrogate once decoded)."""
    monkeypatch.chdir(ROOT)
    name = tmp_path / (f"msg{CLEAR}\x1b[31m" + os.fsdecode(b"\xff") + ".json")
    envelope = {"marketplace": "UK", "channel": "email", "sent_at": "2021-03-05",
                "subject": f"Your order{CLEAR}{REWRITE}\u202e",
                "body": f"Thanks :) see http://shop.example/x {HOSTILE}"}
    name.write_text(json.dumps(envelope), encoding="utf-8")
    broken = tmp_path / f"bad{CLEAR}.json"
    broken.write_text("{", encoding="utf-8")
    archive = tmp_path / f"archive{CLEAR}.jsonl"
    archive.write_text(json.dumps(envelope) + "\n{\n", encoding="utf-8")
    return name, broken, archive


@pytest.mark.parametrize("argv", [
    ("check", "{msg}"),
    ("check", "{msg}", "{broken}"),                         # the summary table of many, and an error row
    ("check", "{msg}", "--format", "json"),
    ("check", "{msg}", "--format", "sarif"),
    ("check", "{msg}", "--format", "html"),
    ("facts-of", "{msg}"),
    ("facts-of", "{msg}", "--format", "json"),
    ("facts-of", "{broken}"),                               # a diagnostic quoting the file name
    ("audit", "{archive}", "-j", "1", "--no-progress"),
])
@pytest.mark.parametrize("colour", [False, True])
def test_hostile_message_subject_and_file_name_reach_no_output_raw(hostile, argv, colour):
    msg, broken, archive = hostile
    argv = [a.format(msg=msg, broken=broken, archive=archive) for a in argv]
    code, out, err = _run(*argv, colour=colour)
    assert code in (0, 1, 3), (code, err)
    _inert(out, colour)
    _inert(err, colour)
    assert "ALLOWED" not in out.split("\n")[0]                # the heading still says what was judged
    if argv[0] == "check" and len(argv) == 2:
        assert out.startswith("BLOCKED") or "BLOCKED" in re.sub("\x1b\\[[0-9;]*m", "", out).split("\n")[0]
        assert "\u241b[2J" in out and "\u241b]8;;" in out and "\\u202e" in out and "\u2400 NUL" in out


def test_the_html_report_neutralises_nul_bidi_overrides_and_surrogates(hostile):
    msg, _, _ = hostile
    code, page, _ = _run("check", str(msg), "--format", "html")
    assert code == 1
    _inert(page)
    assert "\u2400 NUL" in page and "\\u202egnp.exe\\u202c" in page and "\\ud800" in page


def test_json_output_of_a_hostile_message_reads_back_exactly(hostile):
    msg, _, _ = hostile
    _, out, _ = _run("facts-of", str(msg), "--format", "json")
    facts = json.loads(out)
    assert facts["message"]["text"].endswith(HOSTILE)       # escaped on the way out, the same once read


HOSTILE_POLICY = r'''policy: buyer-messaging
marketplace: UK
effective: 2020-11-06
source: "Communication Guidelines (UK)\e[2J"
rules:
  - id: styling.no-emoji
    title: "No emojis\e[2J\e[1A\r\e[2KALLOWED\u202e"
    severity: block
    clause: "Emojis, including emoticons\e]8;;https://evil.example/\e\\"
    when: count(message.emoji) > 0
    hint: "Remove them\x9b31m\u2066"
    examples:
      - name: "smiley\e[2J"
        message: {body: "Hi :)"}
        expect: [styling.no-emoji]
      - name: "fails\e[2J"
        message: {body: "Hi"}
        expect: [styling.no-emoji]
'''


@pytest.fixture
def hostile_policy(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    policy = tmp_path / "hostile.yaml"
    policy.write_text(HOSTILE_POLICY, encoding="utf-8")
    broken = tmp_path / "broken.yaml"           # a syntax error on a line holding a raw bidi override
    broken.write_text(HOSTILE_POLICY.replace("count(message.emoji) > 0", "count(message.emoji) >  \u202e and"),
                      encoding="utf-8")
    message = tmp_path / "m.txt"
    message.write_text("Hi :)", encoding="utf-8")
    return policy, broken, message


@pytest.mark.parametrize("argv", [
    ("check", "{message}", "--policy", "{policy}"),
    ("check", "{message}", "--policy", "{policy}", "--format", "html"),
    ("explain", "styling.no-emoji", "--policy", "{policy}"),
    ("test", "{policy}"),
    ("lint", "{broken}"),
    ("lint", "{broken}", "--format", "json"),
    ("coverage", "{policy}"),
    ("diff", "uk@2020-11-06", "{policy}", "--max-items", "1"),
    ("diff", "uk@2020-11-06", "{policy}", "--max-items", "1", "--format", "markdown"),
])
def test_a_policy_title_hint_clause_and_example_names_reach_no_output_raw(hostile_policy, argv):
    policy, broken, message = hostile_policy
    argv = [a.format(policy=policy, broken=broken, message=message) for a in argv]
    code, out, err = _run(*argv)
    assert code in (0, 1, 2), err
    _inert(out)
    _inert(err)
    assert "\u241b" in out + err or "\\u202e" in out + err     # shown, not dropped


def test_a_caret_stays_under_the_characters_it_points_at():
    from dsl.contract.errors import Diagnostic
    from dsl.contract.spans import Span
    from permitted.views.terminal import diagnostic_plain

    line = "when: \u202e\x1b x > y"
    d = Diagnostic("P300", "bad", Span("p.yaml", 1, 10, 1, 11), line)
    source, caret = diagnostic_plain(d).splitlines()[-2:]
    # `\u202e` is shown as six characters: the caret moves with it, under the `x`.
    assert source[caret.index("^")] == "x"
