"""The decision log: one JSON line per decision, for auditors (opt-in: `--decision-log FILE`).

Stage: output of the service. Input: a judged message (`Checked`), its decision id and the hash
of the policy that judged it. Output: a line appended to the log — decision id, time, policy id
and hash, marketplace, verdict, the rules that fired and those undetermined, and a sha256 of the
message text. The text itself is never written; the offending spans (rule, fact, offsets and
the characters) only with `--log-evidence`. Each line is one `write` to a file opened for
appending, so the lines of several worker processes never interleave. Errors: OSError when the
file cannot be opened (at start-up, before serving).
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import threading

from permitted.checking import Checked


def text_hash(row: Checked) -> str:
    """sha256 of what was judged: the subject (if any) and the text the evidence points into."""
    digest = hashlib.sha256()
    if row.subject is not None:
        digest.update(row.subject.encode("utf-8", "surrogatepass") + b"\n\n")
    digest.update(row.text.encode("utf-8", "surrogatepass"))
    return "sha256:" + digest.hexdigest()


def decision_line(decision_id: str, row: Checked, policy_hash: str, evidence: bool) -> dict:
    report = row.report
    assert report is not None
    line = {"decision_id": decision_id,
            "time": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds"),
            "policy": {"id": report.policy_id, "hash": policy_hash},
            "marketplace": report.marketplace, "verdict": report.verdict,
            "rules": [v.rule for v in report.violations],
            "undetermined": [u.rule for u in report.undetermined],
            "message_sha256": text_hash(row)}
    if evidence:
        line["evidence"] = [{"rule": v.rule, **e.to_json()} for v in report.violations for e in v.evidence]
    return line


class DecisionLog:
    def __init__(self, path: str, evidence: bool):
        self.path = path
        self.evidence = evidence
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        self._lock = threading.Lock()

    def record(self, decision_id: str, row: Checked, policy_hash: str) -> None:
        data = json.dumps(decision_line(decision_id, row, policy_hash, self.evidence), ensure_ascii=False)
        raw = (data + "\n").encode("utf-8", "surrogatepass")
        with self._lock:
            os.write(self._fd, raw)

    def close(self) -> None:
        os.close(self._fd)
