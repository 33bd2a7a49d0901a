"""`permitted audit` on Dask next to the local audit, and what a partition costs the scheduler.

    .venv/bin/python bench/distributed.py [--messages N] [--sweep M] [--out DIR]

Writes a JSONL archive of N generated messages (default 3,000; the generator of bench/audit.py)
and runs the real command line on it, each as a separate process and in the same run: the local
audit with `--jobs 1` and `--jobs 2`, then `--cluster local:1` and `--cluster local:2` (Dask
worker processes of one thread; the wall time includes starting the cluster and compiling the
policies on each worker). Every run must give the same rows.

Then, on one LocalCluster of two workers kept warm (policies compiled): the round trip of an
empty task, and the first M messages (default 600) audited with partitions from 8 KB to 512 KB.
The same bytes as blank lines (no messages) give what a partition costs besides judging
(its survey and judging tasks, reading its range, the round trips), and with the judging cost
per byte, the partition size at which that cost is 1% of the work. Results: bench/results/distributed.md and .json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from audit import write_archive                      # noqa: E402  (the audit benchmark's generated archive)
from machine import cpu_model, source_state          # noqa: E402

# This file's own folder is on the path as the script's; it must not hide the `distributed` package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

SWEEP = (8 << 10, 32 << 10, 128 << 10, 512 << 10)    # every size gives each worker several partitions


def cli_run(archive: Path, flags: list[str], out: Path) -> dict:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "permitted", "audit", str(archive), "--out", str(out), "--no-progress",
                           *flags], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    # The generated archive holds a few messages sent before their marketplace's first policy
    # (P700 rows, exit 2): still rows, judged alike everywhere.
    if done.returncode not in (0, 1, 2, 3, 4) or "audited" not in done.stderr:
        raise SystemExit(f"audit {' '.join(flags)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    rows = out.read_bytes().count(b"\n")
    return {"how": " ".join(flags), "rows": rows, "seconds": round(wall, 2), "messages_per_s": round(rows / wall, 1)}


def _empty() -> None:
    return None


def overhead(archive: Path, messages: int, work: Path) -> dict:
    """Scheduler costs on a warm cluster of two one-thread workers."""
    import distributed

    from permitted.checking import Choice
    from permitted.commands.audit import row_line
    from permitted.distributed import cluster
    from permitted.distributed.work import Settings

    part = work / "sweep.jsonl"
    with archive.open("rb") as src, part.open("wb") as dst:
        for i, line in enumerate(src):
            if i == messages:
                break
            dst.write(line)
    settings = Settings(Choice(), None, 1_000_000)
    local = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    try:
        with distributed.Client(local, set_as_default=False) as client:
            list(cluster.run(client, [str(part)], settings, row_line, size=1 << 30))     # compile on both workers
            start = time.perf_counter()
            for _ in range(50):
                client.submit(_empty, pure=False).result()
            round_trip = (time.perf_counter() - start) / 50
            start = time.perf_counter()
            client.gather(client.map(lambda i: None, range(1000), pure=False))
            per_task = (time.perf_counter() - start) / 1000
            # The same bytes with no message in them (blank lines): what is left is what a partition
            # costs besides judging — its survey task, its judging task, reading its range, the
            # round trips — free of the judging time's noise on a shared machine.
            blank = work / "blank.jsonl"
            blank.write_bytes((b" " * 1023 + b"\n") * (part.stat().st_size // 1024))
            empty = []
            for size in SWEEP:
                start = time.perf_counter()
                count = len(list(cluster.run(client, [str(blank)], settings, row_line, size=size)))
                empty.append({"partition_bytes": size, "partitions": count,
                              "seconds": round(time.perf_counter() - start, 3)})
            sweep = []
            for size in SWEEP:
                start = time.perf_counter()
                parts = list(cluster.run(client, [str(part)], settings, row_line, size=size))
                wall = time.perf_counter() - start
                sweep.append({"partition_bytes": size, "partitions": len(parts), "rows": sum(p.rows for p in parts),
                              "seconds": round(wall, 3)})
                print(json.dumps(sweep[-1]), flush=True)
    finally:
        local.close()
    most = max(empty, key=lambda e: e["partitions"])
    return {"sweep_messages": messages, "sweep_bytes": part.stat().st_size, "empty_task_round_trip_ms": round(round_trip * 1e3, 2),
            "empty_task_in_a_batch_ms": round(per_task * 1e3, 3), "sweep": sweep, "blank": empty,
            "wall_per_partition_ms": round(most["seconds"] / most["partitions"] * 1e3, 2),
            # two workers run partitions side by side: a partition costs a worker twice its share of the wall
            "worker_seconds_per_partition": round(2 * most["seconds"] / most["partitions"], 4)}


def measure(messages: int, sweep: int) -> tuple[dict, list[dict], bool, dict]:
    """The archive's shape, the four command-line runs, whether their rows agree, the costs."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        archive = work / "archive.jsonl"
        shape = write_archive(archive, messages)
        runs, outputs = [], []
        for flags in (["--jobs", "1"], ["--jobs", "2"], ["--cluster", "local:1"], ["--cluster", "local:2"]):
            out = work / f"rows-{len(runs)}.jsonl"
            runs.append(cli_run(archive, flags, out))
            outputs.append(out.read_bytes())
            print(json.dumps(runs[-1]), flush=True)
        return shape, runs, all(o == outputs[0] for o in outputs), overhead(archive, sweep, work)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=3_000, help="messages in the archive (default 3,000)")
    ap.add_argument("--sweep", type=int, default=600, help="messages of the partition-size sweep (default 600)")
    ap.add_argument("--out", type=Path, default=HERE / "results", help="where the results go")
    args = ap.parse_args(argv)
    shape, runs, same, costs = measure(args.messages, args.sweep)
    one = next(r for r in runs if r["how"] == "--jobs 1")
    bytes_per_s = shape["archive_mb"] * 1e6 / one["seconds"]          # one core, end to end
    amortised = costs["worker_seconds_per_partition"] * bytes_per_s / 0.01
    summary = {"same_rows_everywhere": same, "one_core_bytes_per_s": round(bytes_per_s),
               "partition_bytes_for_1pct_overhead": round(max(amortised, 0)),
               "cluster_2_vs_1": round(runs[2]["seconds"] / runs[3]["seconds"], 2),
               "cluster_2_vs_jobs_2": round(runs[1]["seconds"] / runs[3]["seconds"], 2)}
    meta = {"date": dt.date.today().isoformat(), "python": sys.version.split()[0], "cpu": cpu_model(),
            "cores": os.cpu_count(), "code": source_state()}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "distributed.json").write_text(json.dumps({"meta": meta, "corpus": shape, "runs": runs, "costs": costs,
                                                           "summary": summary}, indent=2) + "\n")
    lines = ["# `permitted audit` on Dask, next to the local audit", "",
             f"{meta['date']}, Python {meta['python']}, {meta['cpu']}, {meta['cores']} cores, code {meta['code']}.",
             f"Archive: {shape['messages']:,} generated messages, {shape['archive_mb']} MB of JSONL, "
             f"{shape['html_share']:.0%} HTML, mean body {shape['mean_bytes']:,} bytes. "
             f"Rows identical in every run: {'yes' if same else 'NO'}.", "",
             "| how | rows | seconds (end to end) | messages/s |", "|---|---:|---:|---:|"]
    lines += [f"| `{r['how']}` | {r['rows']:,} | {r['seconds']} | {r['messages_per_s']:,} |" for r in runs]
    lines += ["", f"On a warm cluster of two workers, {costs['sweep_messages']:,} messages "
                  f"({costs['sweep_bytes']:,} bytes) cut into partitions of:", "",
              "| partition bytes | partitions | seconds |", "|---:|---:|---:|"]
    lines += [f"| {s['partition_bytes']:,} | {s['partitions']} | {s['seconds']} |" for s in costs["sweep"]]
    lines += ["", f"The same {costs['sweep_bytes']:,} bytes as blank lines (no message: partition costs alone):", "",
              "| partition bytes | partitions | seconds | ms per partition |", "|---:|---:|---:|---:|"]
    lines += [f"| {e['partition_bytes']:,} | {e['partitions']} | {e['seconds']} | "
              f"{e['seconds'] / max(e['partitions'], 1) * 1e3:.1f} |" for e in costs["blank"]]
    lines += ["",
              f"- an empty task's round trip: {costs['empty_task_round_trip_ms']} ms; "
              f"1,000 empty tasks at once: {costs['empty_task_in_a_batch_ms']} ms each",
              f"- wall time per partition without messages: {costs['wall_per_partition_ms']} ms, "
              f"so {costs['worker_seconds_per_partition']} worker-seconds per partition",
              f"- one core judges {summary['one_core_bytes_per_s']:,} bytes of archive a second: "
              f"the scheduler's cost is 1% of a partition's work at "
              f"{summary['partition_bytes_for_1pct_overhead']:,} bytes",
              f"- two Dask workers vs one: {summary['cluster_2_vs_1']}×; two Dask workers vs `--jobs 2`: "
              f"{summary['cluster_2_vs_jobs_2']}× the throughput", ""]
    (args.out / "distributed.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
