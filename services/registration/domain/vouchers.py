"""Vouchers (pretix's): complimentary passes, discounts, and waiting-list offers. The code
is the voucher's secret: it is never published, and the voucher's id is derived from it
(`ids.voucher_id`), so an order finds its voucher without a lookup table. Codes are made
by the service, long and random, so that no one can find one from the published ids."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate, event

from services.common.errors import Conflict, InvalidCommand


class VoucherUsedUp(Conflict):
    pass


class Voucher(Aggregate):
    class VoucherIssued(Aggregate.Created):
        purpose: str
        price_mode: str
        value: int
        max_usages: int
        ticket_type: str | None
        valid_until: str | None
        code: str
        meta: dict[str, Any]
        unpublished = ("code",)
        published_when_set = ("ticket_type", "valid_until")

    @classmethod
    def issue(cls, voucher_id: Any, **kwargs: Any) -> Voucher:
        if kwargs["price_mode"] == "percent" and kwargs["value"] > 100:
            raise InvalidCommand("must be at most 100 for a percent voucher", field="value")
        if kwargs["price_mode"] == "free" and kwargs["value"]:
            raise InvalidCommand("must be 0 for a free voucher", field="value")
        return cls._create(cls.VoucherIssued, id=voucher_id, **kwargs)

    @event(VoucherIssued)
    def __init__(
        self,
        purpose: str,
        price_mode: str,
        value: int,
        max_usages: int,
        ticket_type: str | None,
        valid_until: str | None,
        code: str,
        meta: dict[str, Any],
    ) -> None:
        self.conference_id = meta["conference_id"]
        self.purpose = purpose
        self.price_mode = price_mode
        self.value = value
        self.max_usages = max_usages
        self.ticket_type = ticket_type
        self.valid_until = valid_until
        self.code = code
        self.usages = 0
        self.orders: dict[str, int] = {}  # order id: uses

    def price(self, price_minor: int) -> int:
        """What a position priced at `price_minor` costs with this voucher."""
        if self.price_mode == "free":
            return 0
        if self.price_mode == "set":
            return min(self.value, price_minor)
        if self.price_mode == "subtract":
            return max(price_minor - self.value, 0)
        return price_minor - price_minor * self.value // 100  # percent off, rounded down

    def redeem(self, order_id: str, ticket_types: list[str], today: str, meta: dict) -> None:
        """Use it once per position (their ticket types); refused while it does not fit."""
        if self.valid_until and today > self.valid_until:
            raise Conflict(f"the voucher was valid until {self.valid_until}")
        if self.ticket_type and any(t != self.ticket_type for t in ticket_types):
            raise InvalidCommand(f"the voucher is for ticket type {self.ticket_type} only")
        times = len(ticket_types)
        if self.usages + times > self.max_usages:
            raise VoucherUsedUp(
                f"the voucher has {self.max_usages - self.usages} of {self.max_usages} uses left"
            )
        self._redeemed(order_id=order_id, times=times, usages=self.usages + times, meta=meta)

    @event("VoucherRedeemed")
    def _redeemed(self, order_id: str, times: int, usages: int, meta: dict[str, Any]) -> None:
        self.usages = usages
        self.orders[order_id] = self.orders.get(order_id, 0) + times

    def give_back(self, order_id: str, meta: dict[str, Any]) -> None:
        times = self.orders.get(order_id, 0)
        if times:
            self._returned(order_id=order_id, times=times, usages=self.usages - times, meta=meta)

    @event("VoucherReturned")
    def _returned(self, order_id: str, times: int, usages: int, meta: dict[str, Any]) -> None:
        self.usages = usages
        del self.orders[order_id]
