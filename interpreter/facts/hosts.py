"""Which hosts are Amazon's: policies/amazon-hosts.json, read once.

Stage: used by the normaliser when it records links and images. Input: a host name.
Output: whether it is an Amazon host or a subdomain of one.
"""
from __future__ import annotations

import json
from functools import lru_cache

from dsl.contract.resources import policies_dir


@lru_cache(maxsize=1)
def amazon_hosts() -> frozenset[str]:
    data = json.loads((policies_dir() / "amazon-hosts.json").read_text(encoding="utf-8"))
    return frozenset(h.lower() for h in data["hosts"])


@lru_cache(maxsize=1)
def _most_labels() -> int:
    return max((h.count(".") + 1 for h in amazon_hosts()), default=1)


def is_amazon_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    if len(host) > 253:                  # longer than any real host name
        return False
    # Only a host's last labels can name a listed host (or its parent domain), which keeps the
    # check short for absurd hosts such as www.www.www.… written in a message.
    parts = host.split(".")[-(_most_labels() + 1):]
    hosts = amazon_hosts()
    return any(".".join(parts[i:]) in hosts for i in range(len(parts) - 1))
