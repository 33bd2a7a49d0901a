"""Where the grammar and the bundled policies live, in a checkout and in an installed wheel.

In a checkout `grammar.lark` and `policies/` sit at the repository root, beside `dsl/`; a wheel
carries them as `dsl/grammar.lark` and `permitted/policies/` (see pyproject.toml).
"""
from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def grammar_path() -> Path:
    packaged = _HERE / "grammar.lark"
    return packaged if packaged.is_file() else _HERE.parent / "grammar.lark"


def policies_dir() -> Path:
    checkout = _HERE.parent / "policies"
    return checkout if checkout.is_dir() else _HERE.parent / "permitted" / "policies"
