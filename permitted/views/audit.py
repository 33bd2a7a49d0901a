"""The summary of an audit: verdicts per marketplace and the rules that fired most (rich tables).

Stage: output of `permitted audit`. Input: a permitted.batch.Tally. Nothing here prints.
"""
from __future__ import annotations

from rich.table import Table
from rich.text import Text

from dsl.contract.verdict import Verdict

from permitted.batch import Tally
from permitted.views.visible import visible_line


def summary_tables(tally: Tally, top: int) -> list[Table]:
    columns = (*Verdict, "error")
    verdicts = Table("marketplace", *columns, "total", title="verdicts")
    for market in sorted({m for m, _ in tally.verdicts}):
        counts = [tally.verdicts[(market, c)] for c in columns]
        verdicts.add_row(Text(visible_line(market)), *map(str, counts), str(sum(counts)))
    out = [verdicts]
    if tally.rules:
        rules = Table("rule", "messages", title=f"most frequent rules (top {min(top, len(tally.rules))})")
        for rule, n in tally.rules.most_common(top):
            rules.add_row(Text(visible_line(rule)), str(n))
        out.append(rules)
    return out
