"""Checking messages for real: the Python API, `permitted check` and `permitted audit`."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dsl.contract.errors import InputError, PolicyError
from permitted import audit, check

from .conftest import FIXTURES, ROOT

PERMITTED = [sys.executable, "-m", "permitted"]
ORDER = {"id": "123-1234567-1234567", "purchased_at": "2021-03-01", "completed_at": "2021-03-04",
         "buyer_language": "en-GB"}


def _rules(report) -> set[str]:
    return {v.rule for v in report.violations}


@pytest.mark.parametrize("message, fields, fires, verdict", [
    ("Thanks for order 123-1234567-1234567, enjoy it :)", {"channel": "email"}, "styling.no-emoji", "blocked"),
    ("Use code SAVE10 for 10% off your next order 123-1234567-1234567.", {"channel": "email"},
     "type.no-coupons-or-vouchers", "blocked"),
    ("Your invoice for order 123-1234567-1234567 is attached.", {"channel": "email", "reason": "invoice"},
     None, "allowed"),
])
def test_check_api_judges_plain_text(message, fields, fires, verdict):
    report = check(message, marketplace="UK", sent_at="2021-03-05", order=ORDER, **fields)
    assert report.verdict == verdict
    assert report.policy_id == "uk@2020-11-06"
    if fires:
        assert fires in _rules(report)
    else:
        assert not report.violations


def test_check_api_undetermined_without_order_dates_is_review():
    report = check("Your invoice for order 123-1234567-1234567 is attached.", marketplace="UK",
                   channel="email", reason="invoice")
    assert report.verdict == "review"
    needs = {n for u in report.undetermined for n in u.needs}
    assert "order.completed_at" in needs


def test_check_api_reads_files_and_envelopes():
    from_file = check(FIXTURES / "messages" / "review.html", marketplace="UK")
    assert from_file.verdict == "blocked"
    envelope = {"marketplace": "US", "channel": "email", "body": "Hello :)", "sent_at": "2021-03-05", "order": ORDER}
    assert "styling.no-emoji" in _rules(check(envelope))
    assert check(envelope).marketplace == "US"


def test_template_counts_order_id_placeholder_only_when_asked():
    text = "Hello, your invoice for order [[order-id]] is attached."
    sent = check(text, marketplace="UK", channel="email", reason="invoice", order=ORDER, sent_at="2021-03-05")
    assert "proactive.include-order-id" in _rules(sent)
    template = check(text, marketplace="UK", channel="email", reason="invoice", order=ORDER, sent_at="2021-03-05",
                     template=True)
    assert "proactive.include-order-id" not in _rules(template)


@pytest.mark.parametrize("kwargs, error, words", [
    ({"marketplace": "UK", "colour": "red"}, InputError, "colour"),
    ({}, InputError, "which marketplace"),
    ({"marketplace": "DE"}, PolicyError, "no policy for marketplace `DE`"),
    ({"marketplace": "UK", "policy": "uk@1999-01-01"}, PolicyError, "no policy `uk@1999-01-01`"),
])
def test_check_api_errors_name_the_problem(kwargs, error, words):
    with pytest.raises(error) as caught:
        check("Hello.", **kwargs)
    assert words in str(caught.value)


def test_policy_chosen_by_sent_date_unless_as_of(tmp_path):
    import datetime as dt
    early = check("Hello.", marketplace="UK", sent_at="2020-11-06")
    assert early.policy_id == "uk@2020-11-06"
    with pytest.raises(PolicyError, match="no UK policy was in force on 2019-01-01"):
        check("Hello.", marketplace="UK", sent_at="2019-01-01")
    assert check("Hello.", marketplace="UK", sent_at="2019-01-01", as_of=dt.date(2021, 1, 1)).policy_id == "uk@2020-11-06"


# ---- the check command ---------------------------------------------------------------------

def test_check_command_json_is_the_report_contract(cli):
    code, out, _ = cli("check", str(FIXTURES / "messages" / "review.html"), "-m", "UK", "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["verdict"] == "blocked"
    assert list(data) == ["source", "verdict", "marketplace", "policy", "violations", "undetermined"]
    assert data["policy"] == {"id": "uk@2020-11-06", "file": "policies/uk/2020-11-06.yaml"}


def test_check_command_many_messages_exits_with_the_worst(cli, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Your invoice for order 123-1234567-1234567 is attached.")
    bad = tmp_path / "bad.json"
    bad.write_text('{"body": "x", "colour": "red"}')
    code, out, _ = cli("check", str(good), str(bad), "-m", "UK", "--reason", "invoice", "--sent", "2021-03-05",
                       "--completed", "2021-03-04", "--format", "json")
    rows = json.loads(out)
    assert [r["verdict"] for r in rows] == ["allowed", "error"]
    assert rows[1]["errors"][0]["code"] == "I100"
    assert code == 3


def test_check_command_flags_fill_the_envelope(cli, tmp_path):
    msg = tmp_path / "late.txt"
    msg.write_text("Your invoice for order 123-1234567-1234567 is attached.")
    code, out, _ = cli("check", str(msg), "-m", "US", "--reason", "invoice", "--completed", "2021-01-01",
                       "--sent", "2021-03-05", "--format", "json")
    assert code == 1
    assert [v["rule"] for v in json.loads(out)["violations"]] == ["timing.thirty-day-window"]


def test_check_reads_standard_input():
    done = subprocess.run(PERMITTED + ["check", "-", "-m", "UK", "--channel", "email", "--format", "json"],
                          input="Hello :)".encode(), capture_output=True, cwd=ROOT, timeout=60)
    data = json.loads(done.stdout)
    assert data["source"] == "-" and "styling.no-emoji" in {v["rule"] for v in data["violations"]}
    assert done.returncode == 1


# ---- audit -----------------------------------------------------------------------------------

def _archive(path: Path, n: int, broken_every: int = 0) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            if broken_every and i % broken_every == broken_every - 1:
                f.write('{"body": "unterminated\n')
                continue
            market = ("UK", "US")[i % 2]
            body = f"Order 123-1234567-{1000000 + i}: " + ("thanks :)" if i % 3 == 0 else "your invoice is attached.")
            f.write(json.dumps({"marketplace": market, "channel": "email", "reason": "invoice", "sent_at": "2021-03-05",
                                "order": {**ORDER, "id": f"123-1234567-{1000000 + i}"}, "body": body}) + "\n")
    return path


@pytest.mark.parametrize("jobs", [1, 2])
def test_audit_gives_one_row_per_message_in_order(tmp_path, jobs):
    archive = _archive(tmp_path / "a.jsonl", 150, broken_every=40)
    rows = list(audit([archive], jobs=jobs))
    assert [r.source for r in rows] == [f"{archive}:{i}" for i in range(1, 151)]
    errors = [r for r in rows if not r.ok]
    assert len(errors) == 3 and all(r.error[0].code == "I101" for r in errors)
    assert {r.verdict for r in rows if r.ok} == {"blocked", "allowed"}


def test_audit_command_writes_rows_and_a_summary(cli, tmp_path):
    archive = _archive(tmp_path / "a.jsonl", 60, broken_every=30)
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "one.txt").write_text("Hello :)")
    (folder / "notes.pdf").write_bytes(b"%PDF")          # not a message file: a folder walk leaves it out
    out = tmp_path / "results.jsonl"
    code, _, err = cli("audit", str(archive), str(folder), "--out", str(out), "-j", "2", "-m", "UK")
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 61
    assert rows[-1]["source"].endswith("one.txt")
    assert code == 3                                         # the worst: two rows could not be read
    assert "verdicts" in err and "most frequent rules" in err and "61 messages audited" in err
    assert "styling.no-emoji" in err


def test_audit_interrupted_leaves_a_valid_file(tmp_path):
    archive = _archive(tmp_path / "big.jsonl", 20_000)
    out = tmp_path / "results.jsonl"
    # Ctrl-C as a terminal sends it: a command started in the background of a script inherits
    # SIGINT ignored (as `nohup` would have it) and rightly goes on, so the child gets the default.
    proc = subprocess.Popen(PERMITTED + ["audit", str(archive), "--out", str(out), "-j", "2", "--no-progress"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while (not out.exists() or out.stat().st_size < 50_000) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    lines = out.read_bytes().split(b"\n")
    assert lines[-1] == b""                                  # ends with a whole row
    rows = [json.loads(line) for line in lines[:-1]]
    assert 0 < len(rows) < 20_000
    assert [r["source"] for r in rows] == [f"{archive}:{i}" for i in range(1, len(rows) + 1)]
    assert b"interrupted" in err


def test_exit_zero_still_fails_on_unreadable_messages(cli, tmp_path):
    blocked = tmp_path / "b.txt"
    blocked.write_text("Hello :)")
    assert cli("check", str(blocked), "-m", "UK", "--exit-zero")[0] == 0
    broken = tmp_path / "x.json"
    broken.write_text("{")
    assert cli("check", str(blocked), str(broken), "-m", "UK", "--exit-zero")[0] == 3


def test_subject_line_wording_is_caught_and_shown_as_found_words(cli, tmp_path):
    message = tmp_path / "invoice.txt"
    message.write_text("Hello, your invoice for order 123-1234567-1234567 is attached.")
    flags = ["-m", "UK", "--subject", "Your invoice and 20% off your next order", "--reason", "invoice",
             "--completed", "2021-01-01", "--sent", "2021-01-05"]
    code, out, _ = cli("check", str(message), *flags, "--format", "json")
    (violation,) = json.loads(out)["violations"]
    assert code == 1 and violation["rule"] == "type.no-coupons-or-vouchers"
    # the words found, not the whole subject line (nor the `exists` guard that let it be read)
    assert violation["evidence"] == [{"fact": "message.subject", "value": "% off", "phrase": "% off"}]
    _, out, _ = cli("check", str(message), *flags)
    assert 'found message.subject: "% off"' in out
