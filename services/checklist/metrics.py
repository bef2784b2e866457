"""Gauges of the plans, read from the plan read model when Prometheus scrapes: entries by
status, and entries flagged overdue (EntryOverdue for their current due date, still open)
by section and by owner: what the overdue timer and command found, each conference as of
its own today."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .events import STATUSES
from .plan_view import PlanView


class PlanMetrics(Collector):
    def __init__(self, view: PlanView, registry: CollectorRegistry) -> None:
        self.view = view
        registry.register(self)

    def describe(self) -> list:
        return []

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            statistics = self.view.statistics()
        except Exception:  # noqa: BLE001 - an unreadable store shows as missing gauges
            return
        entries = GaugeMetricFamily(
            "huiwu_checklist_entries",
            "Plan entries of all conferences, by status.",
            labels=["status"],
        )
        for status in STATUSES:
            entries.add_metric([status], statistics["status"].get(status, 0))
        yield entries
        for name, doc, label, counts in (
            (
                "huiwu_checklist_overdue_entries_by_section",
                "Open entries flagged overdue (past their due date when last checked), by section.",
                "section",
                statistics["section"],
            ),
            (
                "huiwu_checklist_overdue_entries_by_owner",
                "Open entries flagged overdue, by owner (or role:<role> when unassigned).",
                "owner",
                statistics["owner"],
            ),
        ):
            family = GaugeMetricFamily(name, doc, labels=[label])
            for value, count in sorted(counts.items()):
                family.add_metric([value], count)
            yield family
