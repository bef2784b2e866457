"""What every aggregate's events carry besides their payload: who acted, and why.

Command methods take `meta` explicitly, so each stored event records actor, correlation,
causation and conference. The relay moves `meta` into the envelope. Ids and timestamps
are made by the application and passed in, because eventsourcing replays method bodies.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Clock = Callable[[], dt.datetime]
"""What an application asks for the time: an aware UTC datetime. Given once, to its
constructor, so tests can set the time."""


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class CommandContext:
    actor: str
    correlation_id: str
    causation_id: str | None = None
    on_behalf_of: str | None = None  # whom the actor acted for, when not themselves

    @classmethod
    def new(
        cls, actor: str, correlation_id: str | None = None, on_behalf_of: str | None = None
    ) -> CommandContext:
        return cls(
            actor=actor,
            correlation_id=correlation_id or str(uuid.uuid4()),
            on_behalf_of=on_behalf_of if on_behalf_of != actor else None,
        )

    @classmethod
    def caused_by(cls, envelope: Any) -> CommandContext:
        """Context for events recorded because an upstream event arrived."""
        return cls(
            actor=envelope.actor,
            correlation_id=envelope.correlation_id,
            causation_id=envelope.event_id,
            on_behalf_of=getattr(envelope, "on_behalf_of", None),
        )

    def meta(self, conference_id: str | None) -> dict[str, Any]:
        meta = {
            "actor": self.actor,
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "conference_id": conference_id,
        }
        if self.on_behalf_of is not None:
            meta["on_behalf_of"] = self.on_behalf_of
        return meta
