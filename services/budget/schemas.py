"""API schemas of budget: what a command must contain, and how answers are written. A
budget's lines and a cost sheet's are the contract's own parts (events.plan), so that
what the API takes is what the events may carry."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common import fapiao
from services.common.catalog import Part
from services.common.commands import Loads
from services.common.fields import MAX_MINOR, currency, day, money_minor, text, token
from services.common.planned import count, one_of

from . import commands
from .events import (
    COST_BEHAVIOURS,
    INCOME_SOURCES,
    LINES,
    PAYMENT_METHODS,
    REVISION_REASONS,
    SCOPES,
    VENDOR_PAYMENT_KINDS,
)
from .events.plan import BudgetLine, CostLine, check_per_speaker


def scope():
    return fields.String(load_default="conference", validate=validate.OneOf(SCOPES))


def fapiao_number():
    return fapiao.fapiao_number(load_default=None)


class SetBudgetSchema(Loads):
    command = commands.SetBudget

    scope = scope()
    currency = currency(required=True)
    ceiling_minor = money_minor(load_default=None)
    lines = fields.List(Part(BudgetLine), required=True, validate=validate.Length(min=1, max=200))
    note = text(1000, load_default=None)

    @validates_schema
    def _within_ceiling(self, data, **kwargs):
        expense = sum(x["planned_minor"] for x in data.get("lines", []) if not x["income"])
        ceiling = data.get("ceiling_minor")
        if ceiling is not None and expense > ceiling:
            raise ValidationError(
                f"must not plan more expense ({expense}) than ceiling_minor", "lines"
            )


class ApproveBudgetSchema(Loads):
    command = commands.ApproveBudget

    scope = scope()
    approvers = fields.List(text(100), required=True, validate=validate.Length(min=1, max=10))
    reason = fields.String(load_default=None, validate=validate.OneOf(REVISION_REASONS))
    note = text(1000, load_default=None)
    overrun_margin_bp = fields.Integer(
        strict=True, load_default=0, validate=validate.Range(min=0, max=100_000)
    )

    @validates_schema
    def _names_fit(self, data, **kwargs):
        if len(", ".join(data.get("approvers", []))) > 200:
            raise ValidationError("must name at most 200 characters in all", "approvers")


class SetAlertSchema(Loads):
    command = commands.SetAlert

    scope = scope()
    line = one_of(*LINES)
    warn_percent = fields.Integer(strict=True, required=True, validate=validate.Range(1, 200))


class EstimateCostsSchema(Loads):
    command = commands.EstimateCosts

    scope = scope()
    behaviour = one_of(*COST_BEHAVIOURS)
    currency = currency(required=True)
    headcount = count(required=False, minimum=1)
    speaker_count = count(required=False, minimum=1)
    lines = fields.List(Part(CostLine), required=True, validate=validate.Length(min=1, max=200))

    @validates_schema
    def _per_head(self, data, **kwargs):
        lines, heads = data.get("lines", []), data.get("headcount")
        per_head = [x for x in lines if "per_head_minor" in x]
        if per_head and data.get("behaviour") != "variable":
            raise ValidationError("a fixed cost has no price per head", "lines")
        if heads and any(x["amount_minor"] != x["per_head_minor"] * heads for x in per_head):
            raise ValidationError("must be per_head_minor times headcount", "lines")
        check_per_speaker(data)


class RecordExpenseSchema(Loads):
    command = commands.RecordExpense

    category = one_of(*LINES)
    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    source_ref = token(64, load_default=None)
    fapiao_number = fapiao_number()


class RecordIncomeSchema(Loads):
    command = commands.RecordIncome

    category = one_of(*LINES)
    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    source = fields.String(load_default="other", validate=validate.OneOf(INCOME_SOURCES))
    source_ref = token(64, load_default=None)
    fapiao_number = fapiao_number()


class PayVendorSchema(Loads):
    command = commands.PayVendor

    amount_minor = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=1, max=MAX_MINOR)
    )
    currency = currency(required=True)
    kind = one_of(*VENDOR_PAYMENT_KINDS)
    paid_on = day(required=True)
    method = fields.String(load_default=None, validate=validate.OneOf(PAYMENT_METHODS))
    fapiao_number = fapiao_number()


class CompleteSettlementSchema(Loads):
    command = commands.CompleteSettlement


class BudgetQuerySchema(Loads):
    command = commands.BudgetQuery

    scope = scope()


# -- answers ---------------------------------------------------------------------------


class BudgetAnswer(Schema):
    conference_id = fields.String()
    scope = fields.String()
    currency = fields.String()
    version = fields.Integer(attribute="approved_version")
    approved = fields.Dict(allow_none=True)
    draft = fields.Dict(allow_none=True)
    alerts = fields.Dict()


class CostSheetAnswer(Schema):
    sheet_id = fields.UUID(attribute="id")
    conference_id = fields.String()
    scope = fields.String()
    behaviour = fields.String()
    total_minor = fields.Integer()
    currency = fields.String()
    headcount = fields.Integer(allow_none=True)
    speaker_count = fields.Integer(allow_none=True)
    lines = fields.List(fields.Dict())
