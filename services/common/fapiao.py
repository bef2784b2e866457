"""Fapiao (发票, China's VAT invoice) fields that registration and budget both publish.

Chinese finance books income and pays expenses against fapiao, so an event about one carries
what the finance team checks on it: its type and medium, the buyer's (or seller's) tax ID,
the tax rate, and amounts that add up as the fapiao's own do (价税合计 = 金额 + 税额).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .fields import money_minor, text

# 增值税专用发票: the buyer deducts its input VAT, so it must name the buyer's tax ID;
# 增值税普通发票: no deduction; an individual buyer may have no tax ID.
FAPIAO_TYPES = ("vat_special", "vat_ordinary")
# digital: 全面数字化的电子发票 (数电票), issued on the tax bureau's platform, 20-digit number;
# electronic: the earlier 增值税电子普通/专用发票 (tax-control equipment, code + number);
# paper: printed, the buyer signs for it when handed over.
FAPIAO_MEDIA = ("digital", "electronic", "paper")
# VAT rates and levy rates (征收率) in basis points: 13% goods and equipment rental, 9%
# transport and real-estate lease, 6% conference, catering and accommodation services,
# 5%, 3% and 1% (reduced) levy rates of small-scale taxpayers, 1.5% housing let by an
# individual, 0 for zero-rated or exempt (免税) lines.
TAX_RATES = (1300, 900, 600, 500, 300, 150, 100, 0)
# Why a fapiao is reversed by a red-letter one (红字发票): a refund or cancelled sale, an
# error on the blue one, a discount granted after issue.
REVERSAL_REASONS = ("refund", "cancellation", "error", "discount")

# GB 32100-2015, 统一社会信用代码: 18 characters from these 31 (no I, O, Z, S, V);
# characters 3 to 8 are the registering authority's region code, digits only.
_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CODE_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
TAX_ID_PATTERN = r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}"


def _check_character(code: str) -> str:
    pairs = zip(code[:17], _CODE_WEIGHTS, strict=True)
    total = sum(_CODE_CHARS.index(char) * weight for char, weight in pairs)
    return _CODE_CHARS[(31 - total % 31) % 31]


def _unified_code(value: str) -> None:
    if not re.fullmatch(TAX_ID_PATTERN, value):
        raise ValidationError(
            "must be a unified social credit code (统一社会信用代码): 18 digits and capital "
            "letters without I, O, Z, S or V, digits in places 3 to 8"
        )
    # The last character checks the first 17: a mistyped tax ID on a 专票 makes it useless
    # to the buyer and costs a red-letter reversal, so it is refused here.
    if _check_character(value) != value[-1]:
        raise ValidationError("its last character does not check against the first 17: mistyped?")


def tax_id(**kwargs: Any) -> fields.String:
    """A taxpayer identification number: the unified social credit code (统一社会信用代码)."""
    return fields.String(validate=_unified_code, **kwargs)


def fapiao_number(**kwargs: Any) -> fields.String:
    """The fapiao's number: 20 digits for a 数电票, 8 for the earlier kinds (with a code)."""
    return fields.String(
        validate=validate.Regexp(
            r"^([0-9]{8}|[0-9]{20})$",
            error="must be a fapiao number: 20 digits (数电票) or 8 digits",
        ),
        **kwargs,
    )


def tax_rate(**kwargs: Any) -> fields.Integer:
    return fields.Integer(
        strict=True,
        validate=validate.OneOf(
            TAX_RATES,
            error="must be a VAT or levy rate in basis points (600 = 6%): one of {choices}",
        ),
        **kwargs,
    )


def fapiao_type(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf(FAPIAO_TYPES), **kwargs)


def fapiao_medium(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf(FAPIAO_MEDIA), **kwargs)


def fapiao_currency(**kwargs: Any) -> fields.String:
    """A fapiao is always in yuan; the field says so to readers that sum money."""
    return fields.String(
        validate=validate.Equal("CNY", error="must be CNY (a fapiao is in yuan), not {input}"),
        **kwargs,
    )


def check_amounts(data: Mapping[str, Any], gross: str = "gross_minor") -> None:
    """Gross = net + tax, and no tax at rate 0. The tax itself is not recomputed from the
    rate: the platform rounds it line by line, so a fapiao of several lines may differ
    from net × rate by a few fen."""
    net, tax, total = data.get("net_minor"), data.get("tax_minor"), data.get(gross)
    if None not in (net, tax, total) and net + tax != total:
        raise ValidationError(
            f"must be net_minor + tax_minor = {net + tax}, got {total}", field_name=gross
        )
    if data.get("tax_rate_bp") == 0 and tax:
        raise ValidationError("must be 0 at tax rate 0", field_name="tax_minor")


class Amounts(Schema):
    """The amounts of a fapiao (or of the part a red-letter one takes back), in fen."""

    net_minor = money_minor(required=True)
    tax_rate_bp = tax_rate(required=True)
    tax_minor = money_minor(required=True)
    gross_minor = money_minor(required=True)
    currency = fapiao_currency(required=True)

    @validates_schema
    def _add_up(self, data, **kwargs):
        check_amounts(data)


class Buyer(Schema):
    """Whom a fapiao is made out to; a 专票 (`fapiao_type` vat_special) needs the tax ID,
    without which the buyer cannot deduct."""

    buyer_name = text(200, required=True)
    buyer_tax_id = tax_id()

    @validates_schema
    def _tax_id_when_special(self, data, **kwargs):
        if data.get("fapiao_type") == "vat_special" and not data.get("buyer_tax_id"):
            raise ValidationError(
                "is required on a vat_special fapiao (增值税专用发票)", field_name="buyer_tax_id"
            )
