"""Instructions a warm process executes per message, counted by callgrind, against a reference commit.

    .venv/bin/python bench/instructions.py [--reference COMMIT] [--messages N] [--corpus mixed|html|both]

Wall and CPU time on a shared 2-core virtual machine vary by 10-20% from one process to the next
with the same code (bench/README.md), which hides a change of a few per cent. The number of
instructions a process executes does not vary so: callgrind (valgrind) counts them, the same to
0.1% from run to run. It is not time (a cache miss or a vector instruction counts as one), so the
wall-clock benchmark (bench/end_to_end.py) stays the measure of speed; this one says which way a
small change goes.

Each tree (this one, and the reference checked out with `git worktree add`) runs in its own
process under `valgrind --tool=callgrind --instr-atstart=no`: it judges N messages of the corpus
once (warm-up: policies compiled, models and word lists loaded, caches filled), then
counting is switched on (`callgrind_control -i on`) and it judges N other messages of the corpus,
so that no cache keyed by a message's text answers from the warm-up.
PYTHONHASHSEED is fixed, so both processes hash alike. The two trees run at the same time (the
count does not depend on the machine's load). Needs valgrind; without it the script says so and
exits 2.

Results: bench/results/instructions.json and instructions.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REFERENCE = "61225c3"


def worker(corpus_file: Path, kind: str, n: int, go: Path) -> None:
    """Runs in the tree measured (PYTHONPATH): warm up, say so, wait for counting, judge again."""
    from interpreter.read.envelope import check_envelope
    from permitted.checking import Choice, Judge

    corpus = json.loads(corpus_file.read_text())[kind]
    # Warmed on other messages than those counted: judging the counted ones twice would let the
    # caches keyed by a text (the folded text of each message, its words) answer the second time
    # from the first, and the count would leave out work every new message costs.
    counted, warm_up = corpus[:n], corpus[n:2 * n]
    judge = Judge(Choice())
    for env in warm_up:
        judge.judge(check_envelope(env), "<message>")
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.05)
    for env in counted:
        judge.judge(check_envelope(env), "<message>")


def count(tree: Path, corpus_file: Path, kind: str, n: int, scratch: Path) -> subprocess.Popen:
    tag = f"{tree.name}-{kind}"
    go, out = scratch / f"go-{tag}", scratch / f"callgrind-{tag}.out"
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0",
           "PERMITTED_CACHE_DIR": str(scratch / f"cache-{tree.name}")}
    proc = subprocess.Popen(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}", sys.executable,
         str(Path(__file__).resolve()), "--worker", str(corpus_file), kind, str(n), str(go)],
        cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.tag, proc.go = tag, go                 # type: ignore[attr-defined]
    return proc


def finish(proc: subprocess.Popen, n: int) -> float:
    """Switch counting on once the process is warm, let it judge, and read the count per message."""
    line = proc.stdout.readline()
    if line.strip() != "ready":
        raise SystemExit(f"{proc.tag}: the worker did not warm up:\n{proc.stderr.read()}")
    subprocess.run(["callgrind_control", "-i", "on", str(proc.pid)], check=True, capture_output=True)
    proc.go.touch()
    _, err = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"{proc.tag} failed ({proc.returncode}):\n{err}")
    found = re.search(r"Collected : (\d+)", err)
    if found is None:
        raise SystemExit(f"{proc.tag}: no instruction count in callgrind's output:\n{err}")
    return int(found.group(1)) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", default=REFERENCE)
    parser.add_argument("--messages", type=int, default=50)
    parser.add_argument("--corpus", choices=("mixed", "html", "both"), default="both")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        corpus_file, kind, n, go = args.worker
        worker(Path(corpus_file), kind, int(n), Path(go))
        return
    if not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        print("bench/instructions.py needs valgrind (callgrind and callgrind_control)", file=sys.stderr)
        raise SystemExit(2)
    sys.path.insert(0, str(HERE))
    import end_to_end

    kinds = ["mixed", "html"] if args.corpus == "both" else [args.corpus]
    reference = subprocess.run(["git", "rev-parse", args.reference], cwd=ROOT, capture_output=True, text=True,
                               check=True).stdout.strip()
    current = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.strip()
    if subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results"],
                      cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip():
        current += " with uncommitted changes"       # the working tree is what runs
    with tempfile.TemporaryDirectory(prefix="permitted-instr-") as tmp:
        scratch = Path(tmp)
        corpus_file = scratch / "corpus.json"
        corpus_file.write_text(json.dumps(end_to_end.corpora(2 * args.messages, 2 * args.messages)))
        ref_tree = scratch / "reference"
        subprocess.run(["git", "worktree", "add", "--detach", str(ref_tree), reference], cwd=ROOT, check=True,
                       capture_output=True)
        try:
            rows = {}
            for kind in kinds:
                procs = [count(tree, corpus_file, kind, args.messages, scratch) for tree in (ref_tree, ROOT)]
                ref, cur = (finish(p, args.messages) for p in procs)
                rows[kind] = {"reference": ref, "current": cur}
                print(f"{kind}: reference {ref / 1e6:.2f} M, current {cur / 1e6:.2f} M instructions per message "
                      f"({ref / cur:.2f}x fewer)")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(ref_tree)], cwd=ROOT, capture_output=True)
    result = {"when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "current": current,
              "reference": reference, "messages": args.messages, "instructions_per_message": rows}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "instructions.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = ["# Instructions per message, against the reference", "",
             f"`.venv/bin/python bench/instructions.py` — {result['when']}, current {current}, reference "
             f"{reference[:12]}; {args.messages} other messages judged to warm up, then {args.messages} counted by "
             "callgrind.", "",
             "| corpus | reference, M instructions | current, M instructions | fewer |", "|---|---:|---:|---:|"]
    lines += [f"| {kind} | {r['reference'] / 1e6:.2f} | {r['current'] / 1e6:.2f} | {r['reference'] / r['current']:.2f}× |"
              for kind, r in rows.items()]
    (args.out / "instructions.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
