"""VAT on a fapiao's gross (价税合计): integer arithmetic, rounded once, half up."""

from __future__ import annotations

BASIS = 10_000  # basis points in a whole


def split_gross(gross_minor: int, rate_bp: int) -> tuple[int, int]:
    """(net, tax) of a gross at a rate: tax = gross * rate / (1 + rate), to the fen, half
    up; net = gross - tax, so the two always add up to the gross."""
    whole = BASIS + rate_bp
    tax = (2 * gross_minor * rate_bp + whole) // (2 * whole)
    return gross_minor - tax, tax
