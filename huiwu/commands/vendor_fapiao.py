"""Vendors' fapiao (budget service): a fapiao received against a contract, and the
contract's account with the vendor (paid, invoiced, its input VAT, settled). Amounts are
typed in yuan (120000.50) and sent in exact fen."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from services.common.fapiao import FAPIAO_MEDIA, FAPIAO_TYPES, TAX_RATES

from .. import output
from ..client import path_segment
from ..money import from_minor, to_minor
from .context import Context, UsageError

SERVICE = "budget"


def _contract(args: argparse.Namespace) -> str:
    return f"/contracts/{path_segment(args.contract_id)}"


def vendor_invoice_receive(ctx: Context, args: argparse.Namespace) -> int:
    """Register a vendor's fapiao against its contract: the payments it covers take its
    number, and the contract settles once paid and invoiced in full."""
    if (args.net is None) != (args.tax is None):
        raise UsageError(
            "--tax", "give --net and --tax together, or neither (split from the gross)"
        )
    body: dict[str, Any] = {
        "vendor_id": args.vendor,
        "fapiao_number": args.fapiao,
        "amount_minor": to_minor(args.amount, "CNY"),
        "tax_rate_bp": args.rate,
        "fapiao_type": args.type,
        "medium": args.medium,
        **ctx.caller(),
    }
    if args.net is not None:
        body.update(net_minor=to_minor(args.net, "CNY"), tax_minor=to_minor(args.tax, "CNY"))
    if args.seller_tax_id:
        body["seller_tax_id"] = args.seller_tax_id
    if args.verified:
        body["verified"] = True
    answer = ctx.client.post(SERVICE, f"{_contract(args)}/fapiao", body)
    return ctx.show(answer, account_text(answer))


def vendor_invoice_show(ctx: Context, args: argparse.Namespace) -> int:
    """The contract's account with its vendor."""
    answer = ctx.client.get(SERVICE, f"{_contract(args)}/account")
    return ctx.show(answer, account_text(answer))


def account_text(a: dict[str, Any]) -> str:
    currency = a.get("currency", "CNY")

    def money(key: str) -> str:
        return from_minor(a.get(key, 0), currency)

    return output.fields(
        [
            ("contract", a.get("contract_id")),
            ("line", a.get("line")),
            ("amount", money("amount_minor")),
            ("paid", money("paid_minor")),
            ("invoiced", money("invoiced_minor")),
            ("input VAT", money("input_vat_minor")),
            ("fapiao", ", ".join(a.get("fapiao_numbers") or []) or "-"),
            ("settled", "yes" if a.get("settled") else "no"),
        ]
    )


def add_parsers(
    group: Callable[[str, str], argparse._SubParsersAction],
    command: Callable[..., argparse.ArgumentParser],
) -> None:
    """`huiwu vendor-invoice ...`, built by cli.py's helpers."""
    invoices = group("vendor-invoice", "vendors' fapiao and contract settlement (budget service)")
    received = command(invoices, "receive", vendor_invoice_receive)
    received.add_argument("contract_id", metavar="CONTRACT_ID")
    received.add_argument("--vendor", required=True, metavar="VENDOR_ID", help="who issued it")
    received.add_argument("--fapiao", required=True, metavar="NUMBER")
    received.add_argument("--amount", required=True, metavar="AMOUNT", help="gross (价税合计)")
    received.add_argument("--rate", type=int, choices=TAX_RATES, required=True, metavar="BP")
    received.add_argument("--type", choices=FAPIAO_TYPES, required=True)
    received.add_argument("--medium", choices=FAPIAO_MEDIA, default="digital")
    received.add_argument("--net", metavar="AMOUNT", help="as printed (with --tax)")
    received.add_argument("--tax", metavar="AMOUNT", help="as printed (with --net)")
    received.add_argument("--seller-tax-id", dest="seller_tax_id")
    received.add_argument("--verified", action="store_true", help="checked on the platform")
    shown = command(invoices, "show", vendor_invoice_show)
    shown.add_argument("contract_id", metavar="CONTRACT_ID")
