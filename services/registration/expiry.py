"""Expiring unpaid orders past their `expires_at`: on a timer
(`HUIWU_ORDER_EXPIRY_INTERVAL`) and on demand. The open-orders read model says which
orders are due; the application checks each again against the order itself."""

from __future__ import annotations

import datetime as dt
import logging

from services.common.domain import CommandContext

from .application import RegistrationApplication
from .open_orders import OpenOrders

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "registration"


class OrderExpiry:
    def __init__(self, app: RegistrationApplication, open_orders: OpenOrders) -> None:
        self.app = app
        self.open_orders = open_orders

    def run(self, ctx: CommandContext | None = None, at: dt.datetime | None = None) -> list[str]:
        """Expire what is due now (or at `at`); the ids of the orders expired."""
        due = self.open_orders.due(at or self.app.clock())
        if not due:
            return []
        return self.app.expire_due(due, ctx or CommandContext.new(SYSTEM_ACTOR))

    def tick(self) -> None:
        try:
            expired = self.run()
        except Exception:  # noqa: BLE001 - the next tick tries again
            log.exception("expiring unpaid orders failed")
            return
        if expired:
            log.info("expired %d unpaid orders", len(expired))
