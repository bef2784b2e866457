"""Conferences, vendors and contracts: the commands of the first slice (the checklist's are
in plan.py)."""

from __future__ import annotations

import argparse
from typing import Any

from .. import output
from ..client import path_segment
from ..money import from_minor, to_minor
from .context import Context, UsageError, today_in

# -- conferences -----------------------------------------------------------------------


def conference_open(ctx: Context, args: argparse.Namespace) -> int:
    """Open a conference with its plan; print its id."""
    if args.end < args.start:
        raise UsageError("end", f"{args.end} is before --start {args.start}")
    body = {
        "name": args.name,
        "starts_on": args.start.isoformat(),
        "ends_on": args.end.isoformat(),
        "city": args.city,
        "expected_attendance": args.attendance,
        "profile": args.profile,
        "include": args.include,
        "exclude": args.exclude,
        "timezone": args.timezone,
        **ctx.caller(),
    }
    answer = ctx.client.post("checklist", "/conferences", body)
    return ctx.show(answer, answer["conference_id"])


def conference_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show one conference."""
    c = ctx.client.get("checklist", f"/conferences/{path_segment(args.conference_id)}")
    return ctx.show(
        c,
        output.fields(
            [
                ("conference", c.get("conference_id")),
                ("name", c.get("name")),
                ("dates", f"{c.get('starts_on')} .. {c.get('ends_on')} ({c.get('timezone')})"),
                ("city", c.get("city")),
                ("attendance", c.get("expected_attendance")),
                ("profile", c.get("profile")),
                ("plan", f"{c.get('template')}, {c.get('entries')} entries"),
            ]
        ),
    )


# -- vendors and contracts -------------------------------------------------------------


def vendor_add(ctx: Context, args: argparse.Namespace) -> int:
    """Add a vendor to a conference; print its id."""
    body = {
        "conference_id": args.conference,
        "name": args.name,
        "categories": args.category or [],
        "contact_name": args.contact_name,
        "contact_email": args.contact_email,
        "contact_phone": args.contact_phone,
        **ctx.caller(),
    }
    answer = ctx.client.post(
        "vendors", "/vendors", {k: v for k, v in body.items() if v is not None}
    )
    return ctx.show(answer, answer["vendor_id"])


def vendor_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show one vendor."""
    v = ctx.client.get("vendors", f"/vendors/{path_segment(args.vendor_id)}")
    contact = " ".join(
        str(part)
        for part in (v.get("contact_name"), v.get("contact_email"), v.get("contact_phone"))
        if part
    )
    return ctx.show(
        v,
        output.fields(
            [
                ("vendor", v.get("vendor_id")),
                ("conference", v.get("conference_id")),
                ("name", v.get("name")),
                ("categories", ", ".join(v.get("categories") or []) or None),
                ("contact", contact or None),
            ]
        ),
    )


def contract_draft(ctx: Context, args: argparse.Namespace) -> int:
    """Draft a contract with a vendor; print its id."""
    currency = args.currency.strip().upper()
    body = {
        "conference_id": args.conference,
        "vendor_id": args.vendor,
        "category": args.category,
        "title": args.title,
        "amount_minor": to_minor(args.amount, currency),
        "currency": currency,
        **ctx.caller(),
    }
    if args.scope:  # else the service's default: the conference's
        body["scope"] = args.scope
    answer = ctx.client.post("vendors", "/contracts", body)
    return ctx.show(answer, answer["contract_id"])


def contract_sign(ctx: Context, args: argparse.Namespace) -> int:
    """Sign a drafted contract."""
    body = {"signed_on": (args.on or today_in()).isoformat(), **ctx.caller()}
    if args.signed_by:
        body["signed_by"] = args.signed_by
    contract = ctx.client.post("vendors", f"/contracts/{path_segment(args.contract_id)}/sign", body)
    return ctx.show(contract, contract_text(contract))


def contract_cancel(ctx: Context, args: argparse.Namespace) -> int:
    """Cancel a contract, saying why."""
    body = {"reason": args.reason, **ctx.caller()}
    contract = ctx.client.post(
        "vendors", f"/contracts/{path_segment(args.contract_id)}/cancel", body
    )
    return ctx.show(contract, contract_text(contract))


def contract_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show one contract."""
    contract = ctx.client.get("vendors", f"/contracts/{path_segment(args.contract_id)}")
    return ctx.show(contract, contract_text(contract))


def contract_text(c: dict[str, Any]) -> str:
    state = c.get("status")
    if state == "signed":
        state = f"signed on {c.get('signed_on')} by {c.get('signed_by')}"
    elif state == "cancelled":
        state = f"cancelled: {c.get('cancel_reason')}"
    amount = c.get("amount_minor")
    return output.fields(
        [
            ("contract", c.get("contract_id")),
            ("conference", c.get("conference_id")),
            ("vendor", c.get("vendor_id")),
            ("category", c.get("category")),
            ("scope", c.get("scope")),
            ("title", c.get("title")),
            ("amount", None if amount is None else from_minor(amount, c.get("currency", "CNY"))),
            ("status", state),
        ]
    )
