"""The service's Prometheus metrics: requests, latency, verdicts, the rules that fire, errors.

Stage: output of the service. Input: what the gate and the routes observe. Output: the text
format at `GET /metrics`. With several workers (`PROMETHEUS_MULTIPROC_DIR` set by `permitted
serve`), each worker writes its values to files there and a scrape adds up every worker's, so
one scrape answers for the whole service whichever worker takes it.
"""
from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess

# Latency buckets for a gate called on every message: most answers take milliseconds.
_BUCKETS = (0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter("permitted_requests", "HTTP requests answered, by route, method and status",
                                ["route", "method", "status"], registry=r)
        self.latency = Histogram("permitted_request_seconds", "Time to answer a request, by route",
                                 ["route"], buckets=_BUCKETS, registry=r)
        self.verdicts = Counter("permitted_verdicts", "Messages judged, by verdict", ["verdict"], registry=r)
        self.rules = Counter("permitted_rule_verdicts", "Rules that fired or could not be judged, by rule and outcome",
                             ["rule", "outcome"], registry=r)
        self.errors = Counter("permitted_errors", "Problems answered, by error code", ["code"], registry=r)
        self.reloads = Counter("permitted_policy_reloads", "Policy reloads, by outcome", ["outcome"], registry=r)

    def judged(self, report) -> None:
        self.verdicts.labels(str(report.verdict)).inc()
        for v in report.violations:
            self.rules.labels(v.rule, str(v.severity)).inc()
        for u in report.undetermined:
            self.rules.labels(u.rule, "undetermined").inc()

    def exposition(self) -> bytes:
        if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
            merged = CollectorRegistry()
            multiprocess.MultiProcessCollector(merged)
            return generate_latest(merged)
        return generate_latest(self.registry)
