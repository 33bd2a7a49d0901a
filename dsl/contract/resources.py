"""Where the grammar and the bundled policies live, in a checkout and in an installed wheel.

In a checkout `grammar.lark` and `policies/` sit at the repository root, beside `dsl/`; a wheel
carries them as `dsl/grammar.lark` and `permitted/policies/` (see pyproject.toml). The packaged
copy wins when present, so an installed wheel never reads a stray `policies/` folder that
happens to sit beside it in site-packages.
"""
from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent.parent      # the dsl package, above contract/
_PACKAGED = (_HERE / "grammar.lark").is_file()


def display_path(path: Path) -> str:
    """A path as the user would write it: relative to the working directory when inside it."""
    resolved = Path(path).resolve()
    try:
        return str(resolved.relative_to(Path.cwd()))
    except ValueError:
        return str(resolved)


def grammar_path() -> Path:
    return _HERE / "grammar.lark" if _PACKAGED else _HERE.parent / "grammar.lark"


def policies_dir() -> Path:
    return _HERE.parent / "permitted" / "policies" if _PACKAGED else _HERE.parent / "policies"
