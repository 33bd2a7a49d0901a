"""`audit` over archives that misbehave: a message that takes too long, a reader that stops
reading. Either way the run ends as a user expects — rows for every message, or a quiet stop —
with no worker processes left behind.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from .policytext import ROOT

# A megabyte of emoticons: hundreds of thousands of facts, each with its span — seconds of work
# for the judge, a real message that is slow rather than a hook that pretends to be.
SLOW = ":) " * 300_000


def _archive(path: Path, bodies: list[str]) -> Path:
    path.write_text("".join(json.dumps({"marketplace": "UK", "body": b}) + "\n" for b in bodies), encoding="utf-8")
    return path


def _survivors(marker: str) -> list[str]:
    """Processes still running whose command line names `marker` (an audit's workers keep the
    command line of the audit that forked them, and outlive it only as orphans)."""
    def names_it(cmdline: Path) -> bool:
        try:
            return marker.encode() in cmdline.read_bytes()
        except OSError:                      # gone while we looked
            return False

    return [cmdline.parent.name for cmdline in Path("/proc").glob("[0-9]*/cmdline") if names_it(cmdline)]


def _gone(marker: str, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while _survivors(marker):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def test_a_message_over_the_time_limit_is_one_error_row(tmp_path):
    archive = _archive(tmp_path / "slow.jsonl", ["Thanks for your order.", SLOW, "Your parcel is on its way :)",
                                                 "Thanks again."])
    out = tmp_path / "rows.jsonl"
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "permitted", "audit", str(archive), "--out", str(out), "--jobs", "2",
                           "--no-progress", "--message-timeout", "0.5"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [row["source"] for row in rows] == [f"{archive}:{n}" for n in range(1, 5)]
    assert rows[1]["verdict"] == "error" and rows[1]["errors"][0]["code"] == "I192", rows[1]
    assert "within 0.5 s" in rows[1]["errors"][0]["message"]
    assert all(row["verdict"] != "error" for row in (rows[0], rows[2], rows[3])), rows   # judged as ever
    assert f"{archive}:2: still being judged after 0.5 s" in done.stderr      # one line, however long the path
    assert done.returncode == 3, done.stderr            # the worst row: a message that could not be judged
    assert time.monotonic() - started < 60
    assert _gone(str(archive))


def test_without_a_time_limit_reached_every_message_is_judged(tmp_path):
    archive = _archive(tmp_path / "ok.jsonl", ["Thanks for your order.", "Your parcel is on its way :)"])
    done = subprocess.run([sys.executable, "-m", "permitted", "audit", str(archive), "--jobs", "1", "--no-progress",
                           "--message-timeout", "30"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) == 2 and all(row["verdict"] != "error" for row in rows), done.stderr
    assert done.returncode in (0, 1, 4)


def test_a_bad_time_limit_is_a_usage_error(cli, tmp_path):
    archive = _archive(tmp_path / "a.jsonl", ["Thanks."])
    for value in ("0", "-1", "nan", "soon"):
        code, out, err = cli("audit", str(archive), "--message-timeout", value)
        assert code == 2 and "U100" in out + err, (value, out + err)


def test_audit_into_a_reader_that_stops_early_ends_quietly(tmp_path):
    """`permitted audit archive.jsonl | head -1`: the audit stops when its reader has gone, with
    the status of a command stopped by SIGPIPE (141), no traceback, and no worker left running."""
    archive = _archive(tmp_path / "long.jsonl", [f"Thanks for order {n} :)" for n in range(2_000)])
    audit = subprocess.Popen([sys.executable, "-m", "permitted", "audit", str(archive), "--jobs", "2", "--no-progress"],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ})
    first = audit.stdout.readline()
    audit.stdout.close()                                  # the reader has what it wanted
    try:
        err = audit.stderr.read().decode()
        code = audit.wait(timeout=60)
    finally:
        audit.kill()
    assert json.loads(first)["source"] == f"{archive}:1"
    assert code == 141, err
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err, err
    assert _gone(str(archive))
