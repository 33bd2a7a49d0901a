"""A real `permitted serve` in a subprocess on a free loopback port, for the service's tests.

Started with the arguments given, waited for until /readyz answers 200, stopped (SIGTERM, then
SIGKILL) when the test is done; its standard error (uvicorn's and the service's log) is kept in
a file the tests read.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    def __init__(self, *args: str, log: Path, cores: set[int] | None = None):
        """`cores`: the CPU cores the server may run on (a benchmark keeps it off the client's)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._log_file = log.open("wb")
        self.process = subprocess.Popen([sys.executable, "-m", "permitted", "serve", "--port", str(self.port), *args],
                                        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self._log_file,
                                        start_new_session=True,
                                        preexec_fn=(lambda: os.sched_setaffinity(0, cores)) if cores else None)

    def wait_ready(self, timeout: float = 90) -> "Served":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped ({self.process.returncode}):\n{self.log.read_text()}")
            try:
                if httpx.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server was not ready in {timeout} s:\n{self.log.read_text()}")

    def signal(self, sig: int) -> None:
        os.kill(self.process.pid, sig)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)     # its workers too (their own session)
                self.process.wait(10)
        self._log_file.close()
