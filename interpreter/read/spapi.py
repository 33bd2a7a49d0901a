"""SP-API Messaging requests as envelopes: the JSON body of an operation, by operation name.

Stage: reading messages, before normalisation. Input: the operation name (e.g.
`confirmCustomizationDetails`) and the request body. Output: envelope fields — channel `api`,
`api_message_type`, the text, the attachments with the purpose the operation implies, and the
contact reason the operation implies (a request body has no field for it; the reasons are
data, in policies/sp-api-reasons.json). Which fields each operation's body carries follows
Amazon's Selling Partner API Messaging reference (v1). Errors: InputError I100 for an unknown operation or fields the operation does
not take.
"""
from __future__ import annotations

import json
import mimetypes
from functools import lru_cache
from types import MappingProxyType
from typing import Mapping

from dsl.contract.errors import Diagnostic, InputError, did_you_mean
from dsl.contract.resources import policies_dir

# operation -> (fields its body takes, purpose of its attachments)
OPERATIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "confirmCustomizationDetails": (frozenset({"text", "attachments"}), "custom_design"),
    "createConfirmDeliveryDetails": (frozenset({"text"}), None),
    "createLegalDisclosure": (frozenset({"attachments"}), "other"),
    "createNegativeFeedbackRemoval": (frozenset(), None),
    "createConfirmOrderDetails": (frozenset({"text"}), None),
    "createConfirmServiceDetails": (frozenset({"text"}), None),
    "createAmazonMotors": (frozenset({"attachments"}), "other"),
    "createWarranty": (frozenset({"attachments", "coverageStartDate", "coverageEndDate"}), "warranty"),
    "createDigitalAccessKey": (frozenset({"text", "attachments"}), "other"),
    "createUnexpectedProblem": (frozenset({"text"}), None),
    "sendInvoice": (frozenset({"attachments"}), "invoice"),
}


@lru_cache(maxsize=1)
def implied_reasons() -> Mapping[str, str]:
    """operation -> the contact reason (facts.schema.json `message.reason`) its purpose is."""
    data = json.loads((policies_dir() / "sp-api-reasons.json").read_text(encoding="utf-8"))
    return MappingProxyType(dict(data["reasons"]))


def _fail(source: str, message: str, help: str | None = None) -> InputError:
    return InputError([Diagnostic("I100", f"{source}: {message}", help=help)])


def api_envelope(operation: str, body: object, source: str, given: Mapping | None = None) -> dict:
    """The envelope fields of one request; a reason in `given` (a flag) wins over the implied one."""
    if operation not in OPERATIONS:
        raise _fail(source, f"unknown SP-API Messaging operation `{operation}`",
                    did_you_mean(operation, OPERATIONS) or "operations: " + ", ".join(OPERATIONS))
    if not isinstance(body, Mapping):
        raise _fail(source, f"the body of `{operation}` must be a JSON object")
    takes, purpose = OPERATIONS[operation]
    extra = sorted(set(body) - takes)
    if extra:
        raise _fail(source, f"`{operation}` does not take {', '.join(f'`{k}`' for k in extra)}",
                    "it takes " + (", ".join(f"`{k}`" for k in sorted(takes)) or "no fields"))
    fields: dict = {"channel": "api", "api_message_type": operation, "body": str(body.get("text", ""))}
    reason = implied_reasons().get(operation)
    if reason is not None and "reason" not in (given or {}):
        fields["reason"] = reason
    attachments = []
    for i, item in enumerate(body.get("attachments") or ()):
        if not isinstance(item, Mapping) or not isinstance(item.get("fileName"), str):
            raise _fail(source, f"attachments[{i}] needs a `fileName`")
        name = item["fileName"]
        record = {"filename": name, "content_type": mimetypes.guess_type(name)[0] or "application/octet-stream"}
        if purpose:
            record["purpose"] = purpose
        attachments.append(record)
    if attachments:
        fields["attachments"] = attachments
    return fields
