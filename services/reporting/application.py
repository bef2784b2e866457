"""Use cases of reporting: read the audit trail; rebuild it from the upstream logs."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from services.common.consumer import TrackingConsumer
from services.common.errors import Unavailable
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
        unreachable = self._unreachable_upstreams()
        if unreachable:
            raise Unavailable(
                "cannot rebuild: the notification log of "
                + ", ".join(unreachable)
                + " cannot be read; start those services (huiwu up) and try again"
            )
        with ExitStack() as stack:
            for upstream in UPSTREAMS:
                stack.enter_context(self.consumer.lock(upstream))
            self.sink.reset()
            replayed = {upstream: self.consumer.catch_up(upstream) for upstream in UPSTREAMS}
        return {"replayed": replayed, "events": self.trail.count()}

    def _unreachable_upstreams(self) -> list[str]:
        """Check every log answers before dropping anything: a partial rebuild helps no one."""
        unreachable = []
        for upstream in UPSTREAMS:
            try:
                self.consumer.fetch(upstream, 1, 1)
            except Exception:  # noqa: BLE001 - any failure means that log cannot be read now
                unreachable.append(upstream)
        return unreachable
