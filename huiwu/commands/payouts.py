"""Paying people (budget service): a speaker's honorarium with its income tax withheld,
and cash advances to staff with their reconciliation. Amounts are typed in major units
and sent in exact minor units."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from services.budget.events import ADVANCE_PURPOSES, LINES, PAYMENT_METHODS

from .. import output
from ..client import path_segment
from ..money import from_minor, normalise_currency, to_minor
from .budget import line_amount
from .context import Context, today_in

SERVICE = "budget"


def honorarium_pay(ctx: Context, args: argparse.Namespace) -> int:
    """Pay a speaker's honorarium: the tax withheld is computed, the gross booked."""
    body: dict[str, Any] = {
        "speaker": args.speaker,
        "gross_minor": to_minor(args.gross, "CNY"),
        "paid_on": (args.on or today_in()).isoformat(),
        "category": args.line,
        **({"method": args.method} if args.method else {}),
        **ctx.caller(),
    }
    path = f"/conferences/{path_segment(args.conference_id)}/honoraria"
    h = ctx.client.post(SERVICE, path, body)
    text = output.fields(
        [
            ("honorarium", h.get("honorarium_id")),
            ("speaker", h.get("speaker")),
            ("gross", from_minor(h.get("gross_minor", 0), "CNY")),
            ("taxable", from_minor(h.get("taxable_minor", 0), "CNY")),
            ("tax withheld", from_minor(h.get("iit_withheld_minor", 0), "CNY")),
            ("net paid", from_minor(h.get("net_minor", 0), "CNY")),
        ]
    )
    return ctx.show(h, text)


def advance_issue(ctx: Context, args: argparse.Namespace) -> int:
    """Issue a cash advance to a staff member; print its id."""
    currency = normalise_currency(args.currency)
    body = {
        "purpose": args.purpose,
        "amount_minor": to_minor(args.amount, currency),
        "currency": currency,
        "holder": args.holder,
        **ctx.caller(),
    }
    path = f"/conferences/{path_segment(args.conference_id)}/advances"
    answer = ctx.client.post(SERVICE, path, body)
    return ctx.show(answer, answer["advance_id"])


def advance_reconcile(ctx: Context, args: argparse.Namespace) -> int:
    """Reconcile a cash advance: its receipts (LINE=AMOUNT) and the cash returned."""
    currency = normalise_currency(args.currency)
    body = {
        "receipts": [
            {"category": line, "amount_minor": to_minor(amount, currency)}
            for line, amount in args.receipt or ()
        ],
        "returned_minor": to_minor(args.returned, currency),
        **ctx.caller(),
    }
    path = f"/advances/{path_segment(args.advance_id)}/reconcile"
    a = ctx.client.post(SERVICE, path, body)
    return ctx.show(a, advance_text(a))


def advance_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show a cash advance: its holder, amount, and how it was reconciled."""
    a = ctx.client.get(SERVICE, f"/advances/{path_segment(args.advance_id)}")
    return ctx.show(a, advance_text(a))


def advance_text(a: dict[str, Any]) -> str:
    currency = a.get("currency") or "CNY"
    reconciled = a.get("reconciled")
    return output.fields(
        [
            ("advance", a.get("advance_id")),
            ("holder", a.get("holder")),
            ("purpose", a.get("purpose")),
            ("advanced", from_minor(a.get("amount_minor", 0), currency)),
            ("spent", from_minor(a.get("spent_minor", 0), currency) if reconciled else None),
            ("returned", from_minor(a.get("returned_minor", 0), currency) if reconciled else None),
            ("reconciled", "yes" if reconciled else "no"),
        ]
    )


def add_parsers(
    group: Callable[[str, str], argparse._SubParsersAction],
    command: Callable[..., argparse.ArgumentParser],
    iso_date: Callable[[str], Any],
) -> None:
    """`huiwu honorarium ...` and `huiwu advance ...`, built by cli.py's helpers."""
    honorarium = group("honorarium", "speakers' honoraria, tax withheld (budget service)")
    paid = command(honorarium, "pay", honorarium_pay)
    paid.add_argument("conference_id", metavar="CONFERENCE_ID")
    paid.add_argument("--speaker", required=True, help="the speaker's name")
    paid.add_argument("--gross", required=True, metavar="AMOUNT", help="before tax, in yuan")
    paid.add_argument("--line", choices=LINES, default="speakers", help="default: speakers")
    paid.add_argument("--method", choices=PAYMENT_METHODS)
    paid.add_argument("--on", type=iso_date, metavar="YYYY-MM-DD", help="default: today")

    advance = group("advance", "cash advances to staff (budget service)")
    issued = command(advance, "issue", advance_issue)
    issued.add_argument("conference_id", metavar="CONFERENCE_ID")
    issued.add_argument("--holder", required=True, help="who draws the cash")
    issued.add_argument("--amount", required=True, metavar="AMOUNT")
    issued.add_argument("--purpose", required=True, choices=ADVANCE_PURPOSES)
    issued.add_argument("--currency", default="CNY")
    reconciled = command(advance, "reconcile", advance_reconcile)
    reconciled.add_argument("advance_id", metavar="ADVANCE_ID")
    reconciled.add_argument(
        "--receipt", action="append", type=line_amount, metavar="LINE=AMOUNT", help="repeatable"
    )
    reconciled.add_argument("--returned", default="0", metavar="AMOUNT", help="cash handed back")
    reconciled.add_argument("--currency", default="CNY")
    shown = command(advance, "show", advance_show)
    shown.add_argument("advance_id", metavar="ADVANCE_ID")
