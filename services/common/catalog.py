"""The registry of published event types and their marshmallow payload schemas.

Each service declares its catalogue in its `events.py`. The relay validates every payload
against it before publishing; consumers load with it; `describe()` renders the catalogue
that outside subscribers read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, fields


class EventSchema(Schema):
    """Base for payload schemas. Evolve only by adding optional fields.

    `planned = True` marks a type the service does not emit yet: its contract is fixed so
    that checklist rules and outside subscribers can be written against it.
    """

    schema_version = 1
    planned = False


class UnknownEventType(LookupError):
    pass


class EventCatalog:
    """The event types one service publishes, keyed by event type name."""

    def __init__(self, service: str, schemas: Mapping[str, type[EventSchema]]) -> None:
        self.service = service
        self._schemas = {name: schema() for name, schema in schemas.items()}

    def __contains__(self, event_type: str) -> bool:
        return event_type in self._schemas

    @property
    def event_types(self) -> list[str]:
        return sorted(self._schemas)

    def schema(self, event_type: str) -> EventSchema:
        try:
            return self._schemas[event_type]
        except KeyError:
            raise UnknownEventType(
                f"{self.service} publishes no event type {event_type!r}"
            ) from None

    def schema_version(self, event_type: str) -> int:
        return type(self.schema(event_type)).schema_version

    def validate_outgoing(self, event_type: str, payload: Mapping[str, Any]) -> None:
        """Strict: a payload with a field the schema does not declare is a bug to catch."""
        self.schema(event_type).load(payload, unknown=RAISE)

    def load_incoming(self, event_type: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Lenient to newer optional fields, strict on those we know."""
        return self.schema(event_type).load(payload, unknown=EXCLUDE)

    def describe(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "exchange": f"{self.service}.events",
            "events": {
                name: {
                    "schema_version": type(schema).schema_version,
                    "planned": type(schema).planned,
                    "doc": (type(schema).__doc__ or "").strip(),
                    "fields": {
                        field_name: _describe_field(field)
                        for field_name, field in schema.fields.items()
                    },
                }
                for name, schema in sorted(self._schemas.items())
            },
        }


def _describe_field(field: fields.Field) -> dict[str, Any]:
    described: dict[str, Any] = {"type": type(field).__name__, "required": field.required}
    if field.allow_none:
        described["nullable"] = True
    return described


class Catalogs:
    """Every service's catalogue, for consumers that read several upstreams."""

    def __init__(self, *catalogs: EventCatalog) -> None:
        self._by_service = {catalog.service: catalog for catalog in catalogs}

    def __getitem__(self, service: str) -> EventCatalog:
        try:
            return self._by_service[service]
        except KeyError:
            raise UnknownEventType(f"no catalogue for service {service!r}") from None

    def __iter__(self):
        return iter(self._by_service.values())
