"""Field types shared by API and event schemas."""

from __future__ import annotations

from marshmallow import fields, validate

ISO_CURRENCY = validate.Regexp(r"^[A-Z]{3}$", error="must be an ISO 4217 code such as CNY")


def money_minor(**kwargs) -> fields.Integer:
    """An amount in minor units (fen, cents): an integer, never a float."""
    return fields.Integer(strict=True, validate=validate.Range(min=0), **kwargs)


def currency(**kwargs) -> fields.String:
    return fields.String(validate=ISO_CURRENCY, **kwargs)


NOT_BLANK = validate.Regexp(r"\S", error="must not be blank")


def text(max_length: int = 500, **kwargs) -> fields.String:
    """Free text a person types: not empty, not only spaces, not too long."""
    return fields.String(
        validate=validate.And(validate.Length(min=1, max=max_length), NOT_BLANK), **kwargs
    )
