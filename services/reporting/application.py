"""Use cases of reporting: read the audit trail; rebuild it from the upstream logs."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from services.common.consumer import TrackingConsumer
from services.common.sinks import ProjectionSink
from services.common.store import ServiceApplication

from .audit import AuditTrail

UPSTREAMS = ("registration", "budget", "vendors", "speakers", "checklist")


class ReportingApplication(ServiceApplication):
    name = "reporting"


class AuditService:
    def __init__(self, trail: AuditTrail, sink: ProjectionSink) -> None:
        self.trail = trail
        self.sink = sink
        self.consumer: TrackingConsumer | None = None

    def show(self, **filters: Any) -> list[dict[str, Any]]:
        return self.trail.query(**filters)

    def rebuild(self) -> dict[str, Any]:
        """Drop the trail and replay every upstream log from position 0.

        Live consumers wait meanwhile, so the rebuilt trail is never mixed with a half one.
        """
        assert self.consumer is not None
        with ExitStack() as stack:
            for upstream in UPSTREAMS:
                stack.enter_context(self.consumer.lock(upstream))
            self.sink.reset()
            replayed = {upstream: self.consumer.catch_up(upstream) for upstream in UPSTREAMS}
        return {"replayed": replayed, "events": self.trail.count()}
