"""The published message: one JSON object per event (docs/architecture.md, "Publish").

Built from a stored event by `build_envelope` (the relay and the notification log), parsed
and validated by `parse` (consumers).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from decimal import Decimal
from typing import Any

from eventsourcing.persistence import Notification
from eventsourcing.utils import resolve_topic
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from .catalog import EventCatalog

EVENT_ID_NAMESPACE = uuid.UUID("6f1c1b0e-9a3e-4c55-8d0f-6b7d0f3c2a11")
_NAMESPACE = EVENT_ID_NAMESPACE.bytes
_ENVELOPE_KEYS = {"originator_id", "originator_version", "timestamp", "originator_topic", "meta"}


@dataclass(frozen=True)
class Envelope:
    event_id: str
    event_type: str
    service: str
    notification_id: int
    aggregate_type: str
    aggregate_id: str
    aggregate_version: int
    conference_id: str | None
    occurred_at: str
    actor: str
    correlation_id: str
    causation_id: str | None
    schema_version: int
    payload: dict[str, Any]
    on_behalf_of: str | None = None  # whom the actor acted for (added; optional)
    chain_link: str | None = None  # the store's hash chain at this event (added; optional)

    def to_dict(self) -> dict[str, Any]:
        # A shallow copy: `asdict` would copy every payload deeply, for each event written,
        # served and replayed; nothing changes a payload once it is in an envelope.
        data = {name: getattr(self, name) for name in _FIELDS}
        for optional in ("on_behalf_of", "chain_link"):  # only when there is one
            if data[optional] is None:
                del data[optional]
        return data

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8")


_FIELDS = tuple(f.name for f in dataclass_fields(Envelope))


class EnvelopeSchema(Schema):
    class Meta:
        unknown = RAISE

    event_id = fields.UUID(required=True)
    event_type = fields.String(required=True, validate=validate.Length(min=1))
    service = fields.String(required=True, validate=validate.Length(min=1))
    notification_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    aggregate_type = fields.String(required=True)
    aggregate_id = fields.String(required=True, validate=validate.Length(min=1))
    aggregate_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    conference_id = fields.String(required=True, allow_none=True)
    occurred_at = fields.AwareDateTime(required=True)
    actor = fields.String(required=True, validate=validate.Length(min=1))
    correlation_id = fields.String(required=True, validate=validate.Length(min=1))
    causation_id = fields.String(required=True, allow_none=True)
    schema_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    # An object; its keys are strings by JSON itself. Its fields are the payload schema's
    # to check (`EventCatalog`): checking each key here too cost more than all the rest.
    payload = fields.Dict(required=True)
    on_behalf_of = fields.String(load_default=None, allow_none=True)
    chain_link = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(r"^[0-9a-f]{64}\Z")
    )


_ENVELOPE_SCHEMA = EnvelopeSchema()


def parse(raw: bytes | str | Mapping[str, Any]) -> Envelope:
    """Validate the envelope fields of a received message; the payload is checked apart."""
    if isinstance(raw, (bytes, str)):
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise ValidationError({"_schema": [f"message is not JSON: {exc}"]}) from None
    else:
        data = dict(raw)
    if not isinstance(data, dict):
        raise ValidationError({"_schema": ["message must be a JSON object"]})
    if not _plainly_valid(data):  # the schema says why, or takes a rarer spelling
        _ENVELOPE_SCHEMA.load(data)
    return Envelope(**data)


_REQUIRED = frozenset(f for f in _FIELDS if f not in ("on_behalf_of", "chain_link"))
_ALLOWED = frozenset(_FIELDS)
_TEXT = ("event_type", "service", "aggregate_id", "actor", "correlation_id")
_COUNTS = ("notification_id", "aggregate_version", "schema_version")
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})\Z")
_LINK = re.compile(r"[0-9a-f]{64}\Z")


def _plainly_valid(data: dict[str, Any]) -> bool:
    """Whether an envelope is valid in the form services publish it, checked without the
    schema (a third of what noting a delivered message costs). It accepts nothing the
    schema refuses; anything else is left to the schema."""
    keys = data.keys()
    if not (_REQUIRED <= keys <= _ALLOWED):
        return False
    for name in _TEXT:
        value = data[name]
        if type(value) is not str or not value:
            return False
    for name in _COUNTS:
        value = data[name]
        if type(value) is not int or value < 1:
            return False
    for name in ("conference_id", "causation_id", "on_behalf_of"):
        value = data.get(name)
        if value is not None and type(value) is not str:
            return False
    link, moment = data.get("chain_link"), data["occurred_at"]
    if link is not None and (type(link) is not str or not _LINK.match(link)):
        return False
    if type(moment) is not str or not _MOMENT.match(moment):
        return False
    if type(data["aggregate_type"]) is not str or type(data["payload"]) is not dict:
        return False
    if type(data["event_id"]) is not str:
        return False
    try:
        uuid.UUID(data["event_id"])
        dt.datetime.fromisoformat(moment)  # a real day and time, not only its shape
    except ValueError:
        return False
    return True


def event_id_for(aggregate_id: Any, version: int) -> str:
    """Stable across rebuilds: the same stored event always has the same id. uuid5's,
    spelled straight from the hash (every described event needs one, often two)."""
    h = hashlib.sha1(_NAMESPACE + f"{aggregate_id}:{version}".encode()).hexdigest()
    variant = "89ab"[int(h[16], 16) & 3]
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"


_PLAIN = frozenset((str, int, float, bool, type(None)))


def to_json_value(value: Any) -> Any:
    kind = type(value)  # the common kinds first: this runs for every value of every event
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {str(k): to_json_value(v) for k, v in value.items()}
    if kind is list:
        return [to_json_value(v) for v in value]
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(v) for v in value]
    return value


def split_qualname(event: Any) -> tuple[str, str]:
    """(aggregate type, event type) of a stored event: `Contract.ContractSigned`."""
    aggregate_type, _, event_type = type(event).__qualname__.rpartition(".")
    return aggregate_type or event_type, event_type


def from_domain_event(
    event: Any,
    *,
    service: str,
    notification_id: int,
    schema_version: int,
    chain_link: str | None = None,
) -> Envelope:
    """Build the envelope of a stored domain event; `meta` holds actor, cause and conference."""
    meta = getattr(event, "meta", None) or {}
    # An event class may keep fields in the store alone (`unpublished`: an attendee's
    # name and email, PIPL), neither published nor chained, and publish optional ones
    # only when they have a value (`published_when_set`).
    kind = type(event)
    hidden = getattr(kind, "unpublished", ())
    when_set = getattr(kind, "published_when_set", ())
    payload = {
        key: to_json_value(value)
        for key, value in event.__dict__.items()
        if key not in _ENVELOPE_KEYS
        and key not in hidden
        and not (value is None and key in when_set)
    }
    aggregate_type, event_type = split_qualname(event)
    return Envelope(
        event_id=event_id_for(event.originator_id, event.originator_version),
        event_type=event_type,
        service=service,
        notification_id=notification_id,
        aggregate_type=aggregate_type,
        aggregate_id=str(event.originator_id),
        aggregate_version=event.originator_version,
        conference_id=meta.get("conference_id"),
        occurred_at=to_json_value(event.timestamp),
        actor=meta.get("actor") or "system",
        correlation_id=meta.get("correlation_id") or event_id_for(event.originator_id, 0),
        causation_id=meta.get("causation_id"),
        schema_version=schema_version,
        payload=payload,
        on_behalf_of=meta.get("on_behalf_of"),
        chain_link=chain_link,
    )


STORED_CLASS_VERSION = "class_version"
"""The key of a stored state that says which version of its class stored it (when past 1):
the library's, not a field of the event."""


def as_stored(mapper: Any, notification: Notification) -> Any:
    """The domain event of a stored event, as it was stored: its state deciphered,
    decompressed and decoded as the mapper does, but not upcast to its class's current
    version (`class_version`), and without the version that stored it.

    What every envelope, every digest of the chain and the audit trail are made of
    (docs/schema-evolution.md): an event reads the same whenever it is described, before
    and after its class gains a version; only the aggregates that load it see it upcast.
    """
    state = notification.state
    if mapper.cipher:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor:
        state = mapper.compressor.decompress(state)
    event_state = mapper.transcoder.decode(state)
    event_state.pop(STORED_CLASS_VERSION, None)
    event_state["originator_id"] = notification.originator_id
    event_state["originator_version"] = notification.originator_version
    event = object.__new__(resolve_topic(notification.topic))
    object.__setattr__(event, "__dict__", event_state)
    return event


class InvalidStoredEvent(Exception):
    """A stored event does not match its published schema: a bug to fix, never to skip."""


def build_envelope(
    mapper: Any,
    service: str,
    catalog: EventCatalog,
    notification: Notification,
    validate: bool = True,
    chain_link: str | None = None,
) -> Envelope:
    """The envelope of one notification of `service`'s log, its payload checked against the
    published schema (relay and log RPC; a local read model of the service's own events
    may skip the check). The event as it was stored (`as_stored`): not upcast."""
    event = as_stored(mapper, notification)
    try:
        envelope = from_domain_event(
            event,
            service=service,
            notification_id=notification.id,
            schema_version=catalog.schema_version(split_qualname(event)[1]),
            chain_link=chain_link,
        )
    except (ValidationError, LookupError) as exc:
        raise InvalidStoredEvent(
            f"notification {notification.id} ({split_qualname(event)[1]}) of {service}: {exc}"
        ) from exc
    if validate:
        check_outgoing(catalog, service, envelope)
    return envelope


def check_outgoing(catalog: EventCatalog, service: str, envelope: Envelope) -> None:
    """The payload of an envelope against its published schema (InvalidStoredEvent)."""
    try:
        catalog.validate_outgoing(envelope.event_type, envelope.payload)
    except (ValidationError, LookupError) as exc:
        raise InvalidStoredEvent(
            f"notification {envelope.notification_id} ({envelope.event_type}) of {service}: {exc}"
        ) from exc
