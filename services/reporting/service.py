"""The reporting service: the audit trail of every service, live and rebuildable."""

from __future__ import annotations

from nameko.messaging import consume
from nameko.web.handlers import http

from services.catalog import ALL
from services.common.http import endpoint
from services.common.kernel import Kernel
from services.common.service import HuiwuService, upstream_queue
from services.common.sinks import ProjectionSink

from . import schemas
from .application import AuditService, ReportingApplication
from .audit import AuditTrail
from .events import CATALOG


def _audit_sink(kernel: Kernel) -> ProjectionSink:
    trail = AuditTrail(kernel.db)
    sink = ProjectionSink(kernel.db, "audit_trail", trail)
    kernel.audit = AuditService(trail, sink)
    return sink


class _ReportingKernel(Kernel):
    def setup(self) -> None:
        super().setup()
        self.audit.consumer = self.consumer


class Service(HuiwuService):
    name = "reporting"
    kernel = _ReportingKernel(
        ReportingApplication,
        CATALOG,
        upstreams=("registration", "budget", "vendors", "speakers", "checklist"),
        catalogs=ALL,
        sink_factory=_audit_sink,
    )

    @http("GET", "/audit")
    @endpoint("ShowAudit", schemas.AuditQuery)
    def show_audit(self, request, data):
        """Query string: conference_id, service, aggregate_id, limit, offset."""
        return {"events": self.kernel.audit.show(**data)}

    @http("POST", "/audit/rebuild")
    @endpoint("RebuildAudit", schemas.Rebuild)
    def rebuild_audit(self, request, data):
        """{"actor": "auditor"}: drop the trail and replay every service's log from zero."""
        return self.kernel.audit.rebuild()

    @consume(upstream_queue("reporting", "registration"), requeue_on_error=True)
    def on_registration_event(self, body):
        self.kernel.consumer.handle("registration", body)

    @consume(upstream_queue("reporting", "budget"), requeue_on_error=True)
    def on_budget_event(self, body):
        self.kernel.consumer.handle("budget", body)

    @consume(upstream_queue("reporting", "vendors"), requeue_on_error=True)
    def on_vendors_event(self, body):
        self.kernel.consumer.handle("vendors", body)

    @consume(upstream_queue("reporting", "speakers"), requeue_on_error=True)
    def on_speakers_event(self, body):
        self.kernel.consumer.handle("speakers", body)

    @consume(upstream_queue("reporting", "checklist"), requeue_on_error=True)
    def on_checklist_event(self, body):
        self.kernel.consumer.handle("checklist", body)
