"""Individual income tax withheld on a labour-service payment (劳务报酬所得), as the payer
withholds it on each payment: pure arithmetic on fen, no I/O.

- taxable income (应纳税所得额): a gross of at most 4 000 yuan less 800 (never below 0);
  above 4 000, the gross less 20%, that is 80% of it;
- tax: 20% of the taxable income up to 20 000 yuan; 30% less a quick deduction of 2 000
  above it up to 50 000; 40% less 7 000 above 50 000.

The taxable income and the tax are computed exactly as fractions and the tax is rounded
once, to the fen, half up: 80% of a gross in fen may itself be a fraction of a fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

YUAN = 100  # fen in a yuan
FLAT_DEDUCTION_UP_TO = 4_000 * YUAN
FLAT_DEDUCTION = 800 * YUAN
SHARE_TAXED = Fraction(4, 5)  # a gross above 4 000 yuan less 20%
# (taxable income up to, rate in basis points, quick deduction), each bound included.
BRACKETS = (
    (20_000 * YUAN, 2_000, 0),
    (50_000 * YUAN, 3_000, 2_000 * YUAN),
    (None, 4_000, 7_000 * YUAN),
)


@dataclass(frozen=True)
class Withholding:
    gross_minor: int
    taxable_minor: int  # shown rounded half up; the tax is computed from the exact figure
    tax_rate_bp: int
    quick_deduction_minor: int
    withheld_minor: int

    @property
    def net_minor(self) -> int:
        return self.gross_minor - self.withheld_minor


def taxable(gross_minor: int) -> Fraction:
    if gross_minor <= FLAT_DEDUCTION_UP_TO:
        return Fraction(max(gross_minor - FLAT_DEDUCTION, 0))
    return gross_minor * SHARE_TAXED


def half_up(value: Fraction) -> int:
    return int((value * 2 + 1) // 2)


def withholding(gross_minor: int) -> Withholding:
    """The tax withheld on a labour-service payment of `gross_minor` fen."""
    if gross_minor < 0:
        raise ValueError("a gross amount is never negative")
    base = taxable(gross_minor)
    _, rate_bp, quick = next(b for b in BRACKETS if b[0] is None or base <= b[0])
    tax = max(base * rate_bp / 10_000 - quick, Fraction(0))
    return Withholding(gross_minor, half_up(base), rate_bp, quick, half_up(tax))
