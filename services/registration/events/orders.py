"""Orders (aggregate: the order), modelled on pretix's: one purchase by one buyer, holding a
position per attendee; it may wait for approval, expires unpaid, is paid by one or more
payments and refunded by refunds of its own, and is reconciled after the event.
Attendee-level facts are in attendees.py."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common.catalog import EventSchema, Part
from services.common.fields import currency, day, money_minor, text, token
from services.common.planned import count, flag, one_of

from .vocabulary import (
    BUYER_KINDS,
    CANCELLED_BY,
    CATEGORIES,
    PAYMENT_METHODS,
    REFUND_REASONS,
    REFUND_SOURCES,
    SALES_CHANNELS,
)


class Position(Schema):
    """One ticket of an order, for one attendee (the Attendee aggregate of that id). No
    name, phone or email: personal data stays in the service (PIPL: only what is needed)."""

    attendee_id = fields.UUID(required=True)
    category = one_of(*CATEGORIES)
    ticket_type = token(50, required=True)
    price_minor = money_minor(required=True)
    # the voucher's id, never its code: a code published here could be redeemed by anyone
    voucher_id = fields.UUID()


class OrderPlaced(EventSchema):
    """A buyer placed an order of one or more positions (a group registration, 团体报名,
    is one order of an organisation). Unpaid until OrderPaid; with `requires_approval`
    (pretix) it waits for OrderApproved or OrderDenied first. One placed `onsite` is a
    walk-in (15.3.2); 10.1.4 asks every order placed to be paid."""

    buyer_kind = one_of(*BUYER_KINDS)
    buyer_organisation = text(200)
    channel = one_of(*SALES_CHANNELS)
    positions = fields.List(Part(Position), required=True, validate=validate.Length(min=1, max=500))
    # fees not tied to a position: a payment or service fee
    fees_minor = money_minor(load_default=0)
    total_minor = money_minor(required=True)
    currency = currency(required=True)
    requires_approval = flag(required=True)
    expires_at = fields.AwareDateTime(required=True)

    @validates_schema
    def _adds_up(self, data, **kwargs):
        positions = data.get("positions", [])
        attendees = [p["attendee_id"] for p in positions]
        if len(set(attendees)) != len(attendees):
            raise ValidationError("must name each attendee once", field_name="positions")
        total = sum(p["price_minor"] for p in positions) + data.get("fees_minor", 0)
        if "total_minor" in data and data["total_minor"] != total:
            raise ValidationError(
                f"must be the positions' prices plus fees_minor = {total}",
                field_name="total_minor",
            )
        if data.get("buyer_kind") == "organisation" and not data.get("buyer_organisation"):
            raise ValidationError(
                "is required when the buyer is an organisation", field_name="buyer_organisation"
            )


class OrderApproved(EventSchema):
    """An order that required approval was approved (pretix: approved): it may be paid."""

    approved_by = text(200, required=True)


class OrderDenied(EventSchema):
    """An order that required approval was denied (pretix: denied); it ends unpaid."""

    reason = text(1000, required=True)


class OrderExpired(EventSchema):
    """An order was not paid by its `expires_at` (pretix: expired): its positions are
    released to the quota; its attendees are cancelled."""


class OrderCancelled(EventSchema):
    """An order was cancelled, paid or not; a paid one is refunded by its refunds."""

    cancelled_by = one_of(*CANCELLED_BY)
    reason = text(1000, required=True)
    was_paid = flag(required=True)


class PaymentReceived(EventSchema):
    """One payment of an order arrived (an order may be paid in several). `fee_minor` is
    what the payment channel kept; 2.5.2 reconciles it with the channel's settlement."""

    payment_id = fields.UUID(required=True)
    method = one_of(*PAYMENT_METHODS)
    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    fee_minor = money_minor(load_default=0)
    # the provider's transaction number (WeChat Pay, Alipay) or the bank's reference
    provider_reference = token(64)
    received_on = day(required=True)


class OrderPaid(EventSchema):
    """An order is paid in full (its payments reach its total; a free order at once).
    Proves 10.1.4 for that order; each of its attendees then has RegistrationPaid."""

    total_minor = money_minor(required=True)
    currency = currency(required=True)
    free = flag(required=True)


class Refund(EventSchema):
    """Base of the refund events: `refund_id` ties a request to its outcome."""

    refund_id = fields.UUID(required=True)


class RefundRequested(Refund):
    """A refund of an order was asked for or decided (pretix: refund requested/created);
    `partial` when it returns less than what was paid."""

    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    partial = flag(required=True)
    reason = one_of(*REFUND_REASONS)
    source = one_of(*REFUND_SOURCES)


class RefundCompleted(Refund):
    """A refund of an order reached the payer (pretix: refund done). An attendee whose
    whole fee it returned also has RefundIssued."""

    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    method = one_of(*PAYMENT_METHODS)
    completed_on = day(required=True)


class RefundFailed(Refund):
    """A refund could not be made (pretix: refund failed): finance follows it up (21.4.2,
    23.1.3)."""

    planned = True

    reason = text(1000, required=True)


class OrderReconciled(EventSchema):
    """An order's fees were reconciled after the event (23.1.3): what it owes (`due_minor`:
    its total less what was cancelled) against what was paid and refunded, and its fapiao
    against what it owes. `outstanding_minor` is still to collect (补收) or to refund,
    `fapiao_open` the fapiao still to issue, or to reverse by a red-letter one; the order
    is settled when both are 0. An order cancelled unpaid owes nothing and is settled at
    once; an expired or denied one was never paid and is not reconciled. Recorded again
    only when a figure changed (docs/registration.md, "Reconciliation")."""

    due_minor = money_minor(required=True)
    paid_minor = money_minor(required=True)
    refunded_minor = money_minor(required=True)
    outstanding_minor = money_minor(required=True)
    currency = currency(required=True)
    fapiao_open = count(maximum=500)

    @validates_schema
    def _adds_up(self, data, **kwargs):
        paid, refunded = data.get("paid_minor"), data.get("refunded_minor")
        if None in (paid, refunded, data.get("due_minor")):
            return
        if refunded > paid:
            raise ValidationError("must not be more than paid_minor", "refunded_minor")
        gap = abs(data["due_minor"] - (paid - refunded))
        if data.get("outstanding_minor") != gap:
            raise ValidationError(
                f"must be |due_minor - (paid_minor - refunded_minor)| = {gap}",
                "outstanding_minor",
            )


TYPES = {
    "OrderPlaced": OrderPlaced,
    "OrderApproved": OrderApproved,
    "OrderDenied": OrderDenied,
    "OrderExpired": OrderExpired,
    "OrderCancelled": OrderCancelled,
    "PaymentReceived": PaymentReceived,
    "OrderPaid": OrderPaid,
    "RefundRequested": RefundRequested,
    "RefundCompleted": RefundCompleted,
    "RefundFailed": RefundFailed,
    "OrderReconciled": OrderReconciled,
}
