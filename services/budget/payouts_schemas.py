"""API schemas of honoraria and cash advances."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common import fapiao
from services.common.catalog import Part
from services.common.commands import Loads
from services.common.fields import MAX_MINOR, currency, day, money_minor, text, token
from services.common.planned import one_of

from . import payouts_commands as commands
from .events import ADVANCE_PURPOSES, LINES, PAYMENT_METHODS


def positive_minor(**kwargs):
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_MINOR), **kwargs)


class PayHonorariumSchema(Loads):
    command = commands.PayHonorarium

    speaker = text(200, required=True)
    speaker_id = fields.UUID(load_default=None)
    gross_minor = positive_minor(required=True)
    currency = fields.String(
        load_default="CNY",
        validate=validate.Equal("CNY", error="must be CNY: the tax is withheld in yuan"),
    )
    category = fields.String(load_default="speakers", validate=validate.OneOf(LINES))
    paid_on = day(required=True)
    method = fields.String(load_default=None, validate=validate.OneOf(PAYMENT_METHODS))


class IssueCashAdvanceSchema(Loads):
    command = commands.IssueCashAdvance

    purpose = one_of(*ADVANCE_PURPOSES)
    amount_minor = positive_minor(required=True)
    currency = currency(required=True)
    holder = text(200, required=True)


class Receipt(Schema):
    category = one_of(*LINES)
    amount_minor = positive_minor(required=True)
    fapiao_number = fapiao.fapiao_number(load_default=None)
    source_ref = token(64, load_default=None)


class ReconcileCashAdvanceSchema(Loads):
    command = commands.ReconcileCashAdvance

    receipts = fields.List(Part(Receipt), required=True, validate=validate.Length(max=500))
    returned_minor = money_minor(required=True)

    @validates_schema
    def _something_accounted(self, data, **kwargs):
        if not data.get("receipts") and not data.get("returned_minor"):
            raise ValidationError("must list the receipts, or return the cash", "receipts")
