"""Splitting an audit's inputs into partitions that a worker reads on its own.

Stage: the application layer under permitted.distributed.cluster. Input: the audit's inputs —
paths of files and folders, or URLs that fsspec reads (`memory://…`, `s3://…`; a local path must
be on a file system the workers share) — and a partition size in bytes. Output: `Partition`s in
input order, each a tuple of `Piece`s: a byte range of a JSONL file cut at line boundaries, of an
mbox cut at `From ` lines, or whole message files taken in folder order. `piece_envelopes` reads
one piece through the readers of a local audit (interpreter.read.envelope), so its messages get
the same sources, envelopes and error rows. Errors: none for a file: one that cannot be read is
its error row, as in a local audit. Nothing here imports dask; fsspec is imported when needed.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Iterable, Iterator, Mapping

from dsl.contract.errors import Diagnostic, InputError, UsageError
from interpreter.read.envelope import Part, iter_envelopes

from permitted.checking import MESSAGE_SUFFIXES, input_files

LINES, MBOX, FILE = "lines", "mbox", "file"     # how a file is cut: at lines, at `From ` lines, not at all
_KINDS = {".jsonl": LINES, ".mbox": MBOX}
_SIZE = re.compile(r"\s*(\d+)\s*([kmg]?)i?b?\s*", re.IGNORECASE)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


@dataclass(frozen=True)
class Source:
    """One input file: where fsspec opens it, and the name its messages' sources begin with."""
    url: str                   # a local path or a URL
    name: str                  # as a local audit names it: str(Path(p)) for a path, the URL as given
    kind: str                  # LINES, MBOX or FILE
    size: int | None           # None: it cannot be read (it becomes its error row)


@dataclass(frozen=True)
class Piece:
    """A file, or a stretch of one between message boundaries, read alone."""
    source: Source
    start: int = 0
    end: int | None = None     # None: to the end of the file
    line: int = 1              # the file's line number at `start`
    before: int = 0            # messages of an mbox before `start`
    messages: int = 1          # rows it gives (counted by `survey`)


@dataclass(frozen=True)
class Partition:
    index: int
    pieces: tuple[Piece, ...]

    @property
    def messages(self) -> int:
        return sum(p.messages for p in self.pieces)


@dataclass(frozen=True)
class Stretch:
    """What `survey` finds in a range of a batch file: its bounds moved to message boundaries,
    and the lines and messages between them."""
    start: int
    end: int
    lines: int
    messages: int


def is_url(text: str) -> bool:
    return "://" in text


def partition_size(text: str) -> int:
    """`--partition-size`: bytes, with an optional K, M or G (`512K`, `8MB`, `1GiB`)."""
    match = _SIZE.fullmatch(text)
    value = int(match.group(1)) * _UNITS[match.group(2).lower()] if match else 0
    if value < 1:
        raise UsageError([Diagnostic("U100", f"--partition-size must be a size such as 8M or 512K, not `{text}`")])
    return value


def _kind(name: str) -> str:
    return _KINDS.get(PurePosixPath(name).suffix.lower(), FILE)


def sources(inputs: Iterable[str | Path]) -> Iterator[Source]:
    """Every input file in the order a local audit reads them (checking.input_files for paths;
    for a folder URL the same rules: name order, hidden files left out, message suffixes only)."""
    for item in inputs:
        item = str(item)
        if not is_url(item):
            for path in input_files([item]):
                try:
                    size = path.stat().st_size
                except OSError:
                    size = None
                # Opened by its absolute path (a worker's working folder may be another), named
                # as the user wrote it, as a local audit names it.
                yield Source(os.path.abspath(path), str(path), _kind(path.name), size)
            continue
        import fsspec
        fs, root = fsspec.core.url_to_fs(item)
        if not fs.isdir(root):
            yield Source(item, item, _kind(root), fs.size(root) if fs.exists(root) else None)
            continue
        base = PurePosixPath(root)
        found = sorted((PurePosixPath(f).relative_to(base).parts, size)
                       for f, size in ((f, info["size"]) for f, info in fs.find(root, detail=True).items()))
        for parts, size in found:
            if not any(p.startswith(".") for p in parts) and PurePosixPath(*parts).suffix.lower() in MESSAGE_SUFFIXES:
                url = item.rstrip("/") + "/" + "/".join(parts)
                yield Source(url, url, _kind(parts[-1]), size)


def ranges(source: Source, size: int) -> list[tuple[int, int]]:
    """A batch file's nominal ranges of `size` bytes; `survey` moves each to message boundaries."""
    assert source.size is not None
    return [(start, min(start + size, source.size)) for start in range(0, max(source.size, 1), size)]


def _open(url: str):
    import fsspec
    return fsspec.open(url, "rb")


def _boundary(f, at: int, total: int, kind: str) -> int:
    """The first message boundary at or after byte `at`: the start of a line (JSONL) or of a
    `From ` line (mbox), or the end of the file."""
    if at <= 0:
        return 0
    if at >= total:
        return total
    f.seek(at - 1)
    f.readline()                          # the rest of the line byte `at - 1` is on
    here = f.tell()
    while kind == MBOX and here < total:
        line = f.readline()
        if not line or line.startswith(b"From "):
            break
        here += len(line)
    return min(here, total)


def survey(source: Source, start: int, end: int) -> Stretch:
    """A range of a batch file moved to message boundaries, with its lines and messages counted
    as a local audit counts them (rows: JSONL lines that are not blank, mbox `From ` lines).
    Runs on a worker; ranges that meet at one nominal offset meet at the same boundary."""
    assert source.size is not None
    with _open(source.url) as f:
        begin = _boundary(f, start, source.size, source.kind)
        stop = _boundary(f, end, source.size, source.kind)
        f.seek(begin)
        data = f.read(stop - begin)
    lines = data.split(b"\n")
    if source.kind == LINES:
        messages = sum(1 for line in lines if line.strip())
    else:
        messages = sum(1 for line in lines if line.startswith(b"From "))
    return Stretch(begin, stop, data.count(b"\n"), messages)


def pieces_of(source: Source, stretches: list[Stretch]) -> list[Piece]:
    """A batch file's pieces from the surveys of its ranges, each knowing the line and message
    count it starts after (the sums over the stretches before it)."""
    out, line, before = [], 1, 0
    for s in stretches:
        if s.end > s.start:               # a range inside one long line or message holds none
            out.append(Piece(source, s.start, s.end, line, before, s.messages))
        line += s.lines
        before += s.messages
    return out


def group(items: Iterable[Piece], size: int, start: int = 0) -> list[Partition]:
    """Partitions in order: each range of a batch file on its own; neighbouring whole files
    together, about `size` bytes of them in each."""
    out: list[Partition] = []
    files: list[Piece] = []
    held = 0

    def flush() -> None:
        nonlocal files, held
        if files:
            out.append(Partition(start + len(out), tuple(files)))
            files, held = [], 0

    for piece in items:
        if piece.source.kind != FILE:
            flush()
            out.append(Partition(start + len(out), (piece,)))
            continue
        files.append(piece)
        held += piece.source.size or 0
        if held >= size:
            flush()
    flush()
    return out


def piece_envelopes(piece: Piece, fields: Mapping | None, *, limit: int,
                    api_operation: str | None) -> Iterator[tuple[str, dict | InputError]]:
    """(source, envelope or InputError) for every message of a piece, as a local audit reads them."""
    source = piece.source
    try:
        with _open(source.url) as f:
            f.seek(piece.start)
            if source.kind == FILE:
                # Read no more than the limit and one byte: a file over it is refused unread.
                part = Part(source.name, f.read(limit + 1), size=source.size)
            else:
                part = Part(source.name, f.read(piece.end - piece.start), piece.line, piece.before)
    except OSError as exc:
        yield source.name, InputError([Diagnostic("I101", f"{source.name}: cannot read: {exc.strerror or exc}")])
        return
    yield from iter_envelopes(source.name, fields, limit=limit, api_operation=api_operation, part=part)


def plan_files(inputs: Iterable[str | Path]) -> list[Source]:
    """The input files, the ones that cannot be read kept as whole files (their error rows)."""
    return [s if s.size is not None or s.kind == FILE else replace(s, kind=FILE) for s in sources(inputs)]
