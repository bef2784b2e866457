"""Registration set up for the whole conference (aggregate: the conference's registration
set-up): channels opened and closed, the fee schedule, payment channels tested, quotas,
the registration targets and their warnings."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common.catalog import Part
from services.common.fapiao import tax_rate
from services.common.fields import currency, day, money_minor, text, token
from services.common.planned import PlannedEvent, count, flag, many_of, one_of

from .vocabulary import (
    CATEGORIES,
    CLOSE_REASONS,
    PAYMENT_METHODS,
    REGISTRATION_CHANNELS,
)


class RegistrationOpened(PlannedEvent):
    """Registration opened on a channel: online (website and WeChat) or the desk on site.
    Proves 2.1.3 and 5.3.1 (online; WeChat payment when `payment_methods` holds
    `wechat_pay`) and 18.1.6 (onsite)."""

    channel = one_of(*REGISTRATION_CHANNELS)
    payment_methods = many_of(PAYMENT_METHODS)
    closes_on = day()


class RegistrationClosed(PlannedEvent):
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
    # like a pretix quota: how many can be sold; absent = no limit but the venue's
    quota = count(required=False, minimum=1)
    # like pretix's require_approval: an order waits for OrderApproved before payment
    requires_approval = flag()


class FeeScheduleSet(PlannedEvent):
    """Registration categories and fees were set and published (5.2.3, 10.1.6). Each item
    of `categories` is one fee line: the category, ticket type, price, tax rate, early-bird
    date and quota."""

    categories = fields.List(Part(FeeLine), required=True, validate=validate.Length(min=1, max=200))


class PaymentChannelTested(PlannedEvent):
    """A payment channel was tested end to end: a real small payment went through and was
    refunded (10.1.6: fees set up and tested)."""

    method = one_of(*PAYMENT_METHODS)
    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    refunded = flag(required=True)


class QuotaReached(PlannedEvent):
    """A quota sold out (all of it paid or reserved): the waiting list takes over and the
    over-capacity plan may be needed (21.5.3)."""

    quota = token(50, required=True)
    ticket_type = token(50)
    size = count()


class RegistrationTarget(Schema):
    """A stage of the registration plan: how many should be registered by a day."""

    by = day(required=True)
    registered = count(minimum=1)


class RegistrationTargetsSet(PlannedEvent):
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


class RegistrationBelowTarget(PlannedEvent):
    """Registrations on a target's day were under its warning share (21.8.2): the plan to
    widen attendance (21.8.3) may be needed."""

    target_by = day(required=True)
    target = count(minimum=1)
    registered = count()


TYPES = {
    "RegistrationOpened": RegistrationOpened,
    "RegistrationClosed": RegistrationClosed,
    "FeeScheduleSet": FeeScheduleSet,
    "PaymentChannelTested": PaymentChannelTested,
    "QuotaReached": QuotaReached,
    "RegistrationTargetsSet": RegistrationTargetsSet,
    "RegistrationBelowTarget": RegistrationBelowTarget,
}
