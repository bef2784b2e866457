"""The claim of an email address for a conference (one aggregate per conference and
normalised address, `ids.claim_id`): at most one live registration per person. The
address is not in its events; the id stands for it."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate, event

from services.common.errors import Conflict


class AlreadyRegistered(Conflict):
    pass


class EmailClaim(Aggregate):
    class AttendeeEmailClaimed(Aggregate.Created):
        attendee_id: str
        meta: dict[str, Any]

    @classmethod
    def claim_new(cls, claim_id: Any, attendee_id: str, meta: dict[str, Any]) -> EmailClaim:
        return cls._create(
            cls.AttendeeEmailClaimed, id=claim_id, attendee_id=attendee_id, meta=meta
        )

    @event(AttendeeEmailClaimed)
    def __init__(self, attendee_id: str, meta: dict[str, Any]) -> None:
        self.holder: str | None = attendee_id

    def claim(self, attendee_id: str, meta: dict[str, Any]) -> None:
        if self.holder is not None:
            raise AlreadyRegistered("is already registered for this conference")
        self._reclaimed(attendee_id=attendee_id, meta=meta)

    @event("AttendeeEmailReclaimed")
    def _reclaimed(self, attendee_id: str, meta: dict[str, Any]) -> None:
        self.holder = attendee_id

    def release(self, attendee_id: str, meta: dict[str, Any]) -> None:
        if self.holder == attendee_id:
            self._released(attendee_id=attendee_id, meta=meta)

    @event("AttendeeEmailReleased")
    def _released(self, attendee_id: str, meta: dict[str, Any]) -> None:
        self.holder = None
