"""What `permitted serve` configures, passed to every worker process.

Stage: configuration. Input: the command line (permitted.commands.serve). Output: `Settings`, a
frozen value; with several workers it travels to each one in an environment variable, as JSON.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

ENVIRONMENT = "PERMITTED_SERVE_SETTINGS"


@dataclass(frozen=True)
class Settings:
    policy_dir: str | None = None          # the policy tree (marketplace folders); None: the bundled one
    token_file: str | None = None          # bearer tokens, one a line; None: no authentication
    decision_log: str | None = None        # JSONL file of decisions; None: none kept
    log_evidence: bool = False             # the decision log keeps the offending spans' text
    max_body: int = 1_000_000              # bytes of one request body
    max_batch: int = 100                   # envelopes in one batch
    time_limit: float = 10.0               # seconds to answer one request
    max_pending: int = 64                  # requests one worker judges at once; more are answered 429
    workers: int = 1

    def to_environment(self) -> None:
        os.environ[ENVIRONMENT] = json.dumps(asdict(self))

    @classmethod
    def from_environment(cls) -> "Settings":
        raw = os.environ.get(ENVIRONMENT)
        return cls(**json.loads(raw)) if raw else cls()

    @property
    def policy_root(self) -> Path | None:
        return Path(self.policy_dir).resolve() if self.policy_dir else None
