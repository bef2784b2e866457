"""API schemas of reporting."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields, validate

from services.common.commands import Loads
from services.common.fields import text, token


@dataclass(frozen=True)
class AuditQuery:
    conference_id: str | None = None
    service: str | None = None
    aggregate_id: str | None = None
    limit: int = 1000
    offset: int = 0


class AuditQuerySchema(Loads):
    command = AuditQuery

    conference_id = token(100, load_default=None)
    service = token(50, load_default=None)
    aggregate_id = token(100, load_default=None)
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=10000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**9))


@dataclass(frozen=True)
class ExportQuery:
    format: str = "jsonl"
    conference_id: str | None = None
    service: str | None = None
    actor: str | None = None
    event_type: str | None = None
    from_: dt.datetime | None = None
    to: dt.datetime | None = None

    def filters(self) -> dict[str, Any]:
        return {
            "conference_id": self.conference_id,
            "service": self.service,
            "actor": self.actor,
            "event_type": self.event_type,
            "from": self.from_,
            "to": self.to,
        }


class ExportQuerySchema(Loads):
    command = ExportQuery

    format = fields.String(load_default="jsonl", validate=validate.OneOf(["jsonl", "csv"]))
    conference_id = token(100, load_default=None)
    service = token(50, load_default=None)
    actor = text(200, load_default=None)
    event_type = token(100, load_default=None)
    from_ = fields.AwareDateTime(data_key="from", load_default=None)
    to = fields.AwareDateTime(load_default=None)


@dataclass(frozen=True)
class RebuildQuery:
    wait: float = 10.0
    fresh: bool = False


class RebuildQuerySchema(Loads):
    command = RebuildQuery

    # How long the request may wait for the rebuild to finish before answering 202: a
    # client's own timeout is longer than this (the CLI's is).
    wait = fields.Float(load_default=10.0, validate=validate.Range(min=0, max=25))
    # Start from #1 of every log, not from where an interrupted rebuild stopped.
    fresh = fields.Boolean(load_default=False)


# -- answers ---------------------------------------------------------------------------


class AuditEventAnswer(Schema):
    service = fields.String()
    notification_id = fields.Integer()
    event_id = fields.String()
    event_type = fields.String()
    aggregate_type = fields.String()
    aggregate_id = fields.String()
    aggregate_version = fields.Integer()
    conference_id = fields.String(allow_none=True)
    occurred_at = fields.String()
    actor = fields.String()
    correlation_id = fields.String()
    causation_id = fields.String(allow_none=True)
    payload = fields.Dict()
    on_behalf_of = fields.String(allow_none=True)  # whom the actor acted for, if anyone
    chain_link = fields.String(allow_none=True)  # the service's chain at this event
    schema_version = fields.Integer(allow_none=True)


class TracedEventAnswer(AuditEventAnswer):
    caused = fields.List(fields.Nested(lambda: TracedEventAnswer()))


class TraceAnswer(Schema):
    id = fields.String()
    by = fields.String()  # event_id or correlation_id: what the id was found as
    events = fields.Integer()
    truncated = fields.Boolean()
    roots = fields.List(fields.Nested(TracedEventAnswer))


class AuditAnswer(Schema):
    events = fields.List(fields.Nested(AuditEventAnswer))


class RebuildAnswer(Schema):
    """A rebuild: `state` is running, done, failed or interrupted (`none`: none since the
    start). `positions` is how far the shadow has read each log, `ends` where each log
    ended when the rebuild started, `resumed` the positions an earlier run had left."""

    id = fields.String()
    state = fields.String()
    started_at = fields.String()
    finished_at = fields.String(allow_none=True)
    reading = fields.String(allow_none=True)
    replayed = fields.Dict(keys=fields.String(), values=fields.Integer())
    skipped = fields.Dict(keys=fields.String(), values=fields.Integer())
    resumed = fields.Dict(keys=fields.String(), values=fields.Integer())
    positions = fields.Dict(keys=fields.String(), values=fields.Integer())
    ends = fields.Dict(keys=fields.String(), values=fields.Integer())
    events = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    message = fields.String(allow_none=True)
