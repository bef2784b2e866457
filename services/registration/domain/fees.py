"""The fee schedule: checking one before it is set, and finding the line that prices a
ticket type on a day. Lines are the contract's FeeLine as plain dicts (days as ISO text).

A ticket type may have several lines that differ by `early_until` (early-bird prices):
on a day, the line with the earliest `early_until` not yet past prices it, then the one
without. A line is sold only within its sales window (`on_sale_from`..`on_sale_until`).
The lines of one ticket type share its category, quota and approval.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.common.errors import InvalidCommand

from .currency import check_currency

Line = dict[str, Any]
SHARED = ("category", "quota", "requires_approval")


def check_schedule(lines: Sequence[Line], currency: str) -> None:
    """Refuse a schedule whose lines contradict each other or the conference's currency,
    naming the line's field (`categories[2].currency`)."""
    first: dict[str, Line] = {}
    seen: set[tuple[str, str | None]] = set()
    for i, line in enumerate(lines):
        where = f"categories[{i}]"
        check_currency(currency, line["currency"], f"{where}.currency")
        key = (line["ticket_type"], line.get("early_until"))
        if key in seen:
            until = line.get("early_until") or "no early_until"
            raise InvalidCommand(
                f"ticket type {line['ticket_type']} has two lines with {until}",
                field=f"{where}.early_until",
            )
        seen.add(key)
        other = first.setdefault(line["ticket_type"], line)
        for name in SHARED:
            if other.get(name) != line.get(name):
                raise InvalidCommand(
                    f"must be the same on every line of ticket type {line['ticket_type']}",
                    field=f"{where}.{name}",
                )


def ticket_types(lines: Sequence[Line]) -> dict[str, Line]:
    """Each ticket type's first line (what its lines share)."""
    types: dict[str, Line] = {}
    for line in lines:
        types.setdefault(line["ticket_type"], line)
    return types


def fee_for(lines: Sequence[Line], ticket_type: str, today: str) -> Line:
    """The line that prices `ticket_type` on `today` (ISO day); InvalidCommand why not."""
    own = [line for line in lines if line["ticket_type"] == ticket_type]
    if not own:
        known = ", ".join(sorted(ticket_types(lines))) or "none"
        raise InvalidCommand(f"unknown ticket type {ticket_type!r} (the schedule has {known})")
    on_sale = [line for line in own if _on_sale(line, today)]
    if not on_sale:
        windows = "; ".join(_window(line) for line in own)
        raise InvalidCommand(f"ticket type {ticket_type} is not on sale on {today} ({windows})")
    current = [line for line in on_sale if (line.get("early_until") or "9999-12-31") >= today]
    if not current:
        raise InvalidCommand(f"the prices of ticket type {ticket_type} ended before {today}")
    return min(current, key=lambda line: line.get("early_until") or "9999-12-31")


def _on_sale(line: Line, today: str) -> bool:
    return (
        (line.get("on_sale_from") or "0000-01-01")
        <= today
        <= (line.get("on_sale_until") or "9999-12-31")
    )


def _window(line: Line) -> str:
    start = line.get("on_sale_from") or "the start"
    return f"on sale from {start} until {line.get('on_sale_until') or 'the end'}"
