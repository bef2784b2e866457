"""The budget and the ledger: the costs estimated (aggregate: the cost sheet), the budget
approved and revised (aggregate: the budget), its warnings, the partners who share the
costs (aggregate: the partner) and their contributions, spending commitments, and the
ledger's entries of income and expense (aggregate: the entry), each against a budget
line."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common import fapiao
from services.common.catalog import EventSchema, Part
from services.common.fields import MAX_MINOR, currency, day, money_minor, text, token
from services.common.planned import count, flag, one_of

from .vocabulary import (
    COST_BEHAVIOURS,
    IN_KIND,
    INCOME_SOURCES,
    LINES,
    OVERRUN_SUBJECTS,
    PARTNER_ROLES,
    REVISION_REASONS,
    SCOPES,
    SPONSOR_FORMS,
    UNITS,
)


class CostLine(Schema):
    """One cost of a cost sheet: its sum, and for a variable cost its price per head or
    per speaker."""

    line = one_of(*LINES)
    amount_minor = money_minor(required=True)
    per_head_minor = money_minor()
    per_speaker_minor = money_minor()


def check_per_speaker(data: dict) -> None:
    """A line priced per speaker is variable, needs `speaker_count`, and its amount is
    per_speaker_minor times it. Shared by the event and the command's schema."""
    lines = data.get("lines", [])
    per_speaker = [(i, x) for i, x in enumerate(lines) if "per_speaker_minor" in x]
    if not per_speaker:
        return
    if data.get("behaviour") != "variable":
        raise ValidationError("a fixed cost has no price per speaker", "lines")
    for i, x in per_speaker:
        if "per_head_minor" in x:
            raise ValidationError(
                {"lines": {i: {"per_speaker_minor": ["a line is priced per head or per speaker"]}}}
            )
    speakers = data.get("speaker_count")
    if speakers is None:
        raise ValidationError("is required to price costs per speaker", "speaker_count")
    for i, x in per_speaker:
        want = x["per_speaker_minor"] * speakers
        if x["amount_minor"] != want:
            message = f"must be per_speaker_minor times speaker_count = {want}"
            raise ValidationError({"lines": {i: {"amount_minor": [message]}}})


class CostsEstimated(EventSchema):
    """A cost sheet was drawn up from the conference plan, one for each behaviour: the
    variable costs (catering, materials, transport), priced per head for `headcount`
    people or per speaker for `speaker_count` speakers (2.2.4), or the fixed costs (venue,
    build, AV, design) (2.2.5). The ceiling (2.2.1) and the budget (2.3.1) are drawn from
    them; drawn up again, it is replaced."""

    scope = one_of(*SCOPES)
    behaviour = one_of(*COST_BEHAVIOURS)
    lines = fields.List(Part(CostLine), required=True, validate=validate.Length(min=1, max=200))
    total_minor = money_minor(required=True)
    currency = currency(required=True)
    headcount = count(required=False, minimum=1)
    # the speakers expected: speakers publishes no events yet, so the estimate says it
    speaker_count = count(required=False, minimum=1)

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
        check_per_speaker(data)


class BudgetLine(Schema):
    """One line of a budget: what it plans, and whether it moves with the headcount.

    Optionally how it was priced: `item` names it within its line (a ticket type, a
    sponsorship level, a partner), `unit_minor` times `quantity` of `per` (tickets,
    attendees, speakers) is `planned_minor`; `form` says whether income comes in cash or
    in kind. Several lines of a budget may share `line`: they add up."""

    line = one_of(*LINES)
    behaviour = one_of(*COST_BEHAVIOURS)
    planned_minor = money_minor(required=True)
    income = flag(required=True)
    item = text(100)
    unit_minor = money_minor()
    quantity = count(required=False)
    per = one_of(*UNITS, required=False)
    form = one_of(*SPONSOR_FORMS, required=False)

    @validates_schema
    def _priced(self, data, **kwargs):
        unit, quantity = data.get("unit_minor"), data.get("quantity")
        if (unit is None) != (quantity is None):
            raise ValidationError("unit_minor and quantity go together", "quantity")
        if unit is not None and unit * quantity != data.get("planned_minor"):
            raise ValidationError(
                f"must be unit_minor times quantity = {unit * quantity}", "planned_minor"
            )


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


# the people who approved a version, by name (`approved_by` is them, joined by ", ")
approvers = fields.List(text(100), validate=validate.Length(min=1, max=10))
# by how much (basis points of an approved amount) committed plus spent may exceed it
# before BudgetOverrunWarning: 500 = 5%
overrun_margin_bp = fields.Integer(strict=True, validate=validate.Range(min=0, max=100_000))


class BudgetDrafted(_Lines, EventSchema):
    """A budget (of the conference, its themed event or a tour) was drafted: its lines and
    ceiling, not yet approved. The actor is who drew it up."""


class BudgetDraftChanged(_Lines, EventSchema):
    """A budget's draft was changed: its lines and ceiling as they now stand (the whole
    draft, not the difference), waiting for approval. The actor is who changed it;
    `note` says why."""

    note = text(1000)


class BudgetApproved(_Lines, EventSchema):
    """A version of the budget was approved: the ceiling of expenditure (2.2.1) and the
    first budget (2.3.1), of the conference or of the themed event (4.1.3)."""

    version = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))
    approved_by = text(200, required=True)
    approvers = approvers
    overrun_margin_bp = overrun_margin_bp


class BudgetRevised(_Lines, EventSchema):
    """The budget was revised to a new version: to the registered and on-site numbers
    (2.3.3), or after an overrun (21.9.3)."""

    version = fields.Integer(strict=True, required=True, validate=validate.Range(min=2))
    reason = one_of(*REVISION_REASONS)
    approved_by = text(200, required=True)
    approvers = approvers
    overrun_margin_bp = overrun_margin_bp
    note = text(1000)


class BudgetAlertSet(EventSchema):
    """A warning was set on a budget line: when its actual cost reaches `warn_percent` of
    plan (21.9.1)."""

    line = one_of(*LINES)
    warn_percent = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=1, max=200)
    )


class BudgetWarningRaised(EventSchema):
    """A budget line's cost reached its warning (21.9.1, 21.9.2): what is committed on it
    plus what is spent (`actual_minor`) reached the `warn_percent` of its plan that
    BudgetAlertSet chose, before any overrun (BudgetOverrunWarning). Once per line,
    budget version and threshold: a revision or a new threshold warns again."""

    line = one_of(*LINES)
    planned_minor = money_minor(required=True)
    actual_minor = money_minor(required=True)
    currency = currency(required=True)
    committed_minor = money_minor()
    warn_percent = fields.Integer(strict=True, validate=validate.Range(min=1, max=200))
    budget_version = fields.Integer(strict=True, validate=validate.Range(min=1))


class _Overrun(EventSchema):
    # `line`: a budget line, or `total` for the whole budget's expense
    line = one_of(*OVERRUN_SUBJECTS)
    scope = one_of(*SCOPES)
    approved_minor = money_minor(required=True)
    committed_minor = money_minor(required=True)
    actual_minor = money_minor(required=True)
    margin_bp = fields.Integer(strict=True, required=True, validate=validate.Range(0, 100_000))
    currency = currency(required=True)
    budget_version = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))


class BudgetOverrunWarning(_Overrun):
    """What is committed (signed contracts not yet paid) plus what is spent on a line, or
    on the whole budget (`line` = total), went over its approved amount by more than the
    margin (`margin_bp`, basis points of the approved amount): once per crossing. Unlike
    BudgetWarningRaised, the early warning a person sets per line, it needs no setting."""


class BudgetOverrunCleared(_Overrun):
    """A line (or the total) that had gone over is back within its approved amount and
    margin: by a revision, a cancelled contract or a reversed expense. Crossing again
    warns again (BudgetOverrunWarning)."""


class PartnerJoined(EventSchema):
    """A co-organiser (联合单位) or supporter (支持单位) joined the conference as a party to
    its costs; its share is then agreed (ContributionAgreed, 2.1.5)."""

    partner = text(200, required=True)
    role = one_of(*PARTNER_ROLES)


class PartnerWithdrawn(EventSchema):
    """A co-organiser or supporter left the conference; undoes PartnerJoined."""

    reason = text(1000, required=True)


class ContributionAgreed(EventSchema):
    """A co-organiser or supporter agreed its share of the costs (2.1.5), in cash or in
    kind; `share_bp` is its share in basis points (2500 = 25%); `partner_id` names the
    partner that joined (PartnerJoined)."""

    partner = text(200, required=True)
    partner_id = fields.UUID()
    form = one_of(*SPONSOR_FORMS)
    share_bp = fields.Integer(strict=True, validate=validate.Range(min=0, max=10_000))
    amount_minor = money_minor()
    currency = currency()


class PartnerContributionInKindReceived(EventSchema):
    """Something a co-organiser or supporter gives in kind was received (2.1.5), at its
    agreed value: `kind`, `description` and `value_minor` as a sponsor's in-kind item
    (InKindReceived), the day received and `proof_ref`, the evidence of receipt (a
    delivery note, a photo), as a sponsor's benefit delivered carries it. Not ledger
    income: no cash came in. `partner_id` names the partner that joined."""

    partner = text(200, required=True)
    partner_id = fields.UUID(required=True)
    kind = one_of(*IN_KIND)
    description = text(300, required=True)
    value_minor = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=1, max=MAX_MINOR)
    )
    currency = currency(required=True)
    received_on = day(required=True)
    proof_ref = token(100, required=True)


class LedgerOpened(EventSchema):
    """The conference's ledger (台账) was set up (2.4.1), in its book currency."""

    currency = currency(required=True)


class _Entry(EventSchema):
    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    category = one_of(*LINES)
    # the document it is booked against: the order, the contract, the sponsorship...
    source_ref = token(64)
    fapiao_number = fapiao.fapiao_number()


class IncomeRecorded(_Entry):
    """Income was recorded in the ledger against its budget line (`category`), with the
    fapiao issued for it (2.4.2). From registration, one entry per payment (`source_ref`:
    the order); the channel's fee is an expense of its own (`payment_fees`). An entry
    recorded again (`aggregate_version` above 1) is the same income, now with the
    `fapiao_number` of the fapiao issued for it: do not add its amount again."""

    source = one_of(*INCOME_SOURCES, required=False)


class IncomeReversed(_Entry):
    """Income was given back: a refund reverses the income of the order it refunds
    (`source_ref`: the order), by `amount_minor`. An entry of its own: the income recorded
    is never edited."""

    source = one_of(*INCOME_SOURCES, required=False)


class ExpenseRecorded(_Entry):
    """An expense was recorded in the ledger against its budget line (`category`), with
    the fapiao received for it (2.4.3)."""

    contract_id = fields.UUID()
    vendor_id = fields.UUID()


class CommitmentApproved(EventSchema):
    """Spending under a vendor contract was approved against its budget line (8.2.5:
    quotes evaluated and kept within budget)."""

    contract_id = fields.UUID(required=True)
    vendor_id = fields.UUID(required=True)
    line = one_of(*LINES)
    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    within_budget = flag(required=True)
    approved_by = text(200, required=True)
    scope = one_of(*SCOPES, required=False)


class CommitmentCancelled(EventSchema):
    """A commitment was released: its contract was cancelled. What was paid under it stays
    spent; `released_minor` is what no longer needs paying."""

    contract_id = fields.UUID(required=True)
    vendor_id = fields.UUID(required=True)
    line = one_of(*LINES)
    released_minor = money_minor(required=True)
    currency = currency(required=True)
    reason = text(1000, required=True)


TYPES = {
    "CostsEstimated": CostsEstimated,
    "BudgetDrafted": BudgetDrafted,
    "BudgetDraftChanged": BudgetDraftChanged,
    "BudgetApproved": BudgetApproved,
    "BudgetRevised": BudgetRevised,
    "BudgetAlertSet": BudgetAlertSet,
    "BudgetWarningRaised": BudgetWarningRaised,
    "BudgetOverrunWarning": BudgetOverrunWarning,
    "BudgetOverrunCleared": BudgetOverrunCleared,
    "PartnerJoined": PartnerJoined,
    "PartnerWithdrawn": PartnerWithdrawn,
    "ContributionAgreed": ContributionAgreed,
    "PartnerContributionInKindReceived": PartnerContributionInKindReceived,
    "LedgerOpened": LedgerOpened,
    "IncomeRecorded": IncomeRecorded,
    "ExpenseRecorded": ExpenseRecorded,
    "IncomeReversed": IncomeReversed,
    "CommitmentApproved": CommitmentApproved,
    "CommitmentCancelled": CommitmentCancelled,
}
