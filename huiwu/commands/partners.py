"""Partners sharing the costs (budget service): join, agree a contribution, receive its
cash (or a government grant) as income or what it gives in kind, withdraw, show. Amounts
are typed in yuan and sent in exact fen."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from services.budget.events import IN_KIND, PARTNER_ROLES, SPONSOR_FORMS
from services.budget.partners_schemas import CONTRIBUTION_SOURCES

from .. import output
from ..client import path_segment
from ..money import from_minor, normalise_currency, to_minor
from .budget import percent_bp
from .context import Context, today_in

SERVICE = "budget"


def _partner(args: argparse.Namespace) -> str:
    return f"/partners/{path_segment(args.partner_id)}"


def partner_join(ctx: Context, args: argparse.Namespace) -> int:
    """A co-organiser or supporter joins the conference's costs."""
    body = {"partner": args.partner, "role": args.role, **ctx.caller()}
    path = f"/conferences/{path_segment(args.conference_id)}/partners"
    answer = ctx.client.post(SERVICE, path, body)
    return ctx.show(answer, answer["partner_id"])


def partner_agree(ctx: Context, args: argparse.Namespace) -> int:
    """Its share agreed: in cash (--amount), in kind, or both."""
    currency = normalise_currency(args.currency)
    body: dict[str, Any] = {"form": args.form, **ctx.caller()}
    if args.amount:
        body.update(amount_minor=to_minor(args.amount, currency), currency=currency)
    if args.share is not None:
        body["share_bp"] = args.share
    answer = ctx.client.post(SERVICE, f"{_partner(args)}/contribution", body)
    return ctx.show(answer, partner_text(answer))


def partner_receive(ctx: Context, args: argparse.Namespace) -> int:
    """Its cash received: ledger income on line contributions."""
    currency = normalise_currency(args.currency)
    body = {
        "amount_minor": to_minor(args.amount, currency),
        "currency": currency,
        "received_on": (args.on or today_in()).isoformat(),
        "source": args.source,
        **({"fapiao_number": args.fapiao} if args.fapiao else {}),
        **ctx.caller(),
    }
    answer = ctx.client.post(SERVICE, f"{_partner(args)}/receipts", body)
    return ctx.show(answer, partner_text(answer))


def partner_in_kind(ctx: Context, args: argparse.Namespace) -> int:
    """Something it gave in kind received, at its agreed value, with the proof of receipt."""
    currency = normalise_currency(args.currency)
    body = {
        "kind": args.kind,
        "description": args.description,
        "value_minor": to_minor(args.value, currency),
        "currency": currency,
        "received_on": (args.on or today_in()).isoformat(),
        "proof_ref": args.proof,
        **ctx.caller(),
    }
    answer = ctx.client.post(SERVICE, f"{_partner(args)}/in-kind", body)
    return ctx.show(answer, partner_text(answer))


def partner_withdraw(ctx: Context, args: argparse.Namespace) -> int:
    """A partner leaves the conference's costs: no more cash is taken from it."""
    answer = ctx.client.post(
        SERVICE, f"{_partner(args)}/withdraw", {"reason": args.reason, **ctx.caller()}
    )
    return ctx.show(answer, partner_text(answer))


def partner_show(ctx: Context, args: argparse.Namespace) -> int:
    """A partner: its share agreed, the cash and what it gave in kind received."""
    answer = ctx.client.get(SERVICE, _partner(args))
    return ctx.show(answer, partner_text(answer))


def partner_text(p: dict[str, Any]) -> str:
    agreed = p.get("agreed") or {}
    return output.fields(
        [
            ("partner", p.get("partner")),
            ("role", p.get("role")),
            ("form", agreed.get("form")),
            ("agreed", from_minor(agreed["amount_minor"], "CNY")
             if agreed.get("amount_minor") is not None else None),
            ("received", from_minor(p.get("received_minor", 0), "CNY")),
            ("in kind", from_minor(p.get("in_kind_received_minor", 0), "CNY")),
            ("withdrawn", "yes" if p.get("withdrawn") else "no"),
        ]
    )  # fmt: skip


def add_parsers(
    group: Callable[[str, str], argparse._SubParsersAction],
    command: Callable[..., argparse.ArgumentParser],
    iso_date: Callable[[str], Any],
) -> None:
    """`huiwu partner ...`, built by cli.py's helpers."""
    partner = group("partner", "partners sharing the costs and their contributions (budget)")
    joined = command(partner, "join", partner_join)
    joined.add_argument("conference_id", metavar="CONFERENCE_ID")
    joined.add_argument("--partner", required=True, metavar="NAME")
    joined.add_argument("--role", required=True, choices=PARTNER_ROLES)
    agreed = command(partner, "agree", partner_agree)
    agreed.add_argument("partner_id", metavar="PARTNER_ID")
    agreed.add_argument("--form", required=True, choices=SPONSOR_FORMS)
    agreed.add_argument("--amount", metavar="AMOUNT", help="the cash agreed")
    agreed.add_argument("--currency", default="CNY")
    agreed.add_argument("--share", type=percent_bp, metavar="PERCENT", help="of the costs")
    received = command(partner, "receive", partner_receive)
    received.add_argument("partner_id", metavar="PARTNER_ID")
    received.add_argument("--amount", required=True, metavar="AMOUNT")
    received.add_argument("--currency", default="CNY")
    received.add_argument("--source", choices=CONTRIBUTION_SOURCES, default="contribution")
    received.add_argument("--on", type=iso_date, metavar="YYYY-MM-DD", help="default: today")
    received.add_argument("--fapiao", metavar="NUMBER")
    in_kind = command(partner, "in-kind", partner_in_kind)
    in_kind.add_argument("partner_id", metavar="PARTNER_ID")
    in_kind.add_argument("--kind", required=True, choices=IN_KIND)
    in_kind.add_argument("--value", required=True, metavar="AMOUNT", help="its agreed value")
    in_kind.add_argument("--currency", default="CNY")
    in_kind.add_argument("--description", required=True)
    in_kind.add_argument("--proof", required=True, metavar="REF", help="evidence of receipt")
    in_kind.add_argument("--on", type=iso_date, metavar="YYYY-MM-DD", help="default: today")
    withdrawn = command(partner, "withdraw", partner_withdraw)
    withdrawn.add_argument("partner_id", metavar="PARTNER_ID")
    withdrawn.add_argument("--reason", required=True)
    shown = command(partner, "show", partner_show)
    shown.add_argument("partner_id", metavar="PARTNER_ID")
