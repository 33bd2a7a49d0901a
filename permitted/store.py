"""The policy store: the one owner of compiled policies in a process.

Stage: application, over dsl.registry (which version applies), dsl.compiler and
interpreter.evaluation.program (lowering). Input: a policy reference — a file, an id such as
`us@2018-10-12`, or a marketplace and a day. Output: `Compiled` — the policy and its lowered
program, made once per version while none of its files changes. Every command (check, audit,
diff, explain, test, coverage) asks the store, so they agree on the version in force and
never compile or lower the same policy twice. Errors: PolicyError (P1xx–P6xx for a policy that
does not compile, P700 for a reference that names none).

Compiled policies are also kept on disk (permitted.cache), so a new process whose policy files
and engine are unchanged reads the policy instead of compiling it.

A store is not shared between processes: each audit worker builds its own.
"""
from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from pathlib import Path

from dsl.contract.model import Policy
from dsl.contract.resources import display_path, file_stamps
from dsl.registry import Catalogue
from interpreter.evaluation.program import Program, lower_policy
from interpreter.facts.lexicon import Lexicon

from permitted import cache


@dataclass(frozen=True)
class Compiled:
    policy: Policy
    program: Program


class PolicyStore:
    """`root`: the folder of the bundled versions (the catalogue). `policy_root`: the policy tree
    the `extends:` of every policy compiled must stay in (None: each file's own; see
    dsl.stages.bases)."""

    def __init__(self, root: Path | None = None, policy_root: Path | None = None):
        self._root = root
        self._policy_root = policy_root
        self._catalogue: Catalogue | None = None
        self._bases = None           # dsl.compiler.BaseFiles, made on the first compile
        self._compiled: dict[tuple[Path, str], tuple[tuple, Compiled]] = {}
        # (path as given, display, working directory) -> the key above: resolving a path walks
        # every folder of it on disk, which a batch would otherwise do twice per message.
        self._keys: dict[tuple[str, str | None, str], tuple[Path, str]] = {}

    @property
    def catalogue(self) -> Catalogue:
        """The bundled versions, listed on first use (not once per message of a batch)."""
        if self._catalogue is None:
            self._catalogue = Catalogue.listed(self._root)
        return self._catalogue

    def path(self, ref: str, on: _dt.date | None = None, *, latest: bool = False) -> Path:
        """The file a reference names: see dsl.registry.Catalogue.resolve."""
        return self.catalogue.resolve(ref, on, latest=latest)

    def compiled(self, path: str | Path, display: str | None = None) -> Compiled:
        """A policy file compiled and lowered, reused while none of its files (its `extends`
        chain included) changed. Reports name the file as `display` (default: as the user would
        write it from the working directory), so the name is part of what is kept."""
        given = (str(path), display, os.getcwd())
        key = self._keys.get(given)
        if key is None:
            if len(self._keys) > 1024:
                self._keys.clear()
            key = self._keys[given] = (Path(path).resolve(), display or display_path(Path(path)))
        display = key[1]
        hit = self._compiled.get(key)
        if hit is not None and file_stamps([s[0] for s in hit[0]]) == hit[0]:
            return hit[1]
        policy, phrases = cache.load(key[0], display, self._policy_root) or (None, None)
        fresh = policy is None
        if fresh:
            # Imported here: the compiler (Lark and its grammar) is needed only when no kept
            # compilation is valid, and importing it was a tenth of a cold `check`.
            from dsl.compiler import BaseFiles, compile_file

            self._bases = self._bases or BaseFiles()
            policy = compile_file(path, display, self._bases, self._policy_root)
        chain = [Path(f).resolve() if Path(f).is_absolute() else (Path.cwd() / f).resolve() for f in policy.chain]
        lexicon = Lexicon.of(policy)
        if fresh or phrases is None or not lexicon.adopt(phrases):
            cache.keep(key[0], display, self._policy_root, policy, chain, lexicon.phrases)
        entry = Compiled(policy, lower_policy(policy))
        self._compiled[key] = (file_stamps(chain), entry)
        return entry

    def load(self, ref: str, on: _dt.date | None = None, *, latest: bool = False) -> Compiled:
        return self.compiled(self.path(ref, on, latest=latest))

    def policy(self, ref: str | Path, on: _dt.date | None = None, *, latest: bool = False) -> Policy:
        """Just the policy (for commands that show it rather than evaluate it)."""
        if isinstance(ref, Path):
            return self.compiled(ref).policy
        return self.load(ref, on, latest=latest).policy


_STORES: dict[Path | None, PolicyStore] = {}


def default_store(policy_root: Path | None = None) -> PolicyStore:
    """The store of this process, over the bundled policies; with `policy_root` (the command
    line's `--policy-root`), the one whose policies may extend any file in that folder."""
    key = Path(policy_root).resolve() if policy_root else None
    if key not in _STORES:
        _STORES[key] = PolicyStore(policy_root=key)
    return _STORES[key]
