"""A ticket type's quota (one aggregate per conference and ticket type): the places orders
hold, and those waiting-list vouchers hold for the people they were offered to. Each
holder that takes places adds an event, so two orders racing for the last places write
the same version and the store lets one through: no overbooking."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate, event

from services.common.errors import Conflict

from .ids import quota_id


class SoldOut(Conflict):
    pass


class Quota(Aggregate):
    @staticmethod
    def create_id(ticket_type: str, meta: dict[str, Any]) -> Any:
        return quota_id(meta["conference_id"], ticket_type)

    @event("QuotaOpened")
    def __init__(self, ticket_type: str, meta: dict[str, Any]) -> None:
        self.ticket_type = ticket_type
        self.reserved = 0
        self.holds: dict[str, int] = {}  # order id: places it holds

    def left(self, size: int) -> int:
        return max(size - self.reserved, 0)

    def reserve(
        self,
        places: int,
        size: int,
        meta: dict[str, Any],
        order_id: str | None = None,
        voucher_id: str | None = None,
    ) -> None:
        """Take places for an order or a voucher; SoldOut if fewer are left."""
        left = size - self.reserved
        if places > left:
            raise SoldOut(
                f"ticket type {self.ticket_type} has {max(left, 0)} of {size} places left; "
                f"the order asks for {places}"
            )
        self._reserved(
            ticket_type=self.ticket_type,
            order_id=order_id,
            voucher_id=voucher_id,
            places=places,
            reserved=self.reserved + places,
            meta=meta,
        )
        if self.reserved == size:
            name = self.ticket_type
            self._reached(quota=name, ticket_type=name, size=size, meta=meta)

    class PlacesReserved(Aggregate.Event):
        ticket_type: str
        order_id: str | None
        voucher_id: str | None
        places: int
        reserved: int
        meta: dict[str, Any]
        published_when_set = ("order_id", "voucher_id")

    @event(PlacesReserved)
    def _reserved(
        self,
        ticket_type: str,
        order_id: str | None,
        voucher_id: str | None,
        places: int,
        reserved: int,
        meta: dict[str, Any],
    ) -> None:
        self.reserved = reserved
        holder = order_id or voucher_id
        assert holder is not None
        self.holds[holder] = self.holds.get(holder, 0) + places

    @event("QuotaReached")
    def _reached(self, quota: str, ticket_type: str, size: int, meta: dict[str, Any]) -> None:
        pass

    def release(
        self, meta: dict[str, Any], order_id: str | None = None, voucher_id: str | None = None
    ) -> None:
        """Give back what the order or the voucher holds (nothing if it holds nothing)."""
        places = self.holds.get(order_id or voucher_id or "", 0)
        if places:
            self._released(
                ticket_type=self.ticket_type,
                order_id=order_id,
                voucher_id=voucher_id,
                places=places,
                reserved=self.reserved - places,
                meta=meta,
            )

    class PlacesReleased(Aggregate.Event):
        ticket_type: str
        order_id: str | None
        voucher_id: str | None
        places: int
        reserved: int
        meta: dict[str, Any]
        published_when_set = ("order_id", "voucher_id")

    @event(PlacesReleased)
    def _released(
        self,
        ticket_type: str,
        order_id: str | None,
        voucher_id: str | None,
        places: int,
        reserved: int,
        meta: dict[str, Any],
    ) -> None:
        self.reserved = reserved
        del self.holds[order_id or voucher_id]
