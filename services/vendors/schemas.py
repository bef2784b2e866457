"""API schemas of vendors: what a command must contain, and how answers are written."""

from marshmallow import Schema, fields, validate

from services.common.commands import Loads
from services.common.fields import bounded_list, currency, day, money_minor, text

from . import commands
from .events import CATEGORIES, SCOPES, UNSCOPED


class AddVendorSchema(Loads):
    command = commands.AddVendor

    conference_id = fields.UUID(required=True)
    name = text(200, required=True)
    categories = bounded_list(
        fields.String(validate=validate.OneOf(CATEGORIES)), len(CATEGORIES), load_default=list
    )
    contact_name = text(200, load_default=None)
    contact_email = fields.Email(load_default=None, validate=validate.Length(max=254))
    contact_phone = fields.String(
        load_default=None,
        validate=validate.Regexp(
            r"^[0-9+()\- ]{3,50}$", error="must be a phone number: digits, +, -, ( ) and spaces"
        ),
    )


class DraftContractSchema(Loads):
    command = commands.DraftContract

    conference_id = fields.UUID(required=True)
    vendor_id = fields.UUID(required=True)
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    title = text(300, required=True)
    amount_minor = money_minor(required=True)
    currency = currency(load_default="CNY")
    scope = fields.String(load_default=UNSCOPED, validate=validate.OneOf(SCOPES))


class SignContractSchema(Loads):
    command = commands.SignContract

    signed_on = day(required=True)
    signed_by = text(200, load_default=None)


class CancelContractSchema(Loads):
    command = commands.CancelContract

    reason = text(1000, required=True)


# -- answers ---------------------------------------------------------------------------


class VendorIdAnswer(Schema):
    vendor_id = fields.UUID(attribute="id")


class ContractIdAnswer(Schema):
    contract_id = fields.UUID(attribute="id")


class VendorAnswer(Schema):
    vendor_id = fields.UUID(attribute="id")
    conference_id = fields.String()
    name = fields.String()
    categories = fields.List(fields.String())
    contact_name = fields.String(allow_none=True)
    contact_email = fields.String(allow_none=True)
    contact_phone = fields.String(allow_none=True)
    version = fields.Integer()


class ContractAnswer(Schema):
    contract_id = fields.UUID(attribute="id")
    conference_id = fields.String()
    vendor_id = fields.String()
    category = fields.String()
    scope = fields.String()
    title = fields.String()
    amount_minor = fields.Integer()
    currency = fields.String()
    status = fields.String()
    signed_on = fields.String(allow_none=True)
    signed_by = fields.String(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    version = fields.Integer()
