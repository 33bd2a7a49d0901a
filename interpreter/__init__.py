"""The interpreter: facts -> report. Imports only the contract modules of `dsl`."""
from .evaluate import evaluate, outcomes
from .facts import Facts, build_facts
from .report import Report

__all__ = ["evaluate", "outcomes", "Facts", "build_facts", "Report"]
