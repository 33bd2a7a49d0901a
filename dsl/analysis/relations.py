"""What every real message's facts satisfy beyond their schema: the relations a witness must keep.

Stage: part of the diff's witness search (dsl.analysis.witness). Input: the encoder and the keys a
goal uses. Output: z3 constraints over those keys' variables. Errors: none.

The facts schema types each fact on its own; a message's facts are also bound to each other by
what they describe. A witness that breaks one of these relations (an order delivered before it
was bought, an unshipped order with a delivery date) could never be a real message, so the
search keeps to them, and a difference found only outside them is no difference:

- an order is bought, then completed (shipped or fulfilled), then delivered; and every order date
  the sender knows is on or before the day the message is sent;
- a status says how far the order got: a pending or unshipped order has no completion or
  delivery date; a shipped, partially shipped, cancelled or unfulfillable one no delivery date.

Each relation binds only facts the witness names: an unknown date is unknown, not out of order.
"""
from __future__ import annotations

import z3

from dsl.analysis.solve import Encoder

# (earlier, later): when both dates are known, the first is on or before the second.
DATE_ORDER: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("order", "purchased_at"), ("order", "completed_at")),
    (("order", "completed_at"), ("order", "delivered_at")),
    (("order", "purchased_at"), ("order", "delivered_at")),
    (("order", "purchased_at"), ("message", "sent_at")),
    (("order", "completed_at"), ("message", "sent_at")),
    (("order", "delivered_at"), ("message", "sent_at")),
)
# order.status -> the order dates it cannot have.
STATUS_WITHOUT: dict[str, tuple[str, ...]] = {
    "pending": ("completed_at", "delivered_at"),
    "unshipped": ("completed_at", "delivered_at"),
    "partially_shipped": ("delivered_at",),
    "shipped": ("delivered_at",),
    "cancelled": ("delivered_at",),
    "unfulfillable": ("delivered_at",),
}


def _known(enc: Encoder, path: tuple[str, ...]) -> z3.BoolRef:
    """The fact is there: its presence flag, or true for a fact that is always there."""
    flag = enc.vars.get(("present", "f") + path)
    return flag.expr if flag is not None else z3.BoolVal(True)


def relations(enc: Encoder, used) -> list[z3.BoolRef]:
    """The relations above, over the variables of the keys in `used`."""
    used = set(used)
    out = []
    for earlier, later in DATE_ORDER:
        a, b = ("val", ("f",) + earlier), ("val", ("f",) + later)
        if a in used and b in used:
            out.append(z3.Implies(z3.And(_known(enc, earlier), _known(enc, later)),
                                  enc.vars[a].expr <= enc.vars[b].expr))
    status = ("val", ("f", "order", "status"))
    if status in used:
        domain = enc.domain(enc.vars[status].info)
        for value, dates in STATUS_WITHOUT.items():
            if value not in domain:
                continue
            for date in dates:
                if ("present", "f", "order", date) in used:
                    out.append(z3.Implies(z3.And(_known(enc, ("order", "status")),
                                                 enc.vars[status].expr == domain.index(value)),
                                          z3.Not(_known(enc, ("order", date)))))
    return out
