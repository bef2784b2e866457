"""The outcome of each `huiwu audit verify`, kept in reporting's store, and the gauges
Prometheus reads from the last one (an alert fires on a failed one:
infra/prometheus/alerts.yml)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from services.common.database import Database

TABLE = "chain_verifications"


class Verifications:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self) -> None:
        with self.db.transaction() as cur:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS {t} (started_at TEXT NOT NULL, finished_at "
                "DOUBLE PRECISION NOT NULL, ok INTEGER NOT NULL, seconds DOUBLE PRECISION "
                "NOT NULL, events BIGINT NOT NULL, broken TEXT)",
                t=TABLE,
            )

    def record(
        self,
        started_at: str,
        finished_at: float,
        ok: bool,
        seconds: float,
        events: int,
        broken: str,
    ) -> None:
        self.create()
        with self.db.transaction() as cur:
            cur.execute(
                "INSERT INTO {t} (started_at, finished_at, ok, seconds, events, broken) "
                "VALUES ({p}, {p}, {p}, {p}, {p}, {p})",
                [started_at, finished_at, int(ok), seconds, events, broken or None],
                t=TABLE,
            )

    def last(self) -> dict[str, Any] | None:
        with self.db.transaction() as cur:
            row = cur.execute(
                "SELECT started_at, finished_at, ok, seconds, events, broken FROM {t} "
                "ORDER BY finished_at DESC LIMIT 1",
                t=TABLE,
            ).fetchone()
        if row is None:
            return None
        keys = ("started_at", "finished_at", "ok", "seconds", "events", "broken")
        return dict(zip(keys, row, strict=True))


class VerificationMetrics(Collector):
    def __init__(self, verifications: Verifications, registry: CollectorRegistry) -> None:
        self.verifications = verifications
        registry.register(self)

    def describe(self) -> list:
        return []

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            last = self.verifications.last()
        except Exception:  # noqa: BLE001 - no verification yet (no table), or store down
            return
        if last is None:
            return
        for name, doc, value in (
            (
                "huiwu_audit_verify_last_timestamp_seconds",
                "When the last `huiwu audit verify` finished (Unix time).",
                last["finished_at"],
            ),
            (
                "huiwu_audit_verify_last_ok",
                "1 if the last `huiwu audit verify` found every history intact, else 0.",
                last["ok"],
            ),
            (
                "huiwu_audit_verify_last_duration_seconds",
                "How long the last `huiwu audit verify` took.",
                last["seconds"],
            ),
            (
                "huiwu_audit_verify_last_events",
                "Stored events the last `huiwu audit verify` checked.",
                last["events"],
            ),
        ):
            family = GaugeMetricFamily(name, doc)
            family.add_metric([], float(value))
            yield family
