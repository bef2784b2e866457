"""Continuous work: an entry whose work goes on over a window, from the day it opens
(`opens_on`) to its due date, such as keeping the ledger or answering registration
questions. Pure: days come in as arguments.

While the window is open, what would prove work done once is only progress: the events of
its rule are gathered, and evidence is refused. The entry is verified at the end, from its
due date on: when its rule holds then (an event it listens to arrives, or the daily
overdue check finds it holding), or by evidence recorded then. So unfinished continuous
work is never shown as done.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.common.errors import Conflict, InvalidCommand


def is_continuous(entry: Any) -> bool:
    return getattr(entry, "opens_on", None) is not None


def has_ended(entry: Any, on: dt.date | None) -> bool:
    """Whether the entry may be verified on day `on` (in the conference's time zone):
    always for work done once; for continuous work, from its due date on."""
    if not is_continuous(entry):
        return True
    return on is not None and on >= dt.date.fromisoformat(entry.due_on)


def check_evidence_day(entry: Any, on: dt.date | None) -> None:
    if not has_ended(entry, on):
        raise Conflict(
            f"entry {entry.code} is continuous work from {entry.opens_on} to {entry.due_on}: "
            f"record its progress until then; evidence recorded on or after {entry.due_on} "
            "verifies it"
        )


def check_due_date(entry: Any, due_on: str) -> None:
    """Continuous work is due at the end of its window, which cannot end before it opens."""
    if is_continuous(entry) and due_on < entry.opens_on:
        raise InvalidCommand(
            f"entry {entry.code} is continuous work that opens on {entry.opens_on}: "
            "its due date, the end of its window, cannot be before that",
            field="due_on",
        )
