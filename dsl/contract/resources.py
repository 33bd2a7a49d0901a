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
