"""A ticket type's quota (one aggregate per conference and ticket type): the places orders
hold. Each order that takes places adds an event, so two orders racing for the last
places write the same version and the store lets one through: no overbooking."""

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

    def reserve(self, order_id: str, places: int, size: int, meta: dict[str, Any]) -> None:
        left = size - self.reserved
        if places > left:
            raise SoldOut(
                f"ticket type {self.ticket_type} has {max(left, 0)} of {size} places left; "
                f"the order asks for {places}"
            )
        self._reserved(
            ticket_type=self.ticket_type,
            order_id=order_id,
            places=places,
            reserved=self.reserved + places,
            meta=meta,
        )
        if self.reserved == size:
            self._reached(
                quota=self.ticket_type, ticket_type=self.ticket_type, size=size, meta=meta
            )

    @event("PlacesReserved")
    def _reserved(
        self, ticket_type: str, order_id: str, places: int, reserved: int, meta: dict[str, Any]
    ) -> None:
        self.reserved = reserved
        self.holds[order_id] = self.holds.get(order_id, 0) + places

    @event("QuotaReached")
    def _reached(self, quota: str, ticket_type: str, size: int, meta: dict[str, Any]) -> None:
        pass

    def release(self, order_id: str, meta: dict[str, Any]) -> None:
        """Give back what the order holds (nothing if it holds nothing)."""
        places = self.holds.get(order_id, 0)
        if places:
            self._released(
                ticket_type=self.ticket_type,
                order_id=order_id,
                places=places,
                reserved=self.reserved - places,
                meta=meta,
            )

    @event("PlacesReleased")
    def _released(
        self, ticket_type: str, order_id: str, places: int, reserved: int, meta: dict[str, Any]
    ) -> None:
        self.reserved = reserved
        del self.holds[order_id]
