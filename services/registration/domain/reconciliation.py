"""An order reconciled after the event (23.1.3): what it owes against the money that moved,
and its fapiao against what it keeps.

- `due_minor`: what the order keeps. A cancelled order keeps what was paid less the refunds
  asked for (its cancellation asked for the one its refund rules give); any other keeps
  its total, less the refunds asked for beyond an overpayment (a price reduced by a
  partial refund).
- `outstanding_minor`: |due - (paid - refunded)|; above the due is to refund (a refund
  asked and not completed, an overpayment not given back), below it is to collect.
- `fapiao_open`: the fapiao still to issue, or to reverse by a red-letter one
  (`fapiao.open_count` against what the order keeps).
"""

from __future__ import annotations

from typing import Any

from .fapiao import Fapiao, open_count
from .orders import Order


def figures(order: Order, fapiao: list[Fapiao]) -> dict[str, Any]:
    paid = order.paid_minor
    asked = order.refunded_minor + order.refunding_minor
    if order.status == "cancelled":
        due = paid - asked
    else:
        overpaid = max(paid - order.total_minor, 0)
        due = order.total_minor - max(asked - overpaid, 0)
    net = paid - order.refunded_minor
    kept = max(min(paid - asked, order.total_minor), 0)
    return {
        "due_minor": due,
        "paid_minor": paid,
        "refunded_minor": order.refunded_minor,
        "outstanding_minor": abs(due - net),
        "currency": order.currency,
        "fapiao_open": open_count(fapiao, kept),
    }


def to_collect(figures: dict[str, Any]) -> int:
    return max(figures["due_minor"] - (figures["paid_minor"] - figures["refunded_minor"]), 0)


def to_refund(figures: dict[str, Any]) -> int:
    return max(figures["paid_minor"] - figures["refunded_minor"] - figures["due_minor"], 0)
