"""Which policy file applies: by marketplace and date, by id (`us@2018-10-12`), or by path.

Stage: before compiling. Input: a reference and an optional date. Output: a policy file path.
Policies live in `policies/<marketplace>/<effective-date>.yaml`; `policies/base/` holds shared
bases, which are never selected for a marketplace. Errors: PolicyError P700 with the nearest
valid choices.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from dsl.contract.errors import Diagnostic, PolicyError, did_you_mean
from dsl.contract.resources import policies_dir

_DATED = re.compile(r"^(\d{4}-\d{2}-\d{2})\.ya?ml$")


@dataclass(frozen=True)
class Version:
    marketplace: str       # upper case, e.g. UK
    effective: _dt.date
    path: Path

    @property
    def id(self) -> str:
        return f"{self.marketplace.lower()}@{self.effective.isoformat()}"


def versions(root: Path | None = None) -> dict[str, list[Version]]:
    """Every marketplace's policy versions, oldest first."""
    root = root or policies_dir()
    out: dict[str, list[Version]] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name != "base"):
        found = []
        for f in folder.iterdir():
            m = _DATED.match(f.name)
            if m:
                found.append(Version(folder.name.upper(), _dt.date.fromisoformat(m.group(1)), f))
        if found:
            out[folder.name.upper()] = sorted(found, key=lambda v: v.effective)
    return out


def _fail(message: str, help: str | None = None) -> PolicyError:
    return PolicyError([Diagnostic("P700", message, help=help)])


@dataclass(frozen=True)
class Catalogue:
    """The policy versions of every marketplace, listed once, and the one rule that picks a version:
    a marketplace's version in force on a day is the last one effective on or before it."""
    versions: Mapping[str, tuple[Version, ...]]

    @classmethod
    def listed(cls, root: Path | None = None) -> "Catalogue":
        return cls(MappingProxyType({m: tuple(vs) for m, vs in versions(root).items()}))

    def _of(self, marketplace: str) -> tuple[Version, ...]:
        found = self.versions.get(marketplace.upper())
        if found is None:
            raise _fail(f"no policy for marketplace `{marketplace}`",
                        did_you_mean(marketplace.upper(), self.versions) or "known marketplaces: " + ", ".join(self.versions))
        return found

    def in_force(self, marketplace: str, on: _dt.date | None = None) -> Version:
        """The version in force on a date (today when not given)."""
        every = self._of(marketplace)
        on = on or _dt.date.today()
        candidates = [v for v in every if v.effective <= on]
        if not candidates:
            market = marketplace.upper()
            raise _fail(f"no {market} policy was in force on {on.isoformat()}",
                        f"the first {market} version takes effect on {every[0].effective.isoformat()}")
        return candidates[-1]

    def latest(self, marketplace: str) -> Version:
        """The newest version, even one not in force yet (what `diff` compares before it goes live)."""
        return self._of(marketplace)[-1]

    def resolve(self, ref: str, on: _dt.date | None = None, *, latest: bool = False) -> Path:
        """A file path, an id like `us@2018-10-12`, or a marketplace: its version in force on `on`,
        or its latest version when `latest` is set."""
        path = Path(ref)
        if path.suffix in (".yaml", ".yml") or path.is_file():
            if not path.is_file():
                raise _fail(f"policy file `{ref}` not found")
            return path
        if "@" in ref:
            market, _, date = ref.partition("@")
            for v in self.versions.get(market.upper(), ()):
                if v.effective.isoformat() == date:
                    return v.path
            known = [v.id for vs in self.versions.values() for v in vs]
            raise _fail(f"no policy `{ref}`", did_you_mean(ref.lower(), known) or "known policies: " + ", ".join(known))
        return (self.latest(ref) if latest else self.in_force(ref, on)).path


def in_force(marketplace: str, on: _dt.date | None = None, root: Path | None = None) -> Version:
    """The version of a marketplace's policy in force on a date (today when not given)."""
    return Catalogue.listed(root).in_force(marketplace, on)


def resolve(ref: str, on: _dt.date | None = None, root: Path | None = None) -> Path:
    """A file path, an id like `us@2018-10-12`, or a marketplace (the version in force on `on`)."""
    return Catalogue.listed(root).resolve(ref, on)


def policy_files(paths: list[str] | None = None) -> list[Path]:
    """YAML policy files named or found below the given paths (all bundled policies by default)."""
    roots = [Path(p) for p in paths] if paths else [policies_dir()]
    out: list[Path] = []
    for root in roots:
        if root.is_dir():
            # policies/clauses/ holds the guideline clause lists (permitted coverage), not policies.
            out.extend(sorted(p for p in root.rglob("*.y*ml") if p.suffix in (".yaml", ".yml")
                              and "clauses" not in p.relative_to(root).parts[:-1]))
        else:
            out.append(root)
    return out
