"""Sponsorship (aggregate: the sponsorship, from prospect to settled; the plan is its own):
the plan and prospectus, prospects and contacts, the signed package with its instalments,
in-kind items and benefits, its fapiao, payments and settlement, and the thanks."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common import fapiao
from services.common.catalog import EventSchema, Part
from services.common.fields import currency, day, money_minor, text, token
from services.common.planned import count, flag, many_of, one_of

from .vocabulary import (
    BENEFITS,
    CONTACT_CHANNELS,
    IN_KIND,
    LANGUAGES,
    LEVELS,
    PAYMENT_METHODS,
    SPONSOR_FORMS,
)


class Package(Schema):
    """One sponsorship package of the plan: its level, price, how many can be sold and
    what it gives."""

    level = one_of(*LEVELS)
    price_minor = money_minor(required=True)
    slots = count(minimum=1, maximum=1000)
    benefits = many_of(BENEFITS, required=True)
    # what the package is sold as ("Gold", "Lanyard partner"); a plan names each once
    name = text(100)


class InKindItem(Schema):
    """Something a sponsor gives instead of cash (2.1.6), at the value agreed."""

    kind = one_of(*IN_KIND)
    description = text(300, required=True)
    value_minor = money_minor(required=True)


class SponsorshipPlanApproved(EventSchema):
    """The sponsorship plan, its packages and forms, was approved (1.4.4, 7.1.2), with
    its target from the revenue goal (7.1.1) and the in-kind items it seeks instead of
    cash (`in_kind_items`: venue, media partnership, goods, staff, each with its value,
    2.1.6)."""

    target_minor = money_minor()
    currency = currency()
    packages = fields.List(Part(Package), validate=validate.Length(max=50))
    in_kind_items = fields.List(Part(InKindItem), validate=validate.Length(max=100))


class ProspectusPublished(EventSchema):
    """The sponsorship prospectus was approved and published, its translations checked
    (7.1.3)."""

    languages = many_of(LANGUAGES, required=True)


class SponsorProspectAdded(EventSchema):
    """A prospective sponsor was listed (7.2.1); its sponsorship starts here."""

    sponsor = text(200, required=True)
    level = one_of(*LEVELS, required=False)


class SponsorContacted(EventSchema):
    """A prospect was contacted: by letter or email (7.2.2), by a call or a visit (7.2.3)."""

    channel = one_of(*CONTACT_CHANNELS)


class SponsorNegotiationStarted(EventSchema):
    """A contacted sponsor is negotiating a package (7.2.4, before the signature); `level`
    is the one discussed."""

    level = one_of(*LEVELS, required=False)


class Instalment(Schema):
    due_on = day(required=True)
    amount_minor = money_minor(required=True)


class SponsorSigned(EventSchema):
    """A sponsor signed for a package (7.2.4). `amount_minor` is the package's whole value;
    `cash_minor` is paid by the `instalments`, the rest given `in_kind`; rules filter on
    `form`, so that they wait for no payment from an in-kind sponsor."""

    level = one_of(*LEVELS)
    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    form = one_of(*SPONSOR_FORMS, required=False)
    cash_minor = money_minor()
    in_kind = fields.List(Part(InKindItem), validate=validate.Length(max=50))
    instalments = fields.List(Part(Instalment), validate=validate.Length(max=24))
    benefits = many_of(BENEFITS)
    signed_on = day()
    # the name of the plan's package signed for (Package.name)
    package = text(100)

    @validates_schema
    def _adds_up(self, data, **kwargs):
        cash, in_kind = data.get("cash_minor"), data.get("in_kind")
        if cash is not None and in_kind is not None:
            whole = cash + sum(item["value_minor"] for item in in_kind)
            if whole != data.get("amount_minor"):
                raise ValidationError(
                    f"must be cash_minor plus the in-kind values = {whole}", "amount_minor"
                )
        if cash is not None and data.get("instalments"):
            due = sum(item["amount_minor"] for item in data["instalments"])
            if due != cash:
                raise ValidationError(f"must add up to cash_minor, not {due}", "instalments")
        form = data.get("form")
        if form == "in_kind" and cash:
            raise ValidationError("must be 0 for an in-kind sponsorship", "cash_minor")
        if form == "cash" and in_kind:
            raise ValidationError("must be empty for a cash sponsorship", "in_kind")


class SponsorInvoiceIssued(fapiao.Buyer, fapiao.Amounts, EventSchema):
    """A fapiao was issued to the sponsor for its payment (7.2.5, 23.3.2), or for one
    instalment of it."""

    fapiao_number = fapiao.fapiao_number(required=True)
    fapiao_type = fapiao.fapiao_type(required=True)
    medium = fapiao.fapiao_medium(required=True)
    instalment = count(required=False, minimum=1, maximum=24)
    issued_on = day(required=True)


class SponsorInvoiceReversed(fapiao.Amounts, EventSchema):
    """A sponsor's fapiao was reversed by a red-letter fapiao (红字发票) naming it: a
    cancelled or reduced sponsorship, or an error."""

    fapiao_number = fapiao.fapiao_number(required=True)
    red_fapiao_number = fapiao.fapiao_number(required=True)
    red_confirmation_number = token(32)
    reason = one_of(*fapiao.REVERSAL_REASONS)
    partial = flag(required=True)
    reversed_on = day(required=True)


class SponsorshipPaid(EventSchema):
    """A sponsor's payment arrived: the whole cash part, or one instalment of it (then
    SponsorshipSettled says when all is in)."""

    amount_minor = money_minor(required=True)
    currency = currency(required=True)
    instalment = count(required=False, minimum=1, maximum=24)
    method = one_of(*PAYMENT_METHODS, required=False)
    received_on = day()
    # for a payment in another currency: what the bank credited in the book currency
    booked_minor = money_minor()


class InKindReceived(EventSchema):
    """An in-kind item of a sponsorship was received (2.1.6)."""

    kind = one_of(*IN_KIND)
    description = text(300, required=True)
    value_minor = money_minor(required=True)
    currency = currency(required=True)


class SponsorshipSettled(EventSchema):
    """All a sponsorship promised is in: its cash in full and its in-kind items received
    (7.2.5, 23.3.2)."""

    cash_received_minor = money_minor(required=True)
    currency = currency(required=True)
    in_kind_received = count()


class SponsorBenefitDelivered(EventSchema):
    """A benefit of the package was delivered to the sponsor (5.2.5 for the website)."""

    benefit = one_of(*BENEFITS)
    proof_ref = token(100)


class SponsorThanked(EventSchema):
    """The sponsor was thanked after the event (23.3.1)."""

    channel = one_of(*CONTACT_CHANNELS)


class SponsorshipCancelled(EventSchema):
    """A sponsorship was cancelled; undoes SponsorSigned."""

    reason = text(1000, required=True)
    refund_due_minor = money_minor()


class PackageSlotTaken(EventSchema):
    """A sponsor signing took one of a package's slots: `taken` of `slots` are now
    signed. One aggregate per conference and package, saved with the signing, so that two
    signings of its last slot at the same instant cannot both pass."""

    package = text(100, required=True)
    sponsorship_id = fields.UUID(required=True)
    slots = count(minimum=1, maximum=1000)
    taken = count(minimum=1, maximum=1000)


class PackageSlotReleased(EventSchema):
    """A signed sponsorship was cancelled: its package's slot is free again."""

    package = text(100, required=True)
    sponsorship_id = fields.UUID(required=True)
    taken = count(maximum=1000)


TYPES = {
    "SponsorshipPlanApproved": SponsorshipPlanApproved,
    "ProspectusPublished": ProspectusPublished,
    "SponsorProspectAdded": SponsorProspectAdded,
    "SponsorContacted": SponsorContacted,
    "SponsorNegotiationStarted": SponsorNegotiationStarted,
    "SponsorSigned": SponsorSigned,
    "SponsorInvoiceIssued": SponsorInvoiceIssued,
    "SponsorInvoiceReversed": SponsorInvoiceReversed,
    "SponsorshipPaid": SponsorshipPaid,
    "InKindReceived": InKindReceived,
    "SponsorshipSettled": SponsorshipSettled,
    "SponsorBenefitDelivered": SponsorBenefitDelivered,
    "SponsorThanked": SponsorThanked,
    "SponsorshipCancelled": SponsorshipCancelled,
    "PackageSlotTaken": PackageSlotTaken,
    "PackageSlotReleased": PackageSlotReleased,
}
