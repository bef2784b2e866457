"""Gauges of the plans: entries by status, overdue entries by section and by owner."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge


class PlanMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.entries = Gauge(
            "huiwu_checklist_entries",
            "Plan entries of all conferences, by status.",
            ["status"],
            registry=registry,
        )
        self.overdue_by_section = Gauge(
            "huiwu_checklist_overdue_entries_by_section",
            "Open entries past their due date, by section.",
            ["section"],
            registry=registry,
        )
        self.overdue_by_owner = Gauge(
            "huiwu_checklist_overdue_entries_by_owner",
            "Open entries past their due date, by owner (or role:<role> when unassigned).",
            ["owner"],
            registry=registry,
        )
        for status in ("open", "in_progress", "verified", "waived"):
            self.entries.labels(status).set(0)

    def update(self, statistics: dict[str, dict[str, int]]) -> None:
        for status in ("open", "in_progress", "verified", "waived"):
            self.entries.labels(status).set(statistics["status"].get(status, 0))
        for gauge, counts in (
            (self.overdue_by_section, statistics["section"]),
            (self.overdue_by_owner, statistics["owner"]),
        ):
            gauge.clear()
            for label, value in counts.items():
                gauge.labels(label).set(value)
