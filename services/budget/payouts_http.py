"""HTTP entrypoints paying people, mixed into budget's Service."""

from __future__ import annotations

from nameko.web.handlers import http

from services.common.http import command, query
from services.policy import Target

from . import payouts_schemas as s


class PayoutEndpoints:
    @http("POST", "/conferences/<string:conference_id>/honoraria")
    @command("PayHonorarium", s.PayHonorariumSchema, status=201)
    def pay_honorarium(self, cmd, ctx, conference_id):
        """{"speaker": "Prof. Li Ming", "gross_minor": 500000, "paid_on": "2027-05-13",
        "method": "bank_transfer"} (the tax withheld is computed)"""
        return self.budget.pay_honorarium(conference_id, cmd, ctx)

    @http("POST", "/conferences/<string:conference_id>/advances")
    @command("IssueCashAdvance", s.IssueCashAdvanceSchema, status=201)
    def issue_cash_advance(self, cmd, ctx, conference_id):
        """{"purpose": "petty_cash", "amount_minor": 200000, "currency": "CNY",
        "holder": "Zhao Min"}"""
        return self.budget.issue_advance(conference_id, cmd, ctx)

    @http("POST", "/advances/<string:advance_id>/reconcile")
    @command("ReconcileCashAdvance", s.ReconcileCashAdvanceSchema, scope="advance_scope")
    def reconcile_cash_advance(self, cmd, ctx, advance_id):
        """{"receipts": [{"category": "printing", "amount_minor": 150000}],
        "returned_minor": 50000}"""
        return self.budget.reconcile_advance(advance_id, cmd, ctx)

    @http("GET", "/advances/<string:advance_id>")
    @query("GetCashAdvance", scope="advance_scope")
    def get_cash_advance(self, advance_id):
        return self.budget.advance(advance_id).view()

    def advance_scope(self, advance_id):
        """The conference a cash advance belongs to, for the policy."""
        return Target(self.budget.advance(advance_id).conference_id)
