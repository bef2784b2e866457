"""A welcome per conference. No I/O."""

from __future__ import annotations

import uuid
from typing import Any

from eventsourcing.domain import Aggregate, event

from services.common.errors import Conflict

NAMESPACE = uuid.UUID("5a0f4d3e-8f55-4c1e-9d4b-0c4a1f2e7b66")


def welcome_id(conference_id: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, conference_id)


class Welcome(Aggregate):
    @staticmethod
    def create_id(conference_id: str) -> uuid.UUID:
        return welcome_id(conference_id)

    @event("WelcomePrepared")
    def __init__(self, conference_id: str, conference_name: str, meta: dict[str, Any]) -> None:
        self.conference_id = conference_id
        self.conference_name = conference_name
        self.note: str | None = None

    def send(self, note: str, meta: dict[str, Any]) -> None:
        if self.note is not None:
            raise Conflict(f"the welcome of {self.conference_name} was sent already")
        self._sent(note=note, meta=meta)

    @event("WelcomeSent")
    def _sent(self, note: str, meta: dict[str, Any]) -> None:
        self.note = note
