"""Where the grammar and the bundled policies live, in a checkout and in an installed wheel, and
where what the engine derives from them (compiled policies, the unpacked language model) is kept
between processes.

In a checkout `grammar.lark` and `policies/` sit at the repository root, beside `dsl/`; a wheel
carries them as `dsl/grammar.lark` and `permitted/policies/` (see pyproject.toml). The packaged
copy wins when present, so an installed wheel never reads a stray `policies/` folder that
happens to sit beside it in site-packages.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent.parent      # the dsl package, above contract/
_PACKAGED = (_HERE / "grammar.lark").is_file()


def display_path(path: Path) -> str:
    """A path as the user would write it: relative to the working directory when inside it."""
    resolved = Path(path).resolve()
    try:
        return str(resolved.relative_to(Path.cwd()))
    except ValueError:
        return str(resolved)


def grammar_path() -> Path:
    return _HERE / "grammar.lark" if _PACKAGED else _HERE.parent / "grammar.lark"


def policies_dir() -> Path:
    return _HERE.parent / "permitted" / "policies" if _PACKAGED else _HERE.parent / "policies"


def cache_dir() -> Path:
    """$PERMITTED_CACHE_DIR, else $XDG_CACHE_HOME/permitted, else ~/.cache/permitted."""
    given = os.environ.get("PERMITTED_CACHE_DIR")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "permitted"


def write_whole(target: Path, data: bytes) -> None:
    """Write a file under a temporary name and rename it, so that no reader sees half of it.
    Raises OSError when the folder cannot be made or written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


# The cache folder is kept from growing without end: a kept file is keyed by the content it was
# made from (a policy at a path, the word lists of an installed package), so a policy no longer
# compiled or a package replaced leaves files nothing reads again. Reading a kept file moves its
# modification time (at most once a day, so a warm read costs no write); keeping a new one deletes
# the files of the folder unused for UNUSED_DAYS (looked at at most once a day, by a marker file).
UNUSED_DAYS = 30
_DAY = 24 * 3600
_TIDIED = ".tidied"


def keep_in_cache(target: Path, data: bytes) -> None:
    """write_whole() a file of the cache folder, then tidy the folder. Raises OSError as write_whole."""
    write_whole(target, data)
    tidy_cache(target.parent)


def used(path: Path) -> None:
    """Note that a kept file was just read, so tidying keeps it."""
    try:
        now = time.time()
        if now - path.stat().st_mtime > _DAY:
            os.utime(path, (now, now))
    except OSError:
        pass            # gone, or a read-only folder: nothing to keep it for


def tidy_cache(folder: Path | None = None, now: float | None = None) -> list[str]:
    """Delete the files of the cache folder unused for UNUSED_DAYS, unless it was tidied in the
    last day; the names deleted. Files that cannot be looked at or deleted are left alone."""
    folder = cache_dir() if folder is None else folder
    now = time.time() if now is None else now
    marker = folder / _TIDIED
    try:
        if now - marker.stat().st_mtime < _DAY:
            return []
    except FileNotFoundError:
        pass
    except OSError:
        return []
    try:
        marker.touch()
        os.utime(marker, (now, now))
        entries = list(os.scandir(folder))
    except OSError:
        return []
    deleted = []
    for entry in entries:
        try:
            if entry.name != _TIDIED and entry.is_file(follow_symlinks=False) \
                    and now - entry.stat(follow_symlinks=False).st_mtime > UNUSED_DAYS * _DAY:
                os.unlink(entry.path)
                deleted.append(entry.name)
        except OSError:
            continue
    return deleted


def file_stamps(files) -> tuple:
    """What tells a cached result of these files is stale: each file's path, modification time
    and size (None for a file that cannot be read, so that it appearing counts as a change)."""
    out = []
    for f in files:
        try:
            st = os.stat(f)
            out.append((str(f), st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((str(f), None, None))
    return tuple(out)
