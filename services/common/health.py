"""`/health`: whether the service's store and the broker answer, and why not."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kombu import Connection

from .amqp import safe_amqp_uri


class Health:
    def __init__(self, service: str, amqp_uri: str, store: Mapping[str, Callable[[], Any]]):
        self.service = service
        self.amqp_uri = amqp_uri
        self.store = store

    def report(self) -> dict[str, Any]:
        checks: dict[str, Any] = {}
        try:
            for check in self.store.values():
                check()
            checks["store"] = {"ok": True}
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            checks["store"] = {"ok": False, "error": str(exc)}
        broker = {"uri": safe_amqp_uri(self.amqp_uri)}
        try:
            with Connection(self.amqp_uri, connect_timeout=2) as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = {"ok": True, **broker}
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            checks["broker"] = {"ok": False, **broker, "error": str(exc)}
        return {
            "service": self.service,
            "ok": all(check["ok"] for check in checks.values()),
            "checks": checks,
        }
