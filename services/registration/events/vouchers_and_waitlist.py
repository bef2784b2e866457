"""Vouchers (aggregate: the voucher) and the waiting list (aggregate: the entry), as in
pretix: when a quota is sold out, people join the list; a freed place is offered to the
next one by a voucher that lets them order despite the quota."""

from marshmallow import ValidationError, fields, validate, validates_schema

from services.common.catalog import EventSchema
from services.common.fields import day, token
from services.common.planned import count, one_of

from .vocabulary import CATEGORIES, PRICE_MODES, VOUCHER_PURPOSES


class VoucherIssued(EventSchema):
    """A voucher was issued: complimentary passes for speakers, sponsors and press, a
    discount, or a waiting-list offer. The code itself is not published: anyone reading
    the exchange could redeem it. `value` is in minor units for `set` and `subtract`, a
    percentage for `percent`, 0 for `free`."""

    purpose = one_of(*VOUCHER_PURPOSES)
    price_mode = one_of(*PRICE_MODES)
    value = fields.Integer(strict=True, required=True, validate=validate.Range(min=0))
    max_usages = count(minimum=1, maximum=10_000)
    ticket_type = token(50)
    valid_until = day()
    # a sponsor's passes are one of its benefits (budget's SponsorSigned)
    sponsorship_id = fields.UUID()

    @validates_schema
    def _value_fits_mode(self, data, **kwargs):
        mode, value = data.get("price_mode"), data.get("value")
        if mode == "percent" and value is not None and value > 100:
            raise ValidationError("must be at most 100 for a percent voucher", "value")
        if mode == "free" and value:
            raise ValidationError("must be 0 for a free voucher", "value")


class WaitlistJoined(EventSchema):
    """Someone joined the waiting list for a sold-out ticket type."""

    ticket_type = token(50, required=True)
    category = one_of(*CATEGORIES)


class WaitlistOffered(EventSchema):
    """A freed place was offered to a waiting person, by a voucher valid until
    `offer_expires_at` (pretix sends it by email)."""

    voucher_id = fields.UUID(required=True)
    offer_expires_at = fields.AwareDateTime(required=True)


class VoucherRedeemed(EventSchema):
    """An order used a voucher `times` (one per position it priced); `usages` is how many
    of its `max_usages` are used now."""

    order_id = fields.UUID(required=True)
    times = count(minimum=1)
    usages = count()


class VoucherReturned(EventSchema):
    """An order that used a voucher ended (expired, denied or cancelled): its uses are
    given back; `usages` is how many are still used."""

    order_id = fields.UUID(required=True)
    times = count(minimum=1)
    usages = count()


class WaitlistOfferLapsed(EventSchema):
    """A waiting-list offer was not taken by its `offer_expires_at`: its voucher no longer
    holds the place, which goes to the next one waiting."""

    voucher_id = fields.UUID(required=True)


TYPES = {
    "VoucherIssued": VoucherIssued,
    "VoucherRedeemed": VoucherRedeemed,
    "VoucherReturned": VoucherReturned,
    "WaitlistOfferLapsed": WaitlistOfferLapsed,
    "WaitlistJoined": WaitlistJoined,
    "WaitlistOffered": WaitlistOffered,
}
