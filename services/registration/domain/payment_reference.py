"""The payment reference of an order: what a buyer writes in a bank transfer's remark
(附言) so that the statement line finds its order. Derived from the order's id, so every
order has one from the moment it is placed (older orders too) and nothing stores it.

`HW` and 8 characters of Crockford's base32 (40 bits of the id): short enough to type in
a remark, and read back whatever the bank did to it (lower case, spaces or dashes in
it, O for 0, I or L for 1).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

PREFIX = "HW"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
LENGTH = 8
# HW, then 8 symbols (a space or dash allowed after HW and in the middle), not inside a
# longer run of letters and digits; Chinese text may touch it on either side.
_FOUND = re.compile(
    r"(?<![0-9A-Za-z])HW[-\s]?([0-9A-Za-z]{4})[-\s]?([0-9A-Za-z]{4})(?![0-9A-Za-z])",
    re.IGNORECASE,
)
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def payment_reference(order_id: Any) -> str:
    """`HW7K3M9Q2X` for an order id."""
    bits = uuid.UUID(str(order_id)).int >> (128 - 5 * LENGTH)
    symbols = [ALPHABET[(bits >> (5 * i)) & 31] for i in reversed(range(LENGTH))]
    return PREFIX + "".join(symbols)


def references_in(text: str | None) -> frozenset[str]:
    """Every payment reference a remark holds, as `payment_reference` writes it."""
    found = set()
    for match in _FOUND.finditer(text or ""):
        symbols = (match[1] + match[2]).upper().translate(_READ_AS)
        if all(symbol in ALPHABET for symbol in symbols):
            found.add(PREFIX + symbols)
    return frozenset(found)
