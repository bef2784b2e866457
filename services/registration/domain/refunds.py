"""The refund rules of a conference, as simple as they can be and still be explicit:

- an order the organiser cancels is refunded in full;
- one its buyer cancels is refunded in full until `full_refund_until`, by
  `partial_refund_percent` of what was paid until `partial_refund_until`, and not at all
  after (rounded down to the minor unit);
- an attendee may be substituted until `substitution_until`.

Without a policy set: full refund until the day before the conference starts, none from
its first day; substitution until its last day. Days are the conference's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

Policy = dict[str, Any]


def default_policy(starts_on: str, ends_on: str) -> Policy:
    day_before = (dt.date.fromisoformat(starts_on) - dt.timedelta(days=1)).isoformat()
    return {
        "full_refund_until": day_before,
        "partial_refund_until": None,
        "partial_refund_percent": 0,
        "substitution_until": ends_on,
    }


def refund_due(policy: Policy, paid_minor: int, today: str, by_organiser: bool) -> int:
    """What a cancellation on `today` returns of `paid_minor` (what was paid, net of refunds)."""
    if paid_minor <= 0:
        return 0
    if by_organiser or today <= policy["full_refund_until"]:
        return paid_minor
    partial_until = policy.get("partial_refund_until")
    if partial_until and today <= partial_until:
        return paid_minor * int(policy.get("partial_refund_percent") or 0) // 100
    return 0


def may_substitute(policy: Policy, today: str) -> bool:
    until = policy.get("substitution_until")
    return until is None or today <= until
