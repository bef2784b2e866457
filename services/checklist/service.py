"""The checklist service: conferences and their plans; follows other services' events.

Commands go to the application (the Conference and Entry aggregates); reads go to the
plan read model.
"""

from __future__ import annotations

import json
import os

from nameko.web.handlers import http

from services.common.as_of import AsOfQuerySchema
from services.common.http import command, file_response, query
from services.common.providers import Use, every
from services.common.service import HuiwuService
from services.policy import Target

from . import exchange
from . import schemas as s

ENTRY = "/conferences/<string:conference_id>/entries/<string:code>"


class Service(HuiwuService):
    name = "checklist"
    checklist = Use("checklist")
    plans = Use("plans")
    overdue = Use("overdue")
    history = Use("history")

    # -- conferences and team ---------------------------------------------------------
    @http("POST", "/conferences")
    @command("OpenConference", s.OpenConferenceSchema, s.ConferenceIdAnswer, status=201)
    def open_conference(self, cmd, ctx):
        """{"name": "Asia Pharma Forum 2027", "starts_on": "2027-05-12", "ends_on": "2027-05-14",
        "city": "Hangzhou", "expected_attendance": 500, "profile": "academic",
        "include": ["16"], "exclude": ["4.1"], "settings": {"min_vendor_quotes": 4}};
        settings not given take their defaults (GET .../settings lists them)."""
        return self.checklist.open_conference(cmd, ctx)

    @http("GET", "/conferences/<string:conference_id>")
    @query("GetConference")
    def get_conference(self, conference_id):
        return self.plans.conference(conference_id)

    @http("GET", "/conferences/<string:conference_id>/settings")
    @query("GetSettings", answer=s.SettingsAnswer)
    def get_settings(self, conference_id):
        """Every setting the plan's rules use: this conference's value, the default, the
        range, what it means (zh, en) and the entries of the plan that use it."""
        values, codes = self.plans.settings(conference_id)
        settings = self.checklist.template.describe_settings(values, codes)
        return {"conference_id": conference_id, "settings": settings}

    @http("POST", "/conferences/<string:conference_id>/settings")
    @command("ChangeSettings", s.ChangeSettingsSchema, s.SettingsChangedAnswer)
    def change_settings(self, cmd, ctx, conference_id):
        """{"settings": {"min_vendor_quotes": 4}, "reason": "four quotes for every need"}:
        the entries whose rule uses a changed setting are verified or re-opened at once.
        An unknown setting or a value out of its range is refused; nothing is stored."""
        return self.checklist.change_settings(conference_id, cmd, ctx)

    @http("POST", "/conferences/<string:conference_id>/team")
    @command("AddTeamMember", s.AddMemberSchema, s.MemberAnswer, status=201)
    def add_member(self, cmd, ctx, conference_id):
        """{"name": "Li Na", "roles": ["venue", "logistics"], "email": "..."}"""
        return self.checklist.add_member(conference_id, cmd, ctx)

    # -- the plan ----------------------------------------------------------------------
    @http("GET", "/conferences/<string:conference_id>/plan")
    @query("GetPlan", s.PlanQuerySchema)
    def get_plan(self, plan_query, conference_id):
        """Query: section, owner, status (open, in_progress, verified, waived, overdue),
        phase, due_from, due_to, lang (en, zh)."""
        return self.plans.plan(conference_id, plan_query)

    @http("GET", ENTRY)
    @query("GetEntry")
    def get_entry(self, conference_id, code):
        return self.plans.entry(conference_id, code)

    @http("GET", "/conferences/<string:conference_id>/plan/as-of")
    @query("GetPlanAsOf", AsOfQuerySchema, s.PlanAsOfAnswer)
    def get_plan_as_of(self, as_of, conference_id):
        """Query: at (ISO 8601 with offset). Every entry as it stood then, and the last
        event counted."""
        return self.history.plan(conference_id, as_of.at)

    @http("GET", ENTRY + "/as-of")
    @query("GetEntryAsOf", AsOfQuerySchema, s.EntryAsOfAnswer)
    def get_entry_as_of(self, as_of, conference_id, code):
        """Query: at (ISO 8601 with offset). The entry as it stood then."""
        return self.history.entry(conference_id, code, as_of.at)

    @http("POST", "/conferences/<string:conference_id>/assignments")
    @command("AssignOwner", s.AssignSchema, s.AssignedAnswer)
    def assign(self, cmd, ctx, conference_id):
        """{"member_id": "...", "codes": ["1.3.5"]} or {"member_id": "...", "role": "venue"}"""
        return self.checklist.assign(conference_id, cmd, ctx)

    @http("POST", ENTRY + "/due-date")
    @command("ChangeDueDate", s.ChangeDueDateSchema, s.EntryAnswer)
    def change_due_date(self, cmd, ctx, conference_id, code):
        """{"due_on": "2027-02-01", "reason": "venue asks for more time"}"""
        return self.checklist.change_due_date(conference_id, code, cmd, ctx).state

    @http("POST", ENTRY + "/progress")
    @command("RecordProgress", s.RecordProgressSchema, s.EntryAnswer, scope="entry_scope")
    def record_progress(self, cmd, ctx, conference_id, code):
        """{"state": "in_progress", "percent": 40, "note": "two quotes in"}"""
        return self.checklist.record_progress(conference_id, code, cmd, ctx).state

    @http("POST", ENTRY + "/verify")
    @command("VerifyEntry", s.VerifyByHandSchema, s.EntryAnswer, scope="entry_scope")
    def verify(self, cmd, ctx, conference_id, code):
        """{"evidence": [{"proof": "signed_venue_contract", "reference": {"url": "https://..."}}]};
        `proof` is one the entry names; a reference is a url, a sha256 with filename, or a
        note. A record it does not name gives its `kind`, and the command a `reason`."""
        return self.checklist.verify_by_hand(conference_id, code, cmd, ctx).state

    @http("POST", ENTRY + "/waive")
    @command("WaiveEntry", s.ReasonSchema, s.EntryAnswer)
    def waive(self, cmd, ctx, conference_id, code):
        """{"reason": "no interpretation at an all-Chinese meeting"}"""
        return self.checklist.waive(conference_id, code, cmd, ctx).state

    @http("POST", ENTRY + "/reopen")
    @command("ReopenEntry", s.ReasonSchema, s.EntryAnswer)
    def reopen(self, cmd, ctx, conference_id, code):
        """{"reason": "the minutes were of another meeting"}"""
        return self.checklist.reopen(conference_id, code, cmd, ctx).state

    def entry_scope(self, conference_id, code):
        """What an entry command is about, for the policy: conference, role and owner."""
        entry = json.loads(self.plans.entry(conference_id, code).body)
        owner = entry.get("owner") or {}
        return Target(conference_id, entry.get("owner_role"), owner.get("member_id"))

    # -- overdue ------------------------------------------------------------------------
    @http("POST", "/conferences/<string:conference_id>/overdue")
    @command("CheckOverdue", s.CheckOverdueSchema, s.OverdueAnswer)
    def check_overdue(self, cmd, ctx, conference_id):
        """{} (optionally {"today": "2027-01-20"}): record EntryOverdue now."""
        return self.overdue.check(conference_id, ctx, cmd.today)

    @every("overdue_interval")
    def overdue_timer(self):
        """Flag overdue entries of every conference, each as of its own today."""
        self.overdue.check_all()

    # -- views and exchange ------------------------------------------------------------
    @http("GET", "/conferences/<string:conference_id>/plan.xlsx")
    @query("ExportPlanXlsx", s.PlanQuerySchema, media_type=exchange.XLSX_TYPE)
    def export_plan_xlsx(self, plan_query, conference_id):
        """The plan as a workbook: same query as /plan; see exchange.py for the columns."""
        plan = self.plans.entries(conference_id, plan_query)
        body = exchange.build_xlsx(plan["entries"], plan_query.lang, plan["conference"]["name"])
        return file_response(body, exchange.XLSX_TYPE, f"plan-{conference_id}.xlsx")

    @http("GET", "/conferences/<string:conference_id>/plan.csv")
    @query("ExportPlanCsv", s.PlanQuerySchema, media_type=exchange.CSV_TYPE)
    def export_plan_csv(self, plan_query, conference_id):
        """The plan as CSV (UTF-8 with BOM): same query and columns as plan.xlsx."""
        plan = self.plans.entries(conference_id, plan_query)
        body = exchange.build_csv(plan["entries"], plan_query.lang)
        return file_response(body, exchange.CSV_TYPE, f"plan-{conference_id}.csv")

    @http("POST", "/conferences/<string:conference_id>/plan/import")
    @command(
        "ImportPlan",
        s.ImportPlanSchema,
        s.ImportedAnswer,
        caller="query",
        max_body=exchange.MAX_BYTES,
    )
    def import_plan(self, cmd, ctx, workbook, conference_id):
        """Body: the XLSX; query: filename (optional). Owners, due dates and progress
        of every row are applied together; if any row does not fit, 400 lists each by row,
        column and reason, and nothing is applied."""
        source = os.path.basename(cmd.filename or "") or "plan.xlsx"
        return self.checklist.import_plan(conference_id, workbook, source, ctx)
