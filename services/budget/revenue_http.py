"""HTTP entrypoints of revenue targets, mixed into budget's Service."""

from __future__ import annotations

import logging

from nameko.web.handlers import http

from services.common.domain import CommandContext
from services.common.http import command, query
from services.common.providers import every

from . import revenue_schemas as s

AT = "/conferences/<string:conference_id>/revenue"
SYSTEM_ACTOR = "budget"  # who checks on the timer
log = logging.getLogger(__name__)


class RevenueEndpoints:
    @http("POST", f"{AT}/targets")
    @command("SetRevenueTarget", s.SetRevenueTargetSchema, status=201)
    def set_revenue_target(self, cmd, ctx, conference_id):
        """{"line": "registration", "due_on": "2027-04-01", "percent": 60, "margin_bp": 500}"""
        return self.budget.set_revenue_target(conference_id, cmd, ctx)

    @http("POST", f"{AT}/check")
    @command("CheckRevenue", s.CheckRevenueSchema)
    def check_revenue(self, cmd, ctx, conference_id):
        """{"as_of": "2027-04-01"} or {} for today: warns for a target whose day has come"""
        return self.budget.check_revenue(conference_id, cmd, ctx)

    @http("GET", AT)
    @query("GetRevenue", s.CheckRevenueSchema)
    def get_revenue(self, q, conference_id):
        return self.budget.revenue(conference_id, q.as_of)

    @every("revenue_check_interval")
    def revenue_timer(self):
        """Check every conference's revenue targets as of today: a day passed with no
        income may put a line behind."""
        try:
            changed = self.budget.check_all_revenue(CommandContext.new(SYSTEM_ACTOR))
        except Exception:  # noqa: BLE001 - the next tick tries again
            log.exception("checking revenue targets failed")
            return
        if changed:
            log.info("revenue targets changed in %d conferences", len(changed))
