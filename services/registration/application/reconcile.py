"""Reconciliation of orders after the event (23.1.3) and the test of a live payment
channel (10.1.6): both record what staff found, on the aggregate they are about."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from services.common.domain import CommandContext
from services.common.errors import InvalidCommand, NotFound, about

from .. import commands as c
from ..domain import Order, RegistrationSetup
from ..domain import reconciliation as r
from ..domain.orders import NOT_RECONCILED
from ..events import PAYMENT_METHODS
from .base import RegistrationBase
from .fapiao import fapiao_of

# the orders whose figures a bulk answer lists, of those not settled
MAX_LISTED = 100


class ReconcileCases(RegistrationBase):
    def reconcile_order(
        self, conference_id: Any, order_id: Any, cmd: c.ReconcileOrder, ctx: CommandContext
    ) -> dict[str, Any]:
        """The order's figures now, recorded as OrderReconciled when they changed."""
        return self._retrying(lambda: self._reconcile(self._order_of(conference_id, order_id), ctx))

    def reconcile_orders(
        self, conference_id: Any, order_ids: Iterable[str], ctx: CommandContext
    ) -> dict[str, Any]:
        """Every order of `order_ids` but those expired or denied, each saved on its own."""
        conference = self._conference(conference_id)
        answer: dict[str, Any] = {"conference_id": conference.conference_id, "orders": 0}
        answer.update(recorded=0, settled=0, unsettled=0, unsettled_orders=[])
        for order_id in order_ids:
            view = self._retrying(lambda oid=order_id: self._reconcile_if_due(oid, ctx))
            if view is None:
                continue
            answer["orders"] += 1
            answer["recorded"] += view["recorded"]
            if view["settled"]:
                answer["settled"] += 1
                continue
            answer["unsettled"] += 1
            if len(answer["unsettled_orders"]) < MAX_LISTED:
                answer["unsettled_orders"].append(view)
        return answer

    def test_payment_channel(
        self, conference_id: Any, channel: str, cmd: c.TestPaymentChannel, ctx: CommandContext
    ) -> RegistrationSetup:
        if channel not in PAYMENT_METHODS:
            raise InvalidCommand(f"must be one of {', '.join(PAYMENT_METHODS)}", "channel")
        conference = self._conference(conference_id)
        setup = self._setup(conference)
        setup.record_channel_test(
            channel,
            cmd.amount_minor,
            cmd.currency,
            cmd.payment_reference,
            cmd.refund_reference,
            ctx.meta(conference.conference_id),
        )
        self.save(setup)
        return setup

    def _order_of(self, conference_id: Any, order_id: Any) -> Order:
        order = self.order(order_id)
        if order.conference_id != str(conference_id):
            raise NotFound(f"no order {order_id} in conference {conference_id}", "order_id")
        return order

    def _reconcile_if_due(self, order_id: str, ctx: CommandContext) -> dict[str, Any] | None:
        order = self.order(order_id)
        return None if order.status in NOT_RECONCILED else self._reconcile(order, ctx)

    def _reconcile(self, order: Order, ctx: CommandContext) -> dict[str, Any]:
        found = r.figures(order, fapiao_of(self, order.id))
        with about("order_id"):
            recorded = order.reconcile(found, ctx.meta(order.conference_id))
        if recorded:
            self.save(order)
        return {
            "order_id": str(order.id),
            "status": order.status,
            **found,
            "to_collect_minor": r.to_collect(found),
            "to_refund_minor": r.to_refund(found),
            "settled": found["outstanding_minor"] == 0 and found["fapiao_open"] == 0,
            "recorded": recorded,
        }
