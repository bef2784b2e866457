"""The registry of published event types and their marshmallow payload schemas.

Each service declares its catalogue in its `events` module (`events.py`, or a package of
that name when it grows). The relay validates every payload
against it before publishing; consumers load with it; `describe()` renders the catalogue
that outside subscribers read.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

# How a load treats fields it does not know; `Part` reads it, since marshmallow does not
# pass a load's `unknown` down to nested schemas.
_unknown: ContextVar[str] = ContextVar("unknown", default=RAISE)


class EventSchema(Schema):
    """Base for payload schemas. Evolve only by adding optional fields.

    `planned = True` marks a type the service does not emit yet: its contract is fixed so
    that checklist rules and outside subscribers can be written against it.
    """

    schema_version = 1
    planned = False


class Part(fields.Nested):
    """A nested object of a payload (an order's position, a budget line): strict when a
    service validates what it publishes, lenient to newer fields when a consumer loads,
    like the payload around it."""

    def _load(self, value: Any, partial: Any = None) -> Any:
        try:
            return self.schema.load(value, unknown=_unknown.get(), partial=partial)
        except ValidationError as error:
            raise ValidationError(error.messages, valid_data=error.valid_data) from error


@contextmanager
def _parts_load(unknown: str) -> Iterator[None]:
    token = _unknown.set(unknown)
    try:
        yield
    finally:
        _unknown.reset(token)


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
        with _parts_load(RAISE):
            self.schema(event_type).load(payload, unknown=RAISE)

    def load_incoming(self, event_type: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Lenient to newer optional fields, strict on those we know."""
        with _parts_load(EXCLUDE):
            return self.schema(event_type).load(payload, unknown=EXCLUDE)

    def describe(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "exchange": f"{self.service}.events",
            "events": {
                name: {
                    "schema_version": type(schema).schema_version,
                    "planned": type(schema).planned,
                    "doc": inspect.cleandoc(type(schema).__doc__ or ""),
                    "fields": {
                        field_name: _describe_field(field)
                        for field_name, field in schema.fields.items()
                    },
                }
                for name, schema in sorted(self._schemas.items())
            },
        }


# A vocabulary longer than this (currency codes) is a standard named in the docs, not a list.
LISTED_CHOICES = 40


def _describe_field(field: fields.Field) -> dict[str, Any]:
    """Its type and whether required; the values it takes when a vocabulary bounds it; the
    fields of a part; what a list holds."""
    described: dict[str, Any] = {"type": type(field).__name__, "required": field.required}
    if field.allow_none:
        described["nullable"] = True
    choices = [v.choices for v in field.validators if isinstance(v, validate.OneOf)]
    if choices and len(choices[0]) <= LISTED_CHOICES:
        described["one_of"] = list(choices[0])
    if isinstance(field, fields.List):
        described["items"] = _describe_field(field.inner)
    if isinstance(field, fields.Nested):
        described["fields"] = {
            name: _describe_field(inner) for name, inner in field.schema.fields.items()
        }
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
