"""The budget and the ledger: the budget approved and revised (aggregate: the budget), its
warnings, partners' contributions and spending commitments, and the ledger's entries of
income and expense (aggregate: the entry), each against a budget line."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common import fapiao
from services.common.catalog import Part
from services.common.fields import currency, money_minor, text, token
from services.common.planned import PlannedEvent, flag, one_of

from .vocabulary import (
    COST_BEHAVIOURS,
    INCOME_SOURCES,
    LINES,
    REVISION_REASONS,
    SCOPES,
    SPONSOR_FORMS,
)


class BudgetLine(Schema):
    """One line of a budget: what it plans, and whether it moves with the headcount."""

    line = one_of(*LINES)
    behaviour = one_of(*COST_BEHAVIOURS)
    planned_minor = money_minor(required=True)
    income = flag(required=True)


class _Lines(Schema):
    """A version of the budget: its ceiling of expenditure and its lines, which do not
    plan more expense than the ceiling."""

    scope = one_of(*SCOPES, required=False)
    ceiling_minor = money_minor()
    currency = currency()
    lines = fields.List(Part(BudgetLine), validate=validate.Length(max=200))

    @validates_schema
    def _within_ceiling(self, data, **kwargs):
        if ("ceiling_minor" in data or "lines" in data) and "currency" not in data:
            raise ValidationError("is required with an amount", "currency")
        expense = sum(x["planned_minor"] for x in data.get("lines", []) if not x["income"])
        if "ceiling_minor" in data and expense > data["ceiling_minor"]:
            raise ValidationError(
                f"must not plan more expense ({expense}) than ceiling_minor", field_name="lines"
            )


class BudgetApproved(_Lines, PlannedEvent):
    """A version of the budget was approved: the ceiling of expenditure (2.2.1) and the
    first budget (2.3.1), of the conference or of the themed event (4.1.3)."""

    version = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))
    approved_by = text(200, required=True)


class BudgetRevised(_Lines, PlannedEvent):
    """The budget was revised to a new version: to the registered and on-site numbers
    (2.3.3), or after an overrun (21.9.3)."""

    version = fields.Integer(strict=True, required=True, validate=validate.Range(min=2))
    reason = one_of(*REVISION_REASONS)
    approved_by = text(200, required=True)


class BudgetAlertSet(PlannedEvent):
    """A warning was set on a budget line: when its actual cost reaches `warn_percent` of
    plan (21.9.1)."""

    line = one_of(*LINES)
    warn_percent = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=1, max=200)
    )


class BudgetWarningRaised(PlannedEvent):
    """A budget line's actual cost reached its warning (21.9.1, 21.9.2)."""

    line = one_of(*LINES)
    planned_minor = money_minor(required=True)
    actual_minor = money_minor(required=True)
    currency = currency(required=True)


class ContributionAgreed(PlannedEvent):
    """A co-organiser or supporter agreed its share of the costs (2.1.5), in cash or in
    kind; `share_bp` is its share in basis points (2500 = 25%)."""

    partner = text(200, required=True)
    form = one_of(*SPONSOR_FORMS)
    share_bp = fields.Integer(strict=True, validate=validate.Range(min=0, max=10_000))
    amount_minor = money_minor()
    currency = currency()


class LedgerOpened(PlannedEvent):
    """The conference's ledger (台账) was set up (2.4.1), in its book currency."""

    currency = currency(required=True)


class _Entry(PlannedEvent):
    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    category = one_of(*LINES)
    # the document it is booked against: the order, the contract, the sponsorship...
    source_ref = token(64)
    fapiao_number = fapiao.fapiao_number()


class IncomeRecorded(_Entry):
    """Income was recorded in the ledger against its budget line (`category`), with the
    fapiao issued for it (2.4.2)."""

    source = one_of(*INCOME_SOURCES, required=False)


class ExpenseRecorded(_Entry):
    """An expense was recorded in the ledger against its budget line (`category`), with
    the fapiao received for it (2.4.3)."""

    contract_id = fields.UUID()
    vendor_id = fields.UUID()


class CommitmentApproved(PlannedEvent):
    """Spending under a vendor contract was approved against its budget line (8.2.5:
    quotes evaluated and kept within budget)."""

    contract_id = fields.UUID(required=True)
    vendor_id = fields.UUID(required=True)
    line = one_of(*LINES)
    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    within_budget = flag(required=True)
    approved_by = text(200, required=True)


TYPES = {
    "BudgetApproved": BudgetApproved,
    "BudgetRevised": BudgetRevised,
    "BudgetAlertSet": BudgetAlertSet,
    "BudgetWarningRaised": BudgetWarningRaised,
    "ContributionAgreed": ContributionAgreed,
    "LedgerOpened": LedgerOpened,
    "IncomeRecorded": IncomeRecorded,
    "ExpenseRecorded": ExpenseRecorded,
    "CommitmentApproved": CommitmentApproved,
}
