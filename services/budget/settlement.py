"""The settlement statement: each budget line's plan against what happened, income
received, revenue received in kind (apart: no cash came in), payables settled, and the
balance. Pure: figures in, a statement out."""

from __future__ import annotations

from typing import Any

from .books import Figures


def statement(
    conference_id: str,
    currency: str,
    approved: dict[str, Any] | None,
    figures: Figures,
) -> dict[str, Any]:
    planned_income: dict[str, int] = {}
    planned_expense: dict[str, int] = {}
    for x in (approved or {}).get("lines", []):
        planned = planned_income if x["income"] else planned_expense
        planned[x["line"]] = planned.get(x["line"], 0) + x["planned_minor"]
    by_line = figures.lines()
    in_kind = figures.in_kind
    names = sorted(set(planned_income) | set(planned_expense) | set(by_line) | set(in_kind))
    lines = []
    for name in names:
        got = by_line.get(name, {"income_minor": 0, "committed_minor": 0, "actual_minor": 0})
        lines.append(
            {
                "line": name,
                "planned_income_minor": planned_income.get(name, 0),
                "income_minor": got["income_minor"],
                # revenue received in kind at its agreed value: not in income or balance
                "in_kind_minor": in_kind[name],
                "planned_expense_minor": planned_expense.get(name, 0),
                "committed_minor": got["committed_minor"],
                "actual_minor": got["actual_minor"],
                # what is left of the plan (negative: spent past it)
                "remaining_minor": planned_expense.get(name, 0) - got["actual_minor"],
            }
        )
    payables = [
        {
            "contract_id": contract_id,
            "line": a["line"],
            "amount_minor": a["amount"],
            "paid_minor": a["paid"],
            "cancelled": a["cancelled"],
            "settled": a["cancelled"] or a["paid"] >= a["amount"],
        }
        for contract_id, a in sorted(figures.accounts.items())
    ]
    income = sum(x["income_minor"] for x in lines)
    expense = sum(x["actual_minor"] for x in lines)
    return {
        "conference_id": conference_id,
        "currency": currency,
        "budget_version": (approved or {}).get("version", 0),
        "lines": lines,
        "payables": payables,
        "income_minor": income,
        "in_kind_minor": sum(x["in_kind_minor"] for x in lines),
        "expense_minor": expense,
        "balance_minor": income - expense,
        "result": result(income, expense),
        "payables_open": sum(1 for p in payables if not p["settled"]),
    }


def result(income: int, expense: int) -> str:
    return "surplus" if income > expense else "deficit" if income < expense else "balanced"
