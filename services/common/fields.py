"""Field types shared by API and event schemas: each bounded, so that no value a careless
or hostile client sends can be larger than the domain needs or unreadable downstream."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from marshmallow import ValidationError, fields, validate

# ISO 4217 codes in use (2024).
CURRENCIES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD
    FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY
    KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP
    MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR
    RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT
    TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XOF XPF YER ZAR
    ZMW ZWL
    """.split()  # noqa: SIM905 - a table, kept as one
)
MAX_MINOR = 10**15  # 10 trillion in major units: more than any conference, exact in JSON
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)


def money_minor(**kwargs: Any) -> fields.Integer:
    """An amount in minor units (fen, cents): an integer, never a float, bounded."""
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_MINOR), **kwargs)


def currency(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=validate.OneOf(
            CURRENCIES, error="must be an ISO 4217 currency code such as CNY, got {input}"
        ),
        **kwargs,
    )


def day(**kwargs: Any) -> fields.Date:
    """A calendar date a conference can have: from 2000 to 2100."""
    return fields.Date(
        validate=validate.Range(
            min=FIRST_DAY, max=LAST_DAY, error="must be a date from {min} to {max}"
        ),
        **kwargs,
    )


def _readable(value: str) -> None:
    """No control characters (tabs and line breaks aside) and no unpaired surrogates;
    something visible in it."""
    for char in value:
        category = unicodedata.category(char)
        if category == "Cs" or (category == "Cc" and char not in "\t\n\r"):
            raise ValidationError(f"must not contain the character U+{ord(char):04X}")
    if not any(unicodedata.category(char)[0] not in "ZC" for char in value):
        raise ValidationError("must not be blank")


# `_readable` as a pattern, for the API's description (docs/api.md): no C0 or C1 control
# character but tab and line breaks, and one that is neither space nor control.
_CONTROL = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f"
READABLE_PATTERN = f"^[^{_CONTROL}]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^{_CONTROL}]*$"


def text(max_length: int = 500, **kwargs: Any) -> fields.String:
    """Free text a person types: not empty, something visible in it, no control
    characters, not too long."""
    return fields.String(
        validate=validate.And(validate.Length(min=1, max=max_length), _readable),
        metadata={"pattern": READABLE_PATTERN},
        **kwargs,
    )


def token(max_length: int = 100, **kwargs: Any) -> fields.String:
    """An identifier a program sends (a correlation id, a member id): printable ASCII."""
    return fields.String(
        validate=validate.Regexp(
            rf"^[\x21-\x7e]{{1,{max_length}}}$",
            error=f"must be 1 to {max_length} printable ASCII characters without spaces",
        ),
        **kwargs,
    )


def bounded_list(item: fields.Field, max_items: int, **kwargs: Any) -> fields.List:
    return fields.List(item, validate=validate.Length(max=max_items), **kwargs)
