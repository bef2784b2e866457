"""Building planned event schemas tersely: the base class, and the few field shapes their
payloads repeat (a choice from a vocabulary, a count, a yes/no, an amount)."""

from __future__ import annotations

from collections.abc import Sequence

from marshmallow import ValidationError, fields, validate

from .catalog import EventSchema
from .fields import currency, money_minor


class PlannedEvent(EventSchema):
    """Base of a planned event type written as a class (those with parts or checks)."""

    planned = True


def planned(name: str, doc: str, **extra: fields.Field) -> type[EventSchema]:
    """A schema for an event type that a service will emit; see EventSchema.planned."""
    attrs = {"__doc__": doc, "planned": True, **extra}
    return type(name, (EventSchema,), attrs)


def one_of(*values: str, required: bool = True) -> fields.String:
    return fields.String(required=required, validate=validate.OneOf(values))


def many_of(values: Sequence[str], required: bool = False) -> fields.List:
    """Some values of a vocabulary, each at most once."""
    return fields.List(
        fields.String(validate=validate.OneOf(values)),
        required=required,
        validate=validate.And(validate.Length(max=len(values)), _distinct),
    )


def _distinct(values: list) -> None:
    if len(set(values)) != len(values):
        raise ValidationError("must not name a value twice")


def count(required: bool = True, minimum: int = 0, maximum: int = 10_000_000) -> fields.Integer:
    """A number of things (people, copies, responses): a whole number in a sane range."""
    return fields.Integer(
        strict=True, required=required, validate=validate.Range(min=minimum, max=maximum)
    )


class StrictBoolean(fields.Boolean):
    """true or false, nothing that Python would take for one."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):  # 1 == True, so `truthy` alone would take 1
            raise self.make_error("invalid", input=value)
        return value


def flag(required: bool = False) -> fields.Boolean:
    """A yes/no fact: JSON true or false only, not "yes" or 1."""
    return StrictBoolean(required=required)


def amount(required: bool = True) -> dict[str, fields.Field]:
    return {"amount_minor": money_minor(required=required), "currency": currency(required=required)}
