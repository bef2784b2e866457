"""Money of an order recorded by staff: payments, refunds asked for and completed."""

from __future__ import annotations

import uuid
from typing import Any

from services.common.domain import CommandContext
from services.common.errors import about

from .. import commands as c
from ..domain import Order
from .base import RegistrationBase
from .fapiao import refuse_refund_over_fapiao


class PaymentCases(RegistrationBase):
    def record_payment(self, order_id: Any, cmd: c.RecordPayment, ctx: CommandContext) -> Order:
        order = self.order(order_id)
        meta = ctx.meta(order.conference_id)
        with about("order_id"):
            paid_in_full = order.receive_payment(
                payment_id=str(uuid.uuid4()),
                method=cmd.method,
                amount_minor=cmd.amount_minor,
                currency=cmd.currency,
                fee_minor=cmd.fee_minor,
                provider_reference=cmd.provider_reference,
                received_on=cmd.received_on.isoformat(),
                meta=meta,
            )
        attendees = self._attendees(order) if paid_in_full else []
        for attendee in attendees:
            attendee.paid_for(cmd.method, meta)
        self.save(order, *attendees)
        return order

    def request_refund(self, order_id: Any, cmd: c.RequestRefund, ctx: CommandContext) -> Order:
        order = self.order(order_id)
        with about("order_id"):
            order.request_refund(
                str(uuid.uuid4()),
                cmd.amount_minor,
                cmd.reason,
                cmd.source,
                ctx.meta(order.conference_id),
            )
        self.save(order)
        return order

    def complete_refund(
        self, order_id: Any, refund_id: Any, cmd: c.CompleteRefund, ctx: CommandContext
    ) -> Order:
        """The refund reached the payer. When the order's refunds then return every fee
        paid, each attendee paid for has RefundIssued (a partial refund issues none). Refused
        while the order's issued fapiao would cover more than it keeps (docs/registration.md,
        "Fapiao")."""
        order = self.order(order_id)
        meta = ctx.meta(order.conference_id)
        refund = order.refunds.get(str(refund_id))
        if refund is not None and refund["status"] == "requested":
            refuse_refund_over_fapiao(self, order, refund["amount_minor"])
        with about("refund_id"):
            order.complete_refund(str(refund_id), cmd.method, cmd.completed_on.isoformat(), meta)
        attendees = []
        if order.fully_paid and order.refunded_minor >= order.total_minor:
            attendees = self._attendees(order)
            for attendee in attendees:
                attendee.refund_issued(str(refund_id), meta)
        self.save(order, *attendees)
        return order
