"""Talking with attendees and prospects: a mailing sent, an inquiry received until it is
answered, a complaint received until it is resolved (one aggregate each). What people
wrote stays in the store (`unpublished`): the published events carry the channel, the
topic and how it was handled."""

from __future__ import annotations

import datetime as dt
from typing import Any

from eventsourcing.domain import Aggregate, event

from services.common.errors import Conflict, InvalidCommand

OPEN, ANSWERED, RESOLVED = "open", "answered", "resolved"


class AlreadyHandled(Conflict):
    pass


class Mailing(Aggregate):
    class MailingSent(Aggregate.Created):
        kind: str
        medium: str
        audience: str
        recipients: int
        subject: str | None
        meta: dict[str, Any]
        unpublished = ("subject",)

    @classmethod
    def record(cls, mailing_id: Any, **kwargs: Any) -> Mailing:
        return cls._create(cls.MailingSent, id=mailing_id, **kwargs)

    @event(MailingSent)
    def __init__(
        self,
        kind: str,
        medium: str,
        audience: str,
        recipients: int,
        subject: str | None,
        meta: dict[str, Any],
    ) -> None:
        self.conference_id = meta["conference_id"]
        self.kind = kind
        self.medium = medium
        self.audience = audience
        self.recipients = recipients
        self.subject = subject


MAX_HOURS = 24 * 366  # the contract's bound: an answer comes within the year


def hours_between(start: str, end: str, field: str) -> int:
    """Whole hours from `start` to `end` (ISO times); `end` before `start`, or more than a
    year after it, is refused naming `field`."""
    elapsed = dt.datetime.fromisoformat(end) - dt.datetime.fromisoformat(start)
    if elapsed < dt.timedelta(0):
        raise InvalidCommand(f"must not be before the time it was received, {start}", field=field)
    hours = int(elapsed.total_seconds() // 3600)
    if hours > MAX_HOURS:
        raise InvalidCommand(f"must be within a year of the time it was received, {start}", field)
    return hours


class Inquiry(Aggregate):
    class InquiryReceived(Aggregate.Created):
        channel: str
        topic: str
        received_at: str
        summary: str | None
        meta: dict[str, Any]
        unpublished = ("received_at", "summary")

    @classmethod
    def receive(cls, inquiry_id: Any, **kwargs: Any) -> Inquiry:
        return cls._create(cls.InquiryReceived, id=inquiry_id, **kwargs)

    @event(InquiryReceived)
    def __init__(
        self,
        channel: str,
        topic: str,
        received_at: str,
        summary: str | None,
        meta: dict[str, Any],
    ) -> None:
        self.conference_id = meta["conference_id"]
        self.channel = channel
        self.topic = topic
        self.received_at = received_at
        self.summary = summary
        self.status = OPEN
        self.hours_to_answer: int | None = None
        self.answer: str | None = None

    def answer_it(self, answered_at: str, answer: str | None, meta: dict[str, Any]) -> None:
        if self.status != OPEN:
            raise AlreadyHandled(f"inquiry {self.id} is already answered", field="inquiry_id")
        hours = hours_between(self.received_at, answered_at, "answered_at")
        self._answered(channel=self.channel, hours_to_answer=hours, answer=answer, meta=meta)

    class InquiryAnswered(Aggregate.Event):
        channel: str
        hours_to_answer: int
        answer: str | None
        meta: dict[str, Any]
        unpublished = ("answer",)

    @event(InquiryAnswered)
    def _answered(
        self, channel: str, hours_to_answer: int, answer: str | None, meta: dict[str, Any]
    ) -> None:
        self.status = ANSWERED
        self.hours_to_answer = hours_to_answer
        self.answer = answer


class Complaint(Aggregate):
    class ComplaintReceived(Aggregate.Created):
        channel: str
        topic: str
        received_at: str
        summary: str | None
        meta: dict[str, Any]
        unpublished = ("received_at", "summary")

    @classmethod
    def receive(cls, complaint_id: Any, **kwargs: Any) -> Complaint:
        return cls._create(cls.ComplaintReceived, id=complaint_id, **kwargs)

    @event(ComplaintReceived)
    def __init__(
        self,
        channel: str,
        topic: str,
        received_at: str,
        summary: str | None,
        meta: dict[str, Any],
    ) -> None:
        self.conference_id = meta["conference_id"]
        self.channel = channel
        self.topic = topic
        self.received_at = received_at
        self.summary = summary
        self.status = OPEN
        self.resolution: str | None = None
        self.note: str | None = None

    def resolve(self, resolution: str, note: str | None, meta: dict[str, Any]) -> None:
        if self.status != OPEN:
            raise AlreadyHandled(f"complaint {self.id} is already resolved", field="complaint_id")
        self._resolved(topic=self.topic, resolution=resolution, note=note, meta=meta)

    class ComplaintResolved(Aggregate.Event):
        topic: str
        resolution: str
        note: str | None
        meta: dict[str, Any]
        unpublished = ("note",)

    @event(ComplaintResolved)
    def _resolved(self, topic: str, resolution: str, note: str | None, meta: dict[str, Any]):
        self.status = RESOLVED
        self.resolution = resolution
        self.note = note
