"""The checklist service: conferences and their plans; follows other services' events."""

from __future__ import annotations

import datetime as dt
import logging
import os
from zoneinfo import ZoneInfo

from nameko.messaging import consume
from nameko.timer import timer
from nameko.web.handlers import http

from services.catalog import ALL
from services.common.domain import CommandContext
from services.common.http import endpoint, file_endpoint, file_response
from services.common.kernel import Kernel
from services.common.service import HuiwuService, upstream_queue
from services.common.sinks import ProcessSink

from . import exchange, schemas
from .application import ChecklistApplication
from .events import CATALOG
from .metrics import PlanMetrics

log = logging.getLogger(__name__)

# How often plans are checked for overdue entries (seconds); a command does it on demand.
OVERDUE_INTERVAL = float(os.environ.get("HUIWU_OVERDUE_INTERVAL", "3600"))


def _ctx(data: dict) -> CommandContext:
    return CommandContext.new(data.pop("actor"), data.pop("correlation_id", None))


def _today(timezone: str) -> dt.date:
    return dt.datetime.now(ZoneInfo(timezone)).date()


class ChecklistKernel(Kernel):
    def setup(self) -> None:
        super().setup()
        self.plan_metrics = PlanMetrics(self.metrics.registry)
        self.app.template  # noqa: B018 - parse and validate it now, not on the first request


class Service(HuiwuService):
    name = "checklist"
    kernel = ChecklistKernel(
        ChecklistApplication,
        CATALOG,
        upstreams=("vendors", "registration", "budget", "speakers"),
        catalogs=ALL,
        sink_factory=lambda kernel: ProcessSink(kernel.app, kernel.app.policy),
    )

    # -- conferences and team ---------------------------------------------------------
    @http("POST", "/conferences")
    @endpoint("OpenConference", schemas.OpenConference, status=201)
    def open_conference(self, request, data):
        """{"name": "Asia Pharma Forum 2027", "starts_on": "2027-05-12", "ends_on": "2027-05-14",
        "city": "Hangzhou", "expected_attendance": 500, "profile": "academic",
        "include": ["16"], "exclude": ["4.1"], "actor": "wang"}"""
        ctx = _ctx(data)
        conference_id = self.kernel.app.open_conference(ctx, data, data.pop("conference_id"))
        return {"conference_id": conference_id}

    @http("GET", "/conferences/<string:conference_id>")
    @endpoint("GetConference")
    def get_conference(self, request, data, conference_id):
        return self.kernel.app.conference(conference_id).to_dict()

    @http("POST", "/conferences/<string:conference_id>/team")
    @endpoint("AddTeamMember", schemas.AddMember, status=201)
    def add_member(self, request, data, conference_id):
        """{"name": "Li Na", "roles": ["venue", "logistics"], "email": "...", "actor": "wang"}"""
        return self.kernel.app.add_member(_ctx(data), conference_id, data)

    # -- the plan ----------------------------------------------------------------------
    @http("GET", "/conferences/<string:conference_id>/plan")
    @endpoint("GetPlan", schemas.PlanQuery)
    def get_plan(self, request, data, conference_id):
        """Query: section, owner, status (open, in_progress, verified, waived, overdue),
        phase, due_from, due_to, lang (en, zh)."""
        return self.kernel.app.plan(conference_id, data)

    @http("GET", "/conferences/<string:conference_id>/entries/<string:code>")
    @endpoint("GetEntry")
    def get_entry(self, request, data, conference_id, code):
        return self.kernel.app.entry(conference_id, code)

    @http("POST", "/conferences/<string:conference_id>/assignments")
    @endpoint("AssignOwner", schemas.Assign)
    def assign(self, request, data, conference_id):
        """{"member_id": "...", "codes": ["1.3.5"]} or {"member_id": "...", "role": "venue"}"""
        return self.kernel.app.assign(_ctx(data), conference_id, data)

    @http("POST", "/conferences/<string:conference_id>/entries/<string:code>/due-date")
    @endpoint("ChangeDueDate", schemas.ChangeDueDate)
    def change_due_date(self, request, data, conference_id, code):
        """{"due_on": "2027-02-01", "reason": "venue asks for more time", "actor": "wang"}"""
        return self.kernel.app.change_due_date(_ctx(data), conference_id, code, data)

    @http("POST", "/conferences/<string:conference_id>/entries/<string:code>/progress")
    @endpoint("RecordProgress", schemas.RecordProgress)
    def record_progress(self, request, data, conference_id, code):
        """{"state": "in_progress", "percent": 40, "note": "two quotes in", "actor": "li"}"""
        return self.kernel.app.record_progress(_ctx(data), conference_id, code, data)

    @http("POST", "/conferences/<string:conference_id>/entries/<string:code>/verify")
    @endpoint("VerifyEntry", schemas.VerifyByHand)
    def verify(self, request, data, conference_id, code):
        """{"evidence": [{"kind": "meeting_minutes", "reference": {"url": "https://..."}}],
        "actor": "wang"}; a reference is a url, a sha256 with filename, or a note."""
        data["now"] = dt.datetime.now(dt.UTC)
        return self.kernel.app.verify_by_hand(_ctx(data), conference_id, code, data)

    @http("POST", "/conferences/<string:conference_id>/entries/<string:code>/waive")
    @endpoint("WaiveEntry", schemas.Reason)
    def waive(self, request, data, conference_id, code):
        """{"reason": "no interpretation at an all-Chinese meeting", "actor": "wang"}"""
        return self.kernel.app.waive(_ctx(data), conference_id, code, data)

    @http("POST", "/conferences/<string:conference_id>/entries/<string:code>/reopen")
    @endpoint("ReopenEntry", schemas.Reason)
    def reopen(self, request, data, conference_id, code):
        """{"reason": "the minutes were of another meeting", "actor": "wang"}"""
        return self.kernel.app.reopen(_ctx(data), conference_id, code, data)

    # -- overdue ------------------------------------------------------------------------
    @http("POST", "/conferences/<string:conference_id>/overdue")
    @endpoint("CheckOverdue", schemas.CheckOverdue)
    def check_overdue(self, request, data, conference_id):
        """{"actor": "wang"} (optionally "today": "2027-01-20"): record EntryOverdue now."""
        app = self.kernel.app
        today = data["today"] or _today(app.conference(conference_id).timezone)
        flagged = app.flag_overdue(_ctx(data), conference_id, today)
        self.kernel.plan_metrics.update(app.statistics(today))
        return {"today": today.isoformat(), "overdue": flagged}

    @timer(interval=OVERDUE_INTERVAL)
    def overdue_timer(self):
        """Flag overdue entries of every conference, then refresh the plan metrics."""
        app = self.kernel.app
        ctx = CommandContext.new("checklist")
        for conference_id in app.conference_ids():
            today = _today(app.conference(conference_id).timezone)
            app.flag_overdue(ctx, conference_id, today)
        self.kernel.plan_metrics.update(app.statistics(dt.date.today()))

    # -- upstream events -----------------------------------------------------------------
    @consume(upstream_queue("checklist", "vendors"), requeue_on_error=True)
    def on_vendors_event(self, body):
        self.kernel.consumer.handle("vendors", body)

    @consume(upstream_queue("checklist", "registration"), requeue_on_error=True)
    def on_registration_event(self, body):
        self.kernel.consumer.handle("registration", body)

    @consume(upstream_queue("checklist", "budget"), requeue_on_error=True)
    def on_budget_event(self, body):
        self.kernel.consumer.handle("budget", body)

    @consume(upstream_queue("checklist", "speakers"), requeue_on_error=True)
    def on_speakers_event(self, body):
        self.kernel.consumer.handle("speakers", body)

    # -- views and exchange ------------------------------------------------------------
    @http("GET", "/conferences/<string:conference_id>/plan.xlsx")
    @file_endpoint("ExportPlanXlsx", schemas.PlanQuery)
    def export_plan_xlsx(self, request, data, conference_id):
        """The plan as a workbook: same query as /plan; see exchange.py for the columns."""
        plan = self.kernel.app.plan(conference_id, data)
        body = exchange.build_xlsx(plan["entries"], data["lang"], plan["conference"]["name"])
        return file_response(body, exchange.XLSX_TYPE, f"plan-{conference_id}.xlsx")

    @http("GET", "/conferences/<string:conference_id>/plan.csv")
    @file_endpoint("ExportPlanCsv", schemas.PlanQuery)
    def export_plan_csv(self, request, data, conference_id):
        """The plan as CSV (UTF-8 with BOM): same query and columns as plan.xlsx."""
        plan = self.kernel.app.plan(conference_id, data)
        body = exchange.build_csv(plan["entries"], data["lang"])
        return file_response(body, exchange.CSV_TYPE, f"plan-{conference_id}.csv")

    @http("POST", "/conferences/<string:conference_id>/plan/import")
    @endpoint("ImportPlan")
    def import_plan(self, request, data, conference_id):
        """Body: the XLSX; query: actor (required), filename. Owners, due dates and progress
        of every row are applied together; if any row does not fit, 400 lists each by row,
        column and reason, and nothing is applied."""
        query = schemas.ImportPlan().load(request.args.to_dict())
        ctx = _ctx(query)
        app = self.kernel.app
        conference = app.conference(conference_id)
        parsed = exchange.parse_xlsx(request.get_data(), conference.entry_codes, conference.team)
        if parsed.errors:
            raise exchange.ImportRejected(parsed.errors)
        source = os.path.basename(query.get("filename") or "") or "plan.xlsx"
        return app.import_plan(ctx, conference_id, parsed.changes, source)
