"""A ticket type's quota (one aggregate per conference and ticket type): the places orders
hold, and those waiting-list vouchers hold for the people they were offered to. Each
holder that takes places adds an event, so two orders racing for the last places write
the same version and the store lets one through: no overbooking."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate, event

from services.common.errors import Conflict

from .ids import quota_id

# The share of a quota whose reservation warns that it is nearly sold out (QuotaNearlyReached).
DEFAULT_NEARLY_PERCENT = 90


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
        # the crossing last warned (its size and share) until places fall back under it
        self.nearly: dict[str, int] | None = None

    def left(self, size: int) -> int:
        return max(size - self.reserved, 0)

    def reserve(
        self,
        places: int,
        size: int,
        meta: dict[str, Any],
        order_id: str | None = None,
        voucher_id: str | None = None,
        nearly_percent: int = DEFAULT_NEARLY_PERCENT,
    ) -> None:
        """Take places for an order or a voucher; SoldOut if fewer are left. Crossing
        `nearly_percent` of the size warns once (QuotaNearlyReached), selling out says
        QuotaReached instead."""
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
        name = self.ticket_type
        if self.reserved == size:
            self._reached(quota=name, ticket_type=name, size=size, meta=meta)
        elif self.nearly is None and self.reserved * 100 >= size * nearly_percent:
            self._nearly_reached(
                quota=name,
                ticket_type=name,
                size=size,
                reserved=self.reserved,
                percent=nearly_percent,
                meta=meta,
            )

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

    @event("QuotaNearlyReached")
    def _nearly_reached(
        self,
        quota: str,
        ticket_type: str,
        size: int,
        reserved: int,
        percent: int,
        meta: dict[str, Any],
    ) -> None:
        self.nearly = {"size": size, "percent": percent}

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
        # under the share it warned at, the next crossing warns again (the event holds the
        # share, so a replay decides the same whatever the settings are now)
        if self.nearly and reserved * 100 < self.nearly["size"] * self.nearly["percent"]:
            self.nearly = None
