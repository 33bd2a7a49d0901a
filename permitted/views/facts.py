"""Show the facts the rules see in one message (`permitted facts-of`): a rich tree, or JSON.

Stage: output of `facts-of`. Input: a facts record (interpreter.facts.record.Facts.data).
Output: a rich renderable or a JSON string. Nothing here prints.
"""
from __future__ import annotations

import json

from rich.text import Text
from rich.tree import Tree

from dsl.contract.schema import as_json_data

from permitted.views.visible import json_text, visible_line


def facts_json(data: dict) -> str:
    return json_text(as_json_data(data), indent=2)


def _shown(value) -> str:
    """A value as JSON, every character of it visible (JSON leaves bidi controls and DEL raw)."""
    return visible_line(json.dumps(as_json_data(value), ensure_ascii=False))


def _item_label(item: dict) -> Text:
    label = Text()
    if "start" in item and "end" in item:
        shown = item.get("text") or item.get("url") or item.get("address") or ""
        label.append(_shown(shown), style="bold")
        label.append(f" @{item['start']}..{item['end']}", style="cyan")
    rest = {k: v for k, v in item.items() if k not in ("start", "end", "text")}
    if rest:
        label.append("  " + ", ".join(f"{k}={_shown(v)}" for k, v in rest.items()),
                     style="dim")
    return label


def message_facts_tree(data: dict, source: str) -> Tree:
    root = Tree(Text(visible_line(source), style="bold"))
    for group, values in data.items():
        branch = root.add(Text(group, style="bold cyan"))
        for key, value in values.items():
            if isinstance(value, list):
                node = branch.add(Text.assemble((key, "cyan"), (f"  {len(value)}", "magenta")))
                for item in value:
                    node.add(_item_label(item) if isinstance(item, dict) else Text(_shown(item)))
            elif isinstance(value, dict):
                node = branch.add(Text(key, style="cyan"))
                for k, v in value.items():
                    node.add(Text.assemble((k, "cyan"), " = ", _shown(v)))
            elif key == "text":
                branch.add(Text.assemble(("text", "cyan"), " = ", (_shown(value), "green")))
            else:
                branch.add(Text.assemble((key, "cyan"), " = ", _shown(value)))
    return root
