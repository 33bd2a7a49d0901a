"""What every benchmark records about the run: the machine, the code measured, one-core pinning."""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pin_to_one_core() -> str:
    """Keep the process (and any native threads a peer starts) on one CPU, so 'one core' is literal."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity on this platform)"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def source_state() -> str:
    """The commit measured, and whether the engine or the application had uncommitted changes (results follow the code)."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "dsl", "interpreter", "permitted", "grammar.lark"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    changed = sorted({line[3:].split("/")[0] for line in dirty.splitlines() if line.strip()})
    return commit + (" with uncommitted changes in " + ", ".join(changed) if changed else "")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def run_options(doc: str, argv=None, runs: int = 3) -> argparse.Namespace:
    """The options every timing benchmark takes: passes to keep the best of, and where results go."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=runs, help="passes; the best is reported")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results", help="folder for the results")
    return ap.parse_args(argv)
