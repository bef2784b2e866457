"""A sponsorship package's slots, one aggregate per conference and package (no I/O).

Each signing for the package takes a slot here, in the signing's own transaction, and
each cancellation of a signed sponsorship gives one back: two signings of the last slot
at the same instant write the same version, the store lets one through and the other is
retried, to find the package sold out (as registration's quotas keep places).
"""

from __future__ import annotations

import uuid
from typing import Any

from eventsourcing.domain import event

from services.common.errors import Conflict

from . import package_slot_events as later
from .domain import NAMESPACE, BudgetAggregate


def slots_id(conference_id: str, package: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"package-slots:{conference_id}:{package}")


class SoldOut(Conflict):
    pass


class PackageSlots(BudgetAggregate):
    """How many of a package's slots are signed. Made by its first signing since slots
    were kept this way, counting those signed before it (`taken` includes them)."""

    @event("PackageSlotTaken")
    def __init__(
        self, package: str, sponsorship_id: str, slots: int, taken: int, meta: dict[str, Any]
    ) -> None:
        self.package = package
        self.taken = taken

    @staticmethod
    def first(
        conference_id: str, package: str, sponsorship_id: str, slots: int, signed: int, meta
    ) -> PackageSlots:
        """The slots as first kept: `signed` taken before, and this signing's."""
        _check(package, slots, signed)
        return PackageSlots.made(
            PackageSlots.PackageSlotTaken,
            slots_id(conference_id, package),
            package=package,
            sponsorship_id=sponsorship_id,
            slots=slots,
            taken=signed + 1,
            meta=meta,
        )

    def take(self, sponsorship_id: str, slots: int, meta: dict[str, Any]) -> None:
        _check(self.package, slots, self.taken)
        self.trigger_event(
            later.PackageSlots.PackageSlotTaken,
            package=self.package,
            sponsorship_id=sponsorship_id,
            slots=slots,
            taken=self.taken + 1,
            meta=meta,
        )

    def release(self, sponsorship_id: str, meta: dict[str, Any]) -> None:
        self._released(
            package=self.package,
            sponsorship_id=sponsorship_id,
            taken=max(self.taken - 1, 0),
            meta=meta,
        )

    @event("PackageSlotReleased")
    def _released(
        self, package: str, sponsorship_id: str, taken: int, meta: dict[str, Any]
    ) -> None:
        self.taken = taken


def _check(package: str, slots: int, taken: int) -> None:
    if taken >= slots:
        raise SoldOut(f"package {package!r} is sold out: {taken} of {slots} signed", "package")
