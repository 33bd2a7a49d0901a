"""`permitted policies`: the bundled policy versions, and which is in force today."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table

from dsl.contract.errors import PolicyError
from dsl.contract.resources import display_path

from permitted.exitcodes import Exit
from permitted.store import default_store


def add_parser(sub) -> None:
    sub.add_parser("policies").set_defaults(run=run)


def run(args, console: Console, err: Console) -> Exit:
    table = Table("id", "marketplace", "in force from", "file")
    catalogue = default_store().catalogue
    for market, vs in catalogue.versions.items():
        try:
            current = catalogue.in_force(market)
        except PolicyError:          # every version of this marketplace starts in the future
            current = None
        for v in vs:
            table.add_row(v.id + (" (in force today)" if v == current else ""), market, v.effective.isoformat(),
                          display_path(v.path))
    console.print(table)
    return Exit.ALLOWED
