"""What time does to orders and the waiting list, on a timer
(`HUIWU_ORDER_EXPIRY_INTERVAL`) and on demand: unpaid orders past their `expires_at`
expire, waiting-list offers past theirs lapse, and the places free then are offered to
the first ones waiting. Read models say which orders and entries are due; the application
checks each again against the aggregate itself."""

from __future__ import annotations

import logging

from services.common.domain import CommandContext

from .application import RegistrationApplication
from .open_orders import OpenOrders
from .waitlist_view import WaitlistView

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "registration"


class OrderExpiry:
    def __init__(
        self, app: RegistrationApplication, open_orders: OpenOrders, waitlist: WaitlistView
    ) -> None:
        self.app = app
        self.open_orders = open_orders
        self.waitlist = waitlist

    def run(self, ctx: CommandContext | None = None) -> dict[str, list[str]]:
        """Expire, lapse and offer what is due now; the ids of each."""
        ctx = ctx or CommandContext.new(SYSTEM_ACTOR)
        due = self.open_orders.due(self.app.clock())
        expired = self.app.expire_due(due, ctx) if due else []
        lapsed = self.app.lapse_offers(self.waitlist.lapsing(self.app.clock()), ctx)
        offered = []
        for (conference_id, ticket_type), entries in self.waitlist.waiting().items():
            offered += self.app.offer_places(conference_id, ticket_type, entries, ctx)
        return {"expired": expired, "lapsed": lapsed, "offered": offered}

    def tick(self) -> None:
        try:
            done = self.run()
        except Exception:  # noqa: BLE001 - the next tick tries again
            log.exception("expiring orders and offering freed places failed")
            return
        if any(done.values()):
            log.info("%s", ", ".join(f"{len(v)} {k}" for k, v in done.items()))
