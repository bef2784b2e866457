"""What every nameko service has: the notification-log RPC, /health, /metrics, its catalogue."""

from __future__ import annotations

from typing import Any

from kombu import Exchange, Queue
from nameko.rpc import rpc
from nameko.web.handlers import http
from werkzeug.wrappers import Request, Response

from .commands import Command
from .http import endpoint, json_response
from .kernel import Kernel
from .metrics import CONTENT_TYPE


def upstream_queue(service: str, upstream: str) -> Queue:
    """The durable queue through which `service` follows every event of `upstream`."""
    return Queue(
        f"{service}.{upstream}-events",
        exchange=Exchange(f"{upstream}.events", type="topic", durable=True),
        routing_key="#",
        durable=True,
    )


class HuiwuService:
    """Base class; each service sets `name` and `kernel`."""

    name: str
    kernel: Kernel

    @rpc
    def notifications(self, start: int, limit: int = 100) -> list[dict[str, Any]]:
        """Envelopes of the notification log from `start` (inclusive), at most `limit`."""
        return self.kernel.notifications(start, limit)

    @http("GET", "/health")
    def health(self, request: Request) -> Response:
        report = self.kernel.health()
        return json_response(report, 200 if report["ok"] else 503)

    @http("GET", "/metrics")
    def metrics(self, request: Request) -> Response:
        return Response(self.kernel.metrics.render(), status=200, content_type=CONTENT_TYPE)

    @http("GET", "/dead-letters")
    @endpoint("CountDeadLetters")
    def dead_letters(self, request: Request, data: dict[str, Any]) -> dict[str, Any]:
        """How many messages wait in this service's dead-letter queue."""
        return self.kernel.dead_letter_count()

    @http("POST", "/dead-letters/replay")
    @endpoint("ReplayDeadLetters", Command)
    def replay_dead_letters(self, request: Request, data: dict[str, Any]) -> dict[str, Any]:
        """{"actor": "ops"}: apply the queued messages in order, stopping at one that fails."""
        return self.kernel.replay_dead_letters()

    @http("GET", "/events/catalog")
    def event_catalog(self, request: Request) -> Response:
        return json_response(self.kernel.catalog.describe())
