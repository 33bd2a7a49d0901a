"""The reference paths: the plain implementation kept beside each fast one, for proving them equal.

Every fast path of the engine has a slower twin that is obviously right: the regular-expression
phrase matcher beside the Aho-Corasick scan (interpreter.evaluation.phrases), jsonschema beside
the compiled envelope validator (dsl.contract.schema), a fresh compile beside the on-disk policy
cache (permitted.cache), the packages' own language model and word lists beside the copies kept
unpacked on disk (interpreter.facts.language). With PERMITTED_REFERENCE=1 in the environment of a new process, every
one of them takes its reference path; tests/test_same_reports.py judges the same messages both
ways, in two processes, and requires byte-identical reports.
"""
from __future__ import annotations

import os

REFERENCE = os.environ.get("PERMITTED_REFERENCE") == "1"
