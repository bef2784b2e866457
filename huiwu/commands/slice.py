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


def settings_given(pairs: list[tuple[str, int | float]]) -> dict[str, int | float]:
    """--setting NAME=VALUE options as the API's `settings`; a name given twice is refused."""
    given: dict[str, int | float] = {}
    for name, value in pairs:
        if name in given:
            raise UsageError("--setting", f"{name} is given twice")
        given[name] = value
    return given


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
        "currency": args.currency.strip().upper(),
        **({"settings": settings_given(args.setting)} if args.setting else {}),
        **ctx.caller(),
    }
    answer = ctx.client.post("checklist", "/conferences", body)
    return ctx.show(answer, answer["conference_id"])


def conference_settings(ctx: Context, args: argparse.Namespace) -> int:
    """Show a conference's settings: value, default, range, the entries using each."""
    path = f"/conferences/{path_segment(args.conference_id)}/settings"
    answer = ctx.client.get("checklist", path)
    return ctx.show(answer, settings_table(answer.get("settings") or [], args.lang))


def conference_set(ctx: Context, args: argparse.Namespace) -> int:
    """Change settings of a conference; the entries using them are re-evaluated."""
    body = {"settings": settings_given(args.setting), "reason": args.reason, **ctx.caller()}
    path = f"/conferences/{path_segment(args.conference_id)}/settings"
    answer = ctx.client.post("checklist", path, body)
    changed = answer.get("changed") or {}
    if not changed:
        return ctx.show(answer, "nothing changed: every setting already had that value")
    lines = ["changed: " + ", ".join(f"{k} = {v}" for k, v in changed.items())]
    lines += [
        f"{e.get('code')}: {e.get('status')}, {e.get('members')} of {e.get('target')}"
        for e in answer.get("entries") or []
    ]
    return ctx.show(answer, "\n".join(lines))


def settings_table(settings: list[dict[str, Any]], lang: str = "en") -> str:
    rows = [
        (
            s.get("name"),
            "-" if s.get("value") is None else s.get("value"),
            s.get("default"),
            f"{s.get('min')} .. {s.get('max')}",
            ", ".join(s.get("entries") or []) or "-",
            s.get("description_zh" if lang == "zh" else "description_en"),
        )
        for s in settings
    ]
    return output.table(("SETTING", "VALUE", "DEFAULT", "RANGE", "ENTRIES", "MEANING"), rows)


def conference_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show one conference."""
    c = ctx.client.get("checklist", f"/conferences/{path_segment(args.conference_id)}")
    settings = c.get("settings") or {}
    return ctx.show(
        c,
        output.fields(
            [
                ("conference", c.get("conference_id")),
                ("name", c.get("name")),
                ("dates", f"{c.get('starts_on')} .. {c.get('ends_on')} ({c.get('timezone')})"),
                ("city", c.get("city")),
                ("currency", c.get("currency", "CNY")),
                ("attendance", c.get("expected_attendance")),
                ("profile", c.get("profile")),
                ("plan", f"{c.get('template')}, {c.get('entries')} entries"),
                ("settings", ", ".join(f"{k}={v}" for k, v in settings.items()) or None),
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
