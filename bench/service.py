"""`permitted serve` under load on loopback, next to the in-process `check` rate of the same run.

    .venv/bin/python bench/service.py [--requests N] [--memory-requests M] [--workers W]
                                      [--own-core-rounds R] [--own-core-requests K] [--out DIR]

Generates seeded messages of 1–8 KB (bench/audit.py's generator: UK and US, text and HTML, with
order context), measures the in-process rate on the same cores (`Judge.judge` on the same
envelopes, in as many processes as the server has workers, one core each, each message judged
once after a warm-up on others), then starts the real command line, `permitted serve --workers W`, on a
free loopback port and sends N requests (default 3,000) to `POST /v1/check` at concurrency 1, 8
and 32 from a small asyncio client (httpx), after a warm-up. Reported per concurrency:
throughput, p50/p95/p99 latency, errors (any answer but 200). Then M requests (default
50,000) at concurrency 8, sampling the server's resident memory (all its processes) every
5,000: flat means no leak per request. Last, R rounds (default 2) of the service's own cost
apart from the client's: one worker alone on a core, the client on another, K requests
(default 600) at concurrency 8, against the in-process rate on that core (`own_core`).
Results: bench/results/service.md and .json.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import queue
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import audit                                          # noqa: E402  (the audit benchmark's message generator)
from machine import cpu_model, source_state           # noqa: E402
from tests.served import Served                       # noqa: E402

SEED = 20240301
MAX_BYTES = 8 * 1024


def messages(n: int) -> list[dict]:
    """n envelopes of at most MAX_BYTES that a policy applies to (a generated message sent
    before its marketplace's first version would be answered 404, P700: not what is measured)."""
    from permitted.checking import Choice, Judge
    judge = Judge(Choice())
    rng = random.Random(SEED)
    out = []
    while len(out) < n:
        e = audit.envelope(rng)
        if len(json.dumps(e).encode()) <= MAX_BYTES and judge.row("bench", e).ok:
            out.append(e)
    return out


def _judge_share(envelopes: list[dict], warm_up: list[dict], core: int | None, out) -> None:
    """One process of the in-process rate: warmed on other messages, then each of its share
    judged once (a message judged twice is answered in part from the caches keyed by its text)."""
    from permitted.checking import Choice, Judge
    if core is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {core})
    judge = Judge(Choice())
    for e in warm_up:
        judge.judge(e, "warm-up")
    times, cpu = [], time.process_time()
    started = time.perf_counter()
    for e in envelopes:
        t = time.perf_counter()
        judge.judge(e, "bench")
        times.append(time.perf_counter() - t)
    out.put((len(envelopes), time.perf_counter() - started, time.process_time() - cpu, times))


def in_process_rate(envelopes: list[dict], warm_up: list[dict], processes: int, cores: list[int] | None = None) -> dict:
    """Messages per second of `Judge.judge` in `processes` processes at once, one core each,
    each judging its share of `envelopes` once: what the same cores do without HTTP, the rate
    the service's throughput is a share of."""
    import multiprocessing
    cores = cores or _cores() or [None]
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    workers = [context.Process(target=_judge_share, args=(envelopes[i::processes], warm_up,
                                                            cores[i % len(cores)], out)) for i in range(processes)]
    for w in workers:
        w.start()
    try:
        done = [out.get(timeout=1800) for _ in workers]
    except queue.Empty:
        raise SystemExit(f"an in-process judging process gave no result (exit codes {[w.exitcode for w in workers]})") from None
    for w in workers:
        w.join()
    wall = max(seconds for _, seconds, _, _ in done)
    times = [t for *_, share in done for t in share]
    return {"messages": len(envelopes), "processes": processes, "seconds": round(wall, 2),
            "messages_per_s": round(sum(n for n, *_ in done) / wall, 1),
            "per_process_messages_per_s": [round(n / seconds, 1) for n, seconds, _, _ in done],
            "cpu_ms": round(sum(c for _, _, c, _ in done) / len(envelopes) * 1000, 2),
            "p50_ms": _pct(times, 50), "p99_ms": _pct(times, 99)}


def _cores() -> list[int]:
    return sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []


def own_core(envelopes: list[dict], warm_up: list[dict], rounds: int = 2, concurrency: int = 8) -> list[dict]:
    """The service's own cost, apart from the client's: one worker on a core of its own, the
    client on another, against `Judge.judge` in one process on that same core, on the same
    messages. On shared cores the client's CPU and the switching between three processes
    count against the server; here the server is busy all the time (`concurrency` requests in
    flight) and alone on its core, so its throughput and CPU per request compare with the
    in-process rate directly. Rounds alternate the two (a fresh process each time, so every
    message is judged once), as the machine's speed drifts over minutes. Needs two cores."""
    cores = _cores()
    if len(cores) < 2:
        return []
    server_core, client_core = cores[0], cores[1]
    bodies, warm = [json.dumps(e).encode() for e in envelopes], [json.dumps(e).encode() for e in warm_up]
    mine = os.sched_getaffinity(0)
    log = Path(tempfile.mkdtemp(prefix="permitted-bench-")) / "serve.log"
    rows = []
    try:
        for number in range(1, rounds + 1):
            local = in_process_rate(envelopes, warm_up, 1, cores=[server_core])
            server = Served("--workers", "1", "--max-pending", "256", log=log, cores={server_core}).wait_ready()
            try:
                os.sched_setaffinity(0, {client_core})
                load(server.url, warm, concurrency)
                served = load(server.url, bodies, concurrency, server.process.pid)
            finally:
                os.sched_setaffinity(0, mine)
                server.stop()
            rows.append({"round": number, "in_process": local, "served": served,
                         "share": round(served["requests_per_s"] / local["messages_per_s"], 2),
                         "cpu_ratio": round(served["server_cpu_ms"] / local["cpu_ms"], 2)})
            print(rows[-1])
    finally:
        shutil.rmtree(log.parent, ignore_errors=True)
    return rows


async def _load(url: str, bodies: list[bytes], concurrency: int) -> tuple[list[float], int, float]:
    latencies, errors = [], 0
    queue = iter(bodies)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        async def worker():
            nonlocal errors
            for body in queue:
                t = time.perf_counter()
                r = await client.post("/v1/check", content=body, headers={"Content-Type": "application/json"})
                latencies.append(time.perf_counter() - t)
                errors += r.status_code != 200
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return latencies, errors, time.perf_counter() - started


def os_cores() -> int:
    return len(_cores()) or os.cpu_count()


def _pct(values: list[float], p: float) -> float:
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1] * 1000, 2)


def load(url: str, bodies: list[bytes], concurrency: int, server_pid: int | None = None) -> dict:
    """The load at one concurrency, with the CPU time the client (this process) and the server
    (all its processes) spent per request: they share the machine's cores."""
    client, server = time.process_time(), cpu_seconds(server_pid) if server_pid else 0.0
    latencies, errors, wall = asyncio.run(_load(url, bodies, concurrency))
    client, server = time.process_time() - client, (cpu_seconds(server_pid) - server) if server_pid else 0.0
    return {"concurrency": concurrency, "requests": len(bodies), "errors": errors,
            "requests_per_s": round(len(bodies) / wall, 1), "p50_ms": _pct(latencies, 50),
            "p95_ms": _pct(latencies, 95), "p99_ms": _pct(latencies, 99),
            "client_cpu_ms": round(client / len(bodies) * 1000, 2), "server_cpu_ms": round(server / len(bodies) * 1000, 2)}


def _family(pid: int) -> list[str]:
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [str(pid), *children]


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its children (the workers), from /proc."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for p in _family(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])        # utime, stime (fields 14 and 15 of stat)
    return total / tick


def resident_kib(pid: int) -> int:
    """Resident memory of a process and its children (the workers), from /proc."""
    total = 0
    for p in _family(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=3000)
    p.add_argument("--memory-requests", type=int, default=50_000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--own-core-rounds", type=int, default=2,
                   help="rounds of one worker on a core of its own against the in-process rate there (0: none)")
    p.add_argument("--own-core-requests", type=int, default=600)
    p.add_argument("--out", type=Path, default=HERE / "results")
    args = p.parse_args(argv)
    envelopes = messages(max(args.requests, 1000) + 50)
    envelopes, warm_up = envelopes[:-50], envelopes[-50:]
    sizes = [len(json.dumps(e).encode()) for e in envelopes]
    print(f"{len(envelopes)} messages, {statistics.mean(sizes):,.0f} bytes on average, {max(sizes):,} at most")
    local = in_process_rate(envelopes[:1000], warm_up, args.workers)
    print(f"in process, {args.workers} processes: {local['messages_per_s']} messages/s")
    bodies = [json.dumps(e).encode() for e in envelopes]
    log = Path(tempfile.mkdtemp(prefix="permitted-bench-")) / "serve.log"
    args.out.mkdir(parents=True, exist_ok=True)
    server = Served("--workers", str(args.workers), "--max-pending", "256", log=log).wait_ready()
    levels, memory = [], []
    try:
        load(server.url, bodies[:200], 8)                       # warm-up: connections, first requests
        for concurrency in (1, 8, 32):
            row = load(server.url, bodies[:args.requests], concurrency, server.process.pid)
            row["share_of_in_process"] = round(row["requests_per_s"] / local["messages_per_s"], 2)
            levels.append(row)
            print(row)
        step = 5000
        memory.append({"requests": 0, "rss_kib": resident_kib(server.process.pid)})
        for done in range(step, args.memory_requests + 1, step):
            chunk = [bodies[i % len(bodies)] for i in range(done - step, done)]
            load(server.url, chunk, 8)
            memory.append({"requests": done, "rss_kib": resident_kib(server.process.pid)})
            print(memory[-1])
    finally:
        server.stop()
        shutil.rmtree(log.parent, ignore_errors=True)
    own = own_core(envelopes[:args.own_core_requests], warm_up, args.own_core_rounds) if args.own_core_rounds else []
    result = {"machine": cpu_model(), "source": source_state(), "workers": args.workers,
              "messages": {"count": len(envelopes), "mean_bytes": round(statistics.mean(sizes)), "max_bytes": max(sizes)},
              "in_process": local, "levels": levels, "memory": memory, "own_core": own}
    (args.out / "service.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = ["# `permitted serve` on loopback", "",
             f"Machine: {result['machine']}. Code: {result['source']}. Server: `permitted serve --workers "
             f"{args.workers}`; client: httpx (asyncio) in another process on the same machine.", "",
             f"Messages: {len(envelopes):,} generated envelopes (seed {SEED}), {result['messages']['mean_bytes']:,} "
             f"bytes on average, {result['messages']['max_bytes']:,} at most.", "",
             f"In-process `check` on the same cores ({args.workers} process{'es' if args.workers > 1 else ''} "
             f"at once, one core each, the same messages, each judged once): "
             f"**{local['messages_per_s']} messages/s** (per process: "
             f"{', '.join(map(str, local['per_process_messages_per_s']))}).", "",
             "| concurrency | requests | errors | requests/s | share of in-process | p50 ms | p95 ms | p99 ms "
             "| server CPU ms/request | client CPU ms/request |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['concurrency']} | {r['requests']:,} | {r['errors']} | {r['requests_per_s']} | "
              f"{r['share_of_in_process']:.0%} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | "
              f"{r['server_cpu_ms']} | {r['client_cpu_ms']} |" for r in levels]
    lines += ["", "CPU per request: what the server's processes and the client spent, each on the same "
              f"{os_cores()} cores; in process, a message takes {1000 / max(local['per_process_messages_per_s']):.1f}"
              "–" f"{1000 / min(local['per_process_messages_per_s']):.1f} ms of one core."]
    if own:
        share = sum(r["served"]["requests_per_s"] for r in own) / sum(r["in_process"]["messages_per_s"] for r in own)
        cpu = sum(r["served"]["server_cpu_ms"] for r in own) / sum(r["in_process"]["cpu_ms"] for r in own)
        lines += ["", "## One worker on a core of its own", "",
                  "`permitted serve --workers 1` on one core, the client on the other, concurrency "
                  f"{own[0]['served']['concurrency']} (the worker always has a request waiting), against "
                  "`Judge.judge` in one process on that same core; the first "
                  f"{own[0]['served']['requests']:,} messages, each judged once; rounds alternate the two.", "",
                  "| round | in process msg/s | in process CPU ms/msg | in process p50 / p99 ms "
                  "| served requests/s | share of in-process | server CPU ms/request | CPU ratio | p50 ms | p99 ms | errors |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        lines += [f"| {r['round']} | {r['in_process']['messages_per_s']} | {r['in_process']['cpu_ms']} | "
                  f"{r['in_process']['p50_ms']} / {r['in_process']['p99_ms']} | {r['served']['requests_per_s']} | "
                  f"{r['share']:.0%} | {r['served']['server_cpu_ms']} | {r['cpu_ratio']}× | {r['served']['p50_ms']} | "
                  f"{r['served']['p99_ms']} | {r['served']['errors']} |" for r in own]
        lines += ["", f"Over the rounds: the service answers **{share:.0%}** of the in-process rate on its core, "
                  f"spending **{cpu:.2f}×** the CPU a message takes in process."]
    if memory:
        lines += ["", "Resident memory of the server (all processes) at concurrency 8:", "",
                  "| requests | RSS MiB |", "|---:|---:|"]
        lines += [f"| {m['requests']:,} | {m['rss_kib'] / 1024:.1f} |" for m in memory]
    (args.out / "service.md").write_text("\n".join(lines) + "\n")
    print(f"results: {args.out / 'service.md'}")
    return 1 if any(r["errors"] for r in levels) or any(r["served"]["errors"] for r in own) else 0


if __name__ == "__main__":
    sys.exit(main())
