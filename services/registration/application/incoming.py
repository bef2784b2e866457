"""Money that arrived from outside (a bank statement, a provider's notification),
recorded on the orders it matched: every matched payment saved in one save, as staff's
RecordPayment would record it; nothing for the rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from services.common.domain import CommandContext

from ..conferences import Conference
from ..domain import Attendee, Order
from ..domain.payment_matching import IncomingPayment, OrderState, Outcome, match
from .base import RegistrationBase


class IncomingCases(RegistrationBase):
    def conference(self, conference_id: str) -> Conference:
        """The conference a statement is for (400 naming `conference_id` if unknown)."""
        return self._conference(conference_id)

    def record_incoming(
        self,
        payments: Sequence[IncomingPayment],
        candidates: Mapping[str, Sequence[str]],
        ctx: CommandContext,
        paid_at: dt.datetime | None = None,
    ) -> list[Outcome]:
        """Match `payments` to the orders `candidates` names per reference, and record the
        matched ones; an order changed meanwhile makes it match again. `paid_at` gives a
        notification's day, in the time zone of its order's conference."""
        return self._retrying(lambda: self._record_matched(payments, candidates, ctx, paid_at))

    def _record_matched(
        self,
        payments: Sequence[IncomingPayment],
        candidates: Mapping[str, Sequence[str]],
        ctx: CommandContext,
        paid_at: dt.datetime | None,
    ) -> list[Outcome]:
        orders = {oid: self.order(oid) for ids in candidates.values() for oid in ids}
        states = {
            reference: [state_of(orders[oid]) for oid in ids]
            for reference, ids in candidates.items()
        }
        outcomes = match(payments, states)
        changed: dict[str, Order | Attendee] = {}
        for outcome in outcomes:
            if not outcome.matched:
                continue
            order = orders[str(outcome.order_id)]
            changed[str(order.id)] = order
            for attendee in self._receive(order, outcome.payment, ctx, paid_at):
                changed[str(attendee.id)] = attendee
        if changed:
            self.save(*changed.values())
        return outcomes

    def _receive(
        self,
        order: Order,
        payment: IncomingPayment,
        ctx: CommandContext,
        paid_at: dt.datetime | None,
    ) -> list[Attendee]:
        meta = ctx.meta(order.conference_id)
        received_on = payment.received_on
        if received_on is None:
            zone = ZoneInfo(self._conference(order.conference_id).timezone)
            received_on = (paid_at or self.clock()).astimezone(zone).date().isoformat()
        paid_in_full = order.receive_payment(
            payment_id=payment.payment_id,
            method=payment.method,
            amount_minor=payment.amount_minor,
            currency=payment.currency,
            fee_minor=payment.fee_minor,
            provider_reference=payment.transaction_id,
            received_on=received_on,
            meta=meta,
        )
        if not paid_in_full:
            return []
        attendees = self._attendees(order)
        for attendee in attendees:
            attendee.paid_for(payment.method, meta)
        return attendees


def state_of(order: Order) -> OrderState:
    payments: dict[str, Any] = {p["payment_id"]: p["amount_minor"] for p in order.payments}
    return OrderState(str(order.id), order.status, order.currency, payments)
