"""A print run of badges: one batch printed together (BadgesPrinted), each of its
attendees' badges recorded on the attendee (BadgePrinted)."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate, event

from services.common.errors import Conflict


class BadgePrintRun(Aggregate):
    class BadgesPrinted(Aggregate.Created):
        count: int
        ticket_type: str | None
        category: str | None
        meta: dict[str, Any]
        published_when_set = ("ticket_type", "category")

    @classmethod
    def printed(
        cls, run_id: Any, count: int, ticket_type: str | None, category: str | None, meta: dict
    ) -> BadgePrintRun:
        if count < 1:
            raise Conflict("no registered attendee matches: there is no badge to print")
        return cls._create(
            cls.BadgesPrinted,
            id=run_id,
            count=count,
            ticket_type=ticket_type,
            category=category,
            meta=meta,
        )

    @event(BadgesPrinted)
    def __init__(
        self, count: int, ticket_type: str | None, category: str | None, meta: dict[str, Any]
    ) -> None:
        self.conference_id = meta["conference_id"]
        self.count = count
