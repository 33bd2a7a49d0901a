"""The service's policy set: every version compiled up front, swapped whole on reload.

Stage: application, over permitted.store. Input: the policy tree (the bundled one or
`--policy-dir`). Output: `PolicySet` — a frozen snapshot of every marketplace's versions,
compiled, lowered and warmed up, each with a hash of its source files — and `Policies`, which
holds the snapshot in service and replaces it on `reload()`. A reload compiles the new set aside
while the old one keeps answering, then swaps one reference: a request sees the old set or the
new one, never a mix. A set with any policy that does not compile is never swapped in; the old
one keeps serving and the failure is kept for /readyz. Errors: `reload()` returns the outcome;
`PolicySet.compile` raises PolicyError with the diagnostics of every policy that failed.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from dsl.contract.errors import Diagnostic, PolicyError, did_you_mean
from dsl.registry import Catalogue, Version

from permitted.checking import Choice, Judge
from permitted.store import Compiled, PolicyStore

# Judged once per policy before a set goes into service, so the first real message does not pay
# for building the phrase matchers and the HTML parser (about a second, cold).
_WARM_UP = ({"body": "Thank you for your order 123-1234567-1234567."},
            {"html": "<p>Thank you for your order <b>123-1234567-1234567</b>.</p>"})


class _Snapshot(PolicyStore):
    """A store that only answers from what was compiled when the set was made: files edited
    later are not read until the next reload, and a path outside the set names no policy."""

    def __init__(self, catalogue: Catalogue, compiled: Mapping[Path, Compiled]):
        super().__init__()
        self._fixed_catalogue = catalogue
        self._by_path = dict(compiled)

    @property
    def catalogue(self) -> Catalogue:
        return self._fixed_catalogue

    def compiled(self, path: str | Path, display: str | None = None) -> Compiled:
        found = self._by_path.get(Path(path).resolve())
        if found is None:
            raise PolicyError([Diagnostic("P700", f"no policy `{path}` in the service's policy set")])
        return found


@dataclass(frozen=True)
class Loaded:
    version: Version
    compiled: Compiled
    hash: str                     # sha256 of the source files, the `extends:` chain included

    @property
    def id(self) -> str:
        return self.version.id


def source_hash(chain: tuple[str, ...]) -> str:
    """sha256 over the policy's files in chain order, each as its length and bytes, so the same
    sources always give the same hash and a change to any of them a different one."""
    digest = hashlib.sha256()
    for name in chain:
        data = Path(name).read_bytes()
        digest.update(f"{len(data)}:".encode())
        digest.update(data)
    return "sha256:" + digest.hexdigest()


def _compile_every_version(root: Path | None) -> tuple[Catalogue, dict[str, Loaded]]:
    store = PolicyStore(root)
    catalogue = store.catalogue
    loaded, problems = {}, []
    for versions in catalogue.versions.values():
        for v in versions:
            try:
                compiled = store.compiled(v.path)
            except PolicyError as error:
                problems.extend(error.diagnostics)
                continue
            loaded[v.id] = Loaded(v, compiled, source_hash(compiled.policy.chain))
    if problems:
        raise PolicyError(problems)
    if not loaded:
        raise PolicyError([Diagnostic("P700", f"no policy versions in {root or 'the bundled policies'}",
                                      help="a policy tree holds one folder per marketplace of "
                                           "<effective-date>.yaml files")])
    return catalogue, loaded


def problems_of(root: Path | None) -> tuple[Diagnostic, ...]:
    """Why a policy tree cannot be served (nothing when every version compiles), without the
    warm-up a served set gets: what `permitted serve` checks before its workers start."""
    try:
        _compile_every_version(root)
    except PolicyError as error:
        return tuple(error.diagnostics)
    return ()


@dataclass(frozen=True)
class PolicySet:
    generation: int
    loaded_at: str                         # ISO time
    store: PolicyStore = field(repr=False)
    policies: Mapping[str, Loaded] = field(repr=False)     # by id, in catalogue order

    @classmethod
    def compile(cls, root: Path | None, generation: int) -> "PolicySet":
        catalogue, loaded = _compile_every_version(root)
        snapshot = _Snapshot(catalogue, {entry.version.path.resolve(): entry.compiled for entry in loaded.values()})
        for entry in loaded.values():
            judge = Judge(Choice(policy=entry.id), snapshot)
            for message in _WARM_UP:
                judge.row("<warm-up>", message)
        return cls(generation, _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"), snapshot, loaded)

    def get(self, policy_id: str) -> Loaded:
        found = self.policies.get(policy_id.lower())
        if found is None:
            raise PolicyError([Diagnostic("P700", f"no policy `{policy_id}`",
                                          help=did_you_mean(policy_id.lower(), self.policies)
                                          or "known policies: " + ", ".join(self.policies))])
        return found


@dataclass(frozen=True)
class Reload:
    ok: bool
    generation: int                        # the generation serving after the attempt
    at: str
    errors: tuple[Diagnostic, ...] = ()

    def to_json(self) -> dict:
        return {"ok": self.ok, "generation": self.generation, "at": self.at,
                "errors": [d.to_json() for d in self.errors]}


class Policies:
    """The set in service, and the outcome of the last reload."""

    def __init__(self, root: Path | None):
        self.root = root
        self.current: PolicySet | None = None
        self.last_reload: Reload | None = None
        self._lock = threading.Lock()      # one compile at a time; serving never takes it

    def reload(self) -> Reload:
        with self._lock:
            serving = self.current
            generation = serving.generation + 1 if serving else 1
            now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
            try:
                fresh = PolicySet.compile(self.root, generation)
            except PolicyError as error:
                outcome = Reload(False, serving.generation if serving else 0, now, error.diagnostics)
            else:
                self.current = fresh       # the swap: one reference, read once per request
                outcome = Reload(True, generation, now)
            self.last_reload = outcome
            return outcome
