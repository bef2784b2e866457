"""Prometheus metrics of one service, in a registry of its own.

Counters and histograms are updated where things happen; store and relay gauges are read
from the database when Prometheus scrapes, so they cannot drift from the truth.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class ServiceMetrics:
    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry(auto_describe=True)
        labels = ["service"]
        self.commands = Counter(
            "huiwu_commands",
            "Commands handled, by type and outcome "
            "(ok, invalid, unauthenticated, forbidden, not_found, conflict, unavailable, error).",
            labels + ["command", "outcome"],
            registry=self.registry,
        )
        self.command_seconds = Histogram(
            "huiwu_command_duration_seconds",
            "Time to handle a command, from request to reply.",
            labels + ["command"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.published = Counter(
            "huiwu_relay_published_events",
            "Events the relay published and the broker confirmed.",
            labels,
            registry=self.registry,
        )
        self.relay_failures = Counter(
            "huiwu_relay_failures",
            "Relay runs that stopped early, by reason (broker, invalid_event).",
            labels + ["reason"],
            registry=self.registry,
        )
        self.consumed = Counter(
            "huiwu_consumer_messages",
            "Upstream messages handled, by outcome "
            "(processed, duplicate, gap_filled, caught_up, dead_lettered, malformed, replayed).",
            labels + ["upstream", "outcome"],
            registry=self.registry,
        )
        self.dead_lettered = Counter(
            "huiwu_dead_lettered_messages",
            "Messages sent to the dead-letter queue, by upstream and reason.",
            labels + ["upstream", "reason"],
            registry=self.registry,
        )
        self.consumer_lag = Gauge(
            "huiwu_consumer_lag",
            "Newest notification id seen from an upstream minus the tracked position.",
            labels + ["upstream"],
            registry=self.registry,
        )

    def declare_command(self, command: str, outcomes: set[str]) -> None:
        for outcome in sorted(outcomes):
            self.commands.labels(self.service, command, outcome)
        self.command_seconds.labels(self.service, command)

    def count_command(self, command: str, outcome: str, seconds: float) -> None:
        self.commands.labels(self.service, command, outcome).inc()
        self.command_seconds.labels(self.service, command).observe(seconds)

    def watch_store(self, stored: Callable[[], int], published: Callable[[], int]) -> None:
        self.registry.register(_StoreCollector(self.service, stored, published))

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _StoreCollector(Collector):
    def __init__(self, service: str, stored: Callable[[], int], published: Callable[[], int]):
        self.service = service
        self.stored = stored
        self.published = published

    def describe(self) -> list:
        return []

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            stored, published = self.stored(), self.published()
        except Exception:  # noqa: BLE001 - an unreachable store shows as missing gauges
            return
        for name, doc, value in (
            ("huiwu_events_stored", "Events in the store (highest notification id).", stored),
            ("huiwu_events_published", "Highest notification id the broker confirmed.", published),
            ("huiwu_relay_lag", "Events stored but not yet published.", stored - published),
        ):
            family = GaugeMetricFamily(name, doc, labels=["service"])
            family.add_metric([self.service], value)
            yield family
