"""The sponsorship pipeline (budget service): packages of the plan, and each sponsor from
prospect to paid. Amounts are typed in major units (200000.50) and sent in exact minor
units."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from services.budget.events import (
    BENEFITS,
    CONTACT_CHANNELS,
    IN_KIND,
    LANGUAGES,
    LEVELS,
    PAYMENT_METHODS,
    SPONSOR_FORMS,
)
from services.common.fapiao import FAPIAO_MEDIA, FAPIAO_TYPES, REVERSAL_REASONS, TAX_RATES

from .. import output
from ..client import path_segment
from ..money import from_minor, normalise_currency, to_minor
from .context import Context, UsageError, today_in

SERVICE = "budget"


def _conference(args: argparse.Namespace) -> str:
    return f"/conferences/{path_segment(args.conference_id)}"


def _sponsorship(args: argparse.Namespace) -> str:
    return f"/sponsorships/{path_segment(args.sponsorship_id)}"


def dated_amount(text: str) -> tuple[str, str]:
    """YYYY-MM-DD=AMOUNT, as --instalment 2027-03-01=120000."""
    day, sep, amount = text.partition("=")
    if not sep or not day.strip() or not amount.strip():
        raise argparse.ArgumentTypeError(
            f"must be YYYY-MM-DD=AMOUNT such as 2027-03-01=120000, got {text!r}"
        )
    return day.strip(), amount.strip()


# -- packages ----------------------------------------------------------------------------


def package_add(ctx: Context, args: argparse.Namespace) -> int:
    """Add a package to the sponsorship plan (the plan is approved again with it)."""
    currency = normalise_currency(args.currency)
    body = {
        "name": args.name,
        "level": args.level,
        "price_minor": to_minor(args.price, currency),
        "slots": args.slots,
        "benefits": args.benefit,
        **ctx.caller(),
    }
    answer = ctx.client.post(SERVICE, f"{_conference(args)}/sponsorship/packages", body)
    return ctx.show(answer, packages_text(answer))


def package_list(ctx: Context, args: argparse.Namespace) -> int:
    """List the plan's packages with the slots signed and left."""
    answer = ctx.client.get(SERVICE, f"{_conference(args)}/sponsorship/packages")
    return ctx.show(answer, packages_text(answer))


def packages_text(plan: dict[str, Any]) -> str:
    currency = plan.get("currency") or "CNY"
    rows = [
        (
            p["name"],
            p["level"],
            from_minor(p["price_minor"], currency),
            p["slots"],
            p["signed"],
            p["left"],
            ", ".join(p["benefits"]),
        )
        for p in plan.get("packages") or []
    ]
    headers = ("PACKAGE", "LEVEL", "PRICE", "SLOTS", "SIGNED", "LEFT", "BENEFITS")
    return output.table(headers, rows) if rows else "no packages yet"


def prospectus_publish(ctx: Context, args: argparse.Namespace) -> int:
    """Record the sponsorship prospectus published, in its languages."""
    body = {"languages": args.language, **ctx.caller()}
    path = f"{_conference(args)}/sponsorship/prospectus"
    answer = ctx.client.post(SERVICE, path, body)
    text = f"published in {', '.join(answer.get('languages') or [])}\n\n{packages_text(answer)}"
    return ctx.show(answer, text)


# -- sponsors ------------------------------------------------------------------------------


def sponsor_add(ctx: Context, args: argparse.Namespace) -> int:
    """List a prospective sponsor; print its sponsorship's id."""
    body = {"sponsor": args.sponsor, **({"level": args.level} if args.level else {})}
    answer = ctx.client.post(SERVICE, f"{_conference(args)}/sponsors", {**body, **ctx.caller()})
    return ctx.show(answer, answer["sponsorship_id"])


def sponsor_advance(ctx: Context, args: argparse.Namespace) -> int:
    """Record a contact (--channel), or start negotiating (--negotiate)."""
    if args.negotiate == bool(args.channel):
        raise UsageError("--channel", "give --channel for a contact, or --negotiate")
    body: dict[str, Any] = {"to": "negotiating" if args.negotiate else "contacted"}
    if args.channel:
        body["channel"] = args.channel
    if args.level:
        body["level"] = args.level
    answer = ctx.client.post(SERVICE, f"{_sponsorship(args)}/advance", {**body, **ctx.caller()})
    return ctx.show(answer, sponsorship_text(answer))


def sponsor_sign(ctx: Context, args: argparse.Namespace) -> int:
    """Sign a sponsor for a package: its cash in instalments, or in kind."""
    currency = normalise_currency(args.currency)
    body: dict[str, Any] = {
        "package": args.package,
        "signed_on": (args.on or today_in()).isoformat(),
        "form": args.form,
        **ctx.caller(),
    }
    if args.amount:
        body["amount_minor"] = to_minor(args.amount, currency)
    if args.instalment:
        body["instalments"] = [
            {"due_on": day, "amount_minor": to_minor(amount, currency)}
            for day, amount in args.instalment
        ]
    if args.in_kind:
        body["in_kind"] = [
            {"kind": kind, "description": description, "value_minor": to_minor(value, currency)}
            for kind, value, description in args.in_kind
        ]
    answer = ctx.client.post(SERVICE, f"{_sponsorship(args)}/sign", body)
    return ctx.show(answer, sponsorship_text(answer))


def sponsor_invoice(ctx: Context, args: argparse.Namespace) -> int:
    """Record the fapiao issued to a sponsor, for its cash part or an instalment."""
    body: dict[str, Any] = {
        "fapiao_number": args.fapiao,
        "fapiao_type": args.type,
        "medium": args.medium,
        "issued_on": (args.on or today_in()).isoformat(),
        "gross_minor": to_minor(args.amount, "CNY"),
        "tax_rate_bp": args.rate,
        **ctx.caller(),
    }
    for key in ("buyer_name", "buyer_tax_id", "instalment"):
        if getattr(args, key) is not None:
            body[key] = getattr(args, key)
    answer = ctx.client.post(SERVICE, f"{_sponsorship(args)}/invoices", body)
    return ctx.show(answer, sponsorship_text(answer))


def sponsor_reverse(ctx: Context, args: argparse.Namespace) -> int:
    """Record a red-letter fapiao taking back all or part of one issued to a sponsor."""
    body: dict[str, Any] = {
        "red_fapiao_number": args.red,
        "reason": args.reason,
        "reversed_on": (args.on or today_in()).isoformat(),
        **ctx.caller(),
    }
    if args.amount:
        body["gross_minor"] = to_minor(args.amount, "CNY")
    if args.confirmation:
        body["red_confirmation_number"] = args.confirmation
    path = f"{_sponsorship(args)}/invoices/{path_segment(args.fapiao)}/reverse"
    answer = ctx.client.post(SERVICE, path, body)
    return ctx.show(answer, sponsorship_text(answer))


def sponsor_pay(ctx: Context, args: argparse.Namespace) -> int:
    """Record cash received from a sponsor (--amount), or an item in kind (--in-kind)."""
    if bool(args.amount) == bool(args.in_kind):
        raise UsageError("--amount", "give --amount for cash, or --in-kind with --value")
    currency = normalise_currency(args.currency)
    body: dict[str, Any] = {"received_on": (args.on or today_in()).isoformat(), **ctx.caller()}
    if args.amount:
        body.update(amount_minor=to_minor(args.amount, currency), currency=currency)
        for key in ("method", "instalment"):
            if getattr(args, key) is not None:
                body[key] = getattr(args, key)
        if args.fapiao:
            body["fapiao_number"] = args.fapiao
    else:
        if not (args.value and args.description):
            raise UsageError("--value", "an item in kind needs --value and --description")
        body["in_kind"] = {
            "kind": args.in_kind,
            "description": args.description,
            "value_minor": to_minor(args.value, currency),
        }
    answer = ctx.client.post(SERVICE, f"{_sponsorship(args)}/payments", body)
    return ctx.show(answer, sponsorship_text(answer))


def sponsor_deliver(ctx: Context, args: argparse.Namespace) -> int:
    """Record a benefit of the package delivered to the sponsor, with its proof."""
    body = {"benefit": args.benefit, "proof_ref": args.proof, **ctx.caller()}
    answer = ctx.client.post(SERVICE, f"{_sponsorship(args)}/benefits", body)
    return ctx.show(answer, sponsorship_text(answer))


def sponsor_thank(ctx: Context, args: argparse.Namespace) -> int:
    """Record the thank-you sent to a sponsor."""
    body = {"channel": args.channel, **ctx.caller()}
    answer = ctx.client.post(SERVICE, f"{_sponsorship(args)}/thanks", body)
    return ctx.show(answer, sponsorship_text(answer))


def sponsor_cancel(ctx: Context, args: argparse.Namespace) -> int:
    """Cancel a sponsorship (before it is paid in full)."""
    body = {"reason": args.reason, **ctx.caller()}
    answer = ctx.client.post(SERVICE, f"{_sponsorship(args)}/cancel", body)
    return ctx.show(answer, sponsorship_text(answer))


def sponsor_refund(ctx: Context, args: argparse.Namespace) -> int:
    """Pay a cancelled sponsor's cash back: all that is due, reversing its income."""
    currency = normalise_currency(args.currency)
    body = {
        "amount_minor": to_minor(args.amount, currency),
        "currency": currency,
        "refunded_on": (args.on or today_in()).isoformat(),
        **({"method": args.method} if args.method else {}),
        **ctx.caller(),
    }
    answer = ctx.client.post(SERVICE, f"{_sponsorship(args)}/refund", body)
    return ctx.show(answer, sponsorship_text(answer))


def sponsor_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show one sponsorship."""
    answer = ctx.client.get(SERVICE, _sponsorship(args))
    return ctx.show(answer, sponsorship_text(answer))


def sponsor_list(ctx: Context, args: argparse.Namespace) -> int:
    """List a conference's sponsors: state, package, amount, paid."""
    answer = ctx.client.get(SERVICE, f"{_conference(args)}/sponsors")
    rows = [
        (
            x["sponsorship_id"],
            x["sponsor"],
            x["state"],
            x.get("package") or "",
            from_minor(x["amount_minor"], x.get("currency") or "CNY"),
            from_minor(x["paid_minor"], x.get("currency") or "CNY"),
        )
        for x in answer.get("sponsorships") or []
    ]
    headers = ("SPONSORSHIP", "SPONSOR", "STATE", "PACKAGE", "AMOUNT", "PAID")
    return ctx.show(answer, output.table(headers, rows) if rows else "no sponsors yet")


def sponsorship_text(x: dict[str, Any]) -> str:
    currency = x.get("currency") or "CNY"
    delivered = ", ".join(x.get("delivered") or {})
    return output.fields(
        [
            ("sponsorship", x.get("sponsorship_id")),
            ("sponsor", x.get("sponsor")),
            ("state", x.get("state")),
            ("package", x.get("package")),
            ("amount", from_minor(x.get("amount_minor", 0), currency)),
            ("cash paid", from_minor(x.get("paid_minor", 0), currency)),
            ("in kind received", from_minor(x.get("in_kind_received_minor", 0), currency)),
            ("delivered", delivered or None),
            *(
                [("refunded", from_minor(x["refunded_minor"], currency))]
                if x.get("refunded_minor")
                else []
            ),
        ]
    )


def sponsor_packages(ctx: Context, args: argparse.Namespace) -> int:  # pragma: no cover
    """The sponsorship plan's packages: add, list."""
    raise UsageError("package", "give add or list")


# -- the parsers -------------------------------------------------------------------------


def add_parsers(
    group: Callable[[str, str], argparse._SubParsersAction],
    command: Callable[..., argparse.ArgumentParser],
    iso_date: Callable[[str], Any],
) -> None:
    """`huiwu sponsor ...`, built by cli.py's helpers."""
    sponsor = group("sponsor", "the sponsorship pipeline (budget service)")
    packages = command(sponsor, "package", sponsor_packages).add_subparsers(
        dest="package_action", metavar="ACTION", required=True
    )
    added = command(packages, "add", package_add)
    added.add_argument("conference_id", metavar="CONFERENCE_ID")
    added.add_argument("--name", required=True, help="what the package is sold as")
    added.add_argument("--level", required=True, choices=LEVELS)
    added.add_argument("--price", required=True, metavar="AMOUNT")
    added.add_argument("--currency", default="CNY", help="the conference's (default CNY)")
    added.add_argument("--slots", required=True, type=int, metavar="N", help="how many to sell")
    added.add_argument("--benefit", action="append", required=True, choices=BENEFITS)
    listed = command(packages, "list", package_list)
    listed.add_argument("conference_id", metavar="CONFERENCE_ID")

    published = command(sponsor, "prospectus", prospectus_publish)
    published.add_argument("conference_id", metavar="CONFERENCE_ID")
    published.add_argument(
        "--language", action="append", required=True, choices=LANGUAGES, help="repeatable"
    )

    prospect = command(sponsor, "add", sponsor_add)
    prospect.add_argument("conference_id", metavar="CONFERENCE_ID")
    prospect.add_argument("--sponsor", required=True, help="the company's name")
    prospect.add_argument("--level", choices=LEVELS, help="the level aimed at")

    def on_sponsorship(name: str, handler: Callable) -> argparse.ArgumentParser:
        sub = command(sponsor, name, handler)
        sub.add_argument("sponsorship_id", metavar="SPONSORSHIP_ID")
        return sub

    advanced = on_sponsorship("advance", sponsor_advance)
    advanced.add_argument("--channel", choices=CONTACT_CHANNELS, help="a contact made")
    advanced.add_argument("--negotiate", action="store_true", help="start negotiating")
    advanced.add_argument("--level", choices=LEVELS, help="the level discussed")
    signed = on_sponsorship("sign", sponsor_sign)
    signed.add_argument("--package", required=True, help="the package's name")
    signed.add_argument("--form", choices=SPONSOR_FORMS, default="cash")
    signed.add_argument("--amount", metavar="AMOUNT", help="agreed, if not the package's price")
    signed.add_argument("--currency", default="CNY")
    signed.add_argument(
        "--instalment", action="append", type=dated_amount, metavar="YYYY-MM-DD=AMOUNT"
    )
    signed.add_argument(
        "--in-kind",
        action="append",
        nargs=3,
        metavar=("KIND", "VALUE", "DESCRIPTION"),
        help=f"an item given in kind; KIND one of {', '.join(IN_KIND)} (repeatable)",
    )
    signed.add_argument("--on", type=iso_date, metavar="YYYY-MM-DD", help="default: today")
    invoiced = on_sponsorship("invoice", sponsor_invoice)
    invoiced.add_argument("--fapiao", required=True, metavar="NUMBER")
    invoiced.add_argument("--amount", required=True, metavar="AMOUNT", help="gross (价税合计)")
    invoiced.add_argument("--rate", type=int, choices=TAX_RATES, default=600, metavar="BP")
    invoiced.add_argument("--type", choices=FAPIAO_TYPES, default="vat_ordinary")
    invoiced.add_argument("--medium", choices=FAPIAO_MEDIA, default="digital")
    invoiced.add_argument("--buyer-name", dest="buyer_name", help="default: the sponsor")
    invoiced.add_argument("--buyer-tax-id", dest="buyer_tax_id")
    invoiced.add_argument("--instalment", type=int, metavar="N")
    invoiced.add_argument("--on", type=iso_date, metavar="YYYY-MM-DD", help="default: today")
    reversed_ = on_sponsorship("reverse", sponsor_reverse)
    reversed_.add_argument("--fapiao", required=True, metavar="NUMBER", help="the one reversed")
    reversed_.add_argument("--red", required=True, metavar="NUMBER", help="the red-letter one")
    reversed_.add_argument("--reason", required=True, choices=REVERSAL_REASONS)
    reversed_.add_argument("--amount", metavar="AMOUNT", help="gross taken back (default: all)")
    reversed_.add_argument("--confirmation", metavar="NUMBER", help="红字确认单 number")
    reversed_.add_argument("--on", type=iso_date, metavar="YYYY-MM-DD", help="default: today")
    paid = on_sponsorship("pay", sponsor_pay)
    paid.add_argument("--amount", metavar="AMOUNT", help="cash received")
    paid.add_argument("--currency", default="CNY")
    paid.add_argument("--method", choices=PAYMENT_METHODS)
    paid.add_argument("--instalment", type=int, metavar="N")
    paid.add_argument("--fapiao", metavar="NUMBER", help="default: the last one issued")
    paid.add_argument("--in-kind", dest="in_kind", choices=IN_KIND, help="an item received")
    paid.add_argument("--value", metavar="AMOUNT", help="of the item received in kind")
    paid.add_argument("--description", help="of the item received in kind")
    paid.add_argument("--on", type=iso_date, metavar="YYYY-MM-DD", help="default: today")
    delivered = on_sponsorship("deliver", sponsor_deliver)
    delivered.add_argument("--benefit", required=True, choices=BENEFITS)
    delivered.add_argument("--proof", required=True, metavar="REF", help="where it shows")
    thanked = on_sponsorship("thank", sponsor_thank)
    thanked.add_argument("--channel", required=True, choices=CONTACT_CHANNELS)
    cancelled = on_sponsorship("cancel", sponsor_cancel)
    cancelled.add_argument("--reason", required=True)
    refunded = on_sponsorship("refund", sponsor_refund)
    refunded.add_argument("--amount", required=True, metavar="AMOUNT", help="all that is due")
    refunded.add_argument("--currency", default="CNY")
    refunded.add_argument("--on", type=iso_date, metavar="YYYY-MM-DD", help="default: today")
    refunded.add_argument("--method", choices=PAYMENT_METHODS)
    on_sponsorship("show", sponsor_show)
    shown = command(sponsor, "list", sponsor_list)
    shown.add_argument("conference_id", metavar="CONFERENCE_ID")
