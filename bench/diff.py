"""Time `permitted diff` on the real policy pairs, witnesses included.

    .venv/bin/python bench/diff.py [--runs R] [--out DIR]

For each pair (UK vs US, US 2018 vs US 2020, UK vs Saudi Arabia), the whole diff is run R
times in one process on one core, each time from scratch: compiling both policy files (no
cache), the structural diff, encoding both policies for the solver (including sorting every
phrase into classes with the real matcher), the semantic comparison of every changed, added
or removed rule, and the comparison of the verdicts — each witness built and verified by the
evaluator. The best run is reported stage by stage, with the number of rules compared and
witnesses found. The target is under 10 seconds per pair. Results: bench/results/diff.md and
.json.
"""
from __future__ import annotations

import datetime as dt
import json
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import z3                                                        # noqa: E402
from machine import pin_to_one_core, run_options               # noqa: E402

from dsl.analysis.diff import diff_policies  # noqa: E402
from dsl.analysis.solve import Bounds  # noqa: E402
from dsl.compiler import compile_file  # noqa: E402
from dsl.contract.errors import PolicyError  # noqa: E402
from permitted.diffing import Semantics, semantic_subjects, policy_path  # noqa: E402

PAIRS = [("uk", "us"), ("us@2018-10-12", "us@2020-11-03"), ("uk", "sa")]
TARGET = 10.0


def one_run(old_ref: str, new_ref: str) -> dict:
    times: dict[str, float] = {}
    start = time.perf_counter()
    old = compile_file(policy_path(old_ref))
    new = compile_file(policy_path(new_ref))
    times["compile both policies"] = time.perf_counter() - start
    mark = time.perf_counter()
    structure = diff_policies(old, new)
    times["structural diff"] = time.perf_counter() - mark
    mark = time.perf_counter()
    sem = Semantics(old, new, Bounds())
    times["encode for the solver"] = time.perf_counter() - mark
    mark = time.perf_counter()
    rules = [sem.rule(rule_id) for rule_id in semantic_subjects(structure)]
    times["compare changed rules"] = time.perf_counter() - mark
    mark = time.perf_counter()
    verdict = sem.verdict()
    times["compare verdicts"] = time.perf_counter() - mark
    times["total"] = time.perf_counter() - start
    return {"seconds": times, "rules": len(old.rules), "new_rules": len(new.rules),
            "compared": len(rules), "witnesses": sum(len(c.witnesses) for c in rules) + len(verdict.witnesses),
            "statuses": {s: sum(1 for c in rules if c.status == s) for s in ("differs", "equivalent", "undecided")},
            "verdict": verdict.status, "verdict_witnesses": [w.kind for w in verdict.witnesses]}


def main(argv=None) -> int:
    args = run_options(__doc__, argv)
    pin_to_one_core()
    results, skipped = {}, []
    for old_ref, new_ref in PAIRS:
        label = f"{old_ref} → {new_ref}"
        try:
            runs = [one_run(old_ref, new_ref) for _ in range(args.runs)]
        except PolicyError as error:
            skipped.append((label, str(error)))
            print(f"{label}: skipped ({error})", file=sys.stderr)
            continue
        best = min(runs, key=lambda r: r["seconds"]["total"])
        results[label] = best
        print(f"{label}: {best['seconds']['total']:.2f} s (best of {args.runs}), {best['compared']} rules compared, "
              f"{best['witnesses']} witnesses", file=sys.stderr)
    write(results, skipped, args)
    return 0


def write(results: dict, skipped: list, args) -> None:
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    meta = {"when": stamp, "python": platform.python_version(), "z3": z3.get_version_string(), "runs": args.runs}
    (args.out / "diff.json").write_text(json.dumps({**meta, "results": results, "skipped": skipped}, indent=2,
                                                   ensure_ascii=False) + "\n")
    labels = list(results)
    lines = ["# Diff benchmark", "",
             f"`.venv/bin/python bench/diff.py` — {stamp}, Python {platform.python_version()}, z3 "
             f"{meta['z3']}, one core, best of {args.runs} runs, each from scratch (policies compiled "
             f"with compile_file, which skips the policy cache; a loaded base file is still reused). Seconds per stage; target: under {TARGET:.0f} s per pair in total.", ""]
    if labels:
        lines += ["| stage | " + " | ".join(labels) + " |", "|---|" + "---:|" * len(labels)]
        for stage in results[labels[0]]["seconds"]:
            lines.append(f"| {stage} | " + " | ".join(f"{results[k]['seconds'][stage]:.2f}" for k in labels) + " |")
        lines.append("| rules (old / new) | " + " | ".join(f"{results[k]['rules']} / {results[k]['new_rules']}"
                                                         for k in labels) + " |")
        lines.append("| rules compared (differ / equivalent / undecided) | " + " | ".join(
            f"{results[k]['compared']} ({results[k]['statuses']['differs']} / {results[k]['statuses']['equivalent']} / "
            f"{results[k]['statuses']['undecided']})" for k in labels) + " |")
        lines.append("| witnesses verified | " + " | ".join(str(results[k]["witnesses"]) for k in labels) + " |")
        lines.append("| verdict | " + " | ".join(f"{results[k]['verdict']} ({len(results[k]['verdict_witnesses'])} "
                                                 "directions shown)" for k in labels) + " |")
        lines.append("| under target | " + " | ".join("yes" if results[k]["seconds"]["total"] < TARGET else "no"
                                                      for k in labels) + " |")
    for label, why in skipped:
        lines += ["", f"Skipped {label}: {why}"]
    (args.out / "diff.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
