"""A later signing's PackageSlotTaken, the same event type as the one that makes a
package's `PackageSlots` (package_slots.py): an aggregate may not name two of its methods'
events alike, so this one is triggered by class. Only a namespace, named as the aggregate
so that the envelope's `aggregate_type` (from the event's qualified name) is the same."""

from __future__ import annotations

from typing import Any

from .domain import BudgetAggregate


class PackageSlots:
    class PackageSlotTaken(BudgetAggregate.Event):
        package: str
        sponsorship_id: str
        slots: int
        taken: int
        meta: dict[str, Any]

        def apply(self, aggregate: Any) -> None:
            aggregate.taken = self.taken
