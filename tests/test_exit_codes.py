"""Exit codes are the README's, everywhere (issue 13): a mistake on the command line is a U100 and
exit 2 whatever the format, no policy for a message is 2 in `check` as elsewhere, a bug met in
one message is 70, and standard input is read no further than `--max-size`."""
from __future__ import annotations

import io
import re
import sys

import pytest

import permitted.checking as checking
from permitted.exitcodes import Exit, for_diagnostics, worst
from dsl.contract.errors import Diagnostic

from .conftest import ROOT

INVOICE = "Your invoice for order 123-1234567-1234567 is attached."
DATED = ["-m", "UK", "--reason", "invoice", "--sent", "2021-03-05", "--completed", "2021-03-04"]


@pytest.fixture
def files(tmp_path):
    (tmp_path / "invoice.txt").write_text(INVOICE)
    (tmp_path / "smiley.txt").write_text("Hello :)")
    (tmp_path / "broken.json").write_text("{")
    (tmp_path / "policy.yaml").write_text("policy: buyer-messaging\nmarketplace: UK\n")
    (tmp_path / "a.jsonl").write_text('{"marketplace": "UK", "body": "Hello :)"}\n')
    return tmp_path


@pytest.mark.parametrize("argv, code, says", [
    (["check", "{d}/invoice.txt", *DATED], Exit.ALLOWED, None),
    (["check", "{d}/smiley.txt", "-m", "UK"], Exit.BLOCKED, None),
    (["check", "{d}/invoice.txt", "-m", "UK"], Exit.REVIEW, None),
    (["check", "{d}/broken.json", "-m", "UK"], Exit.INVALID_INPUT, "I101"),
    (["check", "{d}/missing.txt", "-m", "UK"], Exit.INVALID_INPUT, "I101"),
    (["check", "{d}/smiley.txt", "{d}/broken.json", "-m", "UK"], Exit.INVALID_INPUT, "I101"),
    # no policy for the message: 2 in `check` as everywhere, and --exit-zero does not forgive it
    (["check", "{d}/smiley.txt", "-m", "DE"], Exit.USAGE, "P700"),
    (["check", "{d}/smiley.txt", "-m", "DE", "--exit-zero"], Exit.USAGE, "P700"),
    (["check", "{d}/smiley.txt", "{d}/broken.json", "-m", "DE"], Exit.USAGE, "P700"),
    (["check", "{d}/smiley.txt", "-m", "UK", "--exit-zero"], Exit.ALLOWED, None),
    (["check", "{d}/smiley.txt", "--policy", "{d}/policy.yaml"], Exit.USAGE, "P202"),
    # a flag value the message schema refuses is the command line's mistake
    (["check", "{d}/invoice.txt", "-m", "UK", "--reason", "bogus"], Exit.USAGE, "--reason: 'bogus' is not one of"),
    (["check", "{d}/invoice.txt", "-m", "UK", "--status", "lost"], Exit.USAGE, "--status: 'lost' is not one of"),
    (["check", "{d}/invoice.txt", "-m", "UK", "--sent", "2021-02-30"], Exit.USAGE, "--sent: `2021-02-30` is not a calendar date"),
    (["check", "{d}/invoice.txt", "-m", "UK", "--completed", "soon"], Exit.USAGE, "--completed: 'soon'"),
    (["check", "{d}/invoice.txt", "-m", "XX"], Exit.USAGE, "--marketplace: 'XX' is not one of"),
    (["check", "{d}/invoice.txt", "-m", "UK", "--review-requests-sent", "-1"], Exit.USAGE, "--review-requests-sent must be"),
    (["facts-of", "{d}/invoice.txt", "--reason", "bogus"], Exit.USAGE, "--reason: 'bogus'"),
    # numbers that make no sense
    (["check", "{d}/invoice.txt", "-m", "UK", "--max-size", "-1"], Exit.USAGE, "--max-size must be a whole number of at least 1, not `-1`"),
    (["check", "{d}/invoice.txt", "-m", "UK", "--max-size", "0"], Exit.USAGE, "--max-size must be"),
    (["check", "{d}/invoice.txt", "-m", "UK", "--max-size", "lots"], Exit.USAGE, "--max-size must be"),
    (["facts-of", "{d}/invoice.txt", "--max-size", "-1"], Exit.USAGE, "--max-size must be"),
    (["audit", "{d}/a.jsonl", "--jobs", "0"], Exit.USAGE, "--jobs must be a whole number of at least 1, not `0`"),
    (["audit", "{d}/a.jsonl", "--top", "0"], Exit.USAGE, "--top must be"),
    (["audit", "{d}/a.jsonl", "--max-size", "-1"], Exit.USAGE, "--max-size must be"),
    (["audit", "{d}/a.jsonl", "-j", "1", "-m", "DE", "--policy", "de@2020-01-01"], Exit.USAGE, "P700"),
    # an --out that cannot be written, whatever the format
    (["check", "{d}/smiley.txt", "-m", "UK", "--out", "{d}/no/such/dir/r.txt"], Exit.USAGE, "U100"),
    (["check", "{d}/smiley.txt", "-m", "UK", "--out", "{d}/no/such/dir/r.json", "-f", "json"], Exit.USAGE, "U100"),
    (["check", "{d}/smiley.txt", "-m", "UK", "--out", "{d}/no/such/dir/r.html", "-f", "html"], Exit.USAGE, "U100"),
    (["check", "{d}/smiley.txt", "-m", "UK", "--out", "{d}/no/such/dir/r.sarif", "-f", "sarif"], Exit.USAGE, "U100"),
    (["check", "{d}/smiley.txt", "-m", "UK", "--out", "{d}"], Exit.USAGE, "cannot write"),
    (["audit", "{d}/a.jsonl", "--out", "{d}/no/such/dir/r.jsonl"], Exit.USAGE, "U100"),
    (["lint", "{d}/policy.yaml"], Exit.USAGE, "P202"),
    (["no-such-command"], Exit.USAGE, None),
])
def test_exit_codes(cli, files, argv, code, says):
    got, out, err = cli(*[a.format(d=files) for a in argv])
    assert got == code, err
    if says:
        assert says in out + err
    assert "Traceback" not in err


def test_a_bug_met_in_one_message_of_check_exits_70_and_the_others_are_judged(cli, files, monkeypatch):
    real = checking.normalise

    def normalise(envelope, *args, **kwargs):
        if ":)" in envelope.get("body", ""):
            raise AttributeError("'NoneType' object has no attribute 'group'")
        return real(envelope, *args, **kwargs)

    monkeypatch.setattr(checking, "normalise", normalise)
    code, out, _ = cli("check", str(files / "smiley.txt"), str(files / "invoice.txt"), "-m", "UK")
    assert code == Exit.INTERNAL
    assert "error[I190] internal-error" in out and "AttributeError" in out
    assert "REVIEW" in out                                   # the other message was judged


@pytest.mark.parametrize("codes, expected", [
    ([], Exit.ALLOWED),
    ([Exit.REVIEW, Exit.ALLOWED], Exit.REVIEW),
    ([Exit.REVIEW, Exit.BLOCKED], Exit.BLOCKED),
    ([Exit.BLOCKED, Exit.INVALID_INPUT], Exit.INVALID_INPUT),
    ([Exit.INVALID_INPUT, Exit.USAGE], Exit.USAGE),
    ([Exit.USAGE, Exit.INTERNAL, Exit.BLOCKED], Exit.INTERNAL),
])
def test_the_worst_code_wins(codes, expected):
    assert worst(codes) == expected


@pytest.mark.parametrize("code, exit", [("I100", Exit.INVALID_INPUT), ("I101", Exit.INVALID_INPUT), ("I190", Exit.INTERNAL),
                                        ("I191", Exit.INTERNAL), ("P700", Exit.USAGE), ("P300", Exit.USAGE),
                                        ("U100", Exit.USAGE)])
def test_each_code_stands_for_its_exit(code, exit):
    assert for_diagnostics([Diagnostic(code, "x")]) == exit


def test_the_readme_lists_every_exit_code_and_no_other():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| code | meaning |"):]
    table = table[:table.index("\n\n")]
    listed = {int(n) for n in re.findall(r"^\| (\d+) \|", table, re.M)}
    assert listed == {int(e) for e in Exit}
    order = readme[readme.index("from best to worst:"):].split(".", 1)[0]
    ranked = [Exit(int(n)) for n in re.findall(r"\d+", order)]
    assert set(ranked) == set(Exit) - {Exit.INTERRUPTED, Exit.CLOSED_OUTPUT}   # how a run ended, not a message
    for better, worse in zip(ranked, ranked[1:]):
        assert worst([better, worse]) == worse


# ---- standard input is read no further than the limit --------------------------------------------

class _Endless(io.RawIOBase):
    """A pipe that never ends (`yes | permitted check -`): counts what is read from it."""

    def __init__(self):
        self.taken = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        buffer[:] = b"a" * len(buffer)
        self.taken += len(buffer)
        return len(buffer)


def test_standard_input_is_read_only_up_to_max_size(cli, monkeypatch):
    pipe = _Endless()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(pipe, buffer_size=4096)))
    code, out, _ = cli("check", "-", "-m", "UK", "--max-size", "10000")
    assert code == Exit.INVALID_INPUT
    assert "I101" in out and "more than 10,000 bytes" in out
    assert pipe.taken <= 10_001 + 4096                      # the limit, one byte, one buffer: not the stream


def test_standard_input_within_the_limit_is_judged(cli, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Hello :)")))
    assert cli("check", "-", "-m", "UK", "--max-size", "8")[0] == Exit.BLOCKED
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Hello :)!")))
    assert cli("check", "-", "-m", "UK", "--max-size", "8")[0] == Exit.INVALID_INPUT
