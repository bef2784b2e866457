"""`huiwu fapiao`: fapiao of registration fees, requested for an order's paid money (the
request withdrawn before it is issued, if need be), then issued, handed over and reversed
by a red-letter fapiao (registration service). Amounts
are typed in major units (2800.00) and sent as exact minor units."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from services.common.fapiao import FAPIAO_MEDIA, FAPIAO_TYPES, REVERSAL_REASONS
from services.registration.events import BUYER_KINDS, FAPIAO_DELIVERY, FAPIAO_ITEMS, FAPIAO_STATES

from .. import output
from ..client import path_segment
from ..money import from_minor, to_minor
from .context import Context, today_in

SERVICE = "registration"


def _base(conference_id: str) -> str:
    return f"/conferences/{path_segment(conference_id)}"


def _one(conference_id: str, fapiao_id: str, action: str) -> str:
    return f"{_base(conference_id)}/fapiao/{path_segment(fapiao_id)}/{action}"


def fapiao_request(ctx: Context, args: argparse.Namespace) -> int:
    """Ask for a fapiao of an order's paid money (all still to invoice unless --amount)."""
    body: dict[str, Any] = {
        "fapiao_type": args.fapiao_type,
        "buyer_name": args.buyer,
        "item": args.item,
        "delivery": args.delivery,
        **ctx.caller(),
    }
    for key, value in (
        ("buyer_kind", args.kind),
        ("buyer_tax_id", args.tax_id),
        ("buyer_address", args.address),
        ("buyer_phone", args.phone),
        ("buyer_bank", args.bank),
        ("buyer_account", args.account),
        ("tax_rate_bp", args.tax_rate),
    ):
        if value is not None:
            body[key] = value
    if args.amount is not None:
        body["amount_minor"] = to_minor(args.amount, "CNY")
    path = f"{_base(args.conference_id)}/orders/{path_segment(args.order_id)}/fapiao"
    fapiao = ctx.client.post(SERVICE, path, body)
    return ctx.show(fapiao, fapiao_text(fapiao))


def fapiao_issue(ctx: Context, args: argparse.Namespace) -> int:
    """Record the fapiao issued: its number (and code, for the earlier kinds) and medium."""
    body: dict[str, Any] = {
        "fapiao_number": args.number,
        "medium": args.medium,
        "issued_on": (args.on or today_in()).isoformat(),
        **ctx.caller(),
    }
    if args.code:
        body["fapiao_code"] = args.code
    fapiao = ctx.client.post(SERVICE, _one(args.conference_id, args.fapiao_id, "issue"), body)
    return ctx.show(fapiao, fapiao_text(fapiao))


def fapiao_hand_over(ctx: Context, args: argparse.Namespace) -> int:
    """Record that the fapiao reached its buyer: how, to whom, signed for or not."""
    body: dict[str, Any] = {
        "how": args.how,
        "handed_on": (args.on or today_in()).isoformat(),
        "signed_for": args.signed,
        **ctx.caller(),
    }
    if args.to:
        body["handed_to"] = args.to
    path = _one(args.conference_id, args.fapiao_id, "hand-over")
    fapiao = ctx.client.post(SERVICE, path, body)
    return ctx.show(fapiao, fapiao_text(fapiao))


def fapiao_withdraw(ctx: Context, args: argparse.Namespace) -> int:
    """Withdraw a request not yet issued: its money may be invoiced again."""
    body = {"reason": args.reason, **ctx.caller()}
    fapiao = ctx.client.post(SERVICE, _one(args.conference_id, args.fapiao_id, "withdraw"), body)
    return ctx.show(fapiao, fapiao_text(fapiao))


def fapiao_reverse(ctx: Context, args: argparse.Namespace) -> int:
    """Record the red-letter fapiao that reverses an issued one, whole or (--amount) part."""
    body: dict[str, Any] = {
        "red_fapiao_number": args.red_number,
        "reason": args.reason,
        "reversed_on": (args.on or today_in()).isoformat(),
        **ctx.caller(),
    }
    if args.confirmation:
        body["red_confirmation_number"] = args.confirmation
    if args.amount is not None:
        body["amount_minor"] = to_minor(args.amount, "CNY")
    fapiao = ctx.client.post(SERVICE, _one(args.conference_id, args.fapiao_id, "reverse"), body)
    return ctx.show(fapiao, fapiao_text(fapiao))


def fapiao_list(ctx: Context, args: argparse.Namespace) -> int:
    """A conference's fapiao with their state, or one order's with what it may still
    invoice."""
    if args.order:
        path = f"{_base(args.conference_id)}/orders/{path_segment(args.order)}/fapiao"
        listed = ctx.client.get(SERVICE, path)
    else:
        query = {"state": args.state}
        listed = ctx.client.get(SERVICE, f"{_base(args.conference_id)}/fapiao", query=query)
    rows = [
        (
            f.get("fapiao_id"),
            f.get("order_id"),
            f.get("state"),
            f.get("fapiao_type"),
            f.get("buyer_name"),
            from_minor(f.get("gross_minor", 0), f.get("currency", "CNY")),
            (f.get("issue") or {}).get("fapiao_number") or "-",
        )
        for f in listed.get("fapiao") or []
        if not args.state or f.get("state") == args.state
    ]
    headers = ("FAPIAO", "ORDER", "STATE", "TYPE", "BUYER", "AMOUNT", "NUMBER")
    text = output.table(headers, rows)
    if listed.get("invoiceable_minor") is not None:
        text += f"\n\nstill to invoice: {from_minor(listed['invoiceable_minor'], 'CNY')}"
    return ctx.show(listed, text)


def fapiao_text(f: dict[str, Any]) -> str:
    currency = f.get("currency", "CNY")
    issue = f.get("issue") or {}

    def money(source: dict[str, Any], key: str) -> str | None:
        value = source.get(key)
        return None if value is None else from_minor(value, currency)

    return output.fields(
        [
            ("fapiao", f.get("fapiao_id")),
            ("order", f.get("order_id")),
            ("state", f.get("state")),
            ("type", f.get("fapiao_type")),
            ("buyer", f.get("buyer_name")),
            ("tax id", f.get("buyer_tax_id")),
            ("amount", money(f, "gross_minor")),
            ("tax rate", f"{f.get('tax_rate_bp', 0) / 100:g}%"),
            ("number", issue.get("fapiao_number")),
            ("net", money(issue, "net_minor")),
            ("tax", money(issue, "tax_minor")),
            ("red number", (f.get("reversal") or {}).get("red_fapiao_number")),
            ("taken back", money(f, "reversed_minor") if f.get("reversed_minor") else None),
            ("still holds", money(f, "held_minor") if f.get("reversed_minor") else None),
            ("withdrawn", (f.get("withdrawal") or {}).get("reason")),
        ]
    )


def add_parsers(group: Callable, command: Callable, iso_date: Callable, non_blank: Callable):
    """`huiwu fapiao request|withdraw|issue|hand-over|reverse|list`."""
    day = {"type": iso_date, "metavar": "YYYY-MM-DD", "help": "default: today in Asia/Shanghai"}
    fapiao = group("fapiao", "fapiao of registration fees (registration service)")

    requested = command(fapiao, "request", fapiao_request)
    requested.add_argument("conference_id", metavar="CONFERENCE_ID")
    requested.add_argument("order_id", metavar="ORDER_ID")
    requested.add_argument("--type", dest="fapiao_type", required=True, choices=FAPIAO_TYPES)
    requested.add_argument("--buyer", required=True, type=non_blank, help="name on the fapiao")
    requested.add_argument("--kind", choices=BUYER_KINDS, help="default: the order's buyer's")
    requested.add_argument("--tax-id", help="统一社会信用代码 (18 characters)")
    requested.add_argument("--address", help="vat_special: the buyer's address")
    requested.add_argument("--phone", help="vat_special: the buyer's phone")
    requested.add_argument("--bank", help="vat_special: the buyer's bank")
    requested.add_argument("--account", help="vat_special: the buyer's account number")
    requested.add_argument("--amount", help="in major units (default: all still to invoice)")
    requested.add_argument(
        "--tax-rate", type=int, metavar="BP", help="basis points (default: the fee schedule's)"
    )
    requested.add_argument("--item", choices=FAPIAO_ITEMS, default="conference_fee")
    requested.add_argument("--delivery", choices=FAPIAO_DELIVERY, default="email")

    withdrawn = command(fapiao, "withdraw", fapiao_withdraw)
    withdrawn.add_argument("conference_id", metavar="CONFERENCE_ID")
    withdrawn.add_argument("fapiao_id", metavar="FAPIAO_ID")
    withdrawn.add_argument("--reason", required=True, type=non_blank, help="why it is withdrawn")

    issued = command(fapiao, "issue", fapiao_issue)
    issued.add_argument("conference_id", metavar="CONFERENCE_ID")
    issued.add_argument("fapiao_id", metavar="FAPIAO_ID")
    issued.add_argument("--number", required=True, help="20 digits (数电票) or 8")
    issued.add_argument("--medium", required=True, choices=FAPIAO_MEDIA)
    issued.add_argument("--code", help="10 or 12 digits: electronic and paper fapiao only")
    issued.add_argument("--on", **day)

    handed = command(fapiao, "hand-over", fapiao_hand_over)
    handed.add_argument("conference_id", metavar="CONFERENCE_ID")
    handed.add_argument("fapiao_id", metavar="FAPIAO_ID")
    handed.add_argument("--how", required=True, choices=FAPIAO_DELIVERY)
    handed.add_argument("--to", type=non_blank, help="who took it (required on site)")
    handed.add_argument("--signed", action="store_true", help="the receiver signed for it")
    handed.add_argument("--on", **day)

    reversed_ = command(fapiao, "reverse", fapiao_reverse)
    reversed_.add_argument("conference_id", metavar="CONFERENCE_ID")
    reversed_.add_argument("fapiao_id", metavar="FAPIAO_ID")
    reversed_.add_argument("--red-number", required=True, help="the red-letter fapiao's number")
    reversed_.add_argument("--reason", required=True, choices=REVERSAL_REASONS)
    reversed_.add_argument("--confirmation", help="红字发票信息确认单 number, when there is one")
    reversed_.add_argument(
        "--amount", help="the gross to take back, in major units (部分红冲; default: all)"
    )
    reversed_.add_argument("--on", **day)

    listed = command(fapiao, "list", fapiao_list)
    listed.add_argument("conference_id", metavar="CONFERENCE_ID")
    listed.add_argument("--order", metavar="ORDER_ID", help="one order's, with what is left")
    listed.add_argument("--state", choices=FAPIAO_STATES)
