"""Compiled policies kept on disk between processes, so a cold `check` does not compile again.

Stage: application, under permitted.store. Input: a policy file and how it is compiled (the name
reports give it, the policy tree `extends:` must stay in). Output: the compiled Policy, or None
when nothing valid is kept. A kept policy is valid while the content of every file of its
`extends:` chain and the engine version are the ones it was compiled from. The engine version
is a digest of what shapes a compiled policy: the compiler's sources (dsl/), the grammar and the
schemas; an edit to any of them makes every kept policy stale. The lowered program (closures)
cannot be kept; it is rebuilt from the policy. The phrase set of the policy's lexicon (its
phrase lists, folded, in one automaton) is kept beside it and taken while the code that builds
one is the same (interpreter.evaluation.phrases.build_version) and it was built from the lists
the lexicon has; otherwise it is built again and the entry rewritten.

Where: dsl.contract.resources.cache_dir() ($PERMITTED_CACHE_DIR, else $XDG_CACHE_HOME/permitted,
else ~/.cache/permitted). A file
that cannot be read, is cut short or is not a kept policy is ignored (and replaced); files are
written whole to a temporary name and renamed, so a reader never sees half of one; a folder that
cannot be written leaves the policy compiled in memory only. Files unused for a month are deleted
when a new one is kept (dsl.contract.resources.tidy_cache), so the folder does not grow without
end. With PERMITTED_REFERENCE=1 (dsl.contract.reference) nothing is read or kept: every policy is
compiled afresh.
"""
from __future__ import annotations

import copyreg
import functools
import hashlib
import pickle
from pathlib import Path
from types import MappingProxyType

from dsl.contract.model import Policy
from dsl.contract.reference import REFERENCE
from dsl.contract.resources import cache_dir, grammar_path, keep_in_cache, policies_dir, used
from interpreter.evaluation.phrases import PhraseSet, build_version

_FORMAT = 2
_DSL = Path(__file__).resolve().parent.parent / "dsl"



def _read_only(items: dict) -> MappingProxyType:
    return MappingProxyType(items)


# A compiled policy holds read-only mappings; pickle keeps them as what they are.
copyreg.pickle(MappingProxyType, lambda m: (_read_only, (dict(m),)))


def _digest(files) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(str(f).encode() + b"\0")
        try:
            h.update(Path(f).read_bytes())
        except OSError:
            h.update(b"\1missing")
        h.update(b"\0")
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def engine_version() -> str:
    """A digest of the compiler's sources, the grammar and the schemas (read once per process)."""
    files = sorted(_DSL.rglob("*.py")) + [grammar_path()] + sorted(policies_dir().glob("*.schema.json"))
    return _digest(files)


def _entry(path: Path, display: str, policy_root: Path | None) -> Path:
    # The names a compiled policy gives its files are relative to the working directory.
    key = hashlib.sha256(f"{_FORMAT}\0{path}\0{display}\0{policy_root}\0{Path.cwd()}".encode()).hexdigest()[:32]
    return cache_dir() / f"{key}.policy"


def load(path: Path, display: str, policy_root: Path | None) -> tuple[Policy, PhraseSet | None] | None:
    """The kept compilation of `path`, if its files and the engine are still the ones it was made
    from, with the phrase set of its lexicon if the code that builds one is the same too."""
    if REFERENCE:
        return None
    entry = _entry(path, display, policy_root)
    try:
        with entry.open("rb") as f:
            version, chain, digest, policy, phrases_version, phrases = pickle.load(f)
    except Exception:                        # noqa: BLE001 — absent, cut short or foreign: compile again
        return None
    if version != engine_version() or not isinstance(policy, Policy) or _digest(chain) != digest:
        return None
    used(entry)
    fresh = phrases_version == build_version() and isinstance(phrases, PhraseSet)
    return policy, phrases if fresh else None


def keep(path: Path, display: str, policy_root: Path | None, policy: Policy, chain: list[Path],
         phrases: PhraseSet) -> None:
    """Write the compiled policy, and its lexicon's phrase set, for later processes; silently
    nothing where that is not possible."""
    if REFERENCE:
        return
    target = _entry(path, display, policy_root)
    try:
        data = pickle.dumps((engine_version(), [str(f) for f in chain], _digest(chain), policy,
                             build_version(), phrases), protocol=pickle.HIGHEST_PROTOCOL)
        keep_in_cache(target, data)
    except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return
