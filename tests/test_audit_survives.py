"""`permitted audit`: rows out equal messages in, whatever a message contains and whatever happens
to a worker (issue 13). A message that trips a bug is an error row (I190) and the rest go on; a
worker killed mid-run costs no row (its messages are judged again, one by one) and a message that
kills its worker twice is an error row (I191); SIGTERM ends the run like Ctrl-C, with no worker
left behind. Real processes throughout: the batches of jobs=2 run in forked workers, which
inherit what a test patched."""
from __future__ import annotations

import json
import multiprocessing
import os
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

import interpreter.read.envelope as envelope_reader
import permitted.checking as checking
from permitted import audit
from permitted.exitcodes import Exit

from .conftest import ROOT
from .processes import alive, children

PERMITTED = [sys.executable, "-m", "permitted"]
ORDER = {"id": "123-1234567-1234567", "completed_at": "2021-03-04", "buyer_language": "en-GB"}
forks = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                           reason="workers see a test's patches only when forked")


def _archive(path: Path, n: int, specials: dict[int, str] | None = None) -> Path:
    """n envelopes, one a line; line i (1-based) of `specials` carries that word in its body."""
    specials = specials or {}
    with path.open("w", encoding="utf-8") as f:
        for i in range(1, n + 1):
            body = f"Your invoice for order 123-1234567-{1000000 + i} is attached. {specials.get(i, '')}"
            f.write(json.dumps({"marketplace": "UK", "channel": "email", "reason": "invoice", "sent_at": "2021-03-05",
                                "order": ORDER, "body": body}) + "\n")
    return path


@pytest.fixture
def judging_trips_on(monkeypatch):
    """Judging a message whose body holds POISON raises an exception no stage expects (a bug);
    one holding KILLME kills the worker process judging it (never the test's own process)."""
    real = checking.normalise
    me = os.getpid()

    def normalise(envelope, *args, **kwargs):
        body = envelope.get("body", "")
        if "POISON" in body:
            raise RuntimeError("a bug met while judging")
        if "KILLME" in body and os.getpid() != me:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(envelope, *args, **kwargs)

    monkeypatch.setattr(checking, "normalise", normalise)


@forks
@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("where", [1, 45, 100])          # first, inside a later batch, last
def test_a_message_that_trips_a_bug_is_one_error_row(tmp_path, judging_trips_on, jobs, where):
    archive = _archive(tmp_path / "a.jsonl", 100, {where: "POISON"})
    rows = list(audit([archive], jobs=jobs))
    assert [r.source for r in rows] == [f"{archive}:{i}" for i in range(1, 101)]
    (bad,) = [r for r in rows if not r.ok]
    assert bad.source == f"{archive}:{where}"
    (d,) = bad.error
    assert d.code == "I190" and "RuntimeError: a bug met while judging" in d.message
    assert "permitted/" in d.message or "tests/" in d.message          # where it was raised
    assert all(r.verdict == "review" for r in rows if r.ok)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_message_that_trips_a_bug_while_being_read_is_one_error_row(tmp_path, monkeypatch, jobs):
    real = envelope_reader.envelope_of

    def envelope_of(data, *args, **kwargs):
        if b"POISON" in data:
            raise RecursionError("maximum recursion depth exceeded")
        return real(data, *args, **kwargs)

    monkeypatch.setattr(envelope_reader, "envelope_of", envelope_of)
    archive = _archive(tmp_path / "a.jsonl", 70, {3: "POISON", 69: "POISON"})
    rows = list(audit([archive], jobs=jobs))
    assert len(rows) == 70
    assert [r.source for r in rows if not r.ok] == [f"{archive}:3", f"{archive}:69"]
    assert {r.error[0].code for r in rows if not r.ok} == {"I190"}


def test_lines_read_by_the_workers_give_the_rows_the_parent_would(tmp_path):
    # With several processes the parent only splits a JSONL file into lines, and each worker
    # parses and checks its own: every kind of line must come out as reading it here does.
    archive = tmp_path / "mixed.jsonl"
    good = json.dumps({"marketplace": "UK", "body": "Your order 123-1234567-1234567 has shipped.",
                       "sent_at": "2021-03-05"})
    lines = [good, "", "{not json", json.dumps({"marketplace": "UK"}), "[1, 2]", "   ",
             json.dumps({"marketplace": "UK", "body": "x" * 5000}), good.replace("shipped", "shipped \u00e9"),
             json.dumps({"marketplace": "ZZ", "body": "Thanks"})]
    archive.write_bytes("\n".join(lines).encode() + b"\n\xff\xfe bad bytes\n")
    one = [r.to_json() for r in audit([archive], jobs=1, limit=2000)]
    assert len(one) == 8 and [r["source"] for r in one][-1] == f"{archive}:10"
    for jobs, timeout in ((2, None), (1, 30.0), (2, 30.0)):
        assert [r.to_json() for r in audit([archive], jobs=jobs, limit=2000, timeout=timeout)] == one


@forks
def test_a_message_that_kills_its_worker_twice_is_one_error_row(tmp_path, judging_trips_on):
    archive = _archive(tmp_path / "a.jsonl", 100, {40: "KILLME"})
    heard: list[str] = []
    rows = list(audit([archive], jobs=2, notify=heard.append))
    assert [r.source for r in rows] == [f"{archive}:{i}" for i in range(1, 101)]
    (bad,) = [r for r in rows if not r.ok]
    assert bad.source == f"{archive}:40" and bad.error[0].code == "I191"
    assert "killed by SIGKILL" in bad.error[0].message
    # The 31 other messages of its batch were judged again, one by one, and came out right.
    assert sum(r.ok for r in rows) == 99
    assert "judging them again, one by one" in heard[0] and "written as an error row" in heard[1]


@forks
def test_the_command_exits_70_after_writing_every_row_when_a_message_met_a_bug(cli, tmp_path, judging_trips_on):
    archive = _archive(tmp_path / "a.jsonl", 40, {7: "POISON"})
    out = tmp_path / "rows.jsonl"
    code, _, err = cli("audit", str(archive), "--out", str(out), "-j", "2", "--no-progress")
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert code == Exit.INTERNAL and len(rows) == 40
    assert rows[6]["verdict"] == "error" and rows[6]["errors"][0]["code"] == "I190"
    assert "40 messages audited" in err


GOOD_MAIL = ("From seller@example.com Mon Mar  1 10:00:00 2021\nFrom: seller@example.com\nSubject: Your invoice\n"
             "Date: Mon, 1 Mar 2021 10:00:00 +0000\n\nYour invoice for order 123-1234567-1234567 is attached :)\n\n")
HOSTILE_MAILS = [                  # headers and bodies that have stopped a whole run with a traceback
    "From x Mon Mar  1 10:00:00 2021\nFrom::;\"\nSubject: a\n\nHello\n\n",
    "From x Mon Mar  1 10:00:00 2021\nFrom: Pacific <\nSubject: a\n\nHello\n\n",
    "From x Mon Mar  1 10:00:00 2021\nFrom: a@b.c\nDate: Mon, 1 Mar 2021 10:00:00 +99999999\n\nHello\n\n",
    "From x Mon Mar  1 10:00:00 2021\nContent-Type: text/html\n\n<style>" + "{" * 3000 + "</style><p>Hi</p>\n\n",
]


@forks
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_poisoned_mbox_loses_no_row(cli, tmp_path, jobs):
    mbox = tmp_path / "sent.mbox"
    mbox.write_text(GOOD_MAIL * 100 + "".join(HOSTILE_MAILS) + GOOD_MAIL * 100, encoding="utf-8")
    out = tmp_path / "rows.jsonl"
    code, _, err = cli("audit", str(mbox), "-m", "UK", "-j", jobs, "--no-progress", "--out", str(out))
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["source"] for r in rows] == [f"{mbox}#{i}" for i in range(1, 205)]
    assert all(r["verdict"] == "blocked" for r in rows[:100] + rows[104:])
    assert code in (Exit.BLOCKED, Exit.INVALID_INPUT, Exit.INTERNAL) and "204 messages audited" in err


@forks
def test_a_worker_whose_parent_dies_half_way_through_sending_a_batch_exits():
    from permitted.checking import Choice
    from permitted.pool import Pool

    pool = Pool(1, Choice("UK"), in_flight=4)
    worker = pool._start()
    # The length of a batch, and none of it: what a parent killed half-way through sending leaves.
    os.write(worker.conn.fileno(), struct.pack("!i", 1_000_000))
    worker.conn.close()
    worker.process.join(timeout=30)
    try:
        assert worker.process.exitcode is not None, "the worker waits forever for the rest of the batch"
    finally:
        pool.close()


# ---- real processes: kill a worker, stop the run --------------------------------------------------

def _start(archive: Path, out: Path) -> subprocess.Popen:
    # --policy: compiled once by the parent, so the forked workers start without compiling it again.
    return subprocess.Popen(PERMITTED + ["audit", str(archive), "--out", str(out), "-j", "2", "--no-progress",
                                         "--policy", "uk@2020-11-06"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _when_rows(out: Path, proc: subprocess.Popen, size: int = 5_000) -> list[int]:
    """Wait until the run has written some rows; its workers then."""
    deadline = time.monotonic() + 180
    while (not out.exists() or out.stat().st_size < size) and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[1].decode()
        time.sleep(0.02)
    workers = children(proc.pid)
    assert len(workers) == 2, workers
    return workers


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds workers in /proc")


@needs_proc
def test_a_worker_killed_mid_run_costs_no_row(tmp_path):
    archive = _archive(tmp_path / "a.jsonl", 1_500)
    out = tmp_path / "rows.jsonl"
    proc = _start(archive, out)
    workers = _when_rows(out, proc)
    os.kill(workers[0], signal.SIGKILL)
    _, err = proc.communicate(timeout=600)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert proc.returncode == Exit.REVIEW, err.decode()                  # every message judged, none lost
    assert [r["source"] for r in rows] == [f"{archive}:{i}" for i in range(1, 1_501)]
    assert all(r["verdict"] == "review" for r in rows)
    assert b"a judging process stopped (killed by SIGKILL)" in err
    assert b"1,500 messages audited" in err


@needs_proc
def test_sigterm_ends_the_run_like_ctrl_c_and_leaves_no_worker(tmp_path):
    archive = _archive(tmp_path / "a.jsonl", 20_000)
    out = tmp_path / "rows.jsonl"
    proc = _start(archive, out)
    workers = _when_rows(out, proc)
    os.kill(proc.pid, signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == Exit.INTERRUPTED, err.decode()
    text = out.read_bytes()
    assert text.endswith(b"\n")                                          # whole rows only
    rows = [json.loads(line) for line in text.splitlines()]
    assert 0 < len(rows) < 20_000
    assert [r["source"] for r in rows] == [f"{archive}:{i}" for i in range(1, len(rows) + 1)]
    assert b"verdicts" in err and b"interrupted" in err and b"Traceback" not in err
    assert not [w for w in workers if alive(w)]                         # stopped, not orphaned


@needs_proc
def test_workers_of_a_run_killed_outright_exit_on_their_own(tmp_path):
    archive = _archive(tmp_path / "a.jsonl", 20_000)
    out = tmp_path / "rows.jsonl"
    proc = _start(archive, out)
    workers = _when_rows(out, proc)
    os.kill(proc.pid, signal.SIGKILL)                 # no handler runs: the workers must notice
    proc.communicate(timeout=60)
    deadline = time.monotonic() + 30
    while [w for w in workers if alive(w)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if alive(w)]
