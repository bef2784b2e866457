"""API schemas of partners and their contributions."""

from marshmallow import ValidationError, fields, validate, validates_schema

from services.common import fapiao
from services.common.commands import Loads
from services.common.fields import MAX_MINOR, currency, day, text, token
from services.common.planned import one_of

from . import partners_commands as commands
from .events import IN_KIND, PARTNER_ROLES, SPONSOR_FORMS

# where a partner's cash comes from: its own funds, or a government grant it secured
CONTRIBUTION_SOURCES = ("contribution", "grant")


def positive_minor(**kwargs):
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_MINOR), **kwargs)


class JoinPartnerSchema(Loads):
    command = commands.JoinPartner

    partner = text(200, required=True)
    role = one_of(*PARTNER_ROLES)


class AgreeContributionSchema(Loads):
    command = commands.AgreeContribution

    form = one_of(*SPONSOR_FORMS)
    amount_minor = positive_minor(load_default=None)
    currency = currency(load_default=None)
    share_bp = fields.Integer(
        strict=True, load_default=None, validate=validate.Range(min=0, max=10_000)
    )

    @validates_schema
    def _cash_has_currency(self, data, **kwargs):
        if data.get("amount_minor") is not None and data.get("currency") is None:
            raise ValidationError("must be given with amount_minor", "currency")


class ReceiveContributionSchema(Loads):
    command = commands.ReceiveContribution

    amount_minor = positive_minor(required=True)
    currency = currency(required=True)
    received_on = day(required=True)
    source = fields.String(
        load_default="contribution", validate=validate.OneOf(CONTRIBUTION_SOURCES)
    )
    fapiao_number = fapiao.fapiao_number(load_default=None)


class ReceiveContributionInKindSchema(Loads):
    """The fields of a sponsor's in-kind item, the day and the proof of receipt."""

    command = commands.ReceiveContributionInKind

    kind = one_of(*IN_KIND)
    description = text(300, required=True)
    value_minor = positive_minor(required=True)
    currency = currency(required=True)
    received_on = day(required=True)
    proof_ref = token(100, required=True)


class WithdrawPartnerSchema(Loads):
    command = commands.WithdrawPartner

    reason = text(1000, required=True)
