"""The vendors service: vendors and contracts over HTTP, events on `vendors.events`."""

from __future__ import annotations

from nameko.messaging import consume
from nameko.web.handlers import http

from services.catalog import ALL
from services.common.domain import CommandContext
from services.common.errors import Unavailable
from services.common.http import endpoint
from services.common.kernel import Kernel
from services.common.service import HuiwuService, upstream_queue
from services.common.sinks import ProjectionSink

from . import schemas
from .application import VendorsApplication
from .conferences import ConferenceDirectory
from .events import CATALOG


def _follow_conferences(kernel: Kernel) -> ProjectionSink:
    directory = ConferenceDirectory(kernel.db)

    def conference_exists(conference_id: str) -> bool:
        if directory.exists(conference_id):
            return True
        try:  # it may have been opened a moment ago: read checklist's log first
            kernel.consumer.catch_up("checklist")
        except Exception as exc:  # noqa: BLE001 - any failure: we cannot tell yet
            raise Unavailable(
                f"cannot confirm conference {conference_id}: checklist's log cannot be read "
                f"({type(exc).__name__}); try again once checklist is running",
                field="conference_id",
            ) from exc
        return directory.exists(conference_id)

    kernel.app.conference_exists = conference_exists
    return ProjectionSink(kernel.db, "known_conferences", directory)


def _ctx(data: dict) -> CommandContext:
    return CommandContext.new(data.pop("actor"), data.pop("correlation_id", None))


class Service(HuiwuService):
    name = "vendors"
    kernel = Kernel(
        VendorsApplication,
        CATALOG,
        upstreams=("checklist",),
        catalogs=ALL,
        sink_factory=_follow_conferences,
    )

    @http("POST", "/vendors")
    @endpoint("AddVendor", schemas.AddVendor, status=201)
    def add_vendor(self, request, data):
        """{"conference_id": "...", "name": "Expo Hall Ltd", "categories": ["venue"],
        "actor": "li"}"""
        return {"vendor_id": self.kernel.app.add_vendor(_ctx(data), data)}

    @http("GET", "/vendors/<string:vendor_id>")
    @endpoint("GetVendor")
    def get_vendor(self, request, data, vendor_id):
        return self.kernel.app.vendor(vendor_id)

    @http("POST", "/contracts")
    @endpoint("DraftContract", schemas.DraftContract, status=201)
    def draft_contract(self, request, data):
        """{"conference_id": "...", "vendor_id": "...", "category": "venue",
        "title": "Main hall", "amount_minor": 12000000, "currency": "CNY", "actor": "li"}"""
        return {"contract_id": self.kernel.app.draft_contract(_ctx(data), data)}

    @http("GET", "/contracts/<string:contract_id>")
    @endpoint("GetContract")
    def get_contract(self, request, data, contract_id):
        return self.kernel.app.contract(contract_id)

    @http("POST", "/contracts/<string:contract_id>/sign")
    @endpoint("SignContract", schemas.SignContract)
    def sign_contract(self, request, data, contract_id):
        """{"signed_on": "2026-03-01", "actor": "li"}"""
        return self.kernel.app.sign_contract(_ctx(data), contract_id, data)

    @http("POST", "/contracts/<string:contract_id>/cancel")
    @endpoint("CancelContract", schemas.CancelContract)
    def cancel_contract(self, request, data, contract_id):
        """{"reason": "venue closed for renovation", "actor": "li"}"""
        return self.kernel.app.cancel_contract(_ctx(data), contract_id, data)

    @consume(upstream_queue("vendors", "checklist"), requeue_on_error=True)
    def on_checklist_event(self, body):
        self.kernel.consumer.handle("checklist", body)
