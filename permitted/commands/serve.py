"""`permitted serve`: the HTTP pre-send gate (permitted.service), on uvicorn.

Input: parsed arguments. Output: a running service until Ctrl-C or SIGTERM; exit 0 after a clean
stop, 2 when the policies do not compile or an option is wrong (the diagnostics are shown before
the port is bound). With `--workers N` above 1, permitted.service.workers runs N processes, each
listening on its own socket bound to the one port; SIGHUP to it is passed on to each worker,
which reloads its policies itself, so a broken policy never replaces a working worker.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from rich.console import Console

from dsl.contract.errors import Diagnostic, PolicyError, UsageError

from permitted.commands.messages import at_least
from permitted.exitcodes import Exit
from permitted.service.settings import Settings


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise UsageError([Diagnostic("U100", f"--time-limit must be a number of seconds above 0, not `{text}`")])
    return value


def add_parser(sub) -> None:
    serve = sub.add_parser("serve", description="Serve the pre-send gate over HTTP (OpenAPI at /openapi.json).")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, loopback only)")
    serve.add_argument("--port", type=at_least(0, "--port"), default=8080, help="port (default 8080)")
    serve.add_argument("--workers", type=at_least(1, "--workers"), default=1, metavar="N",
                       help="worker processes (default 1; about one per core)")
    serve.add_argument("--policy-dir", metavar="DIR", help="the policy tree to serve (default: the bundled policies)")
    serve.add_argument("--token-file", metavar="FILE",
                       help="require `Authorization: Bearer <token>` on every route but /healthz and /readyz; "
                            "FILE holds the tokens, one a line")
    serve.add_argument("--decision-log", metavar="FILE",
                       help="append one JSON line per decision to FILE (no message text: a hash of it)")
    serve.add_argument("--log-evidence", action="store_true",
                       help="the decision log also keeps the offending spans' text")
    serve.add_argument("--max-body", type=at_least(1, "--max-body"), default=Settings.max_body, metavar="BYTES",
                       help=f"largest request body (default {Settings.max_body:,})")
    serve.add_argument("--max-batch", type=at_least(1, "--max-batch"), default=Settings.max_batch, metavar="N",
                       help=f"most messages in one batch (default {Settings.max_batch})")
    serve.add_argument("--time-limit", type=_seconds, default=Settings.time_limit, metavar="SECONDS",
                       help=f"answer 503 (I192) to a request not judged within it (default {Settings.time_limit:g})")
    serve.add_argument("--max-pending", type=at_least(1, "--max-pending"), default=Settings.max_pending, metavar="N",
                       help=f"requests one worker takes at once; more are answered 429 (default {Settings.max_pending})")
    serve.add_argument("--access-log", action="store_true", help="log every request (off by default: it costs time)")
    serve.add_argument("--log-level", choices=["critical", "error", "warning", "info", "debug"], default="info")
    serve.set_defaults(run=run)


def _settings(args) -> Settings:
    if args.policy_dir is not None and not Path(args.policy_dir).is_dir():
        raise UsageError([Diagnostic("U100", f"--policy-dir {args.policy_dir}: not a folder")])
    if args.decision_log is not None:
        try:
            Path(args.decision_log).open("a").close()
        except OSError as exc:
            raise UsageError([Diagnostic("U100", f"--decision-log {args.decision_log}: cannot write: "
                                                 f"{exc.strerror or exc}")]) from None
    return Settings(policy_dir=args.policy_dir, token_file=args.token_file, decision_log=args.decision_log,
                    log_evidence=args.log_evidence, max_body=args.max_body, max_batch=args.max_batch,
                    time_limit=args.time_limit, max_pending=args.max_pending, workers=args.workers)


def run(args, console: Console, err: Console) -> Exit:
    import uvicorn

    settings = _settings(args)
    common = dict(host=args.host, port=args.port, log_level=args.log_level, access_log=args.access_log,
                  lifespan="on", server_header=False)
    if settings.workers == 1:
        from permitted.service.app import create_app
        from permitted.service.policies import Policies

        policies = Policies(settings.policy_root)
        outcome = policies.reload()
        if not outcome.ok:          # shown by permitted.cli, exit 2, before the port is bound
            raise PolicyError(outcome.errors)
        uvicorn.Server(uvicorn.Config(create_app(settings, policies), **common)).run()
        return Exit.ALLOWED
    return _run_workers(settings, common)


def _run_workers(settings: Settings, common: dict) -> Exit:
    import uvicorn

    from permitted.service.policies import problems_of
    from permitted.service.workers import Supervisor, listening_sockets

    # The policies are compiled once here, so that a tree that does not compile is reported as
    # with one worker, before the port is bound; in a child process, so that the supervisor
    # stays small (it judges nothing) and the compiled policies are cached on disk for the workers.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        problems = pool.submit(problems_of, settings.policy_root).result()
    if problems:
        raise PolicyError(problems)
    settings.to_environment()
    config = uvicorn.Config("permitted.service.app:app_from_environment", factory=True,
                            workers=settings.workers, **common)
    sockets = listening_sockets(config.host, config.port, settings.workers, config.backlog)
    port = sockets[0].getsockname()[1]
    logging.getLogger("uvicorn.error").info(
        "permitted serve on http://%s:%d with %d workers (Press CTRL+C to quit)",
        f"[{config.host}]" if ":" in config.host else config.host, port, settings.workers)
    # Each worker's metrics go to files here, so a scrape of any worker adds them all up.
    metrics_dir = tempfile.mkdtemp(prefix="permitted-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    try:
        started = Supervisor(config, sockets, settings.workers).run()
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
    if not started:
        raise UsageError([Diagnostic("U100", "the workers could not start the service; their log above says why")])
    return Exit.ALLOWED
