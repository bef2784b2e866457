"""Building planned event schemas tersely: id fields plus a few typed payload fields."""

from __future__ import annotations

from marshmallow import fields, validate

from .catalog import EventSchema
from .fields import currency, money_minor


def planned(name: str, doc: str, **extra: fields.Field) -> type[EventSchema]:
    """A schema for an event type that a service will emit; see EventSchema.planned."""
    attrs = {"__doc__": doc, "planned": True, **extra}
    return type(name, (EventSchema,), attrs)


def one_of(*values: str, required: bool = True) -> fields.String:
    return fields.String(required=required, validate=validate.OneOf(values))


def amount(required: bool = True) -> dict[str, fields.Field]:
    return {"amount_minor": money_minor(required=required), "currency": currency(required=required)}
