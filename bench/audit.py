"""End-to-end `permitted audit` throughput and memory on a generated archive.

    .venv/bin/python bench/audit.py [--messages N] [--small M] [--out DIR]

Writes a JSONL archive of N generated messages (default 100,000; seeded; mixed plain text and
HTML, 1–5 KB each, UK and US, with order context, so every rule family has work to do) to a
temporary folder, then runs the real command line, `permitted audit ARCHIVE --out FILE`, as a
separate process: once with `--jobs 1`, once with `--jobs 2`, and once with `--jobs 2` on the
first M messages (default 10,000). Reported: wall time, messages per second, the speed-up of
two jobs over one, and the peak resident memory of the parent process and of the largest
worker — the parent's peak for N messages against M shows whether memory grows with the input
(it should not: rows stream to the file). Results: bench/results/audit.md and .json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import corpus                                        # noqa: E402  (the evaluation benchmark's generator)
from machine import cpu_model, source_state          # noqa: E402

SEED = 20210305

# Runs the command line in this process and leaves its peak memory where the benchmark reads it.
_RUNNER = """
import json, resource, sys
from permitted.cli import main
code = main(sys.argv[2:])
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as f:
    json.dump({"code": int(code), "parent_kib": me.ru_maxrss, "worker_kib": kids.ru_maxrss}, f)
"""


def _html(text: str, rng: random.Random) -> str:
    """The text as an HTML e-mail: paragraphs, a styled shell, a logo and sometimes a pixel."""
    paragraphs = "".join(f"<p style='margin:0 0 12px 0'>{p.replace(chr(10), '<br>')}</p>"
                         for p in text.split("\n\n"))
    pixel = "<img src='https://t.example.com/o.gif' width='1' height='1'>" if rng.random() < 0.1 else ""
    return ("<html><head><style>body {font-family: Arial}</style></head><body style='margin:0 5%'>"
            "<table width='100%'><tr><td><img src='https://m.media-amazon.com/images/logo.png' alt='Shop logo' "
            f"width='120'></td></tr></table>{paragraphs}{pixel}</body></html>")


def envelope(rng: random.Random) -> dict:
    """One message of 1–5 KB: a generated message, lengthened with the paragraphs of others."""
    first = corpus.record(rng)
    message, order, history = first["message"], first["order"], first["history"]
    target = rng.randint(1_000, 5_000)
    text = message["text"]
    while len(text) < target:
        more = corpus.record(rng)["message"]["text"].split("\n\n")
        text += "\n\n" + "\n\n".join(more[1:-1] or more)
    out = {"marketplace": rng.choice(("UK", "US")), "channel": message["channel"], "direction": message["direction"],
           "reason": message["reason"], "sent_at": message["sent_at"], "order": order, "history": history}
    if "subject" in message:
        out["subject"] = message["subject"]
    if "api_message_type" in message:
        out["api_message_type"] = message["api_message_type"]
    if message["is_html"]:
        out["html"] = _html(text, rng)
    else:
        out["body"] = text
    if message["attachments"]:
        out["attachments"] = message["attachments"]
    return out


def write_archive(path: Path, n: int) -> dict:
    rng = random.Random(SEED)
    sizes, html = [], 0
    with path.open("w", encoding="utf-8") as f:
        for _ in range(n):
            env = envelope(rng)
            line = json.dumps(env, ensure_ascii=False)
            sizes.append(len(env.get("body") or env.get("html")))
            html += "html" in env
            f.write(line + "\n")
    return {"messages": n, "html_share": round(html / n, 3), "mean_bytes": round(sum(sizes) / n),
            "min_bytes": min(sizes), "max_bytes": max(sizes), "archive_mb": round(path.stat().st_size / 1e6, 1)}


def run_audit(archive: Path, jobs: int, workdir: Path) -> dict:
    usage, out = workdir / "usage.json", workdir / f"rows-{jobs}.jsonl"
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _RUNNER, str(usage), "audit", str(archive), "--out", str(out),
                           "--jobs", str(jobs), "--no-progress"], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1, 3, 4):
        raise SystemExit(f"audit failed ({done.returncode}):\n{done.stderr}")
    stats = json.loads(usage.read_text())
    with out.open("rb") as rows:
        count = sum(1 for _ in rows)
    out.unlink()
    return {"jobs": jobs, "rows": count, "seconds": round(wall, 2), "messages_per_s": round(count / wall),
            "parent_peak_mib": round(stats["parent_kib"] / 1024, 1), "worker_peak_mib": round(stats["worker_kib"] / 1024, 1)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--small", type=int, default=10_000)
    ap.add_argument("--out", type=Path, default=HERE / "results")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        big, small = work / "archive.jsonl", work / "small.jsonl"
        shape = write_archive(big, args.messages)
        with big.open("rb") as src, small.open("wb") as dst:
            for i, line in enumerate(src):
                if i == args.small:
                    break
                dst.write(line)
        runs = []
        for archive, n, jobs in ((big, args.messages, 1), (big, args.messages, 2), (small, args.small, 2)):
            result = {"input_messages": n, **run_audit(archive, jobs, work)}
            print(json.dumps(result), flush=True)
            runs.append(result)
    one, two, few = runs
    summary = {"speedup_2_jobs": round(one["seconds"] / two["seconds"], 2),
               "parent_memory_ratio_big_vs_small": round(two["parent_peak_mib"] / few["parent_peak_mib"], 2),
               "worker_memory_ratio_big_vs_small": round(two["worker_peak_mib"] / few["worker_peak_mib"], 2)}
    meta = {"date": dt.date.today().isoformat(), "python": sys.version.split()[0], "cpu": cpu_model(),
            "cores": os.cpu_count(), "code": source_state()}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "audit.json").write_text(json.dumps({"meta": meta, "corpus": shape, "runs": runs, "summary": summary},
                                                    indent=2) + "\n")
    lines = ["# `permitted audit` end to end", "",
             f"{meta['date']}, Python {meta['python']}, {meta['cpu']}, {meta['cores']} cores, code {meta['code']}.",
             f"Archive: {shape['messages']:,} generated messages (`bench/audit.py`), {shape['archive_mb']} MB of JSONL, "
             f"{shape['html_share']:.0%} HTML, bodies {shape['min_bytes']:,}–{shape['max_bytes']:,} bytes "
             f"(mean {shape['mean_bytes']:,}).", "",
             "| messages | jobs | rows out | seconds | messages/s | parent peak MiB | largest worker peak MiB |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['input_messages']:,} | {r['jobs']} | {r['rows']:,} | {r['seconds']} | {r['messages_per_s']:,} | "
              f"{r['parent_peak_mib']} | {r['worker_peak_mib']} |" for r in runs]
    lines += ["", f"- two jobs vs one: {summary['speedup_2_jobs']}× the throughput",
              f"- peak memory, {args.messages:,} vs {args.small:,} messages: parent "
              f"{summary['parent_memory_ratio_big_vs_small']}×, largest worker {summary['worker_memory_ratio_big_vs_small']}×", ""]
    (args.out / "audit.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
