"""API schemas of vendors: what a command must contain, checked at the edge."""

from marshmallow import Schema, fields, validate

from services.common.commands import Command
from services.common.fields import currency, money_minor, text

from .domain import CATEGORIES


class AddVendor(Command):
    conference_id = fields.UUID(required=True)
    name = text(200, required=True)
    categories = fields.List(fields.String(validate=validate.OneOf(CATEGORIES)), load_default=list)
    contact_name = fields.String(load_default=None, validate=validate.Length(max=200))
    contact_email = fields.Email(load_default=None)
    contact_phone = fields.String(load_default=None, validate=validate.Length(max=50))


class DraftContract(Command):
    conference_id = fields.UUID(required=True)
    vendor_id = fields.UUID(required=True)
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    title = text(300, required=True)
    amount_minor = money_minor(required=True)
    currency = currency(load_default="CNY")


class SignContract(Command):
    signed_on = fields.Date(required=True)
    signed_by = text(200, load_default=None)


class CancelContract(Command):
    reason = text(1000, required=True)


class ListContracts(Schema):
    conference_id = fields.UUID(required=True)
