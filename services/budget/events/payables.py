"""Paying vendors and people. A vendor's payable under one contract is its own aggregate
(its fapiao received, its payments, its settlement), named by `contract_id` so that rules
pair it with vendors' ContractSigned; bank details are checked per vendor, for each
contract it is paid under; a cash advance, a reimbursement and a volunteer's allowance are
each their own aggregate."""

from marshmallow import ValidationError, fields, validate, validates_schema

from services.common import fapiao
from services.common.catalog import EventSchema
from services.common.fields import currency, day, money_minor, text
from services.common.planned import PlannedEvent, count, flag, one_of

from .vocabulary import (
    ADVANCE_PURPOSES,
    LINES,
    PAYMENT_METHODS,
    VENDOR_PAYMENT_KINDS,
    VERIFICATION_METHODS,
)


class VendorBankDetailsVerified(PlannedEvent):
    """A vendor's bank details were confirmed before paying it (8.4.2): the account is
    the contracting company's own, checked by a call back or its bank's letter. With
    `contract_id`, the account checked is the one that contract is paid to, so that
    rules pair the check with vendors' ContractSigned."""

    vendor_id = fields.UUID(required=True)
    method = one_of(*VERIFICATION_METHODS)
    contract_id = fields.UUID()


class VendorInvoiceReceived(EventSchema):
    """A vendor's fapiao was received and registered (8.4.4): `amount_minor` is its gross
    (价税合计), `verified` once checked on the tax bureau's platform (查验). Chinese finance
    pays against it, so it comes before the final payment."""

    category = one_of(*LINES)
    vendor_id = fields.String(required=True)
    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    contract_id = fields.UUID()
    fapiao_number = fapiao.fapiao_number()
    fapiao_type = fapiao.fapiao_type()
    medium = fapiao.fapiao_medium()
    seller_tax_id = fapiao.tax_id()
    net_minor = money_minor()
    tax_rate_bp = fapiao.tax_rate()
    tax_minor = money_minor()
    verified = flag()

    @validates_schema
    def _adds_up(self, data, **kwargs):
        fapiao.check_amounts(data, gross="amount_minor")
        if ("net_minor" in data or "tax_minor" in data) and data.get("currency") != "CNY":
            raise ValidationError("must be CNY when the fapiao amounts are given", "currency")


class PayableDue(EventSchema):
    """What a contract promised was delivered and accepted (vendors' DeliveryAccepted): its
    amount, less what was paid under it already, is now due to the vendor."""

    contract_id = fields.UUID(required=True)
    vendor_id = fields.UUID(required=True)
    category = one_of(*LINES)
    amount_minor = money_minor(required=True)
    due_minor = money_minor(required=True)
    currency = currency(required=True)


class VendorPaid(EventSchema):
    """A vendor was paid (8.4.3): a deposit, a progress payment, the final balance (尾款)
    or the whole, under its contract and charged to a budget line (`category`)."""

    category = one_of(*LINES)
    vendor_id = fields.String(required=True)
    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    contract_id = fields.UUID()
    kind = one_of(*VENDOR_PAYMENT_KINDS, required=False)
    method = one_of(*PAYMENT_METHODS, required=False)
    paid_on = day()
    # the fapiao it was paid against, if any yet (a deposit usually comes before it)
    fapiao_number = fapiao.fapiao_number()
    # for a payment in another currency: what it cost in the book currency
    booked_minor = money_minor()


class VendorSettled(EventSchema):
    """A contract's account with its vendor is closed: final statement agreed, balance
    paid, every fapiao received (2.5.3, 23.5.2)."""

    contract_id = fields.UUID(required=True)
    vendor_id = fields.UUID(required=True)
    paid_total_minor = money_minor(required=True)
    currency = currency(required=True)
    fapiao_complete = flag(required=True)


class CashAdvanceIssued(EventSchema):
    """Cash was drawn in advance for what is paid on the spot: speakers' fees (9.2.1),
    petty cash and on-site needs (14.2.3), with its receipt forms."""

    purpose = one_of(*ADVANCE_PURPOSES)
    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    holder = text(200, required=True)


class CashAdvanceReconciled(EventSchema):
    """A cash advance was accounted for: what was spent (with signed receipts) and what
    came back make up what was advanced."""

    advanced_minor = money_minor(required=True)
    spent_minor = money_minor(required=True)
    returned_minor = money_minor(required=True)
    currency = currency(required=True)
    receipts_complete = flag(required=True)

    @validates_schema
    def _adds_up(self, data, **kwargs):
        spent, back = data.get("spent_minor"), data.get("returned_minor")
        if None not in (spent, back) and spent + back != data.get("advanced_minor"):
            raise ValidationError(
                f"must be spent_minor + returned_minor = {spent + back}", "advanced_minor"
            )


class HonorariumBooked(EventSchema):
    """A speaker's honorarium was paid and booked (9.3.4): `gross_minor` is the expense on
    the budget line (`category`), `iit_withheld_minor` the individual income tax withheld on
    it as labour remuneration (劳务报酬: `taxable_minor` is the gross less 800 yuan up to
    4 000, else less 20%; taxed at `tax_rate_bp` less `quick_deduction_minor`), and
    `amount_minor` the net the speaker received: net = gross - withheld."""

    speaker = text(200, required=True)
    speaker_id = fields.UUID()
    category = one_of(*LINES)
    gross_minor = money_minor(required=True)
    taxable_minor = money_minor(required=True)
    tax_rate_bp = fields.Integer(
        strict=True, required=True, validate=validate.OneOf((2000, 3000, 4000))
    )
    quick_deduction_minor = money_minor(required=True)
    iit_withheld_minor = money_minor(required=True)
    amount_minor = money_minor(required=True)
    currency = fields.String(required=True, validate=validate.Equal("CNY"))
    paid_on = day(required=True)
    method = one_of(*PAYMENT_METHODS, required=False)

    @validates_schema
    def _net_is_gross_less_tax(self, data, **kwargs):
        gross, withheld = data.get("gross_minor"), data.get("iit_withheld_minor")
        if None not in (gross, withheld) and data.get("amount_minor") != gross - withheld:
            raise ValidationError(
                f"must be gross_minor - iit_withheld_minor = {gross - withheld}", "amount_minor"
            )


class VolunteerAllowancePaid(PlannedEvent):
    """A volunteer was paid the allowance (补贴) for the days they signed in, against
    their signature on the allowance receipt sheet (13.4.5). `attendee_id` is their
    registration (registration's attendee), whose daily check-ins are the sign-in."""

    attendee_id = fields.UUID(required=True)
    days = count(minimum=1, maximum=366)
    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    method = one_of(*PAYMENT_METHODS, required=False)
    signed_for = flag(required=True)


class ReimbursementPaid(PlannedEvent):
    """A team member was reimbursed (报销) for what they paid for the conference, against
    the fapiao and receipts they handed in, charged to a budget line."""

    category = one_of(*LINES)
    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    claimant = text(200, required=True)
    fapiao_numbers = fields.List(fapiao.fapiao_number(), validate=validate.Length(max=100))
    receipts_complete = flag(required=True)


TYPES = {
    "PayableDue": PayableDue,
    "VendorBankDetailsVerified": VendorBankDetailsVerified,
    "VendorInvoiceReceived": VendorInvoiceReceived,
    "VendorPaid": VendorPaid,
    "VendorSettled": VendorSettled,
    "CashAdvanceIssued": CashAdvanceIssued,
    "CashAdvanceReconciled": CashAdvanceReconciled,
    "HonorariumBooked": HonorariumBooked,
    "VolunteerAllowancePaid": VolunteerAllowancePaid,
    "ReimbursementPaid": ReimbursementPaid,
}
