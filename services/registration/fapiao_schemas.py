"""API schemas of fapiao requests: what a buyer asks for (or withdraws), what finance
records when it issues, hands over or reverses one, and how a fapiao is shown. The
contract's own field shapes (services/common/fapiao.py) check the tax ID, numbers and
rates."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common import fapiao
from services.common.commands import Loads
from services.common.fields import MAX_MINOR, day, text, token
from services.common.planned import flag, one_of

from . import commands
from .events import BUYER_KINDS, FAPIAO_DELIVERY, FAPIAO_ITEMS, FAPIAO_STATES
from .schemas import phone

STATES = FAPIAO_STATES
# what a 专票 must carry besides the tax ID: the buyer's 地址、电话 and 开户行及账号
SPECIAL_DETAILS = ("buyer_address", "buyer_phone", "buyer_bank", "buyer_account")


class RequestFapiaoSchema(Loads):
    command = commands.RequestFapiao

    fapiao_type = fapiao.fapiao_type(required=True)
    buyer_name = text(200, required=True)
    buyer_kind = fields.String(load_default=None, validate=validate.OneOf(BUYER_KINDS))
    buyer_tax_id = fapiao.tax_id(load_default=None)
    buyer_address = text(200, load_default=None)
    buyer_phone = phone
    buyer_bank = text(150, load_default=None)
    buyer_account = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[0-9 -]{6,40}$", error="must be a bank account number"),
    )
    amount_minor = fields.Integer(
        strict=True, load_default=None, validate=validate.Range(min=1, max=MAX_MINOR)
    )
    tax_rate_bp = fapiao.tax_rate(load_default=None)
    item = fields.String(load_default="conference_fee", validate=validate.OneOf(FAPIAO_ITEMS))
    delivery = fields.String(load_default="email", validate=validate.OneOf(FAPIAO_DELIVERY))

    @validates_schema
    def _special_needs_details(self, data, **kwargs):
        if data.get("fapiao_type") != "vat_special":
            return
        for name in ("buyer_tax_id", *SPECIAL_DETAILS):
            if not data.get(name):
                raise ValidationError("is required on a vat_special fapiao (增值税专用发票)", name)


class IssueFapiaoSchema(Loads):
    command = commands.IssueFapiao

    fapiao_number = fapiao.fapiao_number(required=True)
    medium = fapiao.fapiao_medium(required=True)
    issued_on = day(required=True)
    fapiao_code = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^([0-9]{10}|[0-9]{12})$", error="must be 10 or 12 digits"),
    )


class HandOverFapiaoSchema(Loads):
    command = commands.HandOverFapiao

    how = one_of(*FAPIAO_DELIVERY)
    handed_on = day(required=True)
    signed_for = flag()
    handed_to = text(200, load_default=None)


class WithdrawFapiaoSchema(Loads):
    command = commands.WithdrawFapiao

    reason = text(500, required=True)


class ReverseFapiaoSchema(Loads):
    command = commands.ReverseFapiao

    red_fapiao_number = fapiao.fapiao_number(required=True)
    reason = one_of(*fapiao.REVERSAL_REASONS)
    reversed_on = day(required=True)
    red_confirmation_number = token(32, load_default=None)
    amount_minor = fields.Integer(
        strict=True, load_default=None, validate=validate.Range(min=1, max=MAX_MINOR)
    )


class ListFapiaoSchema(Loads):
    command = commands.ListFapiao

    state = fields.String(load_default=None, validate=validate.OneOf(STATES))


# -- answers ---------------------------------------------------------------------------


class FapiaoAnswer(Schema):
    fapiao_id = fields.UUID(attribute="id")
    conference_id = fields.String()
    order_id = fields.String()
    state = fields.String()
    fapiao_type = fields.String()
    buyer_kind = fields.String()
    buyer_name = fields.String()
    buyer_tax_id = fields.String(allow_none=True)
    buyer_address_phone = fields.String(allow_none=True)
    buyer_bank_account = fields.String(allow_none=True)
    item = fields.String()
    delivery = fields.String()
    gross_minor = fields.Integer()
    tax_rate_bp = fields.Integer()
    currency = fields.String()
    issue = fields.Dict(allow_none=True)
    handover = fields.Dict(allow_none=True)
    reversal = fields.Dict(allow_none=True)
    reversals = fields.List(fields.Dict())
    reversed_minor = fields.Integer()
    held_minor = fields.Integer()
    withdrawal = fields.Dict(allow_none=True)
    version = fields.Integer()


class FapiaoListAnswer(Schema):
    fapiao = fields.List(fields.Nested(FapiaoAnswer))
    invoiceable_minor = fields.Integer(allow_none=True)
    open = fields.Integer()
