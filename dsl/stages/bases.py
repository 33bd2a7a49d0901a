"""Where a policy's `extends:` may lead: a policy file inside the policy tree being compiled.

Stage: part of stage 3 (merge extends). Input: the text of an `extends:`, the file that writes it,
and the policy tree. Output: the path of the base file. A policy comes from a colleague or a pull
request, and a diagnostic quotes the lines of the files the compiler reads: `extends:
/proc/self/environ` must neither read the environment nor print it. So a base is a `.yaml` (or
`.yml`) regular file inside the tree, named by a path relative to the file that extends it.

The policy tree of a file (`policy_root`) is the folder that holds `base/` — the file's own folder
or the one above it, as in the bundled layout (`policies/base/…`, `policies/uk/…`) — and else the
file's own folder; `--policy-root DIR` (or `root=` in the API) names one more tree the bases may be
in. Every base of a chain must lie inside the trees of the file compiled first, symbolic links
resolved.

Errors: `Refused` (the merge stage reports it as P219, at the `extends:` line): an absolute path,
a path leading out of the tree (`..`, or a symbolic link), a control character, a name that is not
`.yaml`/`.yml`, a folder, device or pipe. A base that does not exist is the merge stage's P210;
a base that is not a policy is P220 (`looks_like_policy`), never quoted.
"""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from dsl.contract.errors import PolicyError
from dsl.stages.load import read_policy_bytes

SUFFIXES = (".yaml", ".yml")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Every policy file has a top-level `policy:` key, written at the start of a line.
_POLICY_KEY = re.compile(rb"^policy[ \t]*:", re.MULTILINE)


class Refused(Exception):
    """An `extends:` that may not be followed: what is wrong, and what to write instead."""

    def __init__(self, message: str, help: str):
        super().__init__(message)
        self.message, self.help = message, help


def policy_root(path: str | Path) -> Path:
    """The policy tree of a policy file (see the module's docstring)."""
    folder = Path(path).resolve().parent
    for candidate in (folder, folder.parent):
        if (candidate / "base").is_dir():
            return candidate
    return folder


def _inside(path: Path, trees: tuple[Path, ...]) -> bool:
    return any(path == root or root in path.parents for root in trees)


def locate_base(written: str, here: Path, trees: tuple[Path, ...]) -> Path:
    """The base file `written` names, from the file `here` (resolved), inside one of the policy
    trees `trees` (resolved). The path returned may not exist (the caller reports P210)."""
    shown = written if len(written) <= 200 else written[:200] + "…"
    outside = (f"keep the base inside the policy tree {trees[0]}, or name the tree it is in with "
               "--policy-root DIR")
    if _CONTROL.search(written):
        raise Refused(f"`extends` contains a control character: {shown!r}", "write the path of a policy file")
    if Path(written).is_absolute() or written.startswith("~"):
        raise Refused(f"`extends` must be a path relative to this file, not `{shown}`",
                      f"write the path from this file's folder, e.g. `../base/2020-11.yaml`; {outside}")
    if Path(written).suffix.lower() not in SUFFIXES:
        raise Refused(f"`extends` must name a .yaml policy file, not `{shown}`", "a base is a policy file: NAME.yaml")
    # Checked as written and again with symbolic links resolved: `..` may lead out, and so may a link.
    if not _inside(Path(os.path.normpath(here.parent / written)), trees):
        raise Refused(f"`extends: {shown}` leads out of the policy tree", outside)
    try:
        target = (here.parent / written).resolve()
    except (OSError, RuntimeError) as exc:      # a name too long, a loop of links
        raise Refused(f"`extends: {shown}` cannot be followed: {getattr(exc, 'strerror', None) or exc}",
                      "write the path of a policy file") from None
    if not _inside(target, trees):
        raise Refused(f"`extends: {shown}` is a link leading out of the policy tree", outside)
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return target                           # not found: the caller says so, with the names nearby
    if not stat.S_ISREG(mode):
        raise Refused(f"`extends: {shown}` is not a regular file", "a base is a policy file, not a folder, device or pipe")
    return target


def looks_like_policy(path: Path) -> bool:
    """Whether a file has a line starting with `policy:`, as every policy file does. A base that
    fails to load and has none is not a policy: its errors, which would quote its lines, are
    replaced by one naming it."""
    try:
        return _POLICY_KEY.search(read_policy_bytes(path)) is not None
    except PolicyError:
        return False
