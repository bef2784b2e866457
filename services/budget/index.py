"""Which aggregates of some kinds each conference has, read from budget's own event store
(as `books.py` reads the ledger): the sponsorship plans and sponsorships, the revenue
targets. A decision on them (the slots left of a package, the targets in force) depends
only on what the store holds, never on a read model that may lag."""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID

PAGE = 500
# The event that creates each aggregate indexed.
CREATED = ("SponsorshipPlanApproved", "SponsorProspectAdded", "RevenueTargetSet")


class AggregateIndex:
    """Per conference and creating event: the ids of the aggregates, in the order made."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.position = 0
        self.ids: dict[tuple[str, str], list[UUID]] = {}
        self.lock = threading.Lock()

    def catch_up(self) -> None:
        with self.lock:
            while True:
                page = self.app.select_notifications(self.position + 1, PAGE)
                for notification in page:
                    if notification.topic.endswith(CREATED):
                        self._apply(self.app.to_domain_event(notification))
                    self.position = notification.id
                if len(page) < PAGE:
                    return

    def _apply(self, event: Any) -> None:
        key = ((event.meta or {}).get("conference_id"), type(event).__name__)
        self.ids.setdefault(key, []).append(event.originator_id)

    def of(self, conference_id: str, created_by: str) -> list[UUID]:
        self.catch_up()
        return list(self.ids.get((str(conference_id), created_by), ()))

    def conferences(self, created_by: str) -> list[str]:
        """The conferences with at least one aggregate created by that event."""
        self.catch_up()
        return sorted({conference for conference, name in self.ids if name == created_by})
