"""Fapiao for registration fees (aggregate: the fapiao, one per request). An order's buyer
asks for one and may withdraw the request until it is issued; finance issues it (a 数电票
mostly), hands it over, and reverses it by a red-letter fapiao (红字发票) when the fee is
refunded or the fapiao was wrong: an issued fapiao is never edited or deleted, as pretix
cancels an invoice by one of the opposite amount."""

from marshmallow import ValidationError, fields, validate, validates_schema

from services.common import fapiao
from services.common.catalog import EventSchema
from services.common.fields import currency, day, money_minor, text, token
from services.common.planned import PlannedEvent, flag, one_of

from .vocabulary import BUYER_KINDS, FAPIAO_DELIVERY, FAPIAO_ITEMS


class InvoiceIssued(PlannedEvent):
    """This attendee's fee is covered by an issued fapiao (aggregate: the attendee, so
    that 15.3.4 and 23.1.3 pair it with their RegistrationPaid). `invoice_number` is the
    organiser's record; the fapiao itself is FapiaoIssued with `fapiao_number`."""

    invoice_number = token(64, required=True)
    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    order_id = fields.UUID()
    fapiao_number = fapiao.fapiao_number()


class FapiaoRequested(fapiao.Buyer, EventSchema):
    """The buyer of an order asked for a fapiao, with the details to print on it: buyers
    are organisations mostly, whose address and phone (地址、电话) and bank and account
    (开户行及账号) a 专票 carries. `gross_minor` is the paid money it is to cover (tax
    included) and `tax_rate_bp` the rate it will carry; an organisation names its tax ID
    on either type, an individual buying a 普票 may have none."""

    order_id = fields.UUID(required=True)
    fapiao_type = fapiao.fapiao_type(required=True)
    buyer_kind = one_of(*BUYER_KINDS)
    buyer_address_phone = text(300)
    buyer_bank_account = text(300)
    item = one_of(*FAPIAO_ITEMS)
    delivery = one_of(*FAPIAO_DELIVERY)
    gross_minor = money_minor(required=True)
    tax_rate_bp = fapiao.tax_rate(required=True)
    currency = fapiao.fapiao_currency(required=True)

    @validates_schema
    def _special_details(self, data, **kwargs):
        if data.get("fapiao_type") != "vat_special":
            return
        for name in ("buyer_address_phone", "buyer_bank_account"):
            if not data.get(name):
                raise ValidationError("is required on a vat_special fapiao", name)


class FapiaoIssued(fapiao.Buyer, fapiao.Amounts, EventSchema):
    """A fapiao was issued for an order (10.1.5), covering `attendee_ids`; its amounts add
    up (gross = net + tax) and a 专票 names the buyer's tax ID."""

    order_id = fields.UUID(required=True)
    attendee_ids = fields.List(
        fields.UUID(), required=True, validate=validate.Length(min=1, max=500)
    )
    fapiao_number = fapiao.fapiao_number(required=True)
    # the earlier kinds have a 10- or 12-digit code besides the number; a 数电票 has none
    fapiao_code = fields.String(
        validate=validate.Regexp(r"^([0-9]{10}|[0-9]{12})$", error="must be 10 or 12 digits")
    )
    fapiao_type = fapiao.fapiao_type(required=True)
    medium = fapiao.fapiao_medium(required=True)
    item = one_of(*FAPIAO_ITEMS)
    issued_on = day(required=True)
    delivery = one_of(*FAPIAO_DELIVERY)

    @validates_schema
    def _code_fits_medium(self, data, **kwargs):
        if data.get("medium") == "digital" and data.get("fapiao_code"):
            raise ValidationError("a 数电票 (digital) has no fapiao code", "fapiao_code")


class FapiaoReversed(fapiao.Amounts, EventSchema):
    """The fapiao was reversed by a red-letter fapiao (红字发票) that names it; amounts are
    what the red one takes back, `partial` when less than the whole (部分红冲: a fapiao may
    be reversed in parts, never beyond its gross). `remaining_minor` is the gross the
    fapiao still holds after it: 0 when it is reversed in full, which is what its absence
    means (every reversal stored before parts existed took the whole fapiao back). For a
    数电票 the red one follows a confirmation (红字发票信息确认单) when the buyer had
    booked it."""

    order_id = fields.UUID(required=True)
    fapiao_number = fapiao.fapiao_number(required=True)
    red_fapiao_number = fapiao.fapiao_number(required=True)
    red_confirmation_number = token(32)
    reason = one_of(*fapiao.REVERSAL_REASONS)
    partial = flag(required=True)
    reversed_on = day(required=True)
    remaining_minor = money_minor(load_default=0)

    @validates_schema
    def _names_another(self, data, **kwargs):
        if data.get("red_fapiao_number") == data.get("fapiao_number"):
            raise ValidationError("must differ from the fapiao it reverses", "red_fapiao_number")


class FapiaoRequestWithdrawn(EventSchema):
    """The buyer withdrew a fapiao request before it was issued (an issued one is reversed
    instead): the fapiao will not be issued, and the `gross_minor` it held may be invoiced
    again. Undoes its FapiaoRequested for 10.1.5."""

    order_id = fields.UUID(required=True)
    gross_minor = money_minor(required=True)
    currency = fapiao.fapiao_currency(required=True)
    reason = text(500, required=True)


class FapiaoHandedOver(EventSchema):
    """The fapiao reached its buyer: handed over on site against signature (15.3.4: the
    pre-packed fapiao are signed for), posted, or sent. To whom stays in the service."""

    fapiao_number = fapiao.fapiao_number(required=True)
    how = one_of(*FAPIAO_DELIVERY)
    signed_for = flag(required=True)
    handed_on = day(required=True)


TYPES = {
    "InvoiceIssued": InvoiceIssued,
    "FapiaoRequested": FapiaoRequested,
    "FapiaoIssued": FapiaoIssued,
    "FapiaoReversed": FapiaoReversed,
    "FapiaoHandedOver": FapiaoHandedOver,
    "FapiaoRequestWithdrawn": FapiaoRequestWithdrawn,
}
