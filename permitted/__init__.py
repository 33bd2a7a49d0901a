"""permitted: check a seller's message to a marketplace buyer against the marketplace's rules.

Python API:

    from permitted import check, audit, load_policy
    report = check("Thanks for order 123-1234567-1234567! Leave us 5 stars :)", marketplace="UK",
                   channel="email")
    report.verdict                      # "blocked"
    [v.rule for v in report.violations] # ["review.no-asking-for-positive", "styling.no-emoji", ...]
    report.to_json()                    # the stable JSON contract of `permitted check --format json`

    for row in audit(["archive.jsonl"], jobs=2):     # one Checked row per message, in order
        print(row.source, row.verdict)

Lower-level: `load_policy("uk@2020-11-06")`, `build_facts(record)`, `evaluate(policy, facts)` (or
`evaluate(lower_policy(policy), facts)` once lowered, for many records).
"""
from __future__ import annotations

import datetime as _dt

from dsl.contract.errors import InputError, PolicyError, UsageError
from dsl.contract.model import Policy
from interpreter.evaluation.evaluate import evaluate
from interpreter.evaluation.program import Program, lower_policy
from interpreter.evaluation.report import Report
from interpreter.facts.record import build_facts

from permitted.checking import Checked, check
from permitted.store import default_store


def __getattr__(name: str):
    """`audit` and `__version__`, imported on first use: every command imports this package,
    and the audit's process pool, importlib.metadata (and the e-mail parser it reads package
    metadata with) would be a tenth of a second of each start that only some of them need."""
    if name == "audit":
        from permitted.batch import audit

        return audit
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import metadata

    try:
        version = metadata.version("permitted")
    except metadata.PackageNotFoundError:     # running from a source tree that was never installed
        version = "0+unknown"
    globals()["__version__"] = version
    return version


def load_policy(ref: str, as_of: _dt.date | None = None) -> Policy:
    """A compiled policy: `ref` is a marketplace (UK), an id (uk@2020-11-06) or a policy file path."""
    return default_store().policy(ref, as_of)


__all__ = ["check", "audit", "load_policy", "lower_policy", "evaluate", "build_facts", "Checked", "Policy", "Program",
           "PolicyError", "InputError", "UsageError", "Report", "__version__"]
