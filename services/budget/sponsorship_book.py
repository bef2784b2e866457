"""Which sponsorships and which sponsorship plan each conference has, read from budget's
own event store (as `books.py` reads the ledger): a decision on the slots left of a
package depends only on what the store holds, never on a read model that may lag."""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID

PAGE = 500
WATCHED = ("SponsorshipPlanApproved", "SponsorProspectAdded")


class SponsorBook:
    """Per conference: its sponsorships in the order they were listed, its latest plan."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.position = 0
        self.sponsorships: dict[str, list[UUID]] = {}
        self.plans: dict[str, UUID] = {}
        self.lock = threading.Lock()

    def catch_up(self) -> None:
        with self.lock:
            while True:
                page = self.app.select_notifications(self.position + 1, PAGE)
                for notification in page:
                    if notification.topic.endswith(WATCHED):
                        self._apply(self.app.to_domain_event(notification))
                    self.position = notification.id
                if len(page) < PAGE:
                    return

    def _apply(self, event: Any) -> None:
        conference_id = (event.meta or {}).get("conference_id")
        if type(event).__name__ == "SponsorshipPlanApproved":
            self.plans[conference_id] = event.originator_id
        else:
            self.sponsorships.setdefault(conference_id, []).append(event.originator_id)

    def plan_of(self, conference_id: str) -> UUID | None:
        self.catch_up()
        return self.plans.get(conference_id)

    def sponsorships_of(self, conference_id: str) -> list[UUID]:
        self.catch_up()
        return list(self.sponsorships.get(conference_id, ()))
