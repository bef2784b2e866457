"""The order (pretix's): one purchase by one buyer, a position per attendee. It may wait
for approval, expires unpaid at `expires_at`, is paid by payments and refunded by refunds
of its own. The buyer's name, email and phone stay in the store (`unpublished`)."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate, event

from services.common.errors import Conflict, InvalidCommand

from .currency import check_currency

PENDING_APPROVAL = "pending_approval"
AWAITING_PAYMENT = "awaiting_payment"
PAID = "paid"
ENDED = ("cancelled", "expired", "denied")
NOT_RECONCILED = ("expired", "denied")  # never paid: nothing to settle


class OrderNotOpen(Conflict):
    pass


class Order(Aggregate):
    class OrderPlaced(Aggregate.Created):
        buyer_kind: str
        buyer_organisation: str | None
        channel: str
        positions: list[dict[str, Any]]
        fees_minor: int
        total_minor: int
        currency: str
        requires_approval: bool
        expires_at: str
        buyer_name: str
        buyer_email: str | None
        buyer_phone: str | None
        meta: dict[str, Any]
        unpublished = ("buyer_name", "buyer_email", "buyer_phone")
        published_when_set = ("buyer_organisation",)

    @classmethod
    def place(cls, order_id: Any, **kwargs: Any) -> Order:
        return cls._create(cls.OrderPlaced, id=order_id, **kwargs)

    @event(OrderPlaced)
    def __init__(
        self,
        buyer_kind: str,
        buyer_organisation: str | None,
        channel: str,
        positions: list[dict[str, Any]],
        fees_minor: int,
        total_minor: int,
        currency: str,
        requires_approval: bool,
        expires_at: str,
        buyer_name: str,
        buyer_email: str | None,
        buyer_phone: str | None,
        meta: dict[str, Any],
    ) -> None:
        self.conference_id = meta["conference_id"]
        self.buyer_kind = buyer_kind
        self.buyer_organisation = buyer_organisation
        self.buyer_name = buyer_name
        self.buyer_email = buyer_email
        self.buyer_phone = buyer_phone
        self.channel = channel
        self.positions = [dict(p) for p in positions]
        self.fees_minor = fees_minor
        self.total_minor = total_minor
        self.currency = currency
        self.requires_approval = requires_approval
        self.expires_at = expires_at
        self.status = PENDING_APPROVAL if requires_approval else AWAITING_PAYMENT
        self.paid_minor = 0
        self.payments: list[dict[str, Any]] = []
        self.refunds: dict[str, dict[str, Any]] = {}
        self.fully_paid = False
        self.cancel_reason: str | None = None
        self.reconciled: dict[str, Any] | None = None  # the figures last reconciled

    # -- what it stands at ------------------------------------------------------------
    @property
    def attendee_ids(self) -> list[str]:
        return [p["attendee_id"] for p in self.positions]

    @property
    def refunded_minor(self) -> int:
        return sum(r["amount_minor"] for r in self.refunds.values() if r["status"] == "completed")

    @property
    def refunding_minor(self) -> int:
        return sum(r["amount_minor"] for r in self.refunds.values() if r["status"] == "requested")

    @property
    def refundable_minor(self) -> int:
        """What was paid and is neither refunded nor being refunded."""
        return self.paid_minor - self.refunded_minor - self.refunding_minor

    @property
    def balance_minor(self) -> int:
        """Still to pay (never below 0); an overpayment is `overpaid_minor`."""
        return 0 if self.status in ENDED else max(self.total_minor - self.paid_minor, 0)

    @property
    def overpaid_minor(self) -> int:
        return max(self.paid_minor - self.total_minor, 0)

    @property
    def open(self) -> bool:
        return self.status in (PENDING_APPROVAL, AWAITING_PAYMENT)

    def _refuse_ended(self, what: str) -> None:
        if self.status in ENDED:
            raise OrderNotOpen(f"order {self.id} is {self.status}: {what}")

    # -- approval ---------------------------------------------------------------------
    def approve(self, approved_by: str, meta: dict[str, Any]) -> None:
        if self.status != PENDING_APPROVAL:
            raise OrderNotOpen(f"order {self.id} is {self.status}, not waiting for approval")
        self._approved(approved_by=approved_by, meta=meta)

    @event("OrderApproved")
    def _approved(self, approved_by: str, meta: dict[str, Any]) -> None:
        self.status = AWAITING_PAYMENT

    def deny(self, reason: str, meta: dict[str, Any]) -> None:
        if self.status != PENDING_APPROVAL:
            raise OrderNotOpen(f"order {self.id} is {self.status}, not waiting for approval")
        self._denied(reason=reason, meta=meta)

    @event("OrderDenied")
    def _denied(self, reason: str, meta: dict[str, Any]) -> None:
        self.status = "denied"
        self.cancel_reason = reason

    def expire(self, meta: dict[str, Any]) -> None:
        if not self.open:
            raise OrderNotOpen(f"order {self.id} is {self.status} and cannot expire")
        self._expired(meta=meta)

    @event("OrderExpired")
    def _expired(self, meta: dict[str, Any]) -> None:
        self.status = "expired"

    def cancel(self, cancelled_by: str, reason: str, meta: dict[str, Any]) -> None:
        self._refuse_ended("it cannot be cancelled again")
        self._cancelled(
            cancelled_by=cancelled_by, reason=reason, was_paid=self.status == PAID, meta=meta
        )

    @event("OrderCancelled")
    def _cancelled(self, cancelled_by: str, reason: str, was_paid: bool, meta: dict[str, Any]):
        self.status = "cancelled"
        self.cancel_reason = reason

    # -- payments ---------------------------------------------------------------------
    class PaymentReceived(Aggregate.Event):
        payment_id: str
        method: str
        amount_minor: int
        currency: str
        fee_minor: int
        provider_reference: str | None
        received_on: str
        meta: dict[str, Any]
        published_when_set = ("provider_reference",)

    def receive_payment(
        self,
        payment_id: str,
        method: str,
        amount_minor: int,
        currency: str,
        fee_minor: int,
        provider_reference: str | None,
        received_on: str,
        meta: dict[str, Any],
    ) -> bool:
        """Record a payment; True when it makes the order paid in full."""
        self._refuse_ended("a payment cannot be recorded; refund it instead")
        if self.status == PENDING_APPROVAL:
            raise OrderNotOpen(f"order {self.id} waits for approval and cannot be paid yet")
        check_currency(self.currency, currency)  # the order's is the conference's
        if amount_minor <= 0:
            raise InvalidCommand("must be more than 0", field="amount_minor")
        self._payment_received(
            payment_id=payment_id,
            method=method,
            amount_minor=amount_minor,
            currency=currency,
            fee_minor=fee_minor,
            provider_reference=provider_reference,
            received_on=received_on,
            meta=meta,
        )
        if self.status != PAID and self.paid_minor >= self.total_minor:
            self._paid(total_minor=self.total_minor, currency=self.currency, free=False, meta=meta)
            return True
        return False

    @event(PaymentReceived)
    def _payment_received(
        self,
        payment_id: str,
        method: str,
        amount_minor: int,
        currency: str,
        fee_minor: int,
        provider_reference: str | None,
        received_on: str,
        meta: dict[str, Any],
    ) -> None:
        self.paid_minor += amount_minor
        self.payments.append(
            {
                "payment_id": payment_id,
                "method": method,
                "amount_minor": amount_minor,
                "fee_minor": fee_minor,
                "provider_reference": provider_reference,
                "received_on": received_on,
            }
        )

    def mark_free_paid(self, meta: dict[str, Any]) -> None:
        """A free order is paid as soon as it may be (placed, or approved)."""
        if self.total_minor == 0 and self.status == AWAITING_PAYMENT:
            self._paid(total_minor=0, currency=self.currency, free=True, meta=meta)

    @event("OrderPaid")
    def _paid(self, total_minor: int, currency: str, free: bool, meta: dict[str, Any]) -> None:
        self.status = PAID
        self.fully_paid = True

    # -- refunds ----------------------------------------------------------------------
    def request_refund(
        self,
        refund_id: str,
        amount_minor: int,
        reason: str,
        source: str,
        meta: dict[str, Any],
    ) -> None:
        if amount_minor <= 0:
            raise InvalidCommand("must be more than 0", field="amount_minor")
        if amount_minor > self.refundable_minor:
            raise InvalidCommand(
                f"must be at most {self.refundable_minor}: what was paid "
                f"({self.paid_minor}) less what is refunded or being refunded",
                field="amount_minor",
            )
        self._refund_requested(
            refund_id=refund_id,
            amount_minor=amount_minor,
            currency=self.currency,
            partial=amount_minor < self.refundable_minor,
            reason=reason,
            source=source,
            meta=meta,
        )

    @event("RefundRequested")
    def _refund_requested(
        self,
        refund_id: str,
        amount_minor: int,
        currency: str,
        partial: bool,
        reason: str,
        source: str,
        meta: dict[str, Any],
    ) -> None:
        self.refunds[refund_id] = {
            "refund_id": refund_id,
            "amount_minor": amount_minor,
            "partial": partial,
            "reason": reason,
            "source": source,
            "status": "requested",
            "method": None,
            "completed_on": None,
        }

    def complete_refund(
        self, refund_id: str, method: str, completed_on: str, meta: dict[str, Any]
    ) -> None:
        refund = self.refunds.get(refund_id)
        if refund is None:
            raise InvalidCommand(f"order {self.id} has no refund {refund_id}", field="refund_id")
        if refund["status"] != "requested":
            raise Conflict(f"refund {refund_id} is already {refund['status']}")
        self._refund_completed(
            refund_id=refund_id,
            amount_minor=refund["amount_minor"],
            currency=self.currency,
            method=method,
            completed_on=completed_on,
            meta=meta,
        )

    @event("RefundCompleted")
    def _refund_completed(
        self,
        refund_id: str,
        amount_minor: int,
        currency: str,
        method: str,
        completed_on: str,
        meta: dict[str, Any],
    ) -> None:
        self.refunds[refund_id].update(status="completed", method=method, completed_on=completed_on)

    # -- reconciliation (23.1.3) ------------------------------------------------------
    def reconcile(self, figures: dict[str, Any], meta: dict[str, Any]) -> bool:
        """Record the figures (domain/reconciliation.py) unless the last reconciliation
        found the same; True when recorded."""
        if self.status in NOT_RECONCILED:
            raise OrderNotOpen(f"order {self.id} is {self.status}: never paid, not reconciled")
        if figures == self.reconciled:
            return False
        self._reconciled(**figures, meta=meta)
        return True

    @event("OrderReconciled")
    def _reconciled(
        self,
        due_minor: int,
        paid_minor: int,
        refunded_minor: int,
        outstanding_minor: int,
        currency: str,
        fapiao_open: int,
        meta: dict[str, Any],
    ) -> None:
        self.reconciled = {
            "due_minor": due_minor,
            "paid_minor": paid_minor,
            "refunded_minor": refunded_minor,
            "outstanding_minor": outstanding_minor,
            "currency": currency,
            "fapiao_open": fapiao_open,
        }
