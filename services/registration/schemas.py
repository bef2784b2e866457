"""API schemas of registration: what a command must contain, and how answers are written.
Fee lines and targets are the contract's own parts (events/conference.py)."""

from __future__ import annotations

import datetime as dt

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common.commands import Loads
from services.common.fields import (
    FIRST_DAY,
    LAST_DAY,
    MAX_MINOR,
    currency,
    day,
    money_minor,
    text,
    token,
)
from services.common.planned import many_of, one_of

from . import commands
from .domain.payment_reference import payment_reference
from .events import (
    BUYER_KINDS,
    CANCELLED_BY,
    CATEGORIES,
    CLOSE_REASONS,
    CONSENTS,
    PAYMENT_METHODS,
    PRICE_MODES,
    REFUND_REASONS,
    REFUND_SOURCES,
    REGISTRATION_CHANNELS,
    SALES_CHANNELS,
    SENIORITIES,
    VOUCHER_PURPOSES,
)
from .events.conference import FeeLine, RegistrationTarget

MAX_ATTENDEES = 500  # the contract's limit of an order's positions

phone = fields.String(
    load_default=None,
    validate=validate.Regexp(
        r"^[0-9+()\- ]{3,50}$", error="must be a phone number: digits, +, -, ( ) and spaces"
    ),
)


def positive_minor() -> fields.Integer:
    """An amount that moves money: at least one minor unit."""
    return fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=MAX_MINOR))


email = fields.Email(required=True, validate=validate.Length(max=254))


# -- set-up ----------------------------------------------------------------------------


class SetFeeScheduleSchema(Loads):
    command = commands.SetFeeSchedule

    categories = fields.List(
        fields.Nested(FeeLine), required=True, validate=validate.Length(min=1, max=200)
    )


class OpenRegistrationSchema(Loads):
    command = commands.OpenRegistration

    channel = one_of(*REGISTRATION_CHANNELS)
    payment_methods = many_of(PAYMENT_METHODS, required=False)
    closes_on = day(load_default=None)


class CloseRegistrationSchema(Loads):
    command = commands.CloseRegistration

    channel = one_of(*REGISTRATION_CHANNELS)
    reason = fields.String(load_default="decision", validate=validate.OneOf(CLOSE_REASONS))


class SetRegistrationTargetsSchema(Loads):
    command = commands.SetRegistrationTargets

    targets = fields.List(
        fields.Nested(RegistrationTarget), required=True, validate=validate.Length(min=1, max=50)
    )
    warn_below_percent = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=1, max=100)
    )
    categories = many_of(CATEGORIES)

    @validates_schema
    def _in_order(self, data, **kwargs):
        days = [t["by"] for t in data.get("targets", [])]
        if days != sorted(set(days)):
            raise ValidationError("must be in order of their days, one per day", "targets")


class CheckRegistrationTargetSchema(Loads):
    command = commands.CheckRegistrationTarget


class SetRefundPolicySchema(Loads):
    command = commands.SetRefundPolicy

    full_refund_until = day(required=True)
    partial_refund_until = day(load_default=None)
    partial_refund_percent = fields.Integer(
        strict=True, load_default=0, validate=validate.Range(min=0, max=100)
    )
    substitution_until = day(load_default=None)


# -- orders ----------------------------------------------------------------------------


class ConsentSchema(Loads):
    command = commands.Consent

    version = token(50, required=True)
    wording = text(20_000, required=True)


class PersonSchema(Loads):
    command = commands.Person

    name = text(200, required=True)
    email = email
    phone = phone
    consents = many_of(CONSENTS, required=True)
    consent = fields.Nested(ConsentSchema, required=True)


class AttendeeLineSchema(Loads):
    command = commands.AttendeeLine

    ticket_type = token(50, required=True)
    person = fields.Nested(PersonSchema, required=True)
    organisation = text(200, load_default=None)
    industry = text(100, load_default=None)
    seniority = fields.String(load_default=None, validate=validate.OneOf(SENIORITIES))
    country = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[A-Z]{2}$", error="must be an ISO 3166 code such as CN"),
    )
    source_campaign = token(100, load_default=None)
    voucher_code = token(50, load_default=None)


class PlaceOrderSchema(Loads):
    command = commands.PlaceOrder

    conference_id = fields.UUID(required=True)
    buyer_kind = one_of(*BUYER_KINDS)
    buyer_name = text(200, required=True)
    buyer_organisation = text(200, load_default=None)
    buyer_email = fields.Email(load_default=None, validate=validate.Length(max=254))
    buyer_phone = phone
    channel = fields.String(load_default="online", validate=validate.OneOf(SALES_CHANNELS))
    attendees = fields.List(
        fields.Nested(AttendeeLineSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_ATTENDEES),
    )
    expires_at = fields.AwareDateTime(load_default=None)


class ImportAttendeesSchema(Loads):
    """The query of an upload of attendees besides who imports it (its body is the file)."""

    command = commands.ImportAttendees

    consent_version = token(50, required=True)
    consent_sha256 = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[0-9a-fA-F]{64}$", error="must be the SHA-256 of the wording, 64 hex digits"
        ),
    )


class ApproveOrderSchema(Loads):
    command = commands.ApproveOrder

    approved_by = text(200, load_default=None)


class DenyOrderSchema(Loads):
    command = commands.DenyOrder

    reason = text(1000, required=True)


class RecordPaymentSchema(Loads):
    command = commands.RecordPayment

    method = one_of(*PAYMENT_METHODS)
    amount_minor = positive_minor()
    currency = currency(required=True)
    received_on = day(required=True)
    fee_minor = money_minor(load_default=0)
    provider_reference = token(64, load_default=None)


class RequestRefundSchema(Loads):
    command = commands.RequestRefund

    amount_minor = positive_minor()
    reason = one_of(*REFUND_REASONS)
    source = fields.String(load_default="organiser", validate=validate.OneOf(REFUND_SOURCES))


class CompleteRefundSchema(Loads):
    command = commands.CompleteRefund

    method = one_of(*PAYMENT_METHODS)
    completed_on = day(required=True)


class CancelOrderSchema(Loads):
    command = commands.CancelOrder

    reason = text(1000, required=True)
    cancelled_by = fields.String(load_default="attendee", validate=validate.OneOf(CANCELLED_BY))


class SubstituteAttendeeSchema(Loads):
    command = commands.SubstituteAttendee

    person = fields.Nested(PersonSchema, required=True)
    reason = text(500, load_default=None)


class ExpireOrdersSchema(Loads):
    command = commands.ExpireOrders


class IssueVoucherSchema(Loads):
    command = commands.IssueVoucher

    purpose = one_of(*VOUCHER_PURPOSES)
    price_mode = one_of(*PRICE_MODES)
    value = fields.Integer(
        strict=True, load_default=0, validate=validate.Range(min=0, max=MAX_MINOR)
    )
    max_usages = fields.Integer(
        strict=True, load_default=1, validate=validate.Range(min=1, max=10_000)
    )
    ticket_type = token(50, load_default=None)
    valid_until = day(load_default=None)
    currency = currency(load_default=None)

    @validates_schema
    def _value_fits_mode(self, data, **kwargs):
        mode, value = data.get("price_mode"), data.get("value", 0)
        if mode == "percent" and value > 100:
            raise ValidationError("must be at most 100 for a percent voucher", "value")
        if mode == "free" and value:
            raise ValidationError("must be 0 for a free voucher", "value")


class JoinWaitlistSchema(Loads):
    command = commands.JoinWaitlist

    conference_id = fields.UUID(required=True)
    ticket_type = token(50, required=True)
    person = fields.Nested(PersonSchema, required=True)


# -- answers ---------------------------------------------------------------------------


class SetupAnswer(Schema):
    conference_id = fields.String()
    currency = fields.String()
    timezone = fields.String()
    hold_hours = fields.Integer()
    fees = fields.List(fields.Dict())
    channels = fields.Dict()
    targets = fields.Dict(allow_none=True)
    refund_policy = fields.Dict()
    version = fields.Integer()


class TargetWarning(Schema):
    target_by = fields.String()
    target = fields.Integer()
    registered = fields.Integer()
    warn_below_percent = fields.Integer()


class TargetCheckAnswer(Schema):
    warning = fields.Nested(TargetWarning, allow_none=True)


class SetupChangedAnswer(Schema):
    conference_id = fields.String()
    version = fields.Integer()


class Position(Schema):
    attendee_id = fields.String()
    category = fields.String()
    ticket_type = fields.String()
    price_minor = fields.Integer()
    voucher_id = fields.String()


class Payment(Schema):
    payment_id = fields.String()
    method = fields.String()
    amount_minor = fields.Integer()
    fee_minor = fields.Integer()
    provider_reference = fields.String(allow_none=True)
    received_on = fields.String()


class RefundAnswer(Schema):
    refund_id = fields.String()
    amount_minor = fields.Integer()
    partial = fields.Boolean()
    reason = fields.String()
    source = fields.String()
    status = fields.String()
    method = fields.String(allow_none=True)
    completed_on = fields.String(allow_none=True)


class OrderAnswer(Schema):
    order_id = fields.UUID(attribute="id")
    conference_id = fields.String()
    status = fields.String()
    channel = fields.String()
    buyer_kind = fields.String()
    buyer_organisation = fields.String(allow_none=True)
    buyer_name = fields.String()
    buyer_email = fields.String(allow_none=True)
    buyer_phone = fields.String(allow_none=True)
    positions = fields.List(fields.Nested(Position))
    total_minor = fields.Integer()
    currency = fields.String()
    paid_minor = fields.Integer()
    balance_minor = fields.Integer()
    overpaid_minor = fields.Integer()
    refunded_minor = fields.Integer()
    refunding_minor = fields.Integer()
    requires_approval = fields.Boolean()
    expires_at = fields.String()
    payments = fields.List(fields.Nested(Payment))
    refunds = fields.Method("_refunds")
    cancel_reason = fields.String(allow_none=True)
    version = fields.Integer()
    # what the buyer writes in a bank transfer's remark (domain/payment_reference.py)
    payment_reference = fields.Function(lambda order: payment_reference(order.id))

    def _refunds(self, order):
        return RefundAnswer(many=True).dump(list(order.refunds.values()))


class AttendeeAnswer(Schema):
    attendee_id = fields.UUID(attribute="id")
    conference_id = fields.String()
    order_id = fields.String()
    status = fields.String()
    category = fields.String()
    ticket_type = fields.String()
    name = fields.String()
    email = fields.String()
    phone = fields.String(allow_none=True)
    organisation = fields.String(allow_none=True)
    consents = fields.List(fields.String())
    consent_version = fields.String()
    consent_sha256 = fields.String()
    price_minor = fields.Integer()
    currency = fields.String()
    paid = fields.Boolean()
    refunded = fields.Boolean()
    substitutions = fields.Integer()
    version = fields.Integer()


class OrderWithAttendeesAnswer(Schema):
    order = fields.Nested(OrderAnswer)
    attendees = fields.List(fields.Nested(AttendeeAnswer))


class ImportedAttendeesAnswer(Schema):
    attendees = fields.Integer()
    orders = fields.Integer()
    paid = fields.Integer()
    order_ids = fields.List(fields.String())


class ExpiredAnswer(Schema):
    expired = fields.List(fields.String())
    lapsed = fields.List(fields.String())
    offered = fields.List(fields.String())


class VoucherAnswer(Schema):
    voucher_id = fields.UUID(attribute="id")
    conference_id = fields.String()
    code = fields.String()
    purpose = fields.String()
    price_mode = fields.String()
    value = fields.Integer()
    max_usages = fields.Integer()
    usages = fields.Integer()
    ticket_type = fields.String(allow_none=True)
    valid_until = fields.String(allow_none=True)
    version = fields.Integer()


class WaitlistEntryFields(Schema):
    entry_id = fields.UUID(attribute="id")
    conference_id = fields.String()
    ticket_type = fields.String()
    category = fields.String()
    name = fields.String()
    email = fields.String()
    phone = fields.String(allow_none=True)
    status = fields.String()
    voucher_id = fields.String(allow_none=True)
    offer_expires_at = fields.String(allow_none=True)
    version = fields.Integer()


class WaitlistEntryAnswer(Schema):
    entry = fields.Nested(WaitlistEntryFields)
    voucher_code = fields.String(allow_none=True)


# -- money from outside: bank statements and payment providers --------------------------


class PaymentNotificationSchema(Loads):
    """A provider's notification: the order's payment reference, what arrived, the
    provider's transaction id and when it was paid (signed: docs/registration.md)."""

    command = commands.PaymentNotification

    reference = text(100, required=True)
    amount_minor = positive_minor()
    currency = currency(required=True)
    transaction_id = token(64, required=True)
    # its day is the payment's received_on, which the contract bounds as every day
    paid_at = fields.AwareDateTime(
        required=True,
        validate=validate.Range(
            min=dt.datetime.combine(FIRST_DAY, dt.time(), dt.UTC),
            max=dt.datetime.combine(LAST_DAY, dt.time(), dt.UTC),
            error="must be from {min} to {max}",
        ),
    )
    method = fields.String(load_default=None, validate=validate.OneOf(PAYMENT_METHODS))
    fee_minor = money_minor(load_default=0)


class StatementLineAnswer(Schema):
    line = fields.Integer()
    outcome = fields.String()
    reason = fields.String(allow_none=True)
    column = fields.String(allow_none=True)
    order_id = fields.String(allow_none=True)
    payment_id = fields.String()
    transaction_id = fields.String(allow_none=True)
    amount_minor = fields.Integer()
    currency = fields.String()
    received_on = fields.String(allow_none=True)
    references = fields.List(fields.String())
    payer = fields.String(allow_none=True)


class BankStatementAnswer(Schema):
    lines = fields.Integer()
    recorded = fields.Integer()
    duplicate = fields.Integer()
    unmatched = fields.Integer()
    ambiguous = fields.Integer()
    invalid = fields.Integer()
    outcomes = fields.List(fields.Nested(StatementLineAnswer))


class PaymentNotificationAnswer(Schema):
    outcome = fields.String()
    order_id = fields.String()
    payment_id = fields.String()
    transaction_id = fields.String()
