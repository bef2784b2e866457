"""API schemas of the sponsorship pipeline: what each command must contain. Instalments
and in-kind items are the contract's own parts (events.sponsorship), so that what the API
takes is what SponsorSigned may carry."""

from marshmallow import ValidationError, fields, validate, validates_schema

from services.common import fapiao
from services.common.catalog import Part
from services.common.commands import Loads
from services.common.fields import currency, day, text, token
from services.common.planned import count, many_of, one_of

from . import sponsorship_commands as commands
from .events import (
    BENEFITS,
    CONTACT_CHANNELS,
    LANGUAGES,
    LEVELS,
    PAYMENT_METHODS,
    SPONSOR_FORMS,
)
from .events.sponsorship import InKindItem, Instalment


def positive_minor(**kwargs):
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=10**15), **kwargs)


class AddPackageSchema(Loads):
    command = commands.AddPackage

    name = text(100, required=True)
    level = one_of(*LEVELS)
    price_minor = positive_minor(required=True)
    slots = count(minimum=1, maximum=1000)
    benefits = many_of(BENEFITS, required=True)

    @validates_schema
    def _gives_something(self, data, **kwargs):
        if "benefits" in data and not data["benefits"]:
            raise ValidationError("must name at least one benefit", "benefits")


class PublishProspectusSchema(Loads):
    command = commands.PublishProspectus

    languages = many_of(LANGUAGES, required=True)

    @validates_schema
    def _some_language(self, data, **kwargs):
        if "languages" in data and not data["languages"]:
            raise ValidationError("must name the languages it is published in", "languages")


class AddProspectSchema(Loads):
    command = commands.AddProspect

    sponsor = text(200, required=True)
    level = fields.String(load_default=None, validate=validate.OneOf(LEVELS))


class AdvanceSponsorshipSchema(Loads):
    command = commands.AdvanceSponsorship

    to = one_of("contacted", "negotiating")
    channel = fields.String(load_default=None, validate=validate.OneOf(CONTACT_CHANNELS))
    level = fields.String(load_default=None, validate=validate.OneOf(LEVELS))

    @validates_schema
    def _channel_of_a_contact(self, data, **kwargs):
        if data.get("to") == "contacted" and data.get("channel") is None:
            raise ValidationError("is required to record a contact", "channel")
        if data.get("to") == "negotiating" and data.get("channel") is not None:
            raise ValidationError("is for a contact, not for negotiating", "channel")


class SignSponsorSchema(Loads):
    command = commands.SignSponsor

    package = text(100, required=True)
    signed_on = day(required=True)
    form = fields.String(load_default="cash", validate=validate.OneOf(SPONSOR_FORMS))
    amount_minor = positive_minor(load_default=None)
    instalments = fields.List(Part(Instalment), load_default=(), validate=validate.Length(max=24))
    in_kind = fields.List(Part(InKindItem), load_default=(), validate=validate.Length(max=50))

    @validates_schema
    def _form_and_parts(self, data, **kwargs):
        form, in_kind = data.get("form"), data.get("in_kind") or ()
        if form == "cash" and in_kind:
            raise ValidationError("must be empty for a cash sponsorship", "in_kind")
        if form in ("in_kind", "mixed") and not in_kind:
            raise ValidationError(f"must list what is given in kind ({form})", "in_kind")
        if form == "in_kind" and data.get("instalments"):
            raise ValidationError("must be empty: nothing is paid in cash", "instalments")


class IssueSponsorInvoiceSchema(Loads):
    command = commands.IssueSponsorInvoice

    fapiao_number = fapiao.fapiao_number(required=True)
    fapiao_type = fapiao.fapiao_type(required=True)
    medium = fapiao.fapiao_medium(required=True)
    issued_on = day(required=True)
    gross_minor = positive_minor(required=True)
    tax_rate_bp = fapiao.tax_rate(load_default=600)
    buyer_name = text(200, load_default=None)
    buyer_tax_id = fapiao.tax_id(load_default=None)
    instalment = fields.Integer(strict=True, load_default=None, validate=validate.Range(1, 24))

    @validates_schema
    def _tax_id_when_special(self, data, **kwargs):
        if data.get("fapiao_type") == "vat_special" and not data.get("buyer_tax_id"):
            raise ValidationError("is required on a vat_special fapiao", "buyer_tax_id")


class ReverseSponsorInvoiceSchema(Loads):
    command = commands.ReverseSponsorInvoice

    red_fapiao_number = fapiao.fapiao_number(required=True)
    reason = one_of(*fapiao.REVERSAL_REASONS)
    reversed_on = day(required=True)
    gross_minor = positive_minor(load_default=None)
    red_confirmation_number = token(32, load_default=None)


class RecordSponsorPaymentSchema(Loads):
    command = commands.RecordSponsorPayment

    received_on = day(required=True)
    amount_minor = positive_minor(load_default=None)
    currency = currency(load_default=None)
    method = fields.String(load_default=None, validate=validate.OneOf(PAYMENT_METHODS))
    instalment = fields.Integer(strict=True, load_default=None, validate=validate.Range(1, 24))
    fapiao_number = fapiao.fapiao_number(load_default=None)
    in_kind = Part(InKindItem, load_default=None)

    @validates_schema
    def _cash_or_in_kind(self, data, **kwargs):
        cash = data.get("amount_minor") is not None
        if cash == (data.get("in_kind") is not None):
            raise ValidationError("give either amount_minor (cash) or in_kind", "amount_minor")
        if cash and data.get("currency") is None:
            raise ValidationError("is required with amount_minor", "currency")
        if not cash and data.get("in_kind", {}).get("value_minor") == 0:
            raise ValidationError({"value_minor": ["must be more than 0"]}, "in_kind")


class DeliverBenefitSchema(Loads):
    command = commands.DeliverBenefit

    benefit = one_of(*BENEFITS)
    proof_ref = token(100, required=True)


class ThankSponsorSchema(Loads):
    command = commands.ThankSponsor

    channel = one_of(*CONTACT_CHANNELS)


class CancelSponsorshipSchema(Loads):
    command = commands.CancelSponsorship

    reason = text(1000, required=True)


class RefundSponsorSchema(Loads):
    command = commands.RefundSponsor

    amount_minor = positive_minor(required=True)
    currency = currency(required=True)
    refunded_on = day(required=True)
    method = fields.String(load_default=None, validate=validate.OneOf(PAYMENT_METHODS))
