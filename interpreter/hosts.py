"""Which hosts are Amazon's: policies/amazon-hosts.json, read once.

Stage: used by the normaliser when it records links and images. Input: a host name.
Output: whether it is an Amazon host or a subdomain of one.
"""
from __future__ import annotations

import json
from functools import lru_cache

from dsl.resources import policies_dir


@lru_cache(maxsize=1)
def amazon_hosts() -> frozenset[str]:
    data = json.loads((policies_dir() / "amazon-hosts.json").read_text(encoding="utf-8"))
    return frozenset(h.lower() for h in data["hosts"])


# No listed host has more labels than this; only a host's last labels need checking, which
# keeps the check short for absurd hosts such as www.www.www.… written in a message.
_MAX_LABELS = 4


def is_amazon_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    if len(host) > 253:                  # longer than any real host name
        return False
    parts = host.split(".")[-(_MAX_LABELS + 1):]
    hosts = amazon_hosts()
    return any(".".join(parts[i:]) in hosts for i in range(len(parts) - 1))
