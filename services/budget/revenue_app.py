"""Use cases of revenue targets, mixed into BudgetApplication: set a target, and check
every target in force whenever the income changes (a command or an upstream event, with
the same transaction) or a day passes (`check_revenue`). The day is the command's (today
in the conference's time zone, Asia/Shanghai, unless given) or the upstream event's, so
that a rebuild from the same logs decides the same."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from services.common.domain import CommandContext

from . import revenue_commands as c
from .domain import Budget
from .revenue import RevenueTarget, income_of, planned_income

TIMEZONE = ZoneInfo("Asia/Shanghai")  # the default conference time zone (design, 8)
CHANGES_INCOME = ("IncomeRecorded", "IncomeReversed")


def today() -> dt.date:
    return dt.datetime.now(TIMEZONE).date()


def day_of(occurred_at: Any) -> dt.date:
    """The day, in the conference's time zone, of an envelope's `occurred_at`."""
    moment = occurred_at
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return moment.astimezone(TIMEZONE).date()


class RevenueUseCases:
    """Needs the BudgetApplication it is mixed into: its index, books, budgets and save."""

    def set_revenue_target(
        self, conference_id: str, cmd: c.SetRevenueTarget, ctx: CommandContext
    ) -> dict[str, Any]:
        """A new target for a line, checked at once (a new target warns again)."""
        self._ledger_for_command(conference_id, ctx)
        meta = ctx.meta(conference_id)
        target = RevenueTarget.made(
            RevenueTarget.RevenueTargetSet,
            uuid.uuid4(),
            line=cmd.line,
            due_on=cmd.due_on.isoformat(),
            percent=cmd.percent,
            margin_bp=cmd.margin_bp,
            meta=meta,
        )
        self._observe_revenue(conference_id, [target], [], meta, today())
        self.save(target)
        return self.revenue(conference_id)

    def check_revenue(
        self, conference_id: str, cmd: c.CheckRevenue, ctx: CommandContext
    ) -> dict[str, Any]:
        self._ledger_for_command(conference_id, ctx)
        meta = ctx.meta(conference_id)
        as_of = cmd.as_of or today()
        self.save(*self._revenue_checked(conference_id, [], meta, as_of))
        return self.revenue(conference_id, as_of)

    def check_all_revenue(self, ctx: CommandContext, as_of: dt.date | None = None) -> list[str]:
        """The timer's round: every conference with a target checked as of a day (today);
        the conferences where a target warned or cleared."""
        as_of = as_of or today()
        changed = []
        for conference_id in self.index.conferences("RevenueTargetSet"):
            checked = self._revenue_checked(conference_id, [], ctx.meta(conference_id), as_of)
            if checked:
                self.save(*checked)
                changed.append(conference_id)
        return changed

    def _targets(self, conference_id: str) -> list[RevenueTarget]:
        """The target in force per line: the latest set."""
        latest: dict[str, RevenueTarget] = {}
        for target_id in self.index.of(conference_id, "RevenueTargetSet"):
            target = self.repository.get(target_id)
            latest[target.line] = target
        return [latest[line] for line in sorted(latest)]

    def _revenue_checked(
        self,
        conference_id: str,
        changed: list[Any],
        meta: dict[str, Any],
        as_of: dt.date,
        budget: Budget | None = None,
    ) -> list[Any]:
        """The targets that warn or clear once `changed` is saved (and `budget`, a version
        approved now, is in force)."""
        targets = self._targets(conference_id)
        return self._observe_revenue(conference_id, targets, changed, meta, as_of, budget)

    def _revenue_after(
        self, conference_id: str, changed: list[Any], meta: dict[str, Any], as_of: dt.date
    ) -> list[Any]:
        """As `_revenue_checked`, only when `changed` records or reverses income."""
        names = {type(e).__name__ for agg in changed for e in agg.pending_events}
        if not names.intersection(CHANGES_INCOME):
            return []
        return self._revenue_checked(conference_id, changed, meta, as_of)

    def _observe_revenue(
        self,
        conference_id: str,
        targets: list[RevenueTarget],
        changed: list[Any],
        meta: dict[str, Any],
        as_of: dt.date,
        budget: Budget | None = None,
    ) -> list[Any]:
        budget = budget or self._budget_or_none(conference_id, "conference")
        if budget is None or budget.approved is None or not targets:
            return []  # nothing planned: nothing to be behind
        planned = planned_income(budget.approved["lines"])
        net = self._net_income(conference_id, changed)
        recorded = []
        for target in targets:
            figure = target.figure(
                as_of,
                planned.get(target.line, 0),
                income_of(target.line, net),
                budget.currency,
                budget.approved_version,
            )
            if target.observe(figure, meta):
                recorded.append(target)
        return recorded

    def _net_income(self, conference_id: str, changed: list[Any]) -> dict[str, int]:
        pending = [e for agg in changed for e in agg.pending_events]
        figures = self.books.of(conference_id).with_events(pending)
        lines = set(figures.income) | set(figures.reversed)
        return {line: figures.income[line] - figures.reversed[line] for line in lines}

    def revenue(self, conference_id: str, as_of: dt.date | None = None) -> dict[str, Any]:
        """Each target in force: its figures as of a day, and whether it is behind."""
        self.ledger(conference_id)  # NotFound for a conference budget never heard of
        as_of = as_of or today()
        budget = self._budget_or_none(conference_id, "conference")
        approved = budget.approved if budget is not None else None
        planned = planned_income(approved["lines"] if approved else [])
        net = self._net_income(conference_id, [])
        currency, version = (budget.currency, budget.approved_version) if budget else (None, 0)
        return {
            "conference_id": conference_id,
            "as_of": as_of.isoformat(),
            "currency": currency,
            "budget_version": version or None,
            "targets": [
                {
                    **_shown(t.figure(as_of, planned.get(t.line, 0), income_of(t.line, net))),
                    "behind": t.behind,
                }
                for t in self._targets(conference_id)
            ],
        }


def _shown(figure: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in figure.items() if k not in ("currency", "budget_version")}
