"""Registration set up for the whole conference (aggregate: the conference's registration
set-up): channels opened and closed, the fee schedule, payment channels tested, quotas,
the registration targets and their warnings."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common.catalog import EventSchema, Part
from services.common.fapiao import tax_rate
from services.common.fields import currency, day, money_minor, text, token
from services.common.planned import count, flag, many_of, one_of

from .vocabulary import (
    CATEGORIES,
    CLOSE_REASONS,
    PAYMENT_METHODS,
    REGISTRATION_CHANNELS,
)


class RegistrationOpened(EventSchema):
    """Registration opened on a channel: online (website and WeChat) or the desk on site.
    Proves 2.1.3 and 5.3.1 (online; WeChat payment when `payment_methods` holds
    `wechat_pay`) and 18.1.6 (onsite)."""

    channel = one_of(*REGISTRATION_CHANNELS)
    payment_methods = many_of(PAYMENT_METHODS)
    closes_on = day()


class RegistrationClosed(EventSchema):
    """Registration closed on a channel: at its deadline, sold out, or by decision."""

    channel = one_of(*REGISTRATION_CHANNELS)
    reason = one_of(*CLOSE_REASONS)


class FeeLine(Schema):
    """One fee of the schedule: what a category pays for a ticket type. Prices include VAT
    (含税价), as Chinese prices are quoted; `tax_rate_bp` is the rate its fapiao carries."""

    category = one_of(*CATEGORIES)
    ticket_type = token(50, required=True)
    label = text(100, required=True)
    price_minor = money_minor(required=True)
    currency = currency(required=True)
    tax_rate_bp = tax_rate(required=True)
    # early-bird price until this day; the next line of the same type takes over after it
    early_until = day()
    # the sales window (added): the days, in the conference's time zone, it can be ordered
    on_sale_from = day()
    on_sale_until = day()
    # like a pretix quota: how many can be sold; absent = no limit but the venue's
    quota = count(required=False, minimum=1)
    # like pretix's require_approval: an order waits for OrderApproved before payment
    requires_approval = flag()

    @validates_schema
    def _window_in_order(self, data, **kwargs):
        start, end = data.get("on_sale_from"), data.get("on_sale_until")
        if start and end and end < start:
            raise ValidationError("must not be before on_sale_from", "on_sale_until")


class FeeScheduleSet(EventSchema):
    """Registration categories and fees were set and published (5.2.3, 10.1.6). Each item
    of `categories` is one fee line: the category, ticket type, price, tax rate, early-bird
    date and quota."""

    categories = fields.List(Part(FeeLine), required=True, validate=validate.Length(min=1, max=200))


class PaymentChannelTested(EventSchema):
    """A payment channel was tested end to end: a real small payment went through and was
    refunded (10.1.6: fees set up and tested). `payment_reference` and `refund_reference`
    are the provider's transaction ids; `refunded` is true once the refund's is known."""

    method = one_of(*PAYMENT_METHODS)
    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    refunded = flag(required=True)
    payment_reference = token(64)
    refund_reference = token(64)


class QuotaReached(EventSchema):
    """A quota sold out (all of it paid or reserved): the waiting list takes over and the
    over-capacity plan may be needed (21.5.3)."""

    quota = token(50, required=True)
    ticket_type = token(50)
    size = count()


class QuotaNearlyReached(EventSchema):
    """A quota's places taken crossed the share of it under which it is nearly sold out
    (`percent`, 90 unless the deployment sets another): time to widen it, plan for
    overflow or stop promoting the ticket type (21.5.3). Once per crossing: again only
    after released places took it back under the share. Selling out at once says
    QuotaReached instead."""

    quota = token(50, required=True)
    ticket_type = token(50)
    size = count(required=True, minimum=1)
    reserved = count(required=True)
    percent = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=99))


class RegistrationTarget(Schema):
    """A stage of the registration plan: how many should be registered by a day."""

    by = day(required=True)
    registered = count(minimum=1)


class RegistrationTargetsSet(EventSchema):
    """The early warning for registrations below target was set (21.8.2): the stage
    targets, and the share of a target under which registration warns on its day
    (RegistrationBelowTarget); `categories` are those counted (absent: every one). Set
    again, they replace the earlier ones."""

    targets = fields.List(
        Part(RegistrationTarget), required=True, validate=validate.Length(min=1, max=50)
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


class RegistrationBelowTarget(EventSchema):
    """Registrations on a target's day were under its warning share (21.8.2): the plan to
    widen attendance (21.8.3) may be needed. `registered` counts the registrations paid
    for and not cancelled (of the targets' categories), when the check on or after the
    target's day ran; `warn_below_percent` is the share it was under. Once per target:
    the current one (the latest whose day has come) is checked on each timer tick until
    it warns; a target set again with another number is a new one."""

    target_by = day(required=True)
    target = count(minimum=1)
    registered = count()
    warn_below_percent = fields.Integer(strict=True, validate=validate.Range(min=1, max=100))


class RegistrationSetUp(EventSchema):
    """Registration was set up for a conference: the currency its fees are in, the time
    zone its days are counted in (those of the conference, from checklist), and how long
    an order is held unpaid before it expires unless it says otherwise. The first event of
    the conference's registration set-up; the others follow it."""

    currency = currency(required=True)
    timezone = text(64, required=True)
    hold_hours = count(minimum=1, maximum=24 * 90)


class RefundPolicySet(EventSchema):
    """The conference's refund rules were set (they replace the earlier ones): an order
    cancelled by its buyer is refunded in full until `full_refund_until`, by
    `partial_refund_percent` of what was paid until `partial_refund_until`, and not at all
    after; an attendee may be substituted until `substitution_until`. Days in the
    conference's time zone; an order the organiser cancels is always refunded in full."""

    full_refund_until = day(required=True)
    partial_refund_until = day()
    partial_refund_percent = fields.Integer(
        strict=True, load_default=0, validate=validate.Range(min=0, max=100)
    )
    substitution_until = day()

    @validates_schema
    def _in_order(self, data, **kwargs):
        full, partial = data.get("full_refund_until"), data.get("partial_refund_until")
        if full and partial and partial < full:
            raise ValidationError("must not be before full_refund_until", "partial_refund_until")


class QuotaOpened(EventSchema):
    """The places of a ticket type with a quota began to be counted (at its first order):
    the quota's aggregate serialises the orders that take its places."""

    ticket_type = token(50, required=True)


class PlacesReserved(EventSchema):
    """An order took places of a ticket type's quota, or a waiting-list voucher holds one
    for the person it was offered to (`voucher_id` instead of `order_id`): `reserved` is
    how many are taken now."""

    ticket_type = token(50, required=True)
    order_id = fields.UUID()
    voucher_id = fields.UUID()
    places = count(minimum=1)
    reserved = count()


class PlacesReleased(EventSchema):
    """Places an order or a voucher held went back to the quota (the order expired, was
    denied or was cancelled; the offer lapsed or was taken): `reserved` is how many are
    still taken."""

    ticket_type = token(50, required=True)
    order_id = fields.UUID()
    voucher_id = fields.UUID()
    places = count(minimum=1)
    reserved = count()


TYPES = {
    "RegistrationSetUp": RegistrationSetUp,
    "RefundPolicySet": RefundPolicySet,
    "QuotaOpened": QuotaOpened,
    "PlacesReserved": PlacesReserved,
    "PlacesReleased": PlacesReleased,
    "RegistrationOpened": RegistrationOpened,
    "RegistrationClosed": RegistrationClosed,
    "FeeScheduleSet": FeeScheduleSet,
    "PaymentChannelTested": PaymentChannelTested,
    "QuotaReached": QuotaReached,
    "QuotaNearlyReached": QuotaNearlyReached,
    "RegistrationTargetsSet": RegistrationTargetsSet,
    "RegistrationBelowTarget": RegistrationBelowTarget,
}
