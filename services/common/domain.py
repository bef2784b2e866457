"""What every aggregate's events carry besides their payload: who acted, and why.

Command methods take `meta` explicitly, so each stored event records actor, correlation,
causation and conference. The relay moves `meta` into the envelope. Ids and timestamps
are made by the application and passed in, because eventsourcing replays method bodies.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CommandContext:
    actor: str
    correlation_id: str
    causation_id: str | None = None

    @classmethod
    def new(cls, actor: str, correlation_id: str | None = None) -> CommandContext:
        return cls(actor=actor, correlation_id=correlation_id or str(uuid.uuid4()))

    @classmethod
    def caused_by(cls, envelope: Any) -> CommandContext:
        """Context for events recorded because an upstream event arrived."""
        return cls(
            actor=envelope.actor,
            correlation_id=envelope.correlation_id,
            causation_id=envelope.event_id,
        )

    def meta(self, conference_id: str | None) -> dict[str, Any]:
        return {
            "actor": self.actor,
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "conference_id": conference_id,
        }
