"""Amounts typed by people (major units, decimal text) to exact integer minor units."""

from __future__ import annotations

import re
from decimal import Decimal

# Decimal places of the minor unit, for the currencies the command line accepts.
MINOR_DIGITS = {
    "CNY": 2,
    "HKD": 2,
    "TWD": 2,
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "SGD": 2,
    "AUD": 2,
    "JPY": 0,
    "KRW": 0,
}

MAX_MINOR = 2**63 - 1  # what every store can hold in a BIGINT
_AMOUNT = re.compile(r"[0-9]+(\.[0-9]+)?")


class AmountError(ValueError):
    """The amount or its currency cannot be turned into minor units; the text says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def normalise_currency(currency: str) -> str:
    code = currency.strip().upper()
    if code not in MINOR_DIGITS:
        known = ", ".join(sorted(MINOR_DIGITS))
        raise AmountError("currency", f"unsupported currency {currency!r}; use one of {known}")
    return code


def to_minor(amount: str, currency: str = "CNY") -> int:
    """'120000.10' CNY -> 12000010. Exact: digits are shifted as text, never through a float."""
    code = normalise_currency(currency)
    text = amount.strip()
    if text.startswith("-"):
        raise AmountError("amount", f"must not be negative, got {amount!r}")
    if not _AMOUNT.fullmatch(text):
        raise AmountError(
            "amount", f"must be a decimal number in major units such as 120000.00, got {amount!r}"
        )
    digits = MINOR_DIGITS[code]
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    if len(fraction) > digits:
        places = "no decimal places" if digits == 0 else f"at most {digits} decimal places"
        raise AmountError("amount", f"{code} amounts have {places}, got {amount!r}")
    minor = int(whole + fraction.ljust(digits, "0"))  # integer arithmetic only: exact
    if minor > MAX_MINOR:
        raise AmountError("amount", f"is too large, got {amount!r}")
    return minor


def from_minor(amount_minor: int, currency: str) -> str:
    """12000010 CNY -> '120000.10 CNY' (unknown currencies are shown in minor units)."""
    digits = MINOR_DIGITS.get(currency)
    if digits is None:
        return f"{amount_minor} {currency} (minor units)"
    major = Decimal(amount_minor).scaleb(-digits)
    return f"{major:,.{digits}f} {currency}"
