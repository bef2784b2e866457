"""The budget and the ledger: the costs estimated (aggregate: the cost sheet), the budget
approved and revised (aggregate: the budget), its warnings, the partners who share the
costs (aggregate: the partner) and their contributions, spending commitments, and the
ledger's entries of income and expense (aggregate: the entry), each against a budget
line."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common import fapiao
from services.common.catalog import Part
from services.common.fields import currency, money_minor, text, token
from services.common.planned import PlannedEvent, count, flag, one_of

from .vocabulary import (
    COST_BEHAVIOURS,
    INCOME_SOURCES,
    LINES,
    PARTNER_ROLES,
    REVISION_REASONS,
    SCOPES,
    SPONSOR_FORMS,
)


class CostLine(Schema):
    """One cost of a cost sheet: its sum, and for a variable cost its price per head."""

    line = one_of(*LINES)
    amount_minor = money_minor(required=True)
    per_head_minor = money_minor()


class CostsEstimated(PlannedEvent):
    """A cost sheet was drawn up from the conference plan, one for each behaviour: the
    variable costs (catering, materials, transport), priced per head for `headcount`
    people (2.2.4), or the fixed costs (venue, build, AV, design) (2.2.5). The ceiling
    (2.2.1) and the budget (2.3.1) are drawn from them; drawn up again, it is replaced."""

    scope = one_of(*SCOPES)
    behaviour = one_of(*COST_BEHAVIOURS)
    lines = fields.List(Part(CostLine), required=True, validate=validate.Length(min=1, max=200))
    total_minor = money_minor(required=True)
    currency = currency(required=True)
    headcount = count(required=False, minimum=1)

    @validates_schema
    def _adds_up(self, data, **kwargs):
        lines = data.get("lines", [])
        total = sum(x["amount_minor"] for x in lines)
        if "total_minor" in data and data["total_minor"] != total:
            raise ValidationError(f"must be the lines' amounts = {total}", "total_minor")
        per_head = [x for x in lines if "per_head_minor" in x]
        if data.get("behaviour") == "variable" and "headcount" not in data:
            raise ValidationError("is required to price variable costs per head", "headcount")
        if per_head and data.get("behaviour") != "variable":
            raise ValidationError("a fixed cost has no price per head", "lines")
        heads = data.get("headcount")
        if heads and any(x["amount_minor"] != x["per_head_minor"] * heads for x in per_head):
            raise ValidationError("must be per_head_minor times headcount", "lines")


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


class PartnerJoined(PlannedEvent):
    """A co-organiser (联合单位) or supporter (支持单位) joined the conference as a party to
    its costs; its share is then agreed (ContributionAgreed, 2.1.5)."""

    partner = text(200, required=True)
    role = one_of(*PARTNER_ROLES)


class PartnerWithdrawn(PlannedEvent):
    """A co-organiser or supporter left the conference; undoes PartnerJoined."""

    reason = text(1000, required=True)


class ContributionAgreed(PlannedEvent):
    """A co-organiser or supporter agreed its share of the costs (2.1.5), in cash or in
    kind; `share_bp` is its share in basis points (2500 = 25%); `partner_id` names the
    partner that joined (PartnerJoined)."""

    partner = text(200, required=True)
    partner_id = fields.UUID()
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
    "CostsEstimated": CostsEstimated,
    "BudgetApproved": BudgetApproved,
    "BudgetRevised": BudgetRevised,
    "BudgetAlertSet": BudgetAlertSet,
    "BudgetWarningRaised": BudgetWarningRaised,
    "PartnerJoined": PartnerJoined,
    "PartnerWithdrawn": PartnerWithdrawn,
    "ContributionAgreed": ContributionAgreed,
    "LedgerOpened": LedgerOpened,
    "IncomeRecorded": IncomeRecorded,
    "ExpenseRecorded": ExpenseRecorded,
    "CommitmentApproved": CommitmentApproved,
}
