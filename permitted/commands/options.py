"""Options several commands share: which policy judges a message, or which policy to show."""
from __future__ import annotations

import argparse
from pathlib import Path

from permitted.commands import messages


def choice_options(p: argparse.ArgumentParser) -> None:
    """How `check` and `audit` choose the policy for each message."""
    g = p.add_argument_group("which policy judges each message")
    g.add_argument("--as-of", type=messages.date_argument, metavar="DATE",
                   help="the version in force on DATE (default: the day each message was sent, else today)")
    g.add_argument("--policy", metavar="FILE|ID", help="one policy for every message: a file or an id such as us@2018-10-12")


def policy_options(p: argparse.ArgumentParser) -> None:
    """How `explain` chooses the policies to look in."""
    p.add_argument("--marketplace", "-m", metavar="M", help="marketplace code: US, UK, SA, …")
    p.add_argument("--as-of", type=messages.date_argument, metavar="DATE", help="the version in force on DATE (default: today)")
    p.add_argument("--policy", metavar="FILE|ID", help="a policy file or id such as us@2018-10-12")


def _folder(text: str) -> Path:
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"not a folder: {text}")
    return path


def policy_root_option(p: argparse.ArgumentParser) -> None:
    """`--policy-root`: the folder a policy's `extends:` may reach into (dsl.stages.bases)."""
    p.add_argument("--policy-root", type=_folder, metavar="DIR",
                   help="the policy tree: every `extends:` must stay inside DIR "
                        "(default: the folder holding base/ above each policy file, else its own folder)")
