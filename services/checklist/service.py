"""The checklist service: conferences and their plans; follows other services' events."""

from __future__ import annotations

from nameko.messaging import consume
from nameko.web.handlers import http

from services.catalog import ALL
from services.common.domain import CommandContext
from services.common.http import endpoint
from services.common.kernel import Kernel
from services.common.service import HuiwuService, upstream_queue
from services.common.sinks import ProcessSink

from . import schemas
from .application import ChecklistApplication
from .events import CATALOG


class Service(HuiwuService):
    name = "checklist"
    kernel = Kernel(
        ChecklistApplication,
        CATALOG,
        upstreams=("vendors",),
        catalogs=ALL,
        sink_factory=lambda kernel: ProcessSink(kernel.app, kernel.app.policy),
    )

    @http("POST", "/conferences")
    @endpoint("OpenConference", schemas.OpenConference, status=201)
    def open_conference(self, request, data):
        """{"name": "Asia Pharma Forum 2027", "starts_on": "2027-05-12", "ends_on": "2027-05-14",
        "city": "Hangzhou", "expected_attendance": 500, "profile": "academic", "actor": "wang"}"""
        ctx = CommandContext.new(data.pop("actor"), data.pop("correlation_id", None))
        conference_id = self.kernel.app.open_conference(ctx, data, data.pop("conference_id"))
        return {"conference_id": conference_id}

    @http("GET", "/conferences/<string:conference_id>")
    @endpoint("GetConference")
    def get_conference(self, request, data, conference_id):
        return self.kernel.app.conference(conference_id).to_dict()

    @http("GET", "/conferences/<string:conference_id>/plan")
    @endpoint("GetPlan")
    def get_plan(self, request, data, conference_id):
        return self.kernel.app.plan(conference_id)

    @consume(upstream_queue("checklist", "vendors"), requeue_on_error=True)
    def on_vendors_event(self, body):
        self.kernel.consumer.handle("vendors", body)
