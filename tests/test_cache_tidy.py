"""The cache folder does not grow without end: files unused for a month go when a new one is kept.

Compiled policies, word lists and the unpacked language model are kept by the content they were
made from, so a policy no longer compiled or a package replaced leaves files nothing reads again.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from dsl.contract.resources import UNUSED_DAYS, keep_in_cache, tidy_cache, used

from .conftest import ROOT

DAY = 24 * 3600
NOW = 2_000_000_000.0


def _aged(path, days: float, now: float = NOW):
    path.write_bytes(b"kept")
    os.utime(path, (now - days * DAY, now - days * DAY))
    return path


@pytest.mark.parametrize("days, deleted", [(0, False), (1, False), (UNUSED_DAYS - 1, False),
                                           (UNUSED_DAYS + 1, True), (400, True)])
def test_a_file_unused_for_a_month_is_deleted_and_a_recent_one_kept(tmp_path, days, deleted):
    _aged(tmp_path / "entry.policy", days)
    assert tidy_cache(tmp_path, now=NOW) == (["entry.policy"] if deleted else [])
    assert (tmp_path / "entry.policy").exists() is not deleted


def test_the_folder_is_looked_at_once_a_day(tmp_path):
    assert tidy_cache(tmp_path, now=NOW) == []
    _aged(tmp_path / "old.txt", 90)
    assert tidy_cache(tmp_path, now=NOW + DAY / 2) == []            # tidied half a day ago
    assert tidy_cache(tmp_path, now=NOW + DAY + 1) == ["old.txt"]


def test_reading_a_file_keeps_it_and_a_fresh_one_is_not_written_to(tmp_path):
    old = _aged(tmp_path / "words-en.txt", 90, now=time.time())
    fresh = _aged(tmp_path / "fresh.txt", 0.5, now=time.time())
    before = fresh.stat().st_mtime
    used(old)
    used(fresh)
    used(tmp_path / "absent.txt")                                    # nothing to do, no error
    assert time.time() - old.stat().st_mtime < 60
    assert fresh.stat().st_mtime == before
    assert tidy_cache(tmp_path) == []


def test_an_absent_folder_is_left_alone_and_keeping_a_file_makes_it(tmp_path):
    assert tidy_cache(tmp_path / "absent") == []
    keep_in_cache(tmp_path / "new" / "entry.policy", b"data")        # makes its folder, tidies it
    assert (tmp_path / "new" / "entry.policy").read_bytes() == b"data"


def test_check_keeps_its_policies_and_deletes_what_nothing_used_for_a_month(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    stale = _aged(cache / "0123456789abcdef0123456789abcdef.policy", 45, now=time.time())
    message = tmp_path / "one.txt"
    message.write_text("Your order 123-1234567-1234567 has shipped. Thank you!\n")
    env = {**os.environ, "PERMITTED_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-m", "permitted", "check", str(message), "-m", "UK"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 4), done.stderr
    assert not stale.exists()
    assert list(cache.glob("*.policy")) and list(cache.glob("words-en-*.txt"))
