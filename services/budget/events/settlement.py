"""Closing the accounts: payment channels settled (aggregate: the channel's settlements
with the conference, its payouts in turn), income reconciled, the settlement of the
conference and its report to the host (each its own aggregate)."""

from marshmallow import ValidationError, validates_schema

from services.common.catalog import EventSchema
from services.common.fields import currency, day, money_minor, text
from services.common.planned import PlannedEvent, count, flag, one_of

from .vocabulary import PAYMENT_METHODS, SETTLEMENT_RESULTS


class PaymentChannelSettled(PlannedEvent):
    """A payment channel (WeChat Pay, Alipay...) paid out what it collected over a period,
    less its fees (2.5.2: online registration fees reconciled). Its statement is matched
    with the registration payments taken through it: `unmatched` counts the payments
    whose amount or fee (手续费) do not agree (0 when all do). `final` marks the channel's
    last payout for the conference, once registration is closed and nothing more can come
    through it."""

    method = one_of(*PAYMENT_METHODS)
    gross_minor = money_minor(required=True)
    fees_minor = money_minor(required=True)
    net_minor = money_minor(required=True)
    currency = currency(required=True)
    period_from = day(required=True)
    period_to = day(required=True)
    unmatched = count(required=False)
    final = flag()

    @validates_schema
    def _adds_up(self, data, **kwargs):
        gross, fees = data.get("gross_minor"), data.get("fees_minor")
        if None not in (gross, fees) and gross - fees != data.get("net_minor"):
            raise ValidationError(f"must be gross_minor - fees_minor = {gross - fees}", "net_minor")
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and end < start:
            raise ValidationError("must not be before period_from", "period_to")


class IncomeReconciled(PlannedEvent):
    """Expected income was checked against what arrived (2.5.1); `outstanding_minor` is
    what is still due (0 when all is in)."""

    expected_minor = money_minor(required=True)
    received_minor = money_minor(required=True)
    outstanding_minor = money_minor(required=True)
    currency = currency(required=True)
    open_items = count()

    @validates_schema
    def _adds_up(self, data, **kwargs):
        expected, received = data.get("expected_minor"), data.get("received_minor")
        if None not in (expected, received):
            due = max(expected - received, 0)
            if data.get("outstanding_minor") != due:
                raise ValidationError(f"must be {due}", "outstanding_minor")


class SettlementCompleted(EventSchema):
    """The conference's accounts were settled and the settlement sheet completed (2.5.4,
    24.1.1). `amount_minor` is the surplus or deficit (`result`): income less expense."""

    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    income_minor = money_minor()
    expense_minor = money_minor()
    result = one_of(*SETTLEMENT_RESULTS, required=False)

    @validates_schema
    def _adds_up(self, data, **kwargs):
        income, expense = data.get("income_minor"), data.get("expense_minor")
        if None in (income, expense):
            return
        if abs(income - expense) != data.get("amount_minor"):
            raise ValidationError(
                f"must be |income - expense| = {abs(income - expense)}", "amount_minor"
            )
        result = "surplus" if income > expense else "deficit" if income < expense else "balanced"
        if data.get("result", result) != result:
            raise ValidationError(f"must be {result}", "result")


class SettlementReportDelivered(PlannedEvent):
    """The settlement report was delivered to the host (23.4.1)."""

    delivered_to = text(200, required=True)
    delivered_on = day(required=True)


TYPES = {
    "PaymentChannelSettled": PaymentChannelSettled,
    "IncomeReconciled": IncomeReconciled,
    "SettlementCompleted": SettlementCompleted,
    "SettlementReportDelivered": SettlementReportDelivered,
}
