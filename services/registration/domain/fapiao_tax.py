"""The amounts of a fapiao from a tax-inclusive (含税) price, exactly, in fen.

A conference fee is quoted tax included, so a fapiao splits the gross into net (金额) and
tax (税额) the way the tax bureau's platform does for a tax-inclusive line: the net is
the gross divided by (1 + rate), rounded half up to the fen (四舍五入), and the tax is
what is left, tax = gross - round(gross / (1 + rate)). Net + tax is therefore the gross
by construction, whatever the rounding did.
"""

from __future__ import annotations

from typing import NamedTuple

BASIS_POINTS = 10_000


class Split(NamedTuple):
    net_minor: int
    tax_minor: int
    gross_minor: int


def net_of(gross_minor: int, rate_bp: int) -> int:
    """round(gross / (1 + rate)) half up, in integers: no float ever sees the money."""
    if gross_minor < 0 or rate_bp < 0:
        raise ValueError("amounts and rates are never negative")
    divisor = BASIS_POINTS + rate_bp
    return (2 * gross_minor * BASIS_POINTS + divisor) // (2 * divisor)


def split_gross(gross_minor: int, rate_bp: int) -> Split:
    """The fapiao's net, tax and gross for a tax-inclusive amount at `rate_bp` (600 = 6%)."""
    net = net_of(gross_minor, rate_bp)
    return Split(net, gross_minor - net, gross_minor)
