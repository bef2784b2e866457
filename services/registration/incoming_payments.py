"""Money coming in from outside, two ways: a bank statement uploaded by finance, and a
payment provider's signed notification. Both find orders by payment reference (the
read model `OrderReferences`) and leave matching and recording to the application."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from services.common.domain import CommandContext
from services.common.errors import Conflict, InvalidCommand, NotFound
from services.common.imports import ImportRejected

from . import bank_statement
from . import commands as c
from .application import RegistrationApplication
from .domain.payment_matching import (
    AMBIGUOUS,
    DUPLICATE,
    INVALID,
    OUTCOMES,
    RECORDED,
    UNMATCHED,
    IncomingPayment,
    Outcome,
)
from .domain.payment_reference import references_in
from .events import PAYMENT_METHODS
from .order_references import OrderReferences


class IncomingPayments:
    def __init__(
        self,
        app: RegistrationApplication,
        references: OrderReferences,
        catch_up: Callable[[], Any] = lambda: None,
    ) -> None:
        self.app = app
        self.references = references
        # the read model's own catch-up: an order placed a moment ago is found too
        self.catch_up = catch_up

    def import_statement(
        self, conference_id: str, data: bytes, ctx: CommandContext
    ) -> dict[str, Any]:
        """Each line of the statement recorded on the one order it matches, or reported
        with why (ImportRejected only when the file itself cannot be read)."""
        conference = self.app.conference(conference_id)
        statement = bank_statement.read(data, conference.currency)
        if statement.errors:
            raise ImportRejected(statement.errors)
        payments = statement.payments
        self.catch_up()
        candidates = self.references.orders(
            (r for p in payments for r in p.references), conference.conference_id
        )
        outcomes = self.app.record_incoming(payments, candidates, ctx) if payments else []
        lines = [line_answer(o, statement.payers.get(o.payment.line or 0)) for o in outcomes]
        lines += [
            {
                "line": u.line,
                "outcome": INVALID,
                "column": u.column,
                "reason": u.reason,
                "order_id": None,
                "transaction_id": u.transaction_id,
            }
            for u in statement.unreadable
        ]
        lines.sort(key=lambda line: line["line"])
        counts = Counter(line["outcome"] for line in lines)
        return {"lines": len(lines), **{kind: counts[kind] for kind in OUTCOMES}, "outcomes": lines}

    def notify(self, provider: str, cmd: c.PaymentNotification, ctx: CommandContext) -> dict:
        """A provider's notification recorded on its order: `recorded`, or
        `already_recorded` for the same transaction again; refused (nothing stored) when
        it matches no order (404) or cannot be recorded on it (409)."""
        payment = IncomingPayment(
            line=None,
            source=provider,
            transaction_id=cmd.transaction_id,
            method=cmd.method or provider,
            amount_minor=cmd.amount_minor,
            currency=cmd.currency,
            references=references_in(cmd.reference),
            fee_minor=cmd.fee_minor,
        )
        if payment.method not in PAYMENT_METHODS:
            raise InvalidCommand(
                f"is required: {provider} is not itself a payment method", field="method"
            )
        self.catch_up()
        candidates = self.references.orders(payment.references)
        (outcome,) = self.app.record_incoming([payment], candidates, ctx, paid_at=cmd.paid_at)
        if outcome.outcome == UNMATCHED:
            raise NotFound(outcome.reason or "no order", field="reference")
        if outcome.outcome == AMBIGUOUS:
            raise Conflict(outcome.reason or "cannot be recorded", field=outcome.field)
        return {
            "outcome": RECORDED if outcome.outcome == RECORDED else "already_recorded",
            "order_id": outcome.order_id,
            "payment_id": payment.payment_id,
            "transaction_id": payment.transaction_id,
        }


def line_answer(outcome: Outcome, payer: str | None) -> dict[str, Any]:
    payment = outcome.payment
    answer = {
        "line": payment.line,
        "outcome": outcome.outcome,
        "reason": outcome.reason,
        "order_id": outcome.order_id,
        "transaction_id": payment.transaction_id,
        "amount_minor": payment.amount_minor,
        "currency": payment.currency,
        "received_on": payment.received_on,
        "references": sorted(payment.references),
        "payer": payer,
    }
    if outcome.outcome in (RECORDED, DUPLICATE) and outcome.order_id:
        answer["payment_id"] = payment.payment_id
    return answer
