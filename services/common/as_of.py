"""The state of an aggregate at a past moment: its events up to that moment, replayed
(docs/audit.md, "As of a moment").

An event counts when its `timestamp` (the moment its command was accepted, the
envelope's `occurred_at`) is at or before the moment asked. The answer names the last
event counted, so a reader can tell what the state stands on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, ValidationError, fields, validates

from .commands import Loads
from .envelope import event_id_for, split_qualname, to_json_value

EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class AsOfQuery:
    at: dt.datetime


class AsOfQuerySchema(Loads):
    command = AsOfQuery

    at = fields.AwareDateTime(required=True)

    @validates("at")
    def _in_range(self, value: dt.datetime, **_: Any) -> None:
        if value < EARLIEST:
            raise ValidationError(f"must be at or after {EARLIEST.isoformat()}")
        if value > dt.datetime.now(dt.UTC) + dt.timedelta(days=1):
            raise ValidationError("must not be in the future")


def last_event(event: Any) -> dict[str, Any]:
    """What identifies an event counted: its id, type, version and moment."""
    aggregate_type, event_type = split_qualname(event)
    return {
        "event_id": event_id_for(event.originator_id, event.originator_version),
        "event_type": event_type,
        "aggregate_type": aggregate_type,
        "aggregate_id": str(event.originator_id),
        "aggregate_version": event.originator_version,
        "occurred_at": to_json_value(event.timestamp),
    }


def latest(*events: dict[str, Any] | None) -> dict[str, Any] | None:
    found = [e for e in events if e is not None]
    return max(found, key=lambda e: (e["occurred_at"], e["event_id"])) if found else None


def public_state(aggregate: Any) -> dict[str, Any]:
    """An aggregate's own attributes as JSON values (not the library's private ones)."""
    return {
        name: to_json_value(value)
        for name, value in sorted(vars(aggregate).items())
        if not name.startswith("_")
    }


class LastEventAnswer(Schema):
    event_id = fields.String()
    event_type = fields.String()
    aggregate_type = fields.String()
    aggregate_id = fields.String()
    aggregate_version = fields.Integer()
    occurred_at = fields.String()


class AggregateAsOfAnswer(Schema):
    aggregate_id = fields.String()
    aggregate_type = fields.String()
    at = fields.String()
    version = fields.Integer()
    state = fields.Dict()
    last_event = fields.Nested(LastEventAnswer)
