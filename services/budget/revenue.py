"""Revenue behind its target: pure arithmetic on integers and the `RevenueTarget`
aggregate (no I/O: ids, dates and `meta` passed in).

A target says that by `due_on` the income of a line (or of all income, `total`) is to
reach `percent` of the line's planned income in the budget in force. From that day on,
the line is behind when its income (less refunds) is below that share by more than the
margin; the target warns once per crossing (RevenueBehindTarget) and says when the line
is back (RevenueBackOnTarget), as overruns do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from eventsourcing.domain import event

from .domain import BudgetAggregate
from .overruns import BASIS, TOTAL


def is_behind(income: int, planned: int, percent: int, margin_bp: int) -> bool:
    """income < planned * percent% * (1 - margin), in integers: no rounding at the edge."""
    return income * 100 * BASIS < planned * percent * (BASIS - margin_bp)


def planned_income(lines: list[dict[str, Any]]) -> dict[str, int]:
    """The planned income per line of a budget version, and its `total`."""
    planned: dict[str, int] = {}
    for x in lines:
        if x["income"]:
            planned[x["line"]] = planned.get(x["line"], 0) + x["planned_minor"]
    planned[TOTAL] = sum(planned.values())
    return planned


def income_of(line: str, net_income: Mapping[str, int]) -> int:
    return sum(net_income.values()) if line == TOTAL else net_income.get(line, 0)


class RevenueTarget(BudgetAggregate):
    """One target for one line: set once (a new one replaces it), behind or not."""

    @event("RevenueTargetSet")
    def __init__(
        self, line: str, due_on: str, percent: int, margin_bp: int, meta: dict[str, Any]
    ) -> None:
        self.conference_id = meta["conference_id"]
        self.line = line
        self.due_on = due_on
        self.percent = percent
        self.margin_bp = margin_bp
        self.behind = False
        self.seen_on: str | None = None  # the latest day it warned or cleared as of

    def day(self, as_of: dt.date) -> dt.date:
        """The day a check counts as of: never before one the target already decided on
        (a timer's today, a late upstream event), so that a day once past stays past."""
        seen = dt.date.fromisoformat(self.seen_on) if self.seen_on else as_of
        return max(as_of, seen)

    def figure(
        self,
        as_of: dt.date,
        planned: int,
        income: int,
        currency: str | None = None,
        version: int | None = None,
    ) -> dict[str, Any]:
        return {
            "line": self.line,
            "due_on": self.due_on,
            "as_of": self.day(as_of).isoformat(),
            "planned_minor": planned,
            "expected_minor": planned * self.percent // 100,
            "income_minor": income,
            "percent": self.percent,
            "margin_bp": self.margin_bp,
            "currency": currency,
            "budget_version": version,
        }

    def observe(self, figure: dict[str, Any], meta: dict[str, Any]) -> bool:
        """Warn when the line falls behind on or after the day, say when it is back: once
        per crossing. True if it recorded an event."""
        due = dt.date.fromisoformat(self.due_on)
        behind = dt.date.fromisoformat(figure["as_of"]) >= due and is_behind(
            figure["income_minor"], figure["planned_minor"], self.percent, self.margin_bp
        )
        if behind and not self.behind:
            self._behind(**figure, meta=meta)
            return True
        if not behind and self.behind:
            self._back(**figure, meta=meta)
            return True
        return False

    @event("RevenueBehindTarget")
    def _behind(
        self,
        line: str,
        due_on: str,
        as_of: str,
        planned_minor: int,
        expected_minor: int,
        income_minor: int,
        percent: int,
        margin_bp: int,
        currency: str,
        budget_version: int,
        meta: dict[str, Any],
    ) -> None:
        self.behind = True
        self.seen_on = as_of

    @event("RevenueBackOnTarget")
    def _back(
        self,
        line: str,
        due_on: str,
        as_of: str,
        planned_minor: int,
        expected_minor: int,
        income_minor: int,
        percent: int,
        margin_bp: int,
        currency: str,
        budget_version: int,
        meta: dict[str, Any],
    ) -> None:
        self.behind = False
        self.seen_on = as_of
