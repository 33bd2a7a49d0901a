"""Expectations files: messages listed with the verdict and rules a compliance reader expects.

Stage: the application layer, beside `check`. Input: a YAML list (`examples/expected.yaml`), each
entry naming a message file (relative to the list), the command-line flags that give what the
file cannot say, the expected verdict and rules, and optionally `known_gap` — why the engine is
known to judge it otherwise. Output: `Expectation` records, and `Outcome`s pairing each with the
row `check` produced. Errors: UsageError naming the file and the entry.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dsl.contract.errors import Diagnostic, UsageError, did_you_mean
from dsl.contract.verdict import Verdict

from permitted.checking import Checked

_KEYS = {"file", "marketplace", "flags", "verdict", "rules", "why", "note", "known_gap"}


@dataclass(frozen=True)
class Expectation:
    file: Path                      # the message, resolved against the expectations file's folder
    flags: tuple[str, ...]          # what the file cannot say: --marketplace UK --completed 2024-01-15 …
    verdict: str
    rules: frozenset[str]
    known_gap: str | None = None    # the engine is known to judge this message otherwise, and why


@dataclass(frozen=True)
class Outcome:
    expectation: Expectation
    row: Checked

    @property
    def fired(self) -> frozenset[str]:
        return frozenset(v.rule for v in self.row.report.violations) if self.row.report else frozenset()

    @property
    def missing(self) -> frozenset[str]:
        return self.expectation.rules - self.fired

    @property
    def unexpected(self) -> frozenset[str]:
        return self.fired - self.expectation.rules

    @property
    def matches(self) -> bool:
        return self.row.verdict == self.expectation.verdict and not self.missing and not self.unexpected

    @property
    def status(self) -> str:
        """match | differs | known gap | gap closed (a known gap that now matches: drop `known_gap`)."""
        if self.expectation.known_gap:
            return "gap closed" if self.matches else "known gap"
        return "match" if self.matches else "differs"

    @property
    def ok(self) -> bool:
        return self.status in ("match", "known gap")


def _fail(path: Path, where: str, message: str, help: str | None = None) -> UsageError:
    return UsageError([Diagnostic("U100", f"{path}: {where}: {message}", help=help)])


def load_expectations(path: str | Path) -> list[Expectation]:
    import yaml          # only a run with --expect reads one; a plain `check` starts without PyYAML

    path = Path(path)
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError([Diagnostic("U100", f"cannot read {path}: {exc.strerror or exc}")]) from None
    except yaml.YAMLError as exc:
        raise _fail(path, "YAML", str(exc)) from None
    if not isinstance(entries, list):
        raise _fail(path, "top level", "an expectations file is a list of entries (- file: …)")
    out = []
    for i, entry in enumerate(entries, start=1):
        where = f"entry {i}"
        if not isinstance(entry, dict) or "file" not in entry or "verdict" not in entry:
            raise _fail(path, where, "each entry needs `file:` and `verdict:`")
        where = f"entry {i} ({entry['file']})"
        for key in entry:
            if key not in _KEYS:
                raise _fail(path, where, f"unknown key `{key}`", did_you_mean(str(key), _KEYS))
        if entry["verdict"] not in list(Verdict):
            raise _fail(path, where, f"verdict must be one of {', '.join(Verdict)}, not `{entry['verdict']}`")
        out.append(Expectation(path.parent / str(entry["file"]), tuple(str(f) for f in entry.get("flags") or ()),
                               entry["verdict"], frozenset(entry.get("rules") or ()), entry.get("known_gap")))
    return out
