"""The budget service: budgets, cost estimates and the ledger over HTTP, events on
`budget.events`; its policy keeps the ledger of registration's and vendors' events."""

from __future__ import annotations

from nameko.web.handlers import http

from services.common.http import command, query
from services.common.providers import Use
from services.common.service import HuiwuService
from services.policy import Target

from . import schemas as s
from .exports import XLSX_TYPE, ledger_csv, settlement_xlsx
from .partners_http import PartnerEndpoints
from .payouts_http import PayoutEndpoints
from .revenue_http import RevenueEndpoints
from .sponsorship_http import SponsorshipEndpoints
from .vendor_fapiao_http import VendorFapiaoEndpoints


class Service(
    SponsorshipEndpoints,
    PayoutEndpoints,
    RevenueEndpoints,
    VendorFapiaoEndpoints,
    PartnerEndpoints,
    HuiwuService,
):
    name = "budget"
    budget = Use("budget")
    views = Use("views")

    @http("POST", "/conferences/<string:conference_id>/budget")
    @command("SetBudget", s.SetBudgetSchema, s.BudgetAnswer)
    def set_budget(self, cmd, ctx, conference_id):
        """{"scope": "conference", "currency": "CNY", "ceiling_minor": 80000000, "lines": [
        {"line": "venue", "behaviour": "fixed", "planned_minor": 30000000, "income": false}]}"""
        return self.budget.set_budget(conference_id, cmd, ctx)

    @http("POST", "/conferences/<string:conference_id>/budget/approve")
    @command("ApproveBudget", s.ApproveBudgetSchema, s.BudgetAnswer)
    def approve_budget(self, cmd, ctx, conference_id):
        """{"approvers": ["Wang Lei", "Chen Jing"], "reason": "headcount"}"""
        return self.budget.approve_budget(conference_id, cmd, ctx)

    @http("POST", "/conferences/<string:conference_id>/budget/alerts")
    @command("SetBudgetAlert", s.SetAlertSchema, s.BudgetAnswer)
    def set_alert(self, cmd, ctx, conference_id):
        """{"line": "catering", "warn_percent": 90}"""
        return self.budget.set_alert(conference_id, cmd, ctx)

    @http("GET", "/conferences/<string:conference_id>/budget")
    @query("GetBudget", s.BudgetQuerySchema)
    def get_budget(self, q, conference_id):
        return self.views.budget(conference_id, q.scope)

    @http("GET", "/conferences/<string:conference_id>/budget/history")
    @query("GetBudgetHistory", s.BudgetQuerySchema)
    def get_budget_history(self, q, conference_id):
        return self.views.history(conference_id, q.scope)

    @http("POST", "/conferences/<string:conference_id>/costs")
    @command("EstimateCosts", s.EstimateCostsSchema, s.CostSheetAnswer, status=201)
    def estimate_costs(self, cmd, ctx, conference_id):
        """{"behaviour": "fixed", "currency": "CNY", "lines": [{"line": "venue",
        "amount_minor": 30000000}]} or {"behaviour": "variable", "currency": "CNY",
        "headcount": 500, "speaker_count": 40, "lines": [{"line": "speakers",
        "amount_minor": 4000000, "per_speaker_minor": 100000}]}"""
        return self.budget.estimate_costs(conference_id, cmd, ctx)

    @http("GET", "/conferences/<string:conference_id>/ledger")
    @query("GetLedger")
    def get_ledger(self, conference_id):
        return self.views.ledger(conference_id)

    @http("GET", "/conferences/<string:conference_id>/ledger/entries")
    @query("ListLedgerEntries")
    def list_ledger_entries(self, conference_id):
        return {"entries": self.views.entries(conference_id)}

    @http("GET", "/conferences/<string:conference_id>/ledger.csv")
    @query("ExportLedgerCsv", media_type="text/csv")
    def export_ledger_csv(self, conference_id):
        return ledger_csv(self.views.entries(conference_id), conference_id)

    @http("POST", "/conferences/<string:conference_id>/ledger/expenses")
    @command("RecordExpense", s.RecordExpenseSchema, status=201)
    def record_expense(self, cmd, ctx, conference_id):
        """{"category": "printing", "amount_minor": 250000, "currency": "CNY",
        "fapiao_number": "25332000000012345678"}"""
        return self.budget.record_expense(conference_id, cmd, ctx)

    @http("POST", "/conferences/<string:conference_id>/ledger/income")
    @command("RecordIncome", s.RecordIncomeSchema, status=201)
    def record_income(self, cmd, ctx, conference_id):
        """{"category": "contributions", "amount_minor": 5000000, "currency": "CNY",
        "source": "contribution", "source_ref": "MOU-2027-01"}"""
        return self.budget.record_income(conference_id, cmd, ctx)

    @http("GET", "/conferences/<string:conference_id>/settlement")
    @query("GetSettlement")
    def get_settlement(self, conference_id):
        return self.views.settlement(conference_id)

    @http("GET", "/conferences/<string:conference_id>/settlement.xlsx")
    @query("ExportSettlementXlsx", media_type=XLSX_TYPE)
    def export_settlement_xlsx(self, conference_id):
        """The statement as a workbook: a sheet of lines and totals, one of payables."""
        return settlement_xlsx(self.views.settlement(conference_id), conference_id)

    @http("POST", "/conferences/<string:conference_id>/settlement")
    @command("CompleteSettlement", s.CompleteSettlementSchema)
    def complete_settlement(self, cmd, ctx, conference_id):
        """{} (the figures are the ledger's)"""
        return self.budget.complete_settlement(conference_id, ctx)

    @http("POST", "/contracts/<string:contract_id>/payments")
    @command("PayVendor", s.PayVendorSchema, scope="contract_scope")
    def pay_vendor(self, cmd, ctx, contract_id):
        """{"amount_minor": 3600000, "currency": "CNY", "kind": "deposit",
        "paid_on": "2027-03-01", "method": "bank_transfer"}"""
        return self.budget.pay_vendor(contract_id, cmd, ctx)

    @http("GET", "/contracts/<string:contract_id>/account")
    @query("GetContractAccount", scope="contract_scope")
    def get_contract_account(self, contract_id):
        return self.budget.account_state(contract_id)

    def contract_scope(self, contract_id):
        """The conference a contract's account belongs to, for the policy."""
        return Target(self.budget.account(contract_id).conference_id)
