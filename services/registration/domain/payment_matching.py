"""Money arriving from outside (a bank statement's lines, a payment provider's
notifications) matched to orders by their payment reference. Pure: what is known of the
orders comes in, an outcome per payment goes out; the use case records the matched ones.

Nothing is guessed. A payment is recorded only when its remark names one reference, that
reference is exactly one order's, and that order can take it; anything else is reported
with why, for finance to settle by hand.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .ids import NAMESPACE
from .orders import ENDED, PENDING_APPROVAL

RECORDED = "recorded"
DUPLICATE = "duplicate"
UNMATCHED = "unmatched"
AMBIGUOUS = "ambiguous"
INVALID = "invalid"
OUTCOMES = (RECORDED, DUPLICATE, UNMATCHED, AMBIGUOUS, INVALID)


def payment_id_of(source: str, transaction_id: str) -> str:
    """The id of the payment a bank or provider transaction makes: the same transaction
    is the same payment, however often it is imported or notified."""
    return str(uuid.uuid5(NAMESPACE, f"payment/{source}/{transaction_id}"))


@dataclass(frozen=True)
class IncomingPayment:
    """One transfer seen arriving: a statement line (`line` as the sheet numbers it) or a
    notification (`line` None). `source` is `bank` or the provider."""

    line: int | None
    source: str
    transaction_id: str
    method: str
    amount_minor: int
    currency: str
    references: frozenset[str]
    received_on: str | None = None  # YYYY-MM-DD; a notification's is its day at the order
    fee_minor: int = 0

    @property
    def payment_id(self) -> str:
        return payment_id_of(self.source, self.transaction_id)


@dataclass(frozen=True)
class OrderState:
    """What matching needs to know of an order."""

    order_id: str
    status: str
    currency: str
    payments: Mapping[str, int] = field(default_factory=dict)  # payment id -> amount


@dataclass(frozen=True)
class Outcome:
    payment: IncomingPayment
    outcome: str
    reason: str | None = None
    order_id: str | None = None
    field: str = "reference"  # what of the payment a refusal is about

    @property
    def matched(self) -> bool:
        return self.outcome == RECORDED


def match(
    payments: Iterable[IncomingPayment], orders: Mapping[str, Sequence[OrderState]]
) -> list[Outcome]:
    """An outcome per payment, in their order; `orders` holds every order of each
    reference the payments name. A `recorded` outcome is one to record."""
    seen: dict[str, int | None] = {}
    outcomes = []
    for payment in payments:
        if payment.transaction_id in seen:
            earlier = seen[payment.transaction_id]
            where = f"line {earlier}" if earlier is not None else "an earlier notification"
            outcomes.append(
                Outcome(payment, DUPLICATE, f"same transaction id as {where}; recorded once")
            )
            continue
        seen[payment.transaction_id] = payment.line
        outcomes.append(_one(payment, orders))
    return outcomes


def _one(payment: IncomingPayment, orders: Mapping[str, Sequence[OrderState]]) -> Outcome:
    if not payment.references:
        return Outcome(payment, UNMATCHED, "no payment reference (HW and 8 characters) in it")
    if len(payment.references) > 1:
        names = ", ".join(sorted(payment.references))
        return Outcome(payment, AMBIGUOUS, f"names several payment references: {names}")
    (reference,) = payment.references
    found = orders.get(reference, ())
    if not found:
        return Outcome(payment, UNMATCHED, f"no order has the payment reference {reference}")
    if len(found) > 1:
        ids = ", ".join(sorted(o.order_id for o in found))
        return Outcome(payment, AMBIGUOUS, f"{len(found)} orders have {reference}: {ids}")
    (order,) = found
    return _to_order(payment, order)


def _to_order(payment: IncomingPayment, order: OrderState) -> Outcome:
    def outcome(kind: str, reason: str | None = None, at: str = "reference") -> Outcome:
        return Outcome(payment, kind, reason, order.order_id, at)

    recorded = order.payments.get(payment.payment_id)
    if recorded is not None:
        if recorded != payment.amount_minor:
            return outcome(
                AMBIGUOUS,
                f"transaction {payment.transaction_id} is recorded on the order with "
                f"{recorded} minor units, not {payment.amount_minor}",
            )
        return outcome(DUPLICATE, f"transaction {payment.transaction_id} is already recorded")
    if order.status in ENDED:
        return outcome(AMBIGUOUS, f"the order is {order.status}: refund the payer instead")
    if order.status == PENDING_APPROVAL:
        return outcome(AMBIGUOUS, "the order waits for approval and cannot be paid yet")
    if payment.currency != order.currency:
        reason = f"the conference is in {order.currency}, not {payment.currency}"
        return outcome(AMBIGUOUS, reason, "currency")
    return outcome(RECORDED)
