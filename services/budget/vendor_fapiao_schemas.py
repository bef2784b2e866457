"""API schema of a vendor's fapiao received against a contract."""

from marshmallow import ValidationError, fields, validate, validates_schema

from services.common import fapiao
from services.common.commands import Loads
from services.common.fields import MAX_MINOR, money_minor
from services.common.planned import flag

from . import vendor_fapiao_commands as commands


class ReceiveVendorFapiaoSchema(Loads):
    command = commands.ReceiveVendorFapiao

    vendor_id = fields.UUID(required=True)
    fapiao_number = fapiao.fapiao_number(required=True)
    amount_minor = fields.Integer(
        strict=True, required=True, validate=validate.Range(min=1, max=MAX_MINOR)
    )
    tax_rate_bp = fapiao.tax_rate(required=True)
    fapiao_type = fapiao.fapiao_type(required=True)
    medium = fapiao.fapiao_medium(load_default="digital")
    net_minor = money_minor(load_default=None)
    tax_minor = money_minor(load_default=None)
    seller_tax_id = fapiao.tax_id(load_default=None)
    verified = flag()

    @validates_schema
    def _adds_up(self, data, **kwargs):
        if (data.get("net_minor") is None) != (data.get("tax_minor") is None):
            raise ValidationError("must be given with tax_minor, or neither", "net_minor")
        fapiao.check_amounts(data, gross="amount_minor")
