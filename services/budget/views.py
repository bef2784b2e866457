"""What budget shows: a budget with each line against the ledger and its per-attendee
forecast, a budget's history, the ledger's figures and entries, the settlement statement.
Read only: from the application's aggregates and figures, and the registered count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.common.envelope import event_id_for, to_json_value

from . import overruns
from .application import CONFERENCE, HIDDEN, BudgetApplication

Registered = Callable[[str], dict[str, int]]


class BudgetViews:
    def __init__(self, app: BudgetApplication, registered: Registered | None = None) -> None:
        self.app = app
        self.registered = registered

    def budget(self, conference_id: str, scope: str = CONFERENCE) -> dict[str, Any]:
        """The budget with, for the conference's, each line against the ledger, its
        per-attendee lines forecast for the registered count, and its per-speaker lines."""
        budget = self.app.budget(conference_id, scope)
        view: dict[str, Any] = {
            "conference_id": conference_id,
            "scope": scope,
            "currency": budget.currency,
            "version": budget.approved_version,
            "approved": budget.approved,
            "draft": budget.draft,
            "alerts": dict(budget.alerts),
        }
        if budget.approved is None:
            return view
        view["per_speaker"] = per_speaker(budget.approved["lines"])
        if scope == CONFERENCE:
            figures = self.app.figures(conference_id)
            margin = budget.approved["overrun_margin_bp"]
            rows = overruns.figures(
                budget.planned_expense(), figures.committed(), figures.actual, ()
            )
            view["against_ledger"] = [{**r, "over": overruns.over(r, margin)} for r in rows]
        if self.registered is not None:
            view["forecast"] = forecast(budget.approved["lines"], self.registered(conference_id))
        return view

    def history(self, conference_id: str, scope: str = CONFERENCE) -> dict[str, Any]:
        """Every change of the budget: who drafted, changed, approved or revised it, when."""
        budget = self.app.budget(conference_id, scope)
        changes = []
        for stored in self.app.recorder.select_events(budget.id):
            event = self.app.mapper.to_domain_event(stored)
            state = {k: v for k, v in vars(event).items() if k not in HIDDEN}
            meta = getattr(event, "meta", None) or {}
            changes.append(
                {
                    "event_type": type(event).__name__,
                    "event_id": event_id_for(event.originator_id, event.originator_version),
                    "version": event.originator_version,
                    "at": to_json_value(event.timestamp),
                    "actor": meta.get("actor"),
                    **({"on_behalf_of": meta["on_behalf_of"]} if "on_behalf_of" in meta else {}),
                    "what": to_json_value(state),
                }
            )
        return {"conference_id": conference_id, "scope": scope, "changes": changes}

    def ledger(self, conference_id: str) -> dict[str, Any]:
        """Income, committed and spent per line and in all, and what is over budget."""
        ledger = self.app.ledger(conference_id)
        lines = self.app.figures(conference_id).lines()
        return {
            "conference_id": conference_id,
            "currency": ledger.currency,
            "lines": [{"line": k, **v} for k, v in lines.items()],
            "income_minor": sum(v["income_minor"] for v in lines.values()),
            "committed_minor": sum(v["committed_minor"] for v in lines.values()),
            "actual_minor": sum(v["actual_minor"] for v in lines.values()),
            "entries": len(self.app.entries(conference_id)),
            "over": [ledger.over[k] for k in sorted(ledger.over)],
        }

    def entries(self, conference_id: str) -> list[dict[str, Any]]:
        return self.app.entries(conference_id)

    def settlement(self, conference_id: str) -> dict[str, Any]:
        return self.app.statement(conference_id)


def forecast(lines: list[dict[str, Any]], registered: dict[str, int]) -> dict[str, Any]:
    """Each per-attendee line of the version in force priced for the registered count
    (all categories), beside what it planned for the expected one."""
    heads = sum(registered.values())
    return {
        "registered": heads,
        "by_category": registered,
        "lines": [
            {
                "line": x["line"],
                "item": x.get("item"),
                "income": x["income"],
                "unit_minor": x["unit_minor"],
                "planned_quantity": x["quantity"],
                "planned_minor": x["planned_minor"],
                "forecast_minor": x["unit_minor"] * heads,
            }
            for x in lines
            if x.get("per") == "attendee" and "unit_minor" in x
        ],
    }


def per_speaker(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each line of the version in force priced per speaker, for the speakers it expects:
    speakers publishes no events yet, so there is no count to forecast them with."""
    return [
        {
            "line": x["line"],
            "item": x.get("item"),
            "income": x["income"],
            "unit_minor": x["unit_minor"],
            "planned_quantity": x["quantity"],
            "planned_minor": x["planned_minor"],
        }
        for x in lines
        if x.get("per") == "speaker" and "unit_minor" in x
    ]
