"""Which vendor fapiao covers which payment under one contract (no I/O).

A contract's payments and fapiao are both laid end to end from its first fen: a payment
covers the fen from what was paid before it to what was paid after it, and takes the
number of the fapiao received that covers its first fen, as registration income takes
its order's fapiao (invoicing.py): a payment only partly covered takes its number too.
Payments beyond what is invoiced wait, without a number, for the next fapiao.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def covering(fapiaos: Sequence[tuple[str, int]], paid_before: int) -> str | None:
    """The number of the fapiao (number, gross, in the order received) that covers the fen
    just after `paid_before`, or None when what is invoiced ends before it."""
    end = 0
    for number, gross in fapiaos:
        end += gross
        if paid_before < end:
            return number
    return None


def to_number(
    payments: Iterable[tuple[str, int, str | None]], fapiaos: Sequence[tuple[str, int]]
) -> list[tuple[str, str]]:
    """(entry, number) for each payment (entry, amount, its fapiao number or None), in
    the order paid, that has no number yet and is now covered by a fapiao."""
    found = []
    paid_before = 0
    for entry, amount, number in payments:
        if number is None:
            now = covering(fapiaos, paid_before)
            if now is not None:
                found.append((entry, now))
        paid_before += amount
    return found
