"""Registration income booked with its fapiao: budget follows registration's FapiaoIssued
and records, on each income entry of that order still without a fapiao, the entry again
with the fapiao's number (2.4.2: every registration income carries the fapiao issued for
it; checklist pairs the two by the entry).

An entry is never edited, so the number comes as a second IncomeRecorded of the same
entry (`aggregate_version` above 1): the same amount, line and source, now with
`fapiao_number`; the books take it as the entry's fapiao, never as income again.

Which entries a fapiao covers: the order's entries without a fapiao, in the order they
were recorded, until the fapiao's gross is used up (an entry only partly covered takes
its number too). The entries come from the store and from the page of upstream events
being recorded, so the outcome does not depend on how the log was paged.
"""

from __future__ import annotations

import uuid
from typing import Any

from .domain import BudgetAggregate


class Income:
    """Only a namespace: the event below is the income entry's, `Income.IncomeRecorded`
    by its qualified name, as the entry's first one is (domain.Income)."""

    class IncomeRecorded(BudgetAggregate.Event):
        amount_minor: int
        currency: str
        category: str
        source: str
        source_ref: str
        fapiao_number: str
        meta: dict[str, Any]

        def apply(self, aggregate: Any) -> None:
            aggregate.fapiao_number = self.fapiao_number


def with_fapiao(app: Any, envelope: Any, payload: dict[str, Any], ledger: Any, meta: dict):
    """The policy for registration's FapiaoIssued: the order's entries it covers."""
    order_id = str(payload["order_id"])
    left = payload["gross_minor"]
    changed = []
    for entry in uninvoiced(app, ledger.conference_id, order_id):
        if left <= 0:
            break
        entry.trigger_event(
            Income.IncomeRecorded,
            amount_minor=entry.amount_minor,
            currency=entry.currency,
            category=entry.category,
            source=entry.source,
            source_ref=entry.source_ref,
            fapiao_number=payload["fapiao_number"],
            meta=meta,
        )
        left -= entry.amount_minor
        changed.append(entry)
    return changed


def uninvoiced(app: Any, conference_id: str, order_id: str) -> list[Any]:
    """The order's registration income entries without a fapiao, oldest first."""
    stored = [
        row["entry_id"]
        for row in app.books.entries_of(conference_id)
        if row["kind"] == "income" and row["source_ref"] == order_id
    ]
    pending = [str(a.id) for a in app.repository.in_page() if type(a).__name__ == "Income"]
    found = []
    for entry_id in dict.fromkeys([*stored, *pending]):
        entry = app.repository.get(uuid.UUID(entry_id))
        if (
            getattr(entry, "source", None) == "registration"
            and entry.source_ref == order_id
            and entry.fapiao_number is None
        ):
            found.append(entry)
    return found
