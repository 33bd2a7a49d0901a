"""What a Dask worker does with a partition: judge its messages, and commit its part file once.

Stage: the application layer under permitted.distributed.cluster; these functions run on the
workers. Input: a Partition, the Settings of the audit, and how a row is written (`render`, given
by the command, so this layer needs no view). Output: `Judged` — the partition's rows as the
bytes of its JSONL lines (or the part file they were committed to) and its tally. Errors: none for
a message: every message in gives one row out (permitted.checking.Judge.row).

Each worker process keeps one Judge per policy choice (module-level): the process's policy store
compiles each policy version once, and every later partition reuses it.
"""
from __future__ import annotations

import hashlib
import os
import threading
import uuid
from dataclasses import dataclass
from typing import Callable, Mapping

from permitted.batch import Tally
from permitted.checking import Checked, Choice, Judge
from permitted.distributed.partitions import Partition, is_url, piece_envelopes

Render = Callable[[Checked], bytes]

_JUDGES: dict[Choice, Judge] = {}
_LOCK = threading.Lock()            # a worker may run several threads: one Judge per choice all the same


@dataclass(frozen=True)
class Settings:
    """What every partition of one audit is judged with."""
    choice: Choice
    fields: Mapping | None
    limit: int
    api_operation: str | None = None


@dataclass(frozen=True)
class PartFile:
    """A committed part file of `--out-dir`."""
    name: str                     # inside the output folder: part-00042.jsonl
    rows: int
    size: int
    sha256: str


@dataclass(frozen=True)
class Judged:
    """A partition judged: its rows' bytes when they are gathered, its part file otherwise."""
    index: int
    rows: int
    data: bytes | None
    part: PartFile | None
    tally: Tally


def judge_for(choice: Choice) -> Judge:
    """This process's Judge for `choice`, made (and its policy compiled) once."""
    with _LOCK:
        if choice not in _JUDGES:
            _JUDGES[choice] = Judge(choice)
        return _JUDGES[choice]


def part_name(index: int) -> str:
    return f"part-{index:05d}.jsonl"


def judge_partition(partition: Partition, settings: Settings, render: Render,
                    out_dir: str | None = None) -> Judged:
    """Judge every message of a partition, in order; with `out_dir`, commit its rows as a part file."""
    judge = judge_for(settings.choice)
    rows = []
    for piece in partition.pieces:
        for source, envelope in piece_envelopes(piece, settings.fields, limit=settings.limit,
                                                api_operation=settings.api_operation):
            rows.append(judge.row(source, envelope))
    return finish(partition.index, rows, render, out_dir)


def finish(index: int, rows: list[Checked], render: Render, out_dir: str | None) -> Judged:
    """A partition's rows rendered and counted, and committed when they go to a part file."""
    tally = Tally()
    for row in rows:
        tally.add(row)
    data = b"".join(render(row) for row in rows)
    if out_dir is None:
        return Judged(index, len(rows), data, None, tally)
    name = part_name(index)
    commit(out_dir, name, data)
    return Judged(index, len(rows), None, PartFile(name, len(rows), len(data), hashlib.sha256(data).hexdigest()), tally)


def commit(folder: str, name: str, data: bytes) -> bool:
    """Write `folder/name` once: the bytes go to a hidden temporary file first, which then takes
    the name only if no other attempt has (a partition rerun after its worker died, or run twice
    by the scheduler). Readers never see a half-written part. Returns whether this attempt
    committed it; a later attempt's bytes are the same rows, so they are dropped."""
    temporary = f".{name}.{uuid.uuid4().hex}.tmp"
    if not is_url(folder):
        path, staged = os.path.join(folder, name), os.path.join(folder, temporary)
        with open(staged, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(staged, path)            # atomic, and fails if the name is taken: committed once
            return True
        except FileExistsError:
            return False
        finally:
            os.unlink(staged)
    import fsspec
    fs, root = fsspec.core.url_to_fs(folder)
    path, staged = f"{root.rstrip('/')}/{name}", f"{root.rstrip('/')}/{temporary}"
    fs.pipe_file(staged, data)
    if fs.exists(path):                      # object stores have no exclusive rename: checked first
        fs.rm_file(staged)
        return False
    fs.mv(staged, path)
    return True
