"""Evaluation throughput: our engine, a hand-written baseline and peer rule engines, side by side.

    .venv/bin/python bench/evaluation.py [--records N] [--runs R] [--engines ours,baseline,…] [--profile]

Every engine evaluates the rules of bench/policy.yaml on the same generated facts records
(bench/corpus.py), on one core. Steps:

1. compile the policy, generate the records, build and validate every record's facts once;
2. for each engine: prepare its input once (not timed), then one pass that both warms it up and
   cross-checks it — the rules it fires on each record must be exactly the ones ours fires among
   the rules it implements — then R timed passes, of which the best counts;
3. time ours on exactly the rules each peer could express, so every ratio compares like with like;
4. time cold and warm compilation of bench/policy.yaml and of every bundled policy;
5. profile ours when it misses a target (or with --profile);
6. write bench/results/evaluation.md and evaluation.json.

A mismatch in the cross-check is reported and makes the script exit 1: the timings of an engine
that computes something else mean nothing.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import json
import platform
import pstats
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))          # bench/ modules (corpus, engines) by plain name

import corpus                                                        # noqa: E402
from machine import cpu_model, pin_to_one_core, source_state        # noqa: E402
from dsl.compiler import compile_file
from dsl.contract import tree  # noqa: E402
from dsl.registry import policy_files  # noqa: E402
from engines import Engine, baseline, cedar_peer, cel_peer, ours, rule_engine_peer, zen_peer   # noqa: E402
from interpreter.evaluation import phrases as textmatch  # noqa: E402
from interpreter.evaluation.phrases import phrase_matcher  # noqa: E402
from interpreter.evaluation.program import lower_policy  # noqa: E402
from interpreter.facts.record import build_facts

POLICY = HERE / "policy.yaml"
TARGET_EVALS_PER_S = 100_000           # ours, one core, outcomes() on the whole policy
TARGET_SHARE_OF_BASELINE = 0.25        # ours at least a quarter of the hand-written baseline's speed

PEERS = {
    "rule-engine": [rule_engine_peer.make],
    "cel": [cel_peer.make],
    "zen": [zen_peer.make_decision, zen_peer.make_expression],
    "cedar": [cedar_peer.make],
}


@dataclass
class Timing:
    engine: Engine
    records: int
    runs: list[float]                   # seconds per pass over all records
    prepare_s: float                    # converting facts to the engine's input, once (not in runs)
    mismatches: Counter = field(default_factory=Counter)   # rule id -> records where it disagrees with ours
    ours: "Timing | None" = None        # ours on the same rules, for peers

    @property
    def best(self) -> float:
        return min(self.runs)

    @property
    def records_per_s(self) -> float:
        return self.records / self.best

    @property
    def evals_per_s(self) -> float:
        return self.records * len(self.engine.rules) / self.best


def uses_mentions(rule) -> bool:
    return any(isinstance(n, tree.Call) and n.op == "mentions" for n in tree.walk(rule.condition))


def one_pass(run, inputs) -> float:
    gc.collect()                        # start each pass with no garbage left by the previous one
    start = time.perf_counter()
    for x in inputs:
        run(x)
    return time.perf_counter() - start


def measure(engine: Engine, facts, expected: list[set[str]] | None, runs: int) -> Timing:
    start = time.perf_counter()
    inputs = [engine.prepare(f) for f in facts]
    prepared = time.perf_counter() - start
    # The first pass warms the engine up and is the cross-check; it is not timed.
    mismatches: Counter = Counter()
    rules = set(engine.rules)
    for i, x in enumerate(inputs):
        got = set(engine.fired(engine.run(x)))
        if expected is not None:
            for rule_id in got ^ (expected[i] & rules):
                mismatches[rule_id] += 1
    timing = Timing(engine, len(inputs), [one_pass(engine.run, inputs) for _ in range(runs)], prepared, mismatches)
    print(f"  {engine.name:38} {len(engine.rules):2} rules  {timing.evals_per_s:>12,.0f} rule evals/s"
          f"  {timing.records_per_s:>9,.0f} records/s" + (f"  MISMATCHES {dict(mismatches)}" if mismatches else ""),
          flush=True)
    return timing


# ---- compile times ---------------------------------------------------------------------------

_COMPILE = """
import json, sys, time
t0 = time.perf_counter()
from dsl.compiler import compile_file
t1 = time.perf_counter()
policy = compile_file(sys.argv[1])
t2 = time.perf_counter()
warm = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    compile_file(sys.argv[1])
    warm.append(time.perf_counter() - start)
print(json.dumps({"import_s": t1 - t0, "cold_s": t2 - t1, "warm_s": min(warm), "rules": len(policy.rules)}))
"""


def compile_times(paths: list[Path], processes: int = 3, warm_runs: int = 5) -> list[dict]:
    """Cold: the first compile in a fresh interpreter (grammar, parser tables and schema are built on the
    way). Warm: compiling again in that interpreter, where those are cached. Both in a small fresh
    process, best of a few: in this process the garbage collector would also walk every benchmark record."""
    out = []
    for path in paths:
        shown = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
        row: dict = {"policy": shown}
        found = []
        for _ in range(processes):
            proc = subprocess.run([sys.executable, "-c", _COMPILE, str(path), str(warm_runs)], cwd=ROOT,
                                  capture_output=True, text=True)
            if proc.returncode != 0:
                row["error"] = (proc.stderr.strip().splitlines() or ["failed"])[-1]
                break
            found.append(json.loads(proc.stdout))
        if "error" not in row:
            row.update(rules=found[0]["rules"], **{k: min(f[k] for f in found) for k in ("cold_s", "warm_s", "import_s")})
        out.append(row)
    return out


# ---- profile -------------------------------------------------------------------------------------

def profile_ours(policy, facts, top: int = 10) -> dict:
    """Where outcomes() spends its time, by function (own time), over the given records.

    cProfile charges a fixed cost to every Python call it sees, which inflates small functions
    called per character (textmatch._fold_char); text_matching_costs measures without it."""
    engine = ours.make(policy)
    for f in facts[:200]:
        engine.run(f)
    profiler = cProfile.Profile()
    profiler.enable()
    for f in facts:
        engine.run(f)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    rows = []
    for (file, line, func), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():
        where = f"{Path(file).parent.name}/{Path(file).name}:{line}" if line else "built-in"
        rows.append({"function": func, "where": where, "calls": calls, "own_share": tottime / total,
                     "cumulative_share": cumtime / total})
    rows.sort(key=lambda r: r["own_share"], reverse=True)
    return {"records": len(facts), "profiled_s": total, "top": rows[:top]}


def text_matching_costs(policy, facts) -> dict:
    """What the text matching behind `mentions(message.text, …)` costs per record, timed directly (no
    profiler): folding the text once (outcomes() then reuses it from textmatch's cache), and scanning
    the folded text with each distinct phrase list of the policy. outcomes() runs at most one scan per
    `mentions` call, fewer when an `and` is decided before reaching it."""
    lists: dict[tuple, object] = {}
    for rule in policy.rules:
        for node in tree.walk(rule.condition):
            if (isinstance(node, tree.Call) and node.op == "mentions" and isinstance(node.args[0], tree.Fact)
                    and node.args[0].path == ("message", "text") and isinstance(node.args[1], tree.Const)):
                lists.setdefault(tuple(node.args[1].value), phrase_matcher(tuple(node.args[1].value)))
    texts = [f.data["message"]["text"] for f in facts]

    def folding() -> float:
        start = time.perf_counter()
        for text in texts:
            textmatch.fold.__wrapped__(text)      # the uncached fold, as each new message gets it
        return time.perf_counter() - start

    def scanning(find) -> float:
        total = 0.0
        for text in texts:
            textmatch.fold(text)                  # folded already, as outcomes() finds it in the cache
            start = time.perf_counter()
            find(text)
            total += time.perf_counter() - start
        return total

    # Best of three, like the engine timings.
    fold_s = min(folding() for _ in range(3))
    scans = [min(scanning(find) for _ in range(3)) / len(texts) * 1e6 for find in lists.values()]
    return {"records": len(texts), "fold_us": fold_s / len(texts) * 1e6, "phrase_lists": len(scans),
            "scan_us_min": min(scans), "scan_us_mean": sum(scans) / len(scans), "scan_us_max": max(scans),
            "mentions_calls": sum(1 for r in policy.rules for n in tree.walk(r.condition)
                                  if isinstance(n, tree.Call) and n.op == "mentions")}


# ---- reports ---------------------------------------------------------------------------------------

def _row(t: Timing) -> dict:
    row = {"engine": t.engine.name, "version": t.engine.version, "rules": len(t.engine.rules),
           "records_per_s": round(t.records_per_s), "rule_evals_per_s": round(t.evals_per_s),
           "best_s": round(t.best, 4), "runs_s": [round(r, 4) for r in t.runs], "prepare_s": round(t.prepare_s, 3),
           "mismatches": dict(t.mismatches)}
    if t.ours is not None:
        row["ours_same_rules_evals_per_s"] = round(t.ours.evals_per_s)
        row["ours_over_engine"] = round(t.best / t.ours.best, 3)
    return row


def write_results(out: Path, meta: dict, main: list[Timing], peers: list[Timing], coverage: dict, compiles: list[dict],
                  targets: dict, profile: dict | None, firing: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    data = {"meta": meta, "targets": targets, "engines": [_row(t) for t in main + peers], "coverage": coverage,
            "compile": compiles, "rules_fired": firing, "profile": profile}
    (out / "evaluation.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    n = meta["records"]
    lines = [
        "# Evaluation benchmark",
        "",
        f"`{meta['command']}` — {meta['date']}, Python {meta['python']}, {meta['platform']}, {meta['cpu']}, "
        f"{meta['pinning']}; code at {meta['source']}.",
        "",
        f"{n:,} generated facts records (seed {meta['seed']}, mean text {meta['mean_text_chars']} characters, "
        f"{meta['clean_share']:.0%} break no rule), {meta['policy_rules']} rules of `bench/policy.yaml`. "
        f"Best of {meta['runs']} timed passes after an untimed warm-up pass that is also the cross-check. "
        "A rule evaluation is one rule on one record; \"ours ÷ engine\" is ours' throughput over the engine's on "
        "the same rules (above 1: ours is faster).",
        "",
        "| engine | rules | records/s | rule evals/s | ours on the same rules, evals/s | ours ÷ engine |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for t in main + peers:
        r = _row(t)
        same = f"{r['ours_same_rules_evals_per_s']:,}" if "ours_same_rules_evals_per_s" in r else ""
        ratio = f"{r['ours_over_engine']:.2f}" if "ours_over_engine" in r else ""
        name = t.engine.name + (f" {t.engine.version}" if t.engine.version and not t.engine.name.startswith("ours") else "")
        lines.append(f"| {name} | {r['rules']} | {r['records_per_s']:,} | {r['rule_evals_per_s']:,} | {same} | {ratio} |")
    lines += ["", "## Targets", ""]
    for name, t in targets.items():
        lines.append(f"- {t['what']}: {t['value']} (target {t['target']}) — **{'met' if t['met'] else 'missed'}**")
    bad = {t.engine.name: dict(t.mismatches) for t in main + peers if t.mismatches}
    lines += ["", "## Cross-check", "",
              ("Every engine fired exactly the rules ours fired, on every record, among the rules it implements."
               if not bad else f"**Mismatches** (rule: records): {bad}")]
    lines += ["", "## What each peer could express", ""]
    for name, c in coverage.items():
        lines.append(f"- **{name}**: {c['expressed']} of {meta['policy_rules']} rules.")
        by_reason: dict[str, list[str]] = {}
        for rule_id, reason in c["skipped"].items():
            by_reason.setdefault(reason, []).append(rule_id)
        for reason, ids in by_reason.items():
            lines.append(f"  - skipped {len(ids)} — {reason}: {', '.join(ids)}")
        for caveat in c["caveats"]:
            lines.append(f"  - adaptation: {caveat}")
    lines += ["", "## Compile time", "",
              "Cold: the first `compile_file` in a fresh interpreter, after `import dsl.compiler`. Warm: `compile_file` "
              "again in that interpreter (best of 5). Best of 3 fresh processes.", "",
              "| policy | rules | cold, ms | warm, ms |", "|---|---:|---:|---:|"]
    for c in compiles:
        if "error" in c:
            lines.append(f"| {c['policy']} | | failed: {c['error']} | |")
        else:
            lines.append(f"| {c['policy']} | {c['rules']} | {c['cold_s'] * 1000:.0f} | {c['warm_s'] * 1000:.0f} |")
    if len(compiles) == 1:
        lines.append("\nNo bundled policies were found under policies/.")
    if profile:
        lines += ["", "## Where ours spends its time", ""]
        per = profile.get("ours_us_per_record")
        if per:
            lines.append(f"- `outcomes` takes {per['all rules']:.0f} µs per record for all rules and "
                         f"{per['rules without phrase lists']:.0f} µs for the rules without phrase lists: the "
                         f"{per['phrase-list rules']} rules with `mentions` take "
                         f"{1 - per['rules without phrase lists'] / per['all rules']:.0%} of the time.")
        tm = profile["text_matching"]
        lines += [f"- Timed without a profiler, per record: folding `message.text` (`textmatch.fold`, once per "
                  f"message) {tm['fold_us']:.0f} µs; one scan of the folded text with one phrase list "
                  f"(`phrase_matcher` → `find`) {tm['scan_us_min']:.0f}–{tm['scan_us_max']:.0f} µs, "
                  f"{tm['scan_us_mean']:.0f} on average over the policy's {tm['phrase_lists']} lists. The policy "
                  f"has {tm['mentions_calls']} `mentions` calls; `outcomes` skips those an `and` has already decided.",
                  "",
                  f"cProfile of `outcomes` over {profile['records']:,} records, share of profiled time (cProfile "
                  "inflates functions called per character, such as `_fold_char`):", "",
                  "| function | where | calls | own | cumulative |", "|---|---|---:|---:|---:|"]
        for p in profile["top"]:
            lines.append(f"| `{p['function']}` | {p['where']} | {p['calls']:,} | {p['own_share']:.0%} | "
                         f"{p['cumulative_share']:.0%} |")
    (out / "evaluation.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=corpus.SEED)
    ap.add_argument("--runs", type=int, default=3, help="timed passes per engine; the best counts")
    ap.add_argument("--engines", default="ours,baseline," + ",".join(PEERS),
                    help="comma-separated: ours, baseline, " + ", ".join(PEERS))
    ap.add_argument("--profile", action="store_true", help="profile ours even when it meets the targets")
    ap.add_argument("--out", type=Path, default=HERE / "results")
    args = ap.parse_args(argv)
    chosen = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(chosen) - {"ours", "baseline", *PEERS}
    if unknown:
        ap.error(f"unknown engines: {', '.join(sorted(unknown))}")

    pinning = pin_to_one_core()
    source = source_state()            # before anything runs: the code this process imports
    policy = compile_file(POLICY)
    print(f"{POLICY.relative_to(ROOT)}: {len(policy.rules)} rules; {pinning}", flush=True)

    start = time.perf_counter()
    records = corpus.generate(args.records, args.seed)
    # build_facts validates each record against policies/facts.schema.json: the corpus must be valid input.
    facts = [build_facts(r, "UK", source=f"record {i}") for i, r in enumerate(records)]
    print(f"{len(facts):,} records generated, validated and built in {time.perf_counter() - start:.1f}s", flush=True)

    program = lower_policy(policy)
    undetermined = sum(1 for f in facts if ours.undetermined(program, f))
    if undetermined:
        print(f"error: {undetermined} records leave rules undetermined; the corpus must know every fact",
              file=sys.stderr)
        return 1
    reference = ours.make(policy)
    expected = [set(reference.fired(reference.run(f))) for f in facts]
    firing = Counter(rule_id for fired in expected for rule_id in fired)
    silent = [r.id for r in policy.rules if not firing[r.id]]
    if silent:
        print(f"warning: rules that never fire make the cross-check vacuous for them: {silent}", file=sys.stderr)

    main_rows: list[Timing] = []
    base: Timing | None = None
    base_plain: Timing | None = None
    print("timing (best of %d):" % args.runs, flush=True)
    if "ours" in chosen:
        main_rows.append(measure(reference, facts, expected, args.runs))
        main_rows.append(measure(ours.make(policy, full_report=True), facts, expected, args.runs))
    if "baseline" in chosen:
        base = measure(baseline.make(policy), facts, expected, args.runs)
        base.ours = main_rows[0] if "ours" in chosen else measure(reference, facts, expected, args.runs)
        main_rows.append(base)
        # The same comparison without the phrase-list rules, whose shared text matching dominates both.
        plain = [r.id for r in policy.rules if not uses_mentions(r)]
        base_plain = measure(baseline.make(policy, plain, "plain Python, rules without phrase lists"), facts, expected,
                             args.runs)
        base_plain.ours = measure(ours.make(policy, plain), facts, expected, args.runs)
        main_rows.append(base_plain)

    peer_rows: list[Timing] = []
    coverage: dict = {}
    ours_on: dict[frozenset, Timing] = {}       # ours on a subset of rules, shared by peers with the same subset
    if base_plain is not None:
        ours_on[frozenset(base_plain.engine.rules)] = base_plain.ours
    for name in (n for n in PEERS if n in chosen):
        for make in PEERS[name]:
            engine = make(policy)
            timing = measure(engine, facts, expected, args.runs)
            key = frozenset(engine.rules)
            if key not in ours_on:
                ours_on[key] = measure(ours.make(policy, engine.rules), facts, expected, args.runs)
            timing.ours = ours_on[key]
            peer_rows.append(timing)
            coverage[f"{engine.name.split(':')[0]} {engine.version}"] = {"expressed": len(engine.rules), "skipped": dict(engine.skipped),
                                                     "caveats": list(engine.caveats)}

    targets = {}
    if "ours" in chosen:
        evals = main_rows[0].evals_per_s
        targets["throughput"] = {"what": "ours, rule evaluations per second on one core",
                                 "value": f"{evals:,.0f}", "target": f"{TARGET_EVALS_PER_S:,}",
                                 "met": evals >= TARGET_EVALS_PER_S}
        if base is not None:
            share = base.best / main_rows[0].best
            targets["baseline"] = {"what": "ours' speed as a share of the hand-written baseline's",
                                   "value": f"{share:.2f}", "target": f"{TARGET_SHARE_OF_BASELINE}",
                                   "met": share >= TARGET_SHARE_OF_BASELINE}
    profile = None
    if args.profile or not all(t["met"] for t in targets.values()):
        print("profiling ours …", flush=True)
        profile = profile_ours(policy, facts[:2000])
        profile["text_matching"] = text_matching_costs(policy, facts)
        if base_plain is not None and "ours" in chosen:
            # Ours with and without the phrase-list rules, from the timings above (µs per record).
            profile["ours_us_per_record"] = {"all rules": main_rows[0].best / len(facts) * 1e6,
                                             "rules without phrase lists": base_plain.ours.best / len(facts) * 1e6,
                                             "phrase-list rules": len(policy.rules) - len(base_plain.engine.rules)}

    print("compile times …", flush=True)
    compiles = compile_times([POLICY] + policy_files())

    texts = [len(r["message"]["text"]) for r in records]
    meta = {
        "command": " ".join([Path(sys.executable).relative_to(ROOT).as_posix()
                             if Path(sys.executable).is_relative_to(ROOT) else sys.executable,
                             Path(__file__).relative_to(ROOT).as_posix(), *sys.argv[1:]]),
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": platform.python_version(), "platform": platform.platform(terse=True),
        "cpu": cpu_model(), "pinning": pinning, "records": len(facts), "seed": args.seed, "runs": args.runs,
        "policy_rules": len(policy.rules), "mean_text_chars": round(sum(texts) / len(texts)),
        "clean_share": sum(1 for e in expected if not e) / len(expected), "permitted": version("permitted"),
        "source": source,
    }
    write_results(args.out, meta, main_rows, peer_rows, coverage, compiles, targets, profile,
                  {r.id: firing[r.id] for r in policy.rules})
    print(f"wrote {args.out / 'evaluation.md'} and {args.out / 'evaluation.json'}")
    failed = [t.engine.name for t in main_rows + peer_rows if t.mismatches]
    if failed:
        print(f"error: engines disagree with ours: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
