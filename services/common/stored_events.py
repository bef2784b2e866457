"""A stored event described as its envelope's fields straight from its stored JSON.

What `envelope.build_envelope(...).to_dict()` gives, without making the domain event: the
JSON is decoded once, each transcoded value (`{"_type_": ..., "_data_": ...}`) turned at
once into the JSON value an envelope holds, and the rest read off the row. The chain
describes every write, verification and rebuild every stored event, so this runs for each
event of a history; it is several times faster than the mapper's way.

Every event is described as it was stored, never upcast: an event stored by an older
version of its class (`class_version`) keeps the fields it was stored with, so its digest
is the one chained when it was written (docs/schema-evolution.md). A store whose mapper
ciphers or compresses is described through `envelope.as_stored`, which deciphers and
decodes as the mapper does: the two ways give the same fields
(tests/unit/test_stored_events.py checks every kind of event the services store).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import orjson
from eventsourcing.persistence import Notification
from eventsourcing.utils import resolve_topic

from .envelope import (
    STORED_CLASS_VERSION,
    build_envelope,
    event_id_for,
    split_qualname,
    to_json_value,
)

_NOT_PAYLOAD = (
    "originator_id",
    "originator_version",
    "timestamp",
    "originator_topic",
    "meta",
    STORED_CLASS_VERSION,  # which version of its class stored it: not a field
)
_TYPE_MARK = {str: '"_type_"', bytes: b'"_type_"'}
_HEX = re.compile("[0-9a-f]{32}")


def canonical_uuid(value: Any) -> str:
    """str(UUID(value)), quickly for SQLite's 32 lowercase hex digits."""
    if type(value) is str and len(value) == 32 and _HEX.fullmatch(value):
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(uuid.UUID(str(value)))


def _plain(raw: str | bytes) -> dict[str, Any] | None:
    """JSON without transcoded values to turn, by orjson (several times faster); None
    for what it does not take (an integer past 64 bits, NaN): json's way then."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


class _Topic:
    """What a topic tells once: its envelope types and schema version."""

    __slots__ = ("aggregate_type", "event_type", "schema_version")

    def __init__(self, topic: str, versions: Any) -> None:
        probe = object.__new__(resolve_topic(topic))
        self.aggregate_type, self.event_type = split_qualname(probe)
        self.schema_version = versions.schema_version(self.event_type)


class EnvelopeFields:
    """Describes a service's stored events (`Describe`): the fields a digest covers."""

    def __init__(self, mapper: Any, service: str, versions: Any) -> None:
        self.mapper = mapper
        self.service = service
        self.versions = versions
        self.by_mapper_only = bool(mapper.cipher or mapper.compressor)
        names = mapper.transcoder.names
        self._decoders = {name: names[name].decode for name in names}
        self._decoder = json.JSONDecoder(object_hook=self._transcoded)
        self._topics: dict[str, _Topic] = {}

    def __call__(self, notification: Notification) -> dict[str, Any]:
        return self.row(
            notification.id,
            notification.originator_id,
            notification.originator_version,
            notification.topic,
            notification.state,
        )

    def row(
        self, notification_id: int, originator_id: Any, version: int, topic: str, state: Any
    ) -> dict[str, Any]:
        """The fields of one stored event, from its row as either store returns it."""
        known = self._topics.get(topic)
        if known is None:
            known = self._topics[topic] = _Topic(topic, self.versions)
        if self.by_mapper_only:
            return self._by_mapper(notification_id, originator_id, version, topic, state)
        raw = state if type(state) in (str, bytes) else bytes(state)
        payload = _plain(raw) if raw.count(_TYPE_MARK[type(raw)]) == 1 else None
        if payload is not None:  # the timestamp is the only transcoded value
            payload["timestamp"] = self._transcoded(payload["timestamp"])
        else:
            payload = self._decoder.decode(raw if type(raw) is str else raw.decode("utf-8"))
        occurred_at = payload["timestamp"]
        meta = payload.get("meta") or {}
        for key in _NOT_PAYLOAD:
            payload.pop(key, None)
        aggregate_id = canonical_uuid(originator_id)
        return {
            "event_id": event_id_for(aggregate_id, version),
            "event_type": known.event_type,
            "service": self.service,
            "notification_id": int(notification_id),
            "aggregate_type": known.aggregate_type,
            "aggregate_id": aggregate_id,
            "aggregate_version": int(version),
            "conference_id": meta.get("conference_id"),
            "occurred_at": occurred_at,
            "actor": meta.get("actor") or "system",
            "correlation_id": meta.get("correlation_id") or event_id_for(aggregate_id, 0),
            "causation_id": meta.get("causation_id"),
            "schema_version": known.schema_version,
            "payload": payload,
            **_on_behalf_of(meta),
        }

    def _transcoded(self, obj: dict[str, Any]) -> Any:
        """A transcoded value as the JSON value its envelope holds (to_json_value)."""
        if len(obj) != 2 or "_type_" not in obj or "_data_" not in obj:
            return obj
        name, data = obj["_type_"], obj["_data_"]
        if name == "datetime_iso" and type(data) is str and data.endswith("+00:00"):
            return data  # already UTC, as isoformat writes it
        if name == "uuid_hex":
            return canonical_uuid(data)
        return to_json_value(self._decoders[name](data))

    def _by_mapper(
        self, notification_id: int, originator_id: Any, version: int, topic: str, state: Any
    ) -> dict[str, Any]:
        stored = Notification(
            id=int(notification_id),
            originator_id=uuid.UUID(str(originator_id)),
            originator_version=int(version),
            topic=topic,
            state=bytes(state) if type(state) is not str else state.encode("utf-8"),
        )
        return build_envelope(  # as stored, as the fast way: not upcast
            self.mapper, self.service, self.versions, stored, validate=False
        ).to_dict()


def _on_behalf_of(meta: dict[str, Any]) -> dict[str, Any]:
    """Only when there is one, as Envelope.to_dict leaves it out."""
    value = meta.get("on_behalf_of")
    return {} if value is None else {"on_behalf_of": value}
