"""Processes seen from /proc, for the tests that check what a command's workers do (Linux only;
the tests that need it skip elsewhere)."""
from __future__ import annotations

from pathlib import Path


def children(pid: int, running: str = "") -> list[int]:
    """The live child processes of `pid` (from /proc); with `running`, only those whose command
    line holds it."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z" and running in _command_line(entry):
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _command_line(entry: Path) -> str:
    try:
        return (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""
