"""Revenue against its plan (aggregate: one revenue target): the share of an income line's
plan (or of all income, `total`) expected by a day, and the warning when the income
recorded falls behind it, once per crossing."""

from marshmallow import fields, validate

from services.common.catalog import EventSchema
from services.common.fields import currency, day, money_minor
from services.common.planned import one_of

from .vocabulary import OVERRUN_SUBJECTS


def percent():
    return fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=100))


def margin_bp():
    return fields.Integer(strict=True, required=True, validate=validate.Range(min=0, max=10_000))


class RevenueTargetSet(EventSchema):
    """By `due_on`, the income of `line` (an income line of the budget, or `total`) is to
    reach `percent` of its plan; it is behind when lower than that by more than
    `margin_bp`. Set again for a line, the new target replaces the old one."""

    line = one_of(*OVERRUN_SUBJECTS)
    due_on = day(required=True)
    percent = percent()
    margin_bp = margin_bp()


class _Figure(EventSchema):
    line = one_of(*OVERRUN_SUBJECTS)
    due_on = day(required=True)
    as_of = day(required=True)
    planned_minor = money_minor(required=True)
    expected_minor = money_minor(required=True)
    income_minor = fields.Integer(strict=True, required=True)  # less refunds: may be < 0
    percent = percent()
    margin_bp = margin_bp()
    currency = currency(required=True)
    budget_version = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))


class RevenueBehindTarget(_Figure):
    """On or after its target's day, the income recorded (less refunds) on a line is below
    the share of its plan expected, by more than the margin (21.9): once per crossing;
    `expected_minor` is `percent` of the plan, rounded down to the fen."""


class RevenueBackOnTarget(_Figure):
    """A line's income, behind its target, reached it again (within the margin)."""


TYPES = {
    "RevenueTargetSet": RevenueTargetSet,
    "RevenueBehindTarget": RevenueBehindTarget,
    "RevenueBackOnTarget": RevenueBackOnTarget,
}
