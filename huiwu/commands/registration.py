"""Ticket types, registration channels, orders, payments, refunds, vouchers, the waiting
list and attendees: the commands of the registration service. Amounts are typed in major
units (2800.00) and sent as exact minor units."""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from services.registration.events import (
    CANCELLED_BY,
    CATEGORIES,
    CLOSE_REASONS,
    CONSENTS,
    PAYMENT_METHODS,
    PRICE_MODES,
    REFUND_REASONS,
    REFUND_SOURCES,
    REGISTRATION_CHANNELS,
    SALES_CHANNELS,
    VOUCHER_PURPOSES,
)

from .. import output
from ..client import ServiceError, path_segment
from ..money import from_minor, normalise_currency, to_minor
from ..progress import Progress
from . import reconcile
from .context import Context, UsageError, today_in
from .plan import XLSX_TYPE, row_error

SERVICE = "registration"
# checking 20,000 rows and storing them takes longer than a command's usual 30 s
IMPORT_TIMEOUT = 600.0
# Registering needs this consent (PIPL); `--consent-to` adds others.
REQUIRED_CONSENT = "personal_information"


# -- ticket types and the conference's set-up ------------------------------------------


def _setup(ctx: Context, conference_id: str) -> dict[str, Any] | None:
    """The conference's registration set-up, or None before its first fee schedule."""
    try:
        return ctx.client.get(SERVICE, f"/conferences/{path_segment(conference_id)}/registration")
    except ServiceError as exc:
        if exc.status == 409:  # not set up yet
            return None
        raise


def ticket_add(ctx: Context, args: argparse.Namespace) -> int:
    """Add a ticket type (a line of the fee schedule); the schedule is set again with it."""
    currency = normalise_currency(args.currency)
    line: dict[str, Any] = {
        "category": args.category,
        "ticket_type": args.ticket_type,
        "label": args.label,
        "price_minor": to_minor(args.price, currency),
        "currency": currency,
        "tax_rate_bp": args.tax_rate,
    }
    for key, value in (
        ("quota", args.quota),
        ("early_until", args.early_until),
        ("on_sale_from", args.on_sale_from),
        ("on_sale_until", args.on_sale_until),
    ):
        if value is not None:
            line[key] = value.isoformat() if hasattr(value, "isoformat") else value
    if args.approval:
        line["requires_approval"] = True
    setup = _setup(ctx, args.conference_id)
    lines = list(setup["fees"]) if setup else []
    if any(
        (old["ticket_type"], old.get("early_until"))
        == (line["ticket_type"], line.get("early_until"))
        for old in lines
    ):
        raise UsageError("--type", f"{args.ticket_type} already has that line; see ticket list")
    body = {"categories": [*lines, line], **ctx.caller()}
    path = f"/conferences/{path_segment(args.conference_id)}/fees"
    answer = ctx.client.post(SERVICE, path, body)
    return ctx.show(answer, f"{args.ticket_type} added ({len(lines) + 1} lines in the schedule)")


def ticket_list(ctx: Context, args: argparse.Namespace) -> int:
    """List the ticket types of a conference: price, tax, quota, sales window."""
    setup = _setup(ctx, args.conference_id) or {"fees": []}
    rows = [
        (
            line.get("ticket_type"),
            line.get("category"),
            line.get("label"),
            from_minor(line.get("price_minor", 0), line.get("currency", "CNY")),
            f"{line.get('tax_rate_bp', 0) / 100:g}%",
            line.get("quota") or "-",
            line.get("early_until") or "-",
            f"{line.get('on_sale_from') or '..'} - {line.get('on_sale_until') or '..'}",
            "yes" if line.get("requires_approval") else "no",
        )
        for line in setup["fees"]
    ]
    headers = ("TYPE", "CATEGORY", "LABEL", "PRICE", "TAX", "QUOTA", "EARLY UNTIL", "ON SALE")
    return ctx.show(setup, output.table((*headers, "APPROVAL"), rows))


def registration_open(ctx: Context, args: argparse.Namespace) -> int:
    """Open registration on a channel (online or onsite), with its payment methods."""
    body: dict[str, Any] = {
        "channel": args.channel,
        "payment_methods": args.payment or [],
        **ctx.caller(),
    }
    if args.closes_on:
        body["closes_on"] = args.closes_on.isoformat()
    path = f"/conferences/{path_segment(args.conference_id)}/registration/open"
    return ctx.show(ctx.client.post(SERVICE, path, body), f"registration open on {args.channel}")


def registration_close(ctx: Context, args: argparse.Namespace) -> int:
    """Close registration on a channel, saying why."""
    body = {"channel": args.channel, "reason": args.reason, **ctx.caller()}
    path = f"/conferences/{path_segment(args.conference_id)}/registration/close"
    return ctx.show(ctx.client.post(SERVICE, path, body), f"registration closed on {args.channel}")


def target_of(text: str) -> dict[str, Any]:
    """`2027-03-01:200`: 200 registered by that day."""
    by, _, registered = text.partition(":")
    if not registered.strip().isdigit():
        raise UsageError("--target", f"{text!r} is not DAY:NUMBER, such as 2027-03-01:200")
    return {"by": by.strip(), "registered": int(registered)}


def targets_set(ctx: Context, args: argparse.Namespace) -> int:
    """Set the registration targets by day and the share under which they warn."""
    body: dict[str, Any] = {
        "targets": [target_of(t) for t in args.target],
        "warn_below_percent": args.warn_below,
        **ctx.caller(),
    }
    if args.category:
        body["categories"] = args.category
    path = f"/conferences/{path_segment(args.conference_id)}/registration/targets"
    return ctx.show(ctx.client.post(SERVICE, path, body), f"{len(args.target)} targets set")


def target_check(ctx: Context, args: argparse.Namespace) -> int:
    """Check the current registration target now: the warning it gives, if any."""
    path = f"/conferences/{path_segment(args.conference_id)}/registration/targets/check"
    answer = ctx.client.post(SERVICE, path, ctx.caller())
    warning = answer.get("warning")
    if warning is None:
        return ctx.show(answer, "no warning: no target due, met, or warned before")
    text = (
        f"below target: {warning['registered']} registered of {warning['target']} "
        f"by {warning['target_by']} (warns under {warning['warn_below_percent']}%)"
    )
    return ctx.show(answer, text)


def refund_policy_set(ctx: Context, args: argparse.Namespace) -> int:
    """Set the conference's refund rules (docs/registration.md)."""
    body: dict[str, Any] = {
        "full_refund_until": args.full_until.isoformat(),
        "partial_refund_percent": args.percent,
        **ctx.caller(),
    }
    if args.partial_until:
        body["partial_refund_until"] = args.partial_until.isoformat()
    if args.substitution_until:
        body["substitution_until"] = args.substitution_until.isoformat()
    path = f"/conferences/{path_segment(args.conference_id)}/refund-policy"
    return ctx.show(ctx.client.post(SERVICE, path, body), "refund policy set")


# -- orders ----------------------------------------------------------------------------


def consent_of(args: argparse.Namespace) -> dict[str, str]:
    """The consent wording the attendees agreed to, from --consent-text or --consent-file."""
    if args.consent_file:
        try:
            wording = Path(args.consent_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError("--consent-file", f"cannot read it: {exc.strerror or exc}") from None
    else:
        wording = args.consent_text
    if not wording or not wording.strip():
        raise UsageError("--consent-text", "give the consent wording, or --consent-file")
    return {"version": args.consent_version, "wording": wording}


def person(name: str, email: str, phone: str | None, args: argparse.Namespace) -> dict:
    found = {
        "name": name,
        "email": email,
        "consents": list(dict.fromkeys([REQUIRED_CONSENT, *(args.consent_to or [])])),
        "consent": consent_of(args),
    }
    if phone:
        found["phone"] = phone
    return found


def attendee_of(text: str, index: int, args: argparse.Namespace) -> dict[str, Any]:
    """--attendee NAME,EMAIL,TICKET_TYPE[,PHONE[,VOUCHER_CODE]]."""
    parts = [part.strip() for part in text.split(",")]
    if not 3 <= len(parts) <= 5 or not all(parts[:3]):
        raise UsageError(
            "--attendee",
            f"#{index + 1} must be NAME,EMAIL,TICKET_TYPE[,PHONE[,VOUCHER_CODE]], got {text!r}",
        )
    name, email, ticket_type, phone, code = (*parts, None, None)[:5]
    found = {"ticket_type": ticket_type, "person": person(name, email, phone or None, args)}
    if code:
        found["voucher_code"] = code
    return found


def order_place(ctx: Context, args: argparse.Namespace) -> int:
    """Place an order for one or more attendees; print its id and what it costs."""
    body: dict[str, Any] = {
        "conference_id": args.conference,
        "buyer_kind": "organisation" if args.organisation else "individual",
        "buyer_name": args.buyer,
        "channel": args.channel,
        "attendees": [attendee_of(text, i, args) for i, text in enumerate(args.attendee)],
        **ctx.caller(),
    }
    for key, value in (
        ("buyer_organisation", args.organisation),
        ("buyer_email", args.buyer_email),
        ("buyer_phone", args.buyer_phone),
        ("expires_at", args.expires),
    ):
        if value:
            body[key] = value
    order = ctx.client.post(SERVICE, "/orders", body)
    total = from_minor(order["total_minor"], order["currency"])
    return ctx.show(order, f"{order['order_id']}\n{order['status']}, {total} to pay")


def order_pay(ctx: Context, args: argparse.Namespace) -> int:
    """Record a payment of an order (a part, the whole, or more: each is shown)."""
    currency = normalise_currency(args.currency)
    body: dict[str, Any] = {
        "method": args.method,
        "amount_minor": to_minor(args.amount, currency),
        "currency": currency,
        "received_on": (args.on or today_in()).isoformat(),
        **ctx.caller(),
    }
    if args.fee:
        body["fee_minor"] = to_minor(args.fee, currency)
    if args.reference:
        body["provider_reference"] = args.reference
    order = ctx.client.post(SERVICE, f"/orders/{path_segment(args.order_id)}/payments", body)
    return ctx.show(order, order_text(order))


def order_refund(ctx: Context, args: argparse.Namespace) -> int:
    """Ask for a refund of an order (part or all of what was paid); finance completes it."""
    currency = normalise_currency(args.currency)
    body = {
        "amount_minor": to_minor(args.amount, currency),
        "reason": args.reason,
        "source": args.source,
        **ctx.caller(),
    }
    order = ctx.client.post(SERVICE, f"/orders/{path_segment(args.order_id)}/refunds", body)
    return ctx.show(order, order_text(order))


def order_refunded(ctx: Context, args: argparse.Namespace) -> int:
    """Record that a refund reached the payer."""
    body = {
        "method": args.method,
        "completed_on": (args.on or today_in()).isoformat(),
        **ctx.caller(),
    }
    path = f"/orders/{path_segment(args.order_id)}/refunds/{path_segment(args.refund_id)}/complete"
    order = ctx.client.post(SERVICE, path, body)
    return ctx.show(order, order_text(order))


def order_cancel(ctx: Context, args: argparse.Namespace) -> int:
    """Cancel an order, paid or not; the refund its rules give is asked for with it."""
    body = {"reason": args.reason, "cancelled_by": args.by, **ctx.caller()}
    order = ctx.client.post(SERVICE, f"/orders/{path_segment(args.order_id)}/cancel", body)
    return ctx.show(order, order_text(order))


def order_approve(ctx: Context, args: argparse.Namespace) -> int:
    """Approve an order that waits for approval."""
    order = ctx.client.post(
        SERVICE, f"/orders/{path_segment(args.order_id)}/approve", {**ctx.caller()}
    )
    return ctx.show(order, order_text(order))


def order_deny(ctx: Context, args: argparse.Namespace) -> int:
    """Deny an order that waits for approval, saying why."""
    body = {"reason": args.reason, **ctx.caller()}
    order = ctx.client.post(SERVICE, f"/orders/{path_segment(args.order_id)}/deny", body)
    return ctx.show(order, order_text(order))


def order_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show an order: what it costs, what was paid and refunded, and its attendees."""
    shown = ctx.client.get(SERVICE, f"/orders/{path_segment(args.order_id)}")
    order, attendees = shown["order"], shown.get("attendees") or []
    rows = [
        (a.get("attendee_id"), a.get("name"), a.get("email"), a.get("ticket_type"), a.get("status"))
        for a in attendees
    ]
    people = output.table(("ATTENDEE", "NAME", "EMAIL", "TICKET", "STATUS"), rows)
    return ctx.show(shown, f"{order_text(order)}\n\n{people}")


def order_text(o: dict[str, Any]) -> str:
    currency = o.get("currency", "CNY")

    def money(key: str) -> str | None:
        value = o.get(key)
        return None if value is None else from_minor(value, currency)

    refunds = [
        f"{r.get('refund_id')} {from_minor(r.get('amount_minor', 0), currency)} {r.get('status')}"
        for r in o.get("refunds") or []
    ]
    return output.fields(
        [
            ("order", o.get("order_id")),
            ("conference", o.get("conference_id")),
            ("status", o.get("status")),
            ("buyer", o.get("buyer_organisation") or o.get("buyer_name")),
            ("total", money("total_minor")),
            ("paid", money("paid_minor")),
            ("to pay", money("balance_minor")),
            ("payment reference", o.get("payment_reference")),
            ("overpaid", money("overpaid_minor") if o.get("overpaid_minor") else None),
            ("refunded", money("refunded_minor") if o.get("refunded_minor") else None),
            ("refunds", "; ".join(refunds) or None),
            ("expires", o.get("expires_at") if o.get("status") == "awaiting_payment" else None),
        ]
    )


# -- vouchers and the waiting list -----------------------------------------------------


def voucher_issue(ctx: Context, args: argparse.Namespace) -> int:
    """Issue a voucher; print its code (shown this once: it is the voucher's secret)."""
    body: dict[str, Any] = {
        "purpose": args.purpose,
        "price_mode": args.mode,
        "max_usages": args.uses,
        **ctx.caller(),
    }
    if args.mode in ("set", "subtract"):
        if args.value is None:
            raise UsageError("--value", f"a {args.mode} voucher needs an amount in major units")
        body["value"] = to_minor(args.value, args.currency)
        body["currency"] = normalise_currency(args.currency)  # checked: the conference's
    elif args.mode == "percent":
        if args.value is None or not args.value.isdigit() or not 1 <= int(args.value) <= 100:
            raise UsageError("--value", "a percent voucher needs a whole percentage, 1 to 100")
        body["value"] = int(args.value)
    if args.ticket_type:
        body["ticket_type"] = args.ticket_type
    if args.valid_until:
        body["valid_until"] = args.valid_until.isoformat()
    path = f"/conferences/{path_segment(args.conference_id)}/vouchers"
    voucher = ctx.client.post(SERVICE, path, body)
    return ctx.show(voucher, voucher["code"])


def waitlist_join(ctx: Context, args: argparse.Namespace) -> int:
    """Put someone on the waiting list of a sold-out ticket type; print the entry's id."""
    body = {
        "conference_id": args.conference,
        "ticket_type": args.ticket_type,
        "person": person(args.name, args.email, args.phone, args),
        **ctx.caller(),
    }
    entry = ctx.client.post(SERVICE, "/waitlist", body)
    return ctx.show(entry, entry["entry_id"])


def waitlist_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show a waiting-list entry, with its offer's voucher code once it has one."""
    shown = ctx.client.get(SERVICE, f"/waitlist/{path_segment(args.entry_id)}")
    e = shown["entry"]
    return ctx.show(
        shown,
        output.fields(
            [
                ("entry", e.get("entry_id")),
                ("name", e.get("name")),
                ("email", e.get("email")),
                ("ticket", e.get("ticket_type")),
                ("status", e.get("status")),
                ("voucher", shown.get("voucher_code")),
                ("offer until", e.get("offer_expires_at")),
            ]
        ),
    )


# -- attendees -------------------------------------------------------------------------


def attendee_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show an attendee (their personal data: for the roles that may see it)."""
    a = ctx.client.get(SERVICE, f"/attendees/{path_segment(args.attendee_id)}")
    return ctx.show(a, attendee_text(a))


def attendee_import(ctx: Context, args: argparse.Namespace) -> int:
    """Import attendees from a CSV or XLSX: every row an order of one attendee, or none."""
    path = Path(args.file)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise UsageError("FILE", f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        # read as `order place --consent-file` reads it, so both record the same hash
        wording = Path(args.consent_wording_file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise UsageError("--consent-wording-file", f"cannot read it: {reason}") from None
    if not wording.strip():
        raise UsageError("--consent-wording-file", "the file is empty")
    query = {
        **ctx.caller(),
        "consent_version": args.consent_version,
        # the service keeps only the hash of what the attendees agreed to
        "consent_sha256": hashlib.sha256(wording.encode("utf-8")).hexdigest(),
    }
    kind = XLSX_TYPE if content.startswith(b"PK\x03\x04") else "text/csv; charset=utf-8"
    target = f"/conferences/{path_segment(args.conference)}/attendees/import"
    try:
        with Progress(ctx.err, len(content), f"importing {path.name}") as progress:
            answer = ctx.client.upload(
                SERVICE,
                target,
                content,
                kind,
                query=query,
                timeout=IMPORT_TIMEOUT,
                on_sent=progress.sent,
            )
    except ServiceError as exc:
        errors = exc.body.get("errors") if isinstance(exc.body, dict) else None
        if exc.status != 400 or not isinstance(errors, list):
            raise
        if ctx.json:
            output.emit_json(exc.body, ctx.out)
        for error in errors:
            print(f"huiwu attendee import: error: {row_error(error)}", file=ctx.err)
        print(f"huiwu attendee import: {exc.message}", file=ctx.err)
        return 2
    text = (
        f"imported {answer.get('attendees')} attendees in {answer.get('orders')} orders"
        f" ({answer.get('paid')} paid) from {path.name}"
    )
    return ctx.show(answer, "\n".join([text, *answer.get("order_ids", [])]))


def attendee_substitute(ctx: Context, args: argparse.Namespace) -> int:
    """Put another person in an attendee's place (the fee and position stay)."""
    body: dict[str, Any] = {
        "person": person(args.name, args.email, args.phone, args),
        **ctx.caller(),
    }
    if args.reason:
        body["reason"] = args.reason
    path = f"/attendees/{path_segment(args.attendee_id)}/substitute"
    a = ctx.client.post(SERVICE, path, body)
    return ctx.show(a, attendee_text(a))


def attendee_text(a: dict[str, Any]) -> str:
    return output.fields(
        [
            ("attendee", a.get("attendee_id")),
            ("order", a.get("order_id")),
            ("name", a.get("name")),
            ("email", a.get("email")),
            ("phone", a.get("phone")),
            ("ticket", f"{a.get('ticket_type')} ({a.get('category')})"),
            ("status", a.get("status")),
            ("paid", "yes" if a.get("paid") else "no"),
            ("consent", f"{a.get('consent_version')} ({', '.join(a.get('consents') or [])})"),
        ]
    )


# -- the parsers -----------------------------------------------------------------------


def add_parsers(
    group: Callable, command: Callable, iso_date: Callable, non_blank: Callable
) -> None:
    """`huiwu ticket`, `huiwu registration`, `huiwu order` and `huiwu attendee`."""
    day = {"type": iso_date, "metavar": "YYYY-MM-DD"}

    ticket = group("ticket", "ticket types and their fees (registration service)")
    added = command(ticket, "add", ticket_add)
    added.add_argument("conference_id", metavar="CONFERENCE_ID")
    added.add_argument("--type", dest="ticket_type", required=True, metavar="TICKET_TYPE")
    added.add_argument(
        "--category",
        required=True,
        choices=CATEGORIES,
        metavar="CATEGORY",
        help=f"one of {', '.join(CATEGORIES)}",
    )
    added.add_argument("--label", required=True, type=non_blank)
    added.add_argument("--price", required=True, help="VAT included, in major units: 2800.00")
    added.add_argument("--currency", default="CNY", help="the conference's (default CNY)")
    added.add_argument(
        "--tax-rate",
        type=int,
        default=600,
        metavar="BP",
        help="VAT rate of its fapiao in basis points (default 600 = 6%%)",
    )
    added.add_argument("--quota", type=int, metavar="N", help="how many can be sold")
    added.add_argument("--early-until", help="early-bird price until this day", **day)
    added.add_argument("--on-sale-from", **day)
    added.add_argument("--on-sale-until", **day)
    added.add_argument("--approval", action="store_true", help="orders wait for approval")
    listed = command(ticket, "list", ticket_list)
    listed.add_argument("conference_id", metavar="CONFERENCE_ID")

    registration = group("registration", "channels and refund rules (registration service)")
    opened = command(registration, "open", registration_open)
    opened.add_argument("conference_id", metavar="CONFERENCE_ID")
    opened.add_argument("--channel", required=True, choices=REGISTRATION_CHANNELS)
    opened.add_argument(
        "--payment",
        action="append",
        choices=PAYMENT_METHODS,
        metavar="METHOD",
        help=f"repeatable: {', '.join(PAYMENT_METHODS)}",
    )
    opened.add_argument("--closes-on", **day)
    closed = command(registration, "close", registration_close)
    closed.add_argument("conference_id", metavar="CONFERENCE_ID")
    closed.add_argument("--channel", required=True, choices=REGISTRATION_CHANNELS)
    closed.add_argument("--reason", choices=CLOSE_REASONS, default="decision")
    targeted = command(registration, "targets", targets_set)
    targeted.add_argument("conference_id", metavar="CONFERENCE_ID")
    targeted.add_argument(
        "--target", action="append", required=True, metavar="DAY:NUMBER", help="repeatable"
    )
    targeted.add_argument(
        "--warn-below", type=int, required=True, metavar="PERCENT", help="of a target"
    )
    targeted.add_argument("--category", action="append", choices=CATEGORIES, metavar="CATEGORY")
    checked = command(registration, "check-target", target_check)
    checked.add_argument("conference_id", metavar="CONFERENCE_ID")
    policy = command(registration, "refund-policy", refund_policy_set)
    policy.add_argument("conference_id", metavar="CONFERENCE_ID")
    policy.add_argument("--full-until", required=True, help="full refund until", **day)
    policy.add_argument("--partial-until", help="then --percent until", **day)
    policy.add_argument("--percent", type=int, default=0, help="refunded after --full-until")
    policy.add_argument("--substitution-until", **day)

    order = group("order", "orders, payments and refunds (registration service)")
    placed = command(order, "place", order_place)
    placed.add_argument("--conference", required=True, metavar="ID")
    placed.add_argument("--buyer", required=True, type=non_blank, help="the buyer's name")
    placed.add_argument("--organisation", help="the buying organisation (a group order)")
    placed.add_argument("--buyer-email")
    placed.add_argument("--buyer-phone")
    placed.add_argument(
        "--attendee",
        action="append",
        required=True,
        metavar="NAME,EMAIL,TICKET_TYPE[,PHONE[,VOUCHER]]",
        help="repeat for a group",
    )
    placed.add_argument("--channel", choices=SALES_CHANNELS, default="back_office")
    placed.add_argument("--expires", metavar="ISO_TIME", help="unpaid until (default: hold)")
    consent_options(placed)
    paid = command(order, "pay", order_pay)
    paid.add_argument("order_id", metavar="ORDER_ID")
    paid.add_argument("--amount", required=True, help="in major units: 2800.00")
    paid.add_argument("--currency", default="CNY")
    paid.add_argument("--method", required=True, choices=PAYMENT_METHODS)
    paid.add_argument("--on", help="received on (default: today in Asia/Shanghai)", **day)
    paid.add_argument("--fee", help="what the payment channel kept, in major units")
    paid.add_argument("--reference", help="the bank's or provider's transaction number")
    refund = command(order, "refund", order_refund)
    refund.add_argument("order_id", metavar="ORDER_ID")
    refund.add_argument("--amount", required=True, help="in major units")
    refund.add_argument("--currency", default="CNY")
    refund.add_argument("--reason", required=True, choices=REFUND_REASONS)
    refund.add_argument("--source", choices=REFUND_SOURCES, default="organiser")
    refunded = command(order, "refunded", order_refunded)
    refunded.add_argument("order_id", metavar="ORDER_ID")
    refunded.add_argument("refund_id", metavar="REFUND_ID")
    refunded.add_argument("--method", required=True, choices=PAYMENT_METHODS)
    refunded.add_argument("--on", help="completed on (default: today)", **day)
    cancelled = command(order, "cancel", order_cancel)
    cancelled.add_argument("order_id", metavar="ORDER_ID")
    cancelled.add_argument("--reason", required=True, type=non_blank)
    cancelled.add_argument("--by", choices=CANCELLED_BY, default="attendee")
    approved = command(order, "approve", order_approve)
    approved.add_argument("order_id", metavar="ORDER_ID")
    denied = command(order, "deny", order_deny)
    denied.add_argument("order_id", metavar="ORDER_ID")
    denied.add_argument("--reason", required=True, type=non_blank)
    shown = command(order, "show", order_show)
    shown.add_argument("order_id", metavar="ORDER_ID")
    reconcile.add_order_parsers(order, command)

    voucher = group("voucher", "vouchers: passes and discounts (registration service)")
    issued = command(voucher, "issue", voucher_issue)
    issued.add_argument("conference_id", metavar="CONFERENCE_ID")
    issued.add_argument("--purpose", required=True, choices=VOUCHER_PURPOSES)
    issued.add_argument(
        "--mode",
        required=True,
        choices=PRICE_MODES,
        help="free; set: the price; subtract: an amount off; percent off",
    )
    issued.add_argument("--value", help="the price or amount in major units, or the percent")
    issued.add_argument("--currency", default="CNY")
    issued.add_argument("--uses", type=int, default=1, metavar="N", help="default 1")
    issued.add_argument("--type", dest="ticket_type", metavar="TICKET_TYPE")
    issued.add_argument("--valid-until", **day)

    waitlist = group("waitlist", "the waiting list of sold-out tickets (registration service)")
    joined = command(waitlist, "join", waitlist_join)
    joined.add_argument("--conference", required=True, metavar="ID")
    joined.add_argument("--type", dest="ticket_type", required=True, metavar="TICKET_TYPE")
    joined.add_argument("--name", required=True, type=non_blank)
    joined.add_argument("--email", required=True)
    joined.add_argument("--phone")
    consent_options(joined)
    shown = command(waitlist, "show", waitlist_show)
    shown.add_argument("entry_id", metavar="ENTRY_ID")

    attendee = group("attendee", "attendees and substitutions (registration service)")
    shown = command(attendee, "show", attendee_show)
    shown.add_argument("attendee_id", metavar="ATTENDEE_ID")
    imported = command(attendee, "import", attendee_import)
    imported.add_argument("file", metavar="FILE", help="a CSV (UTF-8) or an XLSX")
    imported.add_argument("--conference", required=True, metavar="ID")
    imported.add_argument(
        "--consent-version",
        required=True,
        metavar="VERSION",
        help="the version of the consent wording the attendees agreed to",
    )
    imported.add_argument(
        "--consent-wording-file",
        required=True,
        metavar="PATH",
        help="a UTF-8 file holding that wording (only its SHA-256 is sent)",
    )
    substituted = command(attendee, "substitute", attendee_substitute)
    substituted.add_argument("attendee_id", metavar="ATTENDEE_ID")
    substituted.add_argument("--name", required=True, type=non_blank)
    substituted.add_argument("--email", required=True)
    substituted.add_argument("--phone")
    substituted.add_argument("--reason")
    consent_options(substituted)


def consent_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--consent-version",
        required=True,
        metavar="VERSION",
        help="the version of the consent wording the attendees agreed to",
    )
    wording = parser.add_mutually_exclusive_group(required=True)
    wording.add_argument("--consent-text", metavar="TEXT", help="the wording itself")
    wording.add_argument("--consent-file", metavar="PATH", help="a UTF-8 file holding it")
    parser.add_argument(
        "--consent-to",
        action="append",
        choices=CONSENTS,
        metavar="CONSENT",
        help=f"a further consent given (repeatable): {', '.join(CONSENTS)}",
    )
