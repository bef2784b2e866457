"""Revenue against its plan (budget service): set a line's target by a day, check it as
days pass, and show each target with the income recorded."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from services.budget.events import OVERRUN_SUBJECTS

from .. import output
from ..client import path_segment
from ..money import from_minor
from .budget import percent_bp
from .context import Context


def _revenue(args: argparse.Namespace) -> str:
    return f"/conferences/{path_segment(args.conference_id)}/revenue"


def revenue_target(ctx: Context, args: argparse.Namespace) -> int:
    """Set a line's revenue target: a share of its plan by a day, less a margin."""
    body: dict[str, Any] = {
        "line": args.line,
        "due_on": args.by.isoformat(),
        "percent": args.percent,
        **({"margin_bp": args.margin} if args.margin is not None else {}),
        **ctx.caller(),
    }
    answer = ctx.client.post("budget", f"{_revenue(args)}/targets", body)
    return ctx.show(answer, revenue_text(answer))


def revenue_check(ctx: Context, args: argparse.Namespace) -> int:
    """Check every revenue target as of a day (default today): warns once behind."""
    body = {**({"as_of": args.as_of.isoformat()} if args.as_of else {}), **ctx.caller()}
    answer = ctx.client.post("budget", f"{_revenue(args)}/check", body)
    return ctx.show(answer, revenue_text(answer))


def revenue_show(ctx: Context, args: argparse.Namespace) -> int:
    """Show each revenue target: planned, expected by its day, income, BEHIND."""
    query = {"as_of": args.as_of.isoformat()} if args.as_of else None
    answer = ctx.client.get("budget", _revenue(args), query=query)
    return ctx.show(answer, revenue_text(answer))


def revenue_text(answer: dict[str, Any]) -> str:
    currency = answer.get("currency") or "CNY"
    rows = [
        (
            t["line"],
            t["due_on"],
            from_minor(t["planned_minor"], currency),
            f"{t['percent']}%",
            from_minor(t["expected_minor"], currency),
            from_minor(t["income_minor"], currency)
            if t["income_minor"] >= 0
            else "-" + from_minor(-t["income_minor"], currency),
            "BEHIND" if t["behind"] else "",
        )
        for t in answer.get("targets") or []
    ]
    headers = ("LINE", "BY", "PLANNED", "SHARE", "EXPECTED", "INCOME", "")
    text = output.table(headers, rows) if rows else "no revenue targets"
    return f"{text}\n\nas of {answer.get('as_of')}"


def add_parsers(
    group: Callable[[str, str], argparse._SubParsersAction],
    command: Callable[..., argparse.ArgumentParser],
    iso_date: Callable[[str], Any],
) -> None:
    """`huiwu revenue ...`, built by cli.py's helpers."""
    revenue = group("revenue", "revenue against its plan, by a day (budget service)")
    target = command(revenue, "target", revenue_target)
    target.add_argument("conference_id", metavar="CONFERENCE_ID")
    target.add_argument("--line", required=True, choices=OVERRUN_SUBJECTS, help="or total")
    target.add_argument("--by", required=True, type=iso_date, metavar="YYYY-MM-DD")
    target.add_argument("--percent", type=int, default=100, help="of the plan (default 100)")
    target.add_argument(
        "--margin", type=percent_bp, metavar="PERCENT", help="short of it before a warning"
    )
    for name, handler in (("check", revenue_check), ("show", revenue_show)):
        sub = command(revenue, name, handler)
        sub.add_argument("conference_id", metavar="CONFERENCE_ID")
        sub.add_argument("--as-of", dest="as_of", type=iso_date, metavar="YYYY-MM-DD")
