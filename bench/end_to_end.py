"""A message judged end to end, against a reference version of the code, in one run.

    .venv/bin/python bench/end_to_end.py [--reference COMMIT] [--mixed N] [--html N] [--rounds R] [--out DIR]

What it measures, for this tree and for the reference (the code at COMMIT, checked out with
`git worktree add` into a temporary folder and removed at the end), each in its own process
pinned to one core, the two interleaved round after round so that a noisy machine slows both
alike; the best round of each counts, and the gain is quoted as a ratio:

- messages per second through the Python API (`permitted.check(envelope)`: envelope validation,
  normalisation, evaluation with evidence), on a mixed corpus (bench/audit.py's generated
  messages: 1–8 KB, plain text and HTML, UK and US) and on an HTML-only corpus of the same kind;
- latency p50/p95/p99 per message in a warm process, over every message of every timed pass;
  each pass (and the warm-up, and the pass timed by stage) judges messages of its own, so no
  cache keyed by a message's text answers from an earlier judgement;
- the same time split by stage: `check_envelope`, `normalise`, `evaluate`;
- the bare `BeautifulSoup(html, "lxml")` parse and a bare `lxml.html` parse of the HTML corpus,
  the floor the HTML reader stands on;
- cold `permitted check ONE.txt -m UK` (a short plain shipping notice): wall time of a fresh
  process, median of 7, after one untimed run (which fills the on-disk policy cache, kept in a
  temporary folder through PERMITTED_CACHE_DIR; the first run's time is reported apart), and the
  import time of the command line alone. Bytecode is kept in a temporary folder too
  (PYTHONPYCACHEPREFIX), as an installed package keeps it.

Results: bench/results/end_to_end.json and end_to_end.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

REFERENCE = "d73fec7"       # the code before the one-pass work: every ratio is against it
SEED = 20261207
ONE_MESSAGE = "Hello,\n\nYour order has shipped and should arrive on Tuesday. Tracking is available in your account.\n\n" \
              "Thank you,\nAcme Books\n"

# ---- the worker: runs in the tree under test, imports only what both trees have ----------------


def _pin() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def _percentile(sorted_values: list[float], p: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, round(p / 100 * (len(sorted_values) - 1)))]


def _timed_passes(corpus: list[dict], passes: int) -> dict:
    """`corpus` holds passes + 2 slices of equal size: one to warm up on, one per timed pass, one
    for the time by stage. No message is judged twice: a second judgement would be answered in
    part by the caches keyed by a message's text (its fold, its words, its sentences), and leave
    out work every new message costs."""
    from interpreter.evaluation.evaluate import evaluate
    from interpreter.facts.normalise import normalise
    from interpreter.read.envelope import check_envelope
    from permitted.checking import Choice, Judge

    judge = Judge(Choice())
    stages = {"check_envelope": 0.0, "normalise": 0.0, "evaluate": 0.0}

    def one(env: dict, split: bool) -> None:
        if not split:
            envelope = check_envelope(env)
            judge.judge(envelope, "<message>")
            return
        a = time.perf_counter()
        envelope = check_envelope(env)
        b = time.perf_counter()
        compiled, market = judge.policy_for(envelope, "<message>")
        facts = normalise(envelope, market, policy=compiled.policy)
        c = time.perf_counter()
        evaluate(compiled.program, facts)
        d = time.perf_counter()
        stages["check_envelope"] += b - a
        stages["normalise"] += c - b
        stages["evaluate"] += d - c

    n = len(corpus) // (passes + 2)
    warm, timed, split = corpus[:n], [corpus[n * (k + 1):n * (k + 2)] for k in range(passes)], corpus[-n:]
    for env in warm:                            # warm: models, dictionaries, policies
        one(env, False)
    samples, best = [], float("inf")
    for envelopes in timed:
        gc.collect()
        start = time.perf_counter()
        for env in envelopes:
            t = time.perf_counter()
            one(env, False)
            samples.append(time.perf_counter() - t)
        best = min(best, time.perf_counter() - start)
    gc.collect()
    for env in split:
        one(env, True)
    samples.sort()
    return {"messages": n, "msg_per_s": n / best,
            "p50_ms": _percentile(samples, 50) * 1e3, "p95_ms": _percentile(samples, 95) * 1e3,
            "p99_ms": _percentile(samples, 99) * 1e3, "max_ms": samples[-1] * 1e3,
            "stage_ms": {k: v / n * 1e3 for k, v in stages.items()}}


def _parse_rates(htmls: list[str], passes: int) -> dict:
    import lxml.html
    from bs4 import BeautifulSoup

    out = {}
    for name, parse in (("bs4_lxml", lambda h: BeautifulSoup(h, "lxml")), ("lxml", lxml.html.document_fromstring)):
        for h in htmls:
            parse(h)
        best = float("inf")
        for _ in range(passes):
            start = time.perf_counter()
            for h in htmls:
                parse(h)
            best = min(best, time.perf_counter() - start)
        out[name] = len(htmls) / best
    return out


def worker(corpus_file: Path, passes: int) -> None:
    _pin()
    corpus = json.loads(corpus_file.read_text())
    n = len(corpus["html"]) // (passes + 2)
    result = {"mixed": _timed_passes(corpus["mixed"], passes), "html": _timed_passes(corpus["html"], passes),
              "parse_msg_per_s": _parse_rates([e["html"] for e in corpus["html"][n:2 * n]], passes)}
    print(json.dumps(result))


# ---- the driver -------------------------------------------------------------------------------


def _later(env: dict) -> dict:
    """The message and its order dates a year later: the generator's earliest dates precede the
    first UK policy, and a message with no policy in force would be an error row, not a judgement."""
    def shift(day: str) -> str:
        return (dt.date.fromisoformat(day) + dt.timedelta(days=365)).isoformat()
    env["sent_at"] = shift(env["sent_at"])
    env["order"] = {k: shift(v) if k.endswith("_at") else v for k, v in env["order"].items()}
    return env


def corpora(mixed: int, html: int) -> dict:
    sys.path.insert(0, str(HERE))
    import audit                                    # the audit benchmark's generated messages

    rng = random.Random(SEED)
    out = {"mixed": [_later(audit.envelope(rng)) for _ in range(mixed)], "html": []}
    while len(out["html"]) < html:
        env = audit.envelope(rng)
        if "html" in env:
            out["html"].append(_later(env))
    return out


def _env(tree: Path, cache: Path) -> dict:
    # Bytecode is written (beside the cache, never into the tree) and read again, as an installed
    # package's is: with PYTHONDONTWRITEBYTECODE set, every cold start would compile every module.
    env = {**os.environ, "PYTHONPATH": str(tree), "PERMITTED_CACHE_DIR": str(cache),
           "PYTHONPYCACHEPREFIX": f"{cache}-bytecode"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_worker(tree: Path, corpus_file: Path, passes: int, cache: Path) -> dict:
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", str(corpus_file),
                           "--passes", str(passes)], cwd=tree, env=_env(tree, cache), capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"worker in {tree} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cold_check(tree: Path, message: Path, cache: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "permitted", "check", str(message), "-m", "UK"], cwd=tree,
                          env=_env(tree, cache), capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1, 3, 4):
        raise SystemExit(f"check in {tree} failed ({done.returncode}):\n{done.stderr}")
    return wall


def import_time(tree: Path, cache: Path) -> float:
    code = "import time; t = time.perf_counter(); import permitted.cli; print(time.perf_counter() - t)"
    done = subprocess.run([sys.executable, "-c", code], cwd=tree, env=_env(tree, cache), capture_output=True,
                          text=True, check=True)
    return float(done.stdout)


def best_of(results: list[dict]) -> dict:
    """Each number at its best over the rounds (highest rate, lowest time)."""
    first = results[0]
    out = {}
    for key, value in first.items():
        if isinstance(value, dict):
            out[key] = best_of([r[key] for r in results])
        elif isinstance(value, (int, float)):
            values = [r[key] for r in results]
            out[key] = max(values) if key.endswith("per_s") or key == "messages" else min(values)
        else:
            out[key] = value
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reference", default=REFERENCE, help="the commit to compare with")
    ap.add_argument("--mixed", type=int, default=300, help="messages in the mixed corpus")
    ap.add_argument("--html", type=int, default=150, help="messages in the HTML-only corpus")
    ap.add_argument("--passes", type=int, default=2, help="timed passes per worker (after one warm-up), each on messages of its own")
    ap.add_argument("--rounds", type=int, default=2, help="workers per tree, interleaved")
    ap.add_argument("--cold", type=int, default=7, help="cold `check` runs per tree")
    ap.add_argument("--out", type=Path, default=HERE / "results")
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.worker, args.passes)
        return 0

    commit = subprocess.run(["git", "rev-parse", args.reference], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    sys.path.insert(0, str(HERE))
    from machine import cpu_model, source_state

    with tempfile.TemporaryDirectory(prefix="permitted-bench-") as tmp:
        work = Path(tmp)
        ref = work / "reference"
        subprocess.run(["git", "worktree", "add", "--detach", str(ref), commit], cwd=ROOT, check=True,
                       capture_output=True)
        try:
            trees = {"reference": ref, "current": ROOT}
            caches = {name: work / f"cache-{name}" for name in trees}
            corpus_file = work / "corpus.json"
            # a slice to warm up on, one per timed pass, one for the time by stage (_timed_passes)
            slices = args.passes + 2
            corpus = corpora(args.mixed * slices, args.html * slices)
            corpus_file.write_text(json.dumps(corpus))
            message = work / "one.txt"
            message.write_text(ONE_MESSAGE)

            first_cold = {name: cold_check(tree, message, caches[name]) for name, tree in trees.items()}
            cold = {name: [] for name in trees}
            imports = {name: [] for name in trees}
            for _ in range(args.cold):
                for name, tree in trees.items():
                    cold[name].append(cold_check(tree, message, caches[name]))
                    imports[name].append(import_time(tree, caches[name]))
            runs = {name: [] for name in trees}
            for i in range(args.rounds):
                for name, tree in trees.items():
                    runs[name].append(run_worker(tree, corpus_file, args.passes, caches[name]))
                    print(f"round {i + 1}, {name}: {runs[name][-1]['mixed']['msg_per_s']:.0f} msg/s mixed, "
                          f"{runs[name][-1]['html']['msg_per_s']:.0f} msg/s HTML", file=sys.stderr)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(ref)], cwd=ROOT, capture_output=True)

    results = {name: {**best_of(r), "cold_check_s": statistics.median(cold[name]), "cold_check_runs_s": cold[name],
                      "first_cold_check_s": first_cold[name], "import_s": statistics.median(imports[name])}
               for name, r in runs.items()}
    sizes = {k: [len(e.get("html") or e.get("body")) for e in v] for k, v in corpus.items()}     # every slice
    meta = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "python": platform.python_version(),
            "cpu": cpu_model(), "cores": os.cpu_count(), "code": source_state(), "reference": commit,
            "corpus": {k: {"messages": len(v) // slices, "html_share": round(sum("html" in e for e in corpus[k]) / len(v), 2),
                           "mean_bytes": round(sum(v) / len(v)), "max_bytes": max(v)} for k, v in sizes.items()},
            "passes": args.passes, "rounds": args.rounds}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "end_to_end.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    text = table(meta, results)
    (args.out / "end_to_end.md").write_text(text)
    print(text)
    return 0


def table(meta: dict, results: dict) -> str:
    ref, cur = results["reference"], results["current"]
    rows = [("mixed corpus, msg/s", ref["mixed"]["msg_per_s"], cur["mixed"]["msg_per_s"], True),
            ("HTML-only corpus, msg/s", ref["html"]["msg_per_s"], cur["html"]["msg_per_s"], True)]
    for corpus in ("mixed", "html"):
        for p in ("p50", "p95", "p99"):
            rows.append((f"{corpus}: latency {p}, ms", ref[corpus][f"{p}_ms"], cur[corpus][f"{p}_ms"], False))
        for stage in ref[corpus]["stage_ms"]:
            rows.append((f"{corpus}: {stage}, ms per message", ref[corpus]["stage_ms"][stage],
                         cur[corpus]["stage_ms"][stage], False))
    rows += [("bare BeautifulSoup(html, 'lxml'), msg/s", ref["parse_msg_per_s"]["bs4_lxml"],
              cur["parse_msg_per_s"]["bs4_lxml"], True),
             ("bare lxml.html parse, msg/s", ref["parse_msg_per_s"]["lxml"], cur["parse_msg_per_s"]["lxml"], True),
             ("cold `check one.txt -m UK`, s (median of 7)", ref["cold_check_s"], cur["cold_check_s"], False),
             ("cold `check`, first run (empty policy cache), s", ref["first_cold_check_s"], cur["first_cold_check_s"],
              False),
             ("`import permitted.cli`, s (median of 7)", ref["import_s"], cur["import_s"], False)]
    c = meta["corpus"]
    lines = ["# End to end, against the reference", "",
             f"`.venv/bin/python bench/end_to_end.py` — {meta['date']}, Python {meta['python']}, {meta['cpu']}, "
             f"{meta['cores']} cores; one core per process. Current code {meta['code']}; reference "
             f"{meta['reference'][:12]}. Mixed corpus: {c['mixed']['messages']} messages, "
             f"{c['mixed']['html_share']:.0%} HTML, mean {c['mixed']['mean_bytes']:,} B, largest "
             f"{c['mixed']['max_bytes']:,} B; HTML-only: {c['html']['messages']} messages, mean "
             f"{c['html']['mean_bytes']:,} B. Best of {meta['rounds']} interleaved rounds of {meta['passes']} passes.",
             "", "| measure | reference | current | gain |", "|---|---:|---:|---:|"]
    for name, before, after, higher_better in rows:
        gain = (after / before if higher_better else before / after) if before and after else float("nan")
        lines.append(f"| {name} | {before:,.3f} | {after:,.3f} | {gain:.2f}× |" if before < 100 else
                     f"| {name} | {before:,.0f} | {after:,.0f} | {gain:.2f}× |")
    lines += ["", "Gain: how many times faster the current code is (rates divided, times inverted)."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
