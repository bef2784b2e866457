"""Reconciliation after the event and the test of a live payment channel (registration
service): `huiwu order reconcile` (one order, or every order of a conference) and
`huiwu payment test-channel`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from services.registration.events import PAYMENT_METHODS

from .. import output
from ..client import path_segment
from ..money import from_minor, normalise_currency, to_minor
from .context import Context

SERVICE = "registration"
RECONCILE_TIMEOUT = 600.0  # every order of a conference loaded, each saved if it changed


def order_reconcile(ctx: Context, args: argparse.Namespace) -> int:
    """Reconcile an order, or every order of the conference, after the event (23.1.3).

    Each order's figures are recorded only when they changed since its last
    reconciliation; those not settled are listed with what is to collect or refund."""
    base = f"/conferences/{path_segment(args.conference)}"
    if args.order_id:
        path = f"{base}/orders/{path_segment(args.order_id)}/reconcile"
        answer = ctx.client.post(SERVICE, path, ctx.caller())
        return ctx.show(answer, order_line(answer))
    answer = ctx.client.post(SERVICE, f"{base}/reconcile", ctx.caller(), timeout=RECONCILE_TIMEOUT)
    return ctx.show(answer, conference_text(answer))


def order_line(o: dict[str, Any]) -> str:
    currency = o.get("currency") or "CNY"
    state = "settled" if o.get("settled") else "not settled"
    parts = [
        f"{o.get('order_id')} {state}",
        f"due {from_minor(o.get('due_minor', 0), currency)}",
        f"paid {from_minor(o.get('paid_minor', 0), currency)}",
        f"refunded {from_minor(o.get('refunded_minor', 0), currency)}",
    ]
    if o.get("to_collect_minor"):
        parts.append(f"to collect {from_minor(o['to_collect_minor'], currency)}")
    if o.get("to_refund_minor"):
        parts.append(f"to refund {from_minor(o['to_refund_minor'], currency)}")
    parts.append(f"{o.get('fapiao_open', 0)} fapiao open")
    return ", ".join(parts)


def conference_text(answer: dict[str, Any]) -> str:
    head = (
        f"{answer.get('orders', 0)} orders reconciled ({answer.get('recorded', 0)} recorded): "
        f"{answer.get('settled', 0)} settled, {answer.get('unsettled', 0)} not settled"
    )
    rows = [
        (
            o.get("order_id"),
            from_minor(o.get("to_collect_minor", 0), o.get("currency") or "CNY"),
            from_minor(o.get("to_refund_minor", 0), o.get("currency") or "CNY"),
            o.get("fapiao_open", 0),
        )
        for o in answer.get("unsettled_orders") or []
    ]
    if not rows:
        return head
    return f"{head}\n\n{output.table(('ORDER', 'TO COLLECT', 'TO REFUND', 'FAPIAO OPEN'), rows)}"


def payment_test_channel(ctx: Context, args: argparse.Namespace) -> int:
    """Record a test payment through a live channel and its refund (10.1.6)."""
    currency = normalise_currency(args.currency)
    body: dict[str, Any] = {
        "amount_minor": to_minor(args.amount, currency),
        "currency": currency,
        "payment_reference": args.payment_reference,
        **ctx.caller(),
    }
    if args.refund_reference:
        body["refund_reference"] = args.refund_reference
    path = (
        f"/conferences/{path_segment(args.conference)}/payment-channels/"
        f"{path_segment(args.channel)}/test"
    )
    answer = ctx.client.post(SERVICE, path, body)
    refunded = "and refunded" if args.refund_reference else "not refunded yet"
    return ctx.show(
        answer,
        f"{args.channel} tested: {from_minor(body['amount_minor'], currency)} paid {refunded}",
    )


def add_order_parsers(order: Any, command: Callable) -> None:
    """`huiwu order reconcile`."""
    reconciled = command(order, "reconcile", order_reconcile)
    reconciled.add_argument("order_id", metavar="ORDER_ID", nargs="?", help="default: every order")
    reconciled.add_argument("--conference", required=True, metavar="ID")


def add_payment_parsers(payment: Any, command: Callable) -> None:
    """`huiwu payment test-channel`."""
    tested = command(payment, "test-channel", payment_test_channel)
    tested.add_argument("channel", metavar="CHANNEL", choices=PAYMENT_METHODS)
    tested.add_argument("--conference", required=True, metavar="ID")
    tested.add_argument("--amount", required=True, help="in major units: 0.01")
    tested.add_argument("--currency", default="CNY")
    tested.add_argument(
        "--payment-ref", dest="payment_reference", required=True, help="the provider's id"
    )
    tested.add_argument(
        "--refund-ref", dest="refund_reference", help="the refund's id, once it is refunded"
    )
