"""Wiring of budget: its store and outbox; it follows no other service yet."""

from services.common.config import Settings
from services.common.wiring import Parts, Wired

from .application import BudgetApplication


def bootstrap(settings: Settings) -> Wired:
    parts = Parts(settings, "budget")
    app = parts.store(BudgetApplication)
    return parts.wire(app, uses={"budget": app})
