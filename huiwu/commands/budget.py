"""Budgets and the ledger (budget service): set and approve a budget, show it against
the ledger, record expenses and vendor payments, export the ledger. Amounts are typed in
major units (120000.50) and sent in exact minor units."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from services.budget.events import PAYMENT_METHODS, REVISION_REASONS, SCOPES, VENDOR_PAYMENT_KINDS

from .. import output
from ..client import path_segment
from ..money import from_minor, normalise_currency, to_minor
from .context import Context, UsageError, today_in

SERVICE = "budget"


def _conference(args: argparse.Namespace) -> str:
    return f"/conferences/{path_segment(args.conference_id)}"


def line_amount(text: str) -> tuple[str, str]:
    """LINE=AMOUNT, as --expense venue=300000."""
    name, sep, amount = text.partition("=")
    if not sep or not name.strip() or not amount.strip():
        raise argparse.ArgumentTypeError(f"must be LINE=AMOUNT such as venue=300000, got {text!r}")
    return name.strip(), amount.strip()


def percent_bp(text: str) -> int:
    """A margin in percent with up to two decimals (5, 2.5) as basis points."""
    try:
        return int(to_minor(text.rstrip("%"), "CNY"))  # two decimals: percent * 100 = bp
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a percentage such as 5 or 2.5, got {text!r}"
        ) from None


# -- budget ----------------------------------------------------------------------------


def budget_lines(args: argparse.Namespace, currency: str) -> list[dict[str, Any]]:
    """The lines of `--file` (the API's own), else of --expense and --income."""
    if args.file:
        try:
            lines = json.loads(Path(args.file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError("--file", f"cannot read JSON lines from {args.file}: {exc}") from None
        return lines["lines"] if isinstance(lines, dict) else lines
    variable = set(args.variable or ())
    lines = [
        {
            "line": name,
            "behaviour": "variable" if name in variable else "fixed",
            "planned_minor": to_minor(amount, currency),
            "income": income,
        }
        for given, income in ((args.expense, False), (args.income, True))
        for name, amount in given or ()
    ]
    if not lines:
        raise UsageError("--expense", "give the budget's lines (--expense, --income or --file)")
    return lines


def budget_set(ctx: Context, args: argparse.Namespace) -> int:
    """Draft a budget, or change its draft: every line as it is to be approved."""
    currency = normalise_currency(args.currency)
    body: dict[str, Any] = {
        "scope": args.scope,
        "currency": currency,
        "lines": budget_lines(args, currency),
        **ctx.caller(),
    }
    if args.ceiling:
        body["ceiling_minor"] = to_minor(args.ceiling, currency)
    if args.note:
        body["note"] = args.note
    answer = ctx.client.post(SERVICE, f"{_conference(args)}/budget", body)
    return ctx.show(answer, budget_text(answer))


def budget_approve(ctx: Context, args: argparse.Namespace) -> int:
    """Approve the draft: version 1, or a revision (give --reason)."""
    body: dict[str, Any] = {"scope": args.scope, "approvers": args.approver, **ctx.caller()}
    for key in ("reason", "note"):
        if getattr(args, key):
            body[key] = getattr(args, key)
    if args.margin is not None:
        body["overrun_margin_bp"] = args.margin
    answer = ctx.client.post(SERVICE, f"{_conference(args)}/budget/approve", body)
    return ctx.show(answer, budget_text(answer))


def budget_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show a budget: the version in force, its draft, and each line against the ledger."""
    answer = ctx.client.get(SERVICE, f"{_conference(args)}/budget", query={"scope": args.scope})
    text = budget_text(answer)
    currency = answer.get("currency") or "CNY"
    rows = [
        (
            r["line"],
            from_minor(r["approved_minor"], currency),
            from_minor(r["committed_minor"], currency),
            from_minor(r["actual_minor"], currency),
            "OVER" if r["over"] else "",
        )
        for r in answer.get("against_ledger") or []
    ]
    if rows:
        headers = ("LINE", "APPROVED", "COMMITTED", "SPENT", "")
        text += "\n\n" + output.table(headers, rows)
    forecast = answer.get("forecast") or {}
    per_attendee = [
        (
            f"{x['line']} {x.get('item') or ''}".strip(),
            from_minor(x["planned_minor"], currency),
            x["planned_quantity"],
            from_minor(x["forecast_minor"], currency),
        )
        for x in forecast.get("lines") or []
    ]
    if per_attendee:
        text += f"\n\nper attendee, for the {forecast['registered']} registered:\n"
        text += output.table(("LINE", "PLANNED", "FOR", "FORECAST"), per_attendee)
    per_speaker = [
        (
            f"{x['line']} {x.get('item') or ''}".strip(),
            from_minor(x["unit_minor"], currency),
            x["planned_quantity"],
            from_minor(x["planned_minor"], currency),
        )
        for x in answer.get("per_speaker") or []
    ]
    if per_speaker:
        text += "\n\nper speaker:\n"
        text += output.table(("LINE", "EACH", "SPEAKERS", "PLANNED"), per_speaker)
    return ctx.show(answer, text)


def budget_history(ctx: Context, args: argparse.Namespace) -> int:
    """Who drafted, changed, approved and revised a budget, and when."""
    path = f"{_conference(args)}/budget/history"
    answer = ctx.client.get(SERVICE, path, query={"scope": args.scope})
    rows = [
        (
            c.get("at"),
            c.get("event_type"),
            c.get("actor"),
            (c.get("what") or {}).get("reason") or (c.get("what") or {}).get("note") or "",
        )
        for c in answer.get("changes") or []
    ]
    return ctx.show(answer, output.table(("AT", "WHAT", "WHO", "WHY"), rows))


def budget_text(b: dict[str, Any]) -> str:
    approved = b.get("approved") or {}
    currency = b.get("currency") or "CNY"
    expense = sum(x["planned_minor"] for x in approved.get("lines") or [] if not x["income"])
    income = sum(x["planned_minor"] for x in approved.get("lines") or [] if x["income"])
    return output.fields(
        [
            ("conference", b.get("conference_id")),
            ("scope", b.get("scope")),
            ("version", b.get("version") or "none approved"),
            ("approved by", approved.get("approved_by")),
            ("expense", from_minor(expense, currency) if approved else None),
            ("income", from_minor(income, currency) if approved else None),
            ("draft", "waiting for approval" if b.get("draft") else None),
        ]
    )


# -- ledger ----------------------------------------------------------------------------


def ledger_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show the ledger: income, committed and spent per line, and what is over budget."""
    answer = ctx.client.get(SERVICE, f"{_conference(args)}/ledger")
    currency = answer.get("currency") or "CNY"
    rows = [
        (
            x["line"],
            from_minor(x["income_minor"], currency),
            from_minor(x["committed_minor"], currency),
            from_minor(x["actual_minor"], currency),
        )
        for x in answer.get("lines") or []
    ]
    rows.append(
        (
            "total",
            from_minor(answer.get("income_minor", 0), currency),
            from_minor(answer.get("committed_minor", 0), currency),
            from_minor(answer.get("actual_minor", 0), currency),
        )
    )
    text = output.table(("LINE", "INCOME", "COMMITTED", "SPENT"), rows)
    over = ", ".join(o["line"] for o in answer.get("over") or [])
    text += f"\n\n{answer.get('entries', 0)} entries; over budget: {over or 'nothing'}"
    return ctx.show(answer, text)


def ledger_export(ctx: Context, args: argparse.Namespace) -> int:
    """Export every entry of the ledger to CSV."""
    body = ctx.client.download(SERVICE, f"{_conference(args)}/ledger.csv")
    path = ctx.save(body, args.output, f"ledger-{args.conference_id}.csv")
    if path is None:
        return 0
    return ctx.show({"file": str(path), "bytes": len(body)}, str(path))


def ledger_expense(ctx: Context, args: argparse.Namespace) -> int:
    """Record an expense against a budget line; print the entry's id."""
    currency = normalise_currency(args.currency)
    body = {
        "category": args.line,
        "amount_minor": to_minor(args.amount, currency),
        "currency": currency,
        **({"fapiao_number": args.fapiao} if args.fapiao else {}),
        **({"source_ref": args.ref} if args.ref else {}),
        **ctx.caller(),
    }
    answer = ctx.client.post(SERVICE, f"{_conference(args)}/ledger/expenses", body)
    return ctx.show(answer, answer["entry_id"])


def ledger_pay(ctx: Context, args: argparse.Namespace) -> int:
    """Record a payment to a vendor under its contract: a deposit, progress or final."""
    currency = normalise_currency(args.currency)
    body = {
        "amount_minor": to_minor(args.amount, currency),
        "currency": currency,
        "kind": args.kind,
        "paid_on": (args.on or today_in()).isoformat(),
        **({"method": args.method} if args.method else {}),
        **({"fapiao_number": args.fapiao} if args.fapiao else {}),
        **ctx.caller(),
    }
    path = f"/contracts/{path_segment(args.contract_id)}/payments"
    a = ctx.client.post(SERVICE, path, body)
    text = output.fields(
        [
            ("contract", a.get("contract_id")),
            ("line", a.get("line")),
            ("amount", from_minor(a.get("amount_minor", 0), a.get("currency", currency))),
            ("paid", from_minor(a.get("paid_minor", 0), a.get("currency", currency))),
            ("open", from_minor(a.get("open_minor", 0), a.get("currency", currency))),
        ]
    )
    return ctx.show(a, text)


# -- settlement --------------------------------------------------------------------------


def settlement_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show the settlement statement: each line's plan against the ledger, the balance."""
    st = ctx.client.get(SERVICE, f"{_conference(args)}/settlement")
    currency = st.get("currency") or "CNY"
    rows = [
        (
            x["line"],
            from_minor(x["planned_income_minor"], currency),
            from_minor(x["income_minor"], currency),
            from_minor(x.get("in_kind_minor", 0), currency),
            from_minor(x["planned_expense_minor"], currency),
            from_minor(x["actual_minor"], currency),
            from_minor(x["remaining_minor"], currency)
            if x["remaining_minor"] >= 0
            else "-" + from_minor(-x["remaining_minor"], currency),
        )
        for x in st.get("lines") or []
    ]
    headers = ("LINE", "PLANNED IN", "INCOME", "IN KIND", "PLANNED OUT", "SPENT", "REMAINING")
    text = output.table(headers, rows)
    balance = st.get("balance_minor", 0)
    shown = from_minor(abs(balance), currency)
    text += "\n\n" + output.fields(
        [
            ("income", from_minor(st.get("income_minor", 0), currency)),
            ("received in kind", from_minor(st.get("in_kind_minor", 0), currency)),
            ("expense", from_minor(st.get("expense_minor", 0), currency)),
            ("balance", f"{st.get('result')} {shown}"),
            ("open payables", st.get("payables_open")),
            ("settled", "yes" if st.get("settled") else "no"),
        ]
    )
    return ctx.show(st, text)


def settlement_export(ctx: Context, args: argparse.Namespace) -> int:
    """Export the settlement statement to an XLSX workbook."""
    body = ctx.client.download(SERVICE, f"{_conference(args)}/settlement.xlsx")
    path = ctx.save(body, args.output, f"settlement-{args.conference_id}.xlsx")
    if path is None:
        return 0
    return ctx.show({"file": str(path), "bytes": len(body)}, str(path))


def settlement_complete(ctx: Context, args: argparse.Namespace) -> int:
    """Close the accounts (once every payable is paid or cancelled)."""
    st = ctx.client.post(SERVICE, f"{_conference(args)}/settlement", {**ctx.caller()})
    balance = from_minor(abs(st.get("balance_minor", 0)), st.get("currency") or "CNY")
    return ctx.show(st, f"settled: {st.get('result')} {balance}")


# -- the parsers -------------------------------------------------------------------------


def add_parsers(
    group: Callable[[str, str], argparse._SubParsersAction],
    command: Callable[..., argparse.ArgumentParser],
    iso_date: Callable[[str], Any],
) -> None:
    """`huiwu budget ...` and `huiwu ledger ...`, built by cli.py's helpers."""
    budget = group("budget", "set, approve and show budgets (budget service)")
    made = command(budget, "set", budget_set)
    made.add_argument("conference_id", metavar="CONFERENCE_ID")
    made.add_argument("--scope", choices=SCOPES, default="conference")
    made.add_argument("--currency", default="CNY", help="the conference's (default CNY)")
    made.add_argument("--expense", action="append", type=line_amount, metavar="LINE=AMOUNT")
    made.add_argument("--income", action="append", type=line_amount, metavar="LINE=AMOUNT")
    made.add_argument(
        "--variable", action="append", metavar="LINE", help="a line that follows the headcount"
    )
    made.add_argument("--file", metavar="FILE", help="the lines as JSON, as the API takes them")
    made.add_argument("--ceiling", metavar="AMOUNT", help="the most the conference may spend")
    made.add_argument("--note", help="why it changed")
    approved = command(budget, "approve", budget_approve)
    approved.add_argument("conference_id", metavar="CONFERENCE_ID")
    approved.add_argument("--scope", choices=SCOPES, default="conference")
    approved.add_argument(
        "--approver", action="append", required=True, metavar="NAME", help="repeatable"
    )
    approved.add_argument("--reason", choices=REVISION_REASONS)
    approved.add_argument("--note")
    approved.add_argument(
        "--margin", type=percent_bp, metavar="PERCENT", help="over budget before a warning"
    )
    for name, handler in (("show", budget_show), ("history", budget_history)):
        sub = command(budget, name, handler)
        sub.add_argument("conference_id", metavar="CONFERENCE_ID")
        sub.add_argument("--scope", choices=SCOPES, default="conference")

    ledger = group("ledger", "the ledger of income and expense (budget service)")
    shown = command(ledger, "show", ledger_show)
    shown.add_argument("conference_id", metavar="CONFERENCE_ID")
    exported = command(ledger, "export", ledger_export)
    exported.add_argument("conference_id", metavar="CONFERENCE_ID")
    exported.add_argument("-o", "--output", metavar="FILE", help="default: ledger-ID.csv; - stdout")
    expense = command(ledger, "expense", ledger_expense)
    expense.add_argument("conference_id", metavar="CONFERENCE_ID")
    expense.add_argument("--line", required=True, metavar="LINE", help="the budget line")
    expense.add_argument("--amount", required=True, metavar="AMOUNT")
    expense.add_argument("--currency", default="CNY")
    expense.add_argument("--fapiao", metavar="NUMBER", help="the fapiao received for it")
    expense.add_argument("--ref", metavar="REF", help="the document it is booked against")
    paid = command(ledger, "pay", ledger_pay)
    paid.add_argument("contract_id", metavar="CONTRACT_ID")
    paid.add_argument("--amount", required=True, metavar="AMOUNT")
    paid.add_argument("--currency", default="CNY")
    paid.add_argument("--kind", required=True, choices=VENDOR_PAYMENT_KINDS)
    paid.add_argument("--on", type=iso_date, metavar="YYYY-MM-DD", help="default: today")
    paid.add_argument("--method", choices=PAYMENT_METHODS)
    paid.add_argument("--fapiao", metavar="NUMBER")

    settlement = group("settlement", "the settlement statement (budget service)")
    for name, handler in (
        ("show", settlement_show),
        ("export", settlement_export),
        ("complete", settlement_complete),
    ):
        sub = command(settlement, name, handler)
        sub.add_argument("conference_id", metavar="CONFERENCE_ID")
        if name == "export":
            sub.add_argument("-o", "--output", metavar="FILE", help="default: settlement-ID.xlsx")
