"""Several service workers on one port, each listening on a socket of its own.

Stage: the service's process supervisor, started by `permitted serve --workers N` (N above 1).
Input: uvicorn's configuration of a worker, the address and the number of workers. Output:
running workers until SIGINT or SIGTERM; whether they all started.

Why not uvicorn's own supervisor: it gives every worker the same listening socket, and an
asyncio worker accepts every pending connection when its loop wakes, so a client that opens its
keep-alive connections at once can land all of them on one worker while the others stay idle
(measured: eight connections and two workers, one worker at 100% of a core, the other idle).
Here each worker listens on its own socket, all bound to the one address with SO_REUSEPORT, and
the kernel spreads new connections over them by a hash of each connection's addresses.

The parent binds the sockets before any worker starts, so `--port 0` picks one port for all and
a port in use is reported at once. A worker that dies is started again on the same socket: the
connections queued on it wait for the replacement instead of being refused. A worker that stops
answering the parent's health checks (a thread of its own answers them, every few seconds) is
taken for stuck, killed and replaced the same way. SIGHUP is passed on to every worker (each
compiles its policies aside and swaps them in itself), SIGINT and SIGTERM stop them all. Where
the kernel does not spread connections over such sockets (only Linux's does), the workers share
one socket, as uvicorn's do.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

import uvicorn
from uvicorn.config import STARTUP_FAILURE

from dsl.contract.errors import Diagnostic, UsageError

log = logging.getLogger("uvicorn.error")

# A fresh interpreter per worker, as uvicorn does: nothing of the parent's state is shared by accident.
_SPAWN = multiprocessing.get_context("spawn")
_STOP = (signal.SIGINT, signal.SIGTERM)
_QUICK_DEATH = 1.0       # seconds: a worker that dies sooner after its start is restarted no faster
_CHECK_EVERY = 5.0       # seconds between health checks of the workers
_ANSWER_WITHIN = 10.0    # seconds a worker has to answer one before it is taken for stuck
_STARTING = 60.0         # seconds after its start when a worker is not checked yet (it imports, compiles)
_GRACE = 30.0            # seconds a stopping worker has to finish its requests before it is killed


def _one_socket(host: str, port: int, reuse_port: bool) -> socket.socket:
    # IPPROTO_TCP named, not left 0: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on
    # connections whose socket says TCP, and with it on, a small answer can wait 40 ms for an ACK
    # (measured: 64 ms a request at concurrency 1 instead of 22).
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    return sock


def listening_sockets(host: str, port: int, count: int, backlog: int) -> list[socket.socket]:
    """`count` sockets listening on one address (one socket, shared, off Linux).

    The address is first bound without SO_REUSEPORT and let go: that bind fails if anything
    listens there already, which a SO_REUSEPORT bind would not notice when the other listener is
    another server of the same user (it would silently share the port with it).
    """
    # Linux spreads new connections over sockets sharing a port; macOS and the BSDs accept
    # SO_REUSEPORT but hand every connection to one of the sockets, so there the workers share one.
    reuse_port = sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT") and count > 1
    try:
        with _one_socket(host, port, reuse_port=False) as probe:
            port = probe.getsockname()[1]
        sockets: list[socket.socket] = []
        try:
            for _ in range(count if reuse_port else 1):
                sockets.append(_one_socket(host, port, reuse_port))
                sockets[-1].listen(backlog)       # connections wait in the queue while a worker starts
        except BaseException:
            for sock in sockets:
                sock.close()
            raise
    except OSError as exc:
        raise UsageError([Diagnostic("U100", f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                                     help="choose another --port, or stop what listens there")]) from None
    return sockets


def _answer_checks(checks: Connection) -> None:
    """A worker's thread that answers the parent's health checks. It runs only while the worker's
    interpreter does: a worker stuck in a call that holds the interpreter lock never answers."""
    while True:
        try:
            checks.recv()
            checks.send(True)
        except (EOFError, OSError):
            return


def _serve(config: uvicorn.Config, sock: socket.socket, checks: Connection) -> None:
    """A worker: uvicorn serving the app on its one socket (run in a spawned process)."""
    config.configure_logging()          # a spawned interpreter starts with none
    threading.Thread(target=_answer_checks, args=(checks,), name="health-checks", daemon=True).start()
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:           # Ctrl-C reaches the whole process group; the parent reports the stop
        pass


@dataclass
class _Worker:
    sock: socket.socket
    process: multiprocessing.process.BaseProcess | None = None
    checks: Connection | None = None         # the parent's end of the health-check pipe
    started: float = 0.0
    answered: bool = False                   # has answered a check since it started
    asked: float | None = None               # when the unanswered check was sent
    next_check: float = 0.0

    def start(self, config: uvicorn.Config) -> None:
        if self.checks is not None:
            self.checks.close()
        self.checks, theirs = _SPAWN.Pipe()
        self.process = _SPAWN.Process(target=_serve, args=(config, self.sock, theirs), name="permitted-serve-worker")
        self.process.start()
        theirs.close()
        self.started = self.next_check = time.monotonic()
        self.answered, self.asked = False, None
        log.info("worker [%d] started", self.process.pid)

    def answer_by(self) -> float:
        """When a check sent to it counts as unanswered: a worker still starting (importing,
        compiling its policies) answers its first one only once its interpreter is up."""
        return self.asked + _ANSWER_WITHIN if self.answered else max(self.asked + _ANSWER_WITHIN,
                                                                     self.started + _STARTING)

    def next_event(self) -> float:
        return self.next_check if self.asked is None else self.answer_by()


class Supervisor:
    """The parent of the workers; `run` returns False when a worker could not start its app."""

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket], workers: int):
        self.config = config
        self.workers = [_Worker(sockets[i % len(sockets)]) for i in range(workers)]

    def run(self) -> bool:
        wake_read, wake_write = socket.socketpair()
        wake_write.setblocking(False)
        # Signals are read from a socket the handlers' C part writes to, so the loop below
        # waits on signals and on its workers' deaths at once.
        previous = {sig: signal.signal(sig, lambda *_: None) for sig in (*_STOP, signal.SIGHUP)}
        previous_wakeup = signal.set_wakeup_fd(wake_write.fileno(), warn_on_full_buffer=False)
        try:
            for worker in self.workers:
                worker.start(self.config)
            return self._watch(wake_read)
        finally:
            self._stop()
            signal.set_wakeup_fd(previous_wakeup)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            wake_read.close()
            wake_write.close()

    def _watch(self, wake: socket.socket) -> bool:
        while True:
            sentinels = {w.process.sentinel: w for w in self.workers if w.process is not None}
            asked = {w.checks: w for w in self.workers if w.asked is not None}
            until = min(w.next_event() for w in self.workers)
            ready = wait([wake, *sentinels, *asked], timeout=max(0.0, until - time.monotonic()))
            # Signals first: a Ctrl-C also stops the workers, and their exits are then no deaths.
            if wake in ready:
                for number in wake.recv(64):
                    if number in _STOP:
                        log.info("received %s, stopping the workers", signal.Signals(number).name)
                        return True
                    if number == signal.SIGHUP:
                        self._pass_on(signal.SIGHUP)
            for item in ready:
                if item in asked:
                    if item is asked[item].checks:      # not a pipe of a worker replaced just now
                        self._answered(asked[item])
                elif item in sentinels and not self._replace(sentinels[item]):
                    return False
            self._check(time.monotonic())

    @staticmethod
    def _answered(worker: _Worker) -> None:
        try:
            worker.checks.recv()
        except (EOFError, OSError):
            return                              # it died: its sentinel says so
        worker.answered, worker.asked = True, None
        worker.next_check = time.monotonic() + _CHECK_EVERY

    def _check(self, now: float) -> None:
        """Send the checks that are due; kill a worker that let one go unanswered."""
        for worker in self.workers:
            if worker.process is None or not worker.process.is_alive():
                continue
            if worker.asked is not None and now >= worker.answer_by():
                # Stuck (deadlocked, or in a call that never returns): killed; its death brings a
                # replacement on the same socket.
                log.error("worker [%d] did not answer a health check within %.0f s; killing it",
                          worker.process.pid, now - worker.asked)
                worker.process.kill()
                worker.asked = None
            elif worker.asked is None and now >= worker.next_check:
                try:
                    worker.checks.send(None)
                    worker.asked = now
                except OSError:
                    pass                        # it died: its sentinel says so

    def _pass_on(self, sig: int) -> None:
        for worker in self.workers:
            if worker.process is not None and worker.process.is_alive():
                os.kill(worker.process.pid, sig)

    def _replace(self, worker: _Worker) -> bool:
        process = worker.process
        process.join()
        if process.exitcode == STARTUP_FAILURE:
            # Its app did not start (e.g. the policies do not compile): every restart would fail alike.
            log.error("worker [%d] could not start; stopping", process.pid)
            return False
        log.warning("worker [%d] stopped (exit %s); starting another on its socket", process.pid, process.exitcode)
        time.sleep(max(0.0, worker.started + _QUICK_DEATH - time.monotonic()))
        worker.start(self.config)
        return True

    def _stop(self) -> None:
        alive = [w.process for w in self.workers if w.process is not None and w.process.is_alive()]
        for process in alive:
            process.terminate()             # SIGTERM: uvicorn finishes the requests in flight
        deadline = time.monotonic() + _GRACE
        for process in alive:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                log.error("worker [%d] did not stop within %g s; killed", process.pid, _GRACE)
                process.kill()
                process.join()
        for worker in self.workers:
            worker.sock.close()
            if worker.checks is not None:
                worker.checks.close()
