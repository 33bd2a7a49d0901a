"""Where a command's finished document goes: standard output or the file of `--out`.

Input: a document (JSON, SARIF, HTML, Markdown, a unified diff) or the path of `--out`.
Output: the document written, or an open file. Errors: UsageError U100 for a file that cannot be
written, whatever the format, so `--out` to a missing folder is one clean line, never a traceback.
"""
from __future__ import annotations

from typing import IO

from rich.console import Console

from dsl.contract.errors import Diagnostic, UsageError

from permitted.views.visible import visible


def open_output(path: str, mode: str = "w") -> IO:
    """`path` opened for writing (text as UTF-8); U100 when it cannot be."""
    try:
        if "b" in mode:
            return open(path, mode)
        return open(path, mode, encoding="utf-8")
    except OSError as exc:
        raise cannot_write(path, exc) from None


def cannot_write(path: str, exc: OSError) -> UsageError:
    return UsageError([Diagnostic("U100", f"cannot write {path}: {exc.strerror or exc}")])


def write_document(text: str, out: str | None, console: Console) -> None:
    """Write a finished document as it is: no markup, no emoji codes (`:smile:` in a message must
    stay `:smile:` in its JSON), no wrapping. Every character that could act on a terminal is
    shown (`visible`): a document holds none of its own, and a message's may not pass through."""
    text = visible(text)
    if not text.endswith("\n"):
        text += "\n"
    if out is None:
        console.out(text, end="", highlight=False)
        return
    with open_output(out) as f:
        try:
            f.write(text)
        except OSError as exc:            # a full disk, a file that went away
            raise cannot_write(out, exc) from None
