"""What a rule's firing means and what a message's judgement is (contract module).

String enums: a member equals its value, so JSON, YAML and the report contract carry the plain
words (`"block"`, `"blocked"`), while code names the members instead of repeating the words.
"""
from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    BLOCK = "block"          # the marketplace would stop the message
    WARN = "warn"            # a person should look before it is sent


class Verdict(StrEnum):
    ALLOWED = "allowed"
    REVIEW = "review"        # nothing blocks, but a warning fired or a rule could not be judged
    BLOCKED = "blocked"


def verdict_of(severities, undetermined: bool) -> Verdict:
    """The verdict of a message from the severities of the rules that fired and whether any rule
    came out undetermined: blocked if a `block` rule fired, else review if anything fired or is
    undetermined, else allowed."""
    severities = tuple(severities)
    if Severity.BLOCK in severities:
        return Verdict.BLOCKED
    if severities or undetermined:
        return Verdict.REVIEW
    return Verdict.ALLOWED
